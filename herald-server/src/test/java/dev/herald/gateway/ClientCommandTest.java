package dev.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The one reader of client commands, the same for Socket.IO events and /ws messages. */
class ClientCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ClientCommand parse(String name, String json) throws Exception {
    return ClientCommand.parse(name, json == null ? null : JSON.readTree(json));
  }

  @Test
  void subscribeNamesChannelRoomsInEveryShapeClientsSend() throws Exception {
    assertThat(parse("subscribe", "{\"channels\":[\"orders\",\"channel:news\"]}"))
        .isEqualTo(new ClientCommand.Join(List.of("channel:orders", "channel:news")));
    assertThat(parse("subscribe", "[\"orders\"]")).isEqualTo(new ClientCommand.Join(List.of("channel:orders")));
    assertThat(parse("subscribe", "\"orders\"")).isEqualTo(new ClientCommand.Join(List.of("channel:orders")));
    assertThat(parse("subscribe", "{\"channel\":\"orders\"}")).isEqualTo(new ClientCommand.Join(List.of("channel:orders")));
  }

  @Test
  void joinAndTheSeedAliasesNameOneRoom() throws Exception {
    assertThat(parse("join", "{\"room\":\"analysis:a1\"}")).isEqualTo(new ClientCommand.Join(List.of("analysis:a1")));
    assertThat(parse("join", "\"analysis:a1\"")).isEqualTo(new ClientCommand.Join(List.of("analysis:a1")));
    assertThat(parse("subscribe:repository", "\"repo_456\"")).isEqualTo(new ClientCommand.Join(List.of("repository:repo_456")));
    assertThat(parse("subscribe:repository", "{\"repositoryId\":\"repo_456\"}"))
        .isEqualTo(new ClientCommand.Join(List.of("repository:repo_456")));
    assertThat(parse("subscribe:task", "{\"id\":17}")).isEqualTo(new ClientCommand.Join(List.of("task:17")));
    assertThat(parse("unsubscribe:task", "17")).isEqualTo(new ClientCommand.Leave(List.of("task:17")));
  }

  @Test
  void joinWithoutAUsableRoomIsABadRequest() throws Exception {
    for (String[] c : new String[][] {{"subscribe", null}, {"subscribe", "{}"}, {"subscribe", "[\"ok\", 5]"},
        {"join", "{\"room\":7}"}, {"subscribe:task", "{}"}, {"subscribe:", "\"x\""}}) {
      assertThat(parse(c[0], c[1])).as("%s %s", c[0], c[1]).isInstanceOf(ClientCommand.Invalid.class)
          .extracting(i -> ((ClientCommand.Invalid) i).code()).isEqualTo("bad_request");
    }
  }

  @Test
  void leaveIgnoresWhatNamesNoRoom() throws Exception {
    assertThat(parse("unsubscribe", "[\"orders\", 5]")).isEqualTo(new ClientCommand.Leave(List.of("channel:orders")));
    assertThat(parse("leave", null)).isEqualTo(new ClientCommand.Leave(List.of()));
  }

  @Test
  void ackNeedsAnIdAndAMalformedOneIsNotFound() throws Exception {
    UUID id = UUID.randomUUID();
    assertThat(parse("ack", "{\"notificationId\":\"" + id + "\"}")).isEqualTo(new ClientCommand.Ack(id));
    assertThat(parse("ack", "{}")).isEqualTo(new ClientCommand.Invalid("bad_request", "ack needs {notificationId}"));
    ClientCommand malformed = parse("ack", "{\"notificationId\":\"" + "x".repeat(500) + "\"}");
    assertThat(malformed).isInstanceOf(ClientCommand.Invalid.class);
    assertThat(((ClientCommand.Invalid) malformed).code()).isEqualTo("not_found");
    assertThat(((ClientCommand.Invalid) malformed).message()).as("the echo is abbreviated").hasSizeLessThan(100);
  }

  @Test
  void missedTakesASequenceOrATimeAndABoundedLimit() throws Exception {
    assertThat(parse("requestMissedNotifications", "{\"since\":42}"))
        .isEqualTo(new ClientCommand.RequestMissed(42, null, ClientCommand.MAX_REPLAY));
    assertThat(parse("requestMissedNotifications", "{\"since\":\"42\",\"limit\":5}"))
        .isEqualTo(new ClientCommand.RequestMissed(42, null, 5));
    assertThat(parse("requestMissedNotifications", "{\"since\":\"2024-01-15T10:30:00Z\",\"limit\":100000}"))
        .isEqualTo(new ClientCommand.RequestMissed(0, OffsetDateTime.parse("2024-01-15T10:30:00Z"),
            ClientCommand.MAX_REPLAY));
    assertThat(parse("requestMissedNotifications", null)).isEqualTo(new ClientCommand.RequestMissed(0, null,
        ClientCommand.MAX_REPLAY));
    for (String bad : new String[] {"{\"since\":\"yesterday\"}", "{\"since\":-1}", "{\"since\":true}",
        "{\"limit\":0}", "{\"limit\":\"ten\"}", "{\"limit\":2.5}"}) {
      assertThat(parse("requestMissedNotifications", bad)).as(bad).isInstanceOf(ClientCommand.Invalid.class);
    }
  }

  @Test
  void preferencesMustBeAnObjectAndAreCopied() throws Exception {
    JsonNode patch = JSON.readTree("{\"push\":false}");
    ClientCommand c = ClientCommand.parse("updatePreferences", patch);
    assertThat(c).isEqualTo(new ClientCommand.UpdatePreferences((com.fasterxml.jackson.databind.node.ObjectNode) patch));
    ((com.fasterxml.jackson.databind.node.ObjectNode) patch).put("email", true);
    assertThat(((ClientCommand.UpdatePreferences) c).patch().has("email")).as("a copy, not the client's node").isFalse();
    assertThat(parse("updatePreferences", "[1]")).isInstanceOf(ClientCommand.Invalid.class);
  }

  @Test
  void anUnknownCommandIsNamedAbbreviated() throws Exception {
    ClientCommand c = parse("x".repeat(10_000), null);
    assertThat(c).isInstanceOf(ClientCommand.Invalid.class);
    assertThat(((ClientCommand.Invalid) c).code()).isEqualTo("unknown_event");
    assertThat(((ClientCommand.Invalid) c).message()).hasSizeLessThan(100);
  }
}
