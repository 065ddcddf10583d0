package dev.herald.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.transport.sse.SseStreamTest.EventStream;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Durable notifications on Server-Sent Events: ids carry the last notification sequence, and a
 * stream whose in-memory position is lost (here: after a restart) replays from storage.
 */
class SseNotificationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static void create(TestHerald herald, String recipient, String title) {
    var r = herald.post("/api/notifications", TestHerald.API_KEY,
        "{\"type\":\"sse\",\"recipients\":[\"" + recipient + "\"],\"title\":\"" + title + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private static String title(EventStream.Event e) throws Exception {
    assertThat(e.event()).isEqualTo("notification");
    return JSON.readTree(e.data()).get("title").asText();
  }

  @Test
  void lastEventIdResumesNotificationsFromStorageAfterARestart() throws Exception {
    String url = TestDatabase.get().createDatabase();
    String token = TestHerald.token("sse-reader", null);
    String lastId;
    try {
      try (TestHerald first = TestHerald.start(Map.of("HERALD_DATABASE_URL", url));
          EventStream stream = EventStream.open(first, token, null, null)) {
        create(first, "sse-reader", "one");
        create(first, "sse-reader", "two");
        EventStream.Event one = stream.next();
        EventStream.Event two = stream.next();
        assertThat(title(one)).isEqualTo("one");
        assertThat(title(two)).isEqualTo("two");
        assertThat(one.id()).endsWith("~1");
        assertThat(two.id()).endsWith("~2");
        lastId = one.id(); // the client lost "two" on the way
      }
      try (TestHerald second = TestHerald.start(Map.of("HERALD_DATABASE_URL", url))) {
        create(second, "sse-reader", "three");
        try (EventStream resumed = EventStream.open(second, token, null, lastId)) {
          assertThat(resumed.next().event()).isEqualTo("herald:reset");
          assertThat(title(resumed.next())).isEqualTo("two");
          EventStream.Event three = resumed.next();
          assertThat(title(three)).isEqualTo("three");
          assertThat(three.id()).endsWith("~3");
        }
      }
    } finally {
      TestDatabase.get().dropDatabase(url);
    }
  }

  @Test
  void sinceReplaysOnAFirstConnectionAndTransientEventsDoNotMoveThePosition() throws Exception {
    try (TestHerald herald = TestHerald.start()) {
      create(herald, "sse-since", "a");
      create(herald, "sse-since", "b");
      create(herald, "sse-since", "c");

      try (EventStream stream = openSince(herald, "sse-since", 1)) {
        assertThat(title(stream.next())).isEqualTo("b");
        EventStream.Event c = stream.next();
        assertThat(title(c)).isEqualTo("c");
        assertThat(c.id()).endsWith("~3");

        // an event of the same name from /api/events is no durable notification
        var fake = herald.publish("{\"room\":\"user:sse-since\",\"event\":\"notification\",\"data\":{\"sequence\":999}}");
        assertThat(fake.statusCode()).isEqualTo(202);
        EventStream.Event transient_ = stream.next();
        assertThat(transient_.event()).isEqualTo("notification");
        assertThat(transient_.id()).endsWith("~3");

        create(herald, "sse-since", "d");
        assertThat(stream.next().id()).endsWith("~4");
      }
    }
  }

  private static EventStream openSince(TestHerald herald, String user, long since) {
    return EventStream.open(herald, TestHerald.token(user, null) + "&since=" + since, null, null);
  }
}
