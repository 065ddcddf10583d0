package dev.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Presence in a tenant above {@code HERALD_PRESENCE_TENANT_LIMIT} (issue 14, "Scale"): tenant-wide
 * announcements stop, and a client hears about the users it follows with {@code presence:subscribe}
 * (once, whatever the tenant's size), until {@code presence:unsubscribe}. Here the limit is 2.
 */
class PresenceSubscriptionTest {
  private TestHerald herald;

  @BeforeEach
  void start() {
    herald = TestHerald.start(Map.of("HERALD_PRESENCE", "true", "HERALD_PRESENCE_TENANT_LIMIT", "2"));
  }

  @AfterEach
  void stop() {
    herald.close();
  }

  private void marker(String name) {
    HttpResponse<String> r = herald.post("/api/events", TestHerald.ACME_KEY,
        "{\"room\": \"user:observer\", \"event\": \"" + name + "\", \"data\": {}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  @Test
  void aboveTheLimitOnlyFollowersHearAndThemOnce() throws Exception {
    try (JsonWsRecorder obs = JsonWsRecorder.connect(herald, TestHerald.token("observer", "acme")).hearingPresence()) {
      assertThat(obs.nextEvent("user:online").at("/data/userId").asText()).isEqualTo("observer");
      obs.send("{\"type\": \"presence:subscribe\", \"userIds\": [\"star\", \"star\"]}");
      JsonNode following = obs.next("presence:subscribed");
      assertThat(following.path("userIds")).extracting(JsonNode::asText).containsExactly("star");
      assertThat(following.path("online")).isEmpty();

      JsonWsRecorder first = JsonWsRecorder.connect(herald, TestHerald.token("u1", "acme")).hearingPresence();
      // two online: still tenant-wide
      assertThat(obs.nextEvent("user:online").at("/data/userId").asText()).isEqualTo("u1");
      JsonWsRecorder second = JsonWsRecorder.connect(herald, TestHerald.token("u2", "acme")).hearingPresence();
      JsonWsRecorder star = JsonWsRecorder.connect(herald, TestHerald.token("star", "acme")).hearingPresence();
      // three and four online: u2 is not announced to the tenant; star reaches its follower, once
      assertThat(obs.nextEvent("user:online").at("/data/userId").asText()).isEqualTo("star");
      marker("after-star");
      assertThat(obs.nextEvent("after-star")).isNotNull();

      star.send("{\"type\": \"presence:update\", \"status\": \"BUSY\"}");
      assertThat(obs.nextEvent("presence:updated").at("/data/status").asText()).isEqualTo("BUSY");
      obs.send("{\"type\": \"presence:unsubscribe\", \"userIds\": [\"star\"]}");
      assertThat(obs.next("unsubscribed").path("rooms")).extracting(JsonNode::asText).containsExactly("presence:star");
      star.send("{\"type\": \"presence:update\", \"status\": \"AWAY\"}");
      star.next("presence:updated");
      marker("after-unsubscribe");
      assertThat(obs.nextEvent("after-unsubscribe")).isNotNull();

      // a subscribe names the current presence of those online
      obs.send("{\"type\": \"presence:subscribe\", \"userIds\": [\"star\", \"nobody\"]}");
      JsonNode again = obs.next("presence:subscribed");
      assertThat(again.path("online")).hasSize(1);
      assertThat(again.at("/online/0/status").asText()).isEqualTo("AWAY");
      first.close();
      second.close();
      star.close();
    }
  }

  @Test
  void badSubscriptionsAreRefused() {
    try (JsonWsRecorder obs = JsonWsRecorder.connect(herald, TestHerald.token("observer", "acme")).hearingPresence()) {
      obs.nextEvent("user:online");
      obs.send("{\"type\": \"presence:subscribe\", \"userIds\": []}");
      assertThat(obs.next("error").path("code").asText()).isEqualTo("bad_request");
      obs.send("{\"type\": \"presence:subscribe\", \"userIds\": [\"has space\"]}");
      assertThat(obs.next("error").path("code").asText()).isEqualTo("bad_request");
      StringBuilder many = new StringBuilder("[");
      for (int i = 0; i <= Presence.MAX_SUBSCRIBE; i++) {
        many.append(i == 0 ? "" : ",").append("\"u").append(i).append('"');
      }
      obs.send("{\"type\": \"presence:subscribe\", \"userIds\": " + many.append(']') + "}");
      assertThat(obs.next("error").path("message").asText()).contains("500");
    }
  }
}
