package dev.herald.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's authorization hook, as a real HTTP endpoint the node calls. */
class RoomHookTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static HttpServer hook;
  private static final List<JsonNode> asked = new CopyOnWriteArrayList<>();
  private static TestHerald herald;

  @BeforeAll
  static void start() throws Exception {
    hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext("/authorize", exchange -> {
      JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      asked.add(body);
      boolean allow = body.get("room").asText().startsWith("project:open");
      exchange.sendResponseHeaders(allow ? 204 : 403, -1);
      exchange.close();
    });
    hook.start();
    herald = TestHerald.start(Map.of(
        "HERALD_ROOM_HOOK_URL", "http://127.0.0.1:" + hook.getAddress().getPort() + "/authorize",
        "HERALD_ROOM_HOOK_CACHE_MS", "60000"));
  }

  @AfterAll
  static void stop() {
    herald.close();
    hook.stop(0);
  }

  @Test
  void hookAllowsAndRefusesAndIsAskedOncePerRoomWhileCached() {
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token("hook-user", "acme"))) {
      ws.send("{\"type\":\"join\",\"room\":\"project:open-1\"}");
      assertThat(ws.next("subscribed").get("rooms").toString()).contains("project:open-1");
      ws.send("{\"type\":\"join\",\"room\":\"project:secret\"}");
      JsonNode refused = ws.next("error");
      assertThat(refused.get("code").asText()).isEqualTo("forbidden");
      assertThat(refused.get("room").asText()).isEqualTo("project:secret");
      ws.send("{\"type\":\"leave\",\"room\":\"project:open-1\"}");
      ws.next("unsubscribed");
      ws.send("{\"type\":\"join\",\"room\":\"project:open-1\"}");
      ws.next("subscribed");

      assertThat(asked).extracting(j -> j.get("room").asText())
          .containsExactly("project:open-1", "project:secret");
      assertThat(asked.get(0).get("user").asText()).isEqualTo("hook-user");
      assertThat(asked.get(0).get("tenant").asText()).isEqualTo("acme");

      assertThat(herald.publish("{\"tenant\":\"acme\",\"room\":\"project:open-1\",\"event\":\"p\",\"data\":{\"n\":1}}")
          .statusCode()).isEqualTo(202);
      assertThat(ws.nextEvent("p").get("data").get("n").asInt()).isEqualTo(1);
    }
  }

  @Test
  void reservedRoomsOfOtherUsersAreRefusedWithoutAskingTheHook() {
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token("nosy", "acme"))) {
      int before = asked.size();
      ws.send("{\"type\":\"join\",\"room\":\"user:someone-else\"}");
      JsonNode refused = ws.next("error");
      assertThat(refused.get("code").asText()).isEqualTo("forbidden");
      assertThat(refused.get("message").asText()).contains("reserved");
      assertThat(asked).hasSize(before);
    }
  }
}
