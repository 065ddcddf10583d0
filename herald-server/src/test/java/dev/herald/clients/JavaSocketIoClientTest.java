package dev.herald.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.engineio.client.transports.Polling;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drives Herald's {@code /socket.io/} with the real Java client, {@code io.socket:socket.io-client}
 * 2.x, configured the way applications configure it: {@code IO.Options} with {@code auth = {token}}.
 */
class JavaSocketIoClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  @Test
  void connectsWithAuthTokenOverWebSocketAndReceivesAnEventPublishedToItsUserRoom() throws Exception {
    try (SioRecorder client = SioRecorder.connect(herald.url(), TestHerald.token("java-user", null),
        WebSocket.NAME)) {
      assertThat(herald.publish("{\"room\":\"user:java-user\",\"event\":\"task.created\","
          + "\"data\":{\"id\":\"t-1\",\"tags\":[\"a\",\"b\"],\"n\":3}}").statusCode()).isEqualTo(202);

      Object[] args = client.next("task.created");
      assertThat(json(args[0])).isEqualTo(JSON.readTree("{\"id\":\"t-1\",\"tags\":[\"a\",\"b\"],\"n\":3}"));
      assertThat(args).as("data, then Herald's recovery offset").hasSize(2);
      assertThat(args[args.length - 1]).isInstanceOf(String.class);
      assertThat((String) args[args.length - 1]).matches("[0-9a-f]+-\\d+");
    }
  }

  @Test
  void subscribeIsAcknowledgedWithOkWhenTheTokenAllowsTheChannelAndItsEventsArrive() throws Exception {
    try (SioRecorder client = SioRecorder.connect(herald.url(), TestHerald.token("java-sub", null, "channel:*"),
        WebSocket.NAME)) {
      JSONObject ack = client.emitWithAck("subscribe",
          new JSONObject().put("channels", new JSONArray().put("orders")));

      assertThat(ack.getBoolean("ok")).isTrue();
      assertThat(json(ack).path("rooms")).extracting(JsonNode::asText).containsExactly("channel:orders");

      herald.publish("{\"room\":\"channel:orders\",\"event\":\"order.shipped\",\"data\":\"o-9\"}");
      assertThat(client.next("order.shipped")[0]).isEqualTo("o-9");
    }
  }

  @Test
  void subscribeToAChannelTheTokenDoesNotAllowIsAcknowledgedWithOkFalse() throws Exception {
    try (SioRecorder client = SioRecorder.connect(herald.url(), TestHerald.token("java-nosub", null, "channel:public"),
        WebSocket.NAME)) {
      JSONObject ack = client.emitWithAck("subscribe",
          new JSONObject().put("channels", new JSONArray().put("secret")));

      assertThat(ack.getBoolean("ok")).isFalse();
      assertThat(ack.getString("error")).isNotBlank();
      assertThat(json(ack).path("refused").path(0).path("room").asText()).isEqualTo("channel:secret");
    }
  }

  @Test
  void defaultTransportsPollingThenUpgradeAlsoDeliver() throws Exception {
    try (SioRecorder client = SioRecorder.connect(herald.url(), TestHerald.token("java-polling", null),
        Polling.NAME, WebSocket.NAME)) {
      herald.publish("{\"room\":\"user:java-polling\",\"event\":\"over.any.transport\",\"data\":[1,2]}");

      assertThat(json(client.next("over.any.transport")[0])).isEqualTo(JSON.readTree("[1,2]"));
    }
  }

  @Test
  void eventsNamespaceReceivesTheSameEvents() throws Exception {
    try (SioRecorder client = SioRecorder.connect(herald.url() + "/events", TestHerald.token("java-nsp", null),
        WebSocket.NAME)) {
      herald.publish("{\"room\":\"user:java-nsp\",\"event\":\"analysis:progress\",\"data\":{\"pct\":50}}");

      assertThat(json(client.next("analysis:progress")[0]).path("pct").asInt()).isEqualTo(50);
    }
  }

  @Test
  void badTokenGetsConnectErrorWithAnUnauthorizedMessage() throws Exception {
    Socket socket = IO.socket(URI.create(herald.url()), options("not-a-token", WebSocket.NAME));
    CompletableFuture<Object> refused = new CompletableFuture<>();
    CompletableFuture<Object> connected = new CompletableFuture<>();
    socket.on(Socket.EVENT_CONNECT_ERROR, args -> refused.complete(args.length > 0 ? args[0] : null));
    socket.on(Socket.EVENT_CONNECT, args -> connected.complete(true));
    try {
      socket.connect();
      Object error = refused.get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(error).isInstanceOf(JSONObject.class);
      assertThat(((JSONObject) error).getString("message")).startsWith("unauthorized");
      assertThat(connected).isNotDone();
      assertThat(socket.connected()).isFalse();
    } finally {
      socket.close();
    }
  }

  private static JsonNode json(Object orgJson) throws Exception {
    return JSON.readTree(orgJson instanceof String s ? JSON.writeValueAsString(s) : orgJson.toString());
  }

  private static IO.Options options(String token, String... transports) {
    return IO.Options.builder()
        .setAuth(Map.of("token", token))
        .setTransports(transports)
        .setForceNew(true)
        .setReconnection(false)
        .build();
  }

  /**
   * A connected Java client that records every incoming event in arrival order (OkHttp's recorder
   * pattern); {@link #next} fails after ten seconds instead of hanging.
   */
  @Test
  void scheduledNotificationArrivesAfterItsTimeAndAfterAServerRestartAndMissedOnesReplayInOrder() throws Exception {
    String url = dev.herald.testing.TestDatabase.get().createDatabase();
    java.time.Instant due;
    try {
      try (TestHerald first = TestHerald.start(Map.of("HERALD_DATABASE_URL", url))) {
        for (String title : java.util.List.of("m1", "m2")) {
          assertThat(first.post("/api/notifications", TestHerald.API_KEY,
              "{\"type\":\"t\",\"recipients\":[\"java-restart\"],\"title\":\"" + title + "\"}").statusCode())
              .isEqualTo(201);
        }
        due = java.time.Instant.now().plusSeconds(4);
        assertThat(first.post("/api/notifications", TestHerald.API_KEY,
            "{\"type\":\"t\",\"recipients\":[\"java-restart\"],\"title\":\"later\",\"scheduledAt\":\"" + due
                + "\"}").statusCode()).isEqualTo(201);
      }
      assertThat(java.time.Instant.now()).as("the first node must stop before the scheduled time").isBefore(due);
      try (TestHerald second = TestHerald.start(Map.of("HERALD_DATABASE_URL", url, "HERALD_SCHEDULER_POLL_MS", "100"));
          SioRecorder client = SioRecorder.connect(second.url(), TestHerald.token("java-restart", null), WebSocket.NAME)) {
        assertThat(java.time.Instant.now()).as("connected before the scheduled time, or the test proves nothing")
            .isBefore(due);
        JSONObject replay = client.emitWithAck("requestMissedNotifications", new JSONObject().put("since", 0));
        assertThat(replay.getInt("count")).isEqualTo(2);
        assertThat(((JSONObject) client.next("notification")[0]).getString("title")).isEqualTo("m1");
        assertThat(((JSONObject) client.next("notification")[0]).getString("title")).isEqualTo("m2");

        JSONObject later = (JSONObject) client.next("notification")[0];
        assertThat(later.getString("title")).isEqualTo("later");
        assertThat(java.time.Instant.now()).isAfterOrEqualTo(due);
        assertThat(later.getLong("sequence")).isEqualTo(3);
      }
    } finally {
      dev.herald.testing.TestDatabase.get().dropDatabase(url);
    }
  }

  private static final class SioRecorder implements AutoCloseable {
    private final Socket socket;
    /** Each element: the event name, then its arguments. Filled on the client's event thread. */
    private static final java.util.Set<String> PRESENCE = java.util.Set.of("user:online", "user:offline",
        "presence:updated", "presence:joined", "presence:left");
    private final LinkedBlockingQueue<Object[]> events = new LinkedBlockingQueue<>();

    private SioRecorder(Socket socket) {
      this.socket = socket;
    }

    static SioRecorder connect(String url, String token, String... transports) throws Exception {
      SioRecorder recorder = new SioRecorder(IO.socket(URI.create(url), options(token, transports)));
      CompletableFuture<Void> connected = new CompletableFuture<>();
      recorder.socket.on(Socket.EVENT_CONNECT, args -> connected.complete(null));
      recorder.socket.on(Socket.EVENT_CONNECT_ERROR, args -> connected.completeExceptionally(
          new IllegalStateException("connect refused: " + Arrays.toString(args))));
      // presence announcements reach every socket of a tenant (issue 14); these tests are about the rest
      recorder.socket.onAnyIncoming(args -> {
        if (args.length == 0 || !PRESENCE.contains(String.valueOf(args[0]))) {
          recorder.events.add(args);
        }
      });
      recorder.socket.connect();
      try {
        connected.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        recorder.close();
        throw e;
      }
      return recorder;
    }

    /** The arguments of the next incoming event, asserting that it is {@code event}. */
    Object[] next(String event) throws InterruptedException {
      Object[] e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        fail("no event within " + WAIT + ", expected " + event);
      }
      assertThat(e[0]).as("the next event").isEqualTo(event);
      return Arrays.copyOfRange(e, 1, e.length);
    }

    /** Emits {@code event} asking for an ack and returns the ack's first argument. */
    JSONObject emitWithAck(String event, Object arg) throws Exception {
      CompletableFuture<Object[]> answer = new CompletableFuture<>();
      socket.emit(event, new Object[] {arg}, (Ack) answer::complete);
      Object[] args = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(args).isNotEmpty();
      assertThat(args[0]).isInstanceOf(JSONObject.class);
      return (JSONObject) args[0];
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
