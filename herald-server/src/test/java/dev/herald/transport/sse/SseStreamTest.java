package dev.herald.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /api/stream}: Server-Sent Events read by a small EventSource written over java.net.http. */
class SseStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  @Test
  void publishedEventArrivesWithIdEventAndDataFields() throws Exception {
    try (EventStream stream = EventStream.open(herald, TestHerald.token("sse-basic", null), null, null)) {
      assertThat(stream.response.headers().firstValue("content-type")).hasValueSatisfying(
          ct -> assertThat(ct).startsWith("text/event-stream"));

      publish("user:sse-basic", "task.created", "{\"id\":1,\"title\":\"ünïcode\"}");

      EventStream.Event event = stream.next();
      assertThat(event.event()).isEqualTo("task.created");
      assertThat(event.id()).matches("[0-9a-f]+-\\d+");
      assertThat(JSON.readTree(event.data())).isEqualTo(JSON.readTree("{\"id\":1,\"title\":\"ünïcode\"}"));
    }
  }

  @Test
  void tokenInTheAuthorizationHeaderIsAcceptedToo() {
    try (EventStream stream = EventStream.open(herald, null, null, null,
        "authorization", "Bearer " + TestHerald.token("sse-header", null))) {
      publish("user:sse-header", "hello", "true");
      assertThat(stream.next().event()).isEqualTo("hello");
    }
  }

  @Test
  void roomsParameterJoinsAllowedRooms() {
    try (EventStream stream = EventStream.open(herald, TestHerald.token("sse-rooms", null, "channel:*"),
        "channel:news,channel:sport", null)) {
      publish("channel:sport", "score", "{\"home\":2}");
      assertThat(stream.next().event()).isEqualTo("score");
    }
  }

  @Test
  void reconnectWithLastEventIdReceivesExactlyTheEventsPublishedWhileDisconnectedInOrder() {
    String token = TestHerald.token("sse-resume", null);
    String lastSeen;
    try (TestHerald node = TestHerald.start()) {
      try (EventStream first = EventStream.open(node, token, null, null)) {
        publish(node, "user:sse-resume", "before", "1");
        publish(node, "user:sse-resume", "before", "2");
        assertThat(first.next().data()).isEqualTo("1");
        lastSeen = first.next().id();
      }
      await().atMost(WAIT).until(() -> node.sessions() == 0);

      publish(node, "user:sse-resume", "missed", "3");
      publish(node, "user:someone-else", "not-mine", "0");
      publish(node, "tenant:default", "missed", "4");
      publish(node, "user:sse-resume", "missed", "5");

      try (EventStream resumed = EventStream.open(node, token, null, lastSeen)) {
        List<String> replayed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          EventStream.Event e = resumed.next();
          assertThat(e.event()).isEqualTo("missed");
          replayed.add(e.data());
        }
        assertThat(replayed).containsExactly("3", "4", "5");

        publish(node, "user:sse-resume", "live", "6");
        EventStream.Event live = resumed.next();
        assertThat(live.event()).as("the first event after the replay").isEqualTo("live");
        assertThat(live.data()).isEqualTo("6");
      }
    }
  }

  @Test
  void unknownLastEventIdGetsAResetEventAndThenLiveEvents() throws Exception {
    try (EventStream stream = EventStream.open(herald, TestHerald.token("sse-unknown", null), null,
        "0badc0de-17")) {
      EventStream.Event reset = stream.next();
      assertThat(reset.event()).isEqualTo("herald:reset");
      assertThat(JSON.readTree(reset.data()).path("recovered").asBoolean(true)).isFalse();

      publish("user:sse-unknown", "after.reset", "null");
      assertThat(stream.next().event()).isEqualTo("after.reset");
    }
  }

  @Test
  void lastEventIdOlderThanTheRecoveryLogGetsAResetEvent() {
    try (TestHerald small = TestHerald.start(Map.of("HERALD_RECOVERY_MAX_EVENTS", "3"))) {
      String token = TestHerald.token("sse-old", null);
      String oldest;
      try (EventStream first = EventStream.open(small, token, null, null)) {
        small.publish("{\"room\":\"user:sse-old\",\"event\":\"e\",\"data\":0}");
        oldest = first.next().id();
      }
      for (int i = 1; i <= 5; i++) {
        small.publish("{\"room\":\"user:sse-old\",\"event\":\"e\",\"data\":" + i + "}");
      }

      try (EventStream resumed = EventStream.open(small, token, null, oldest)) {
        assertThat(resumed.next().event()).isEqualTo("herald:reset");
        small.publish("{\"room\":\"user:sse-old\",\"event\":\"fresh\",\"data\":6}");
        EventStream.Event next = resumed.next();
        assertThat(next.event()).as("no partial replay after a reset").isEqualTo("fresh");
      }
    }
  }

  @Test
  void streamThatIsNeverReadIsDroppedWhileOtherStreamsKeepReceiving() throws Exception {
    try (TestHerald small = TestHerald.start(Map.of("HERALD_OUTBOUND_BUFFER_BYTES", "65536"));
        EventStream healthy = EventStream.open(small, TestHerald.token("sse-healthy", null), null, null);
        Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", small.port()), 5_000);
      stalled.getOutputStream().write(("GET /api/stream?token=" + TestHerald.token("sse-stalled", null)
          + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      await().atMost(WAIT).until(() -> small.sessions() == 2);
      String item = "{\"room\":\"user:sse-stalled\",\"event\":\"bulk\",\"data\":\"" + "x".repeat(8 * 1024) + "\"}";
      String batch = "[" + String.join(",", Collections.nCopies(50, item)) + "]";

      for (int i = 0; i < 40 && small.sessions() == 2; i++) {
        assertThat(small.publish(batch).statusCode()).isEqualTo(202);
      }

      await().atMost(WAIT).until(() -> small.sessions() == 1);
      assertThat(small.server().metrics().refusals("slow_consumer")).isPositive();
      small.publish("{\"room\":\"user:sse-healthy\",\"event\":\"later\",\"data\":1}");
      assertThat(healthy.next().event()).isEqualTo("later");
    }
  }

  @Test
  void streamOverTheUsersConnectionLimitIsRefusedWith429Problem() throws Exception {
    try (TestHerald node = TestHerald.start(Map.of("HERALD_MAX_CONNECTIONS_PER_USER", "1"));
        EventStream first = EventStream.open(node, TestHerald.token("sse-capped", null), null, null)) {
      HttpResponse<String> second = node.get("/api/stream?token=" + TestHerald.token("sse-capped", null));

      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(second.headers().firstValue("content-type")).contains("application/problem+json");
      assertThat(second.headers().firstValue("retry-after")).hasValueSatisfying(
          seconds -> assertThat(Integer.parseInt(seconds)).isPositive());
      assertThat(JSON.readTree(second.body()).path("detail").asText()).contains("limit 1");
      publish(node, "user:sse-capped", "still.open", "1");
      assertThat(first.next().event()).isEqualTo("still.open");
    }
  }

  @Test
  void badTokenIsRefusedWith401Problem() throws Exception {
    HttpResponse<String> r = herald.get("/api/stream?token=garbage");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    assertThat(JSON.readTree(r.body()).path("detail").asText()).isEqualTo("malformed token");
  }

  @Test
  void forbiddenRoomInTheRoomsParameterIsRefusedWith403() throws Exception {
    String token = TestHerald.token("sse-forbidden", null, "channel:public");
    HttpResponse<String> r = herald.get("/api/stream?rooms=channel:public,channel:secret&token=" + token);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    assertThat(JSON.readTree(r.body()).path("detail").asText()).contains("channel:secret");
  }

  private static void publish(String room, String event, String dataJson) {
    publish(herald, room, event, dataJson);
  }

  private static void publish(TestHerald node, String room, String event, String dataJson) {
    HttpResponse<String> r = node.publish(
        "{\"room\":\"" + room + "\",\"event\":\"" + event + "\",\"data\":" + dataJson + "}");
    assertThat(r.statusCode()).as("publish answer %s", r.body()).isEqualTo(202);
  }

  /**
   * A minimal EventSource (WHATWG HTML, "Server-sent events", 9.2.6 interpreting an event stream)
   * over java.net.http: splits the body into lines, collects {@code id}/{@code event}/{@code data}
   * fields and queues an event at each blank line. {@link #open} returns once the server's
   * {@code : connected} comment arrived, i.e. the stream is registered.
   */
  static final class EventStream implements Flow.Subscriber<List<ByteBuffer>>, AutoCloseable {
    /** One dispatched event; {@code id} is the id field of this event, null when it had none. */
    record Event(String id, String event, String data) {}

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
    private volatile Flow.Subscription subscription;
    // the event being collected; touched only by the HTTP client's delivery thread
    private String id;
    private String type;
    private StringBuilder data;

    static EventStream open(TestHerald herald, String token, String rooms, String lastEventId,
        String... headers) {
      StringBuilder query = new StringBuilder();
      if (token != null) {
        query.append(query.isEmpty() ? '?' : '&').append("token=").append(token);
      }
      if (rooms != null) {
        query.append(query.isEmpty() ? '?' : '&').append("rooms=")
            .append(URLEncoder.encode(rooms, StandardCharsets.UTF_8));
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(herald.url() + "/api/stream" + query))
          .header("accept", "text/event-stream");
      if (lastEventId != null) {
        request.header("last-event-id", lastEventId);
      }
      if (headers.length > 0) {
        request.headers(headers);
      }
      EventStream stream = new EventStream();
      try {
        stream.response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofPublisher());
        assertThat(stream.response.statusCode()).as("status of the stream").isEqualTo(200);
        stream.response.body().subscribe(stream);
        stream.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (IOException | ExecutionException | TimeoutException e) {
        throw new IllegalStateException("the event stream did not open", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return stream;
    }

    /** The presence announcements every stream of a tenant hears (issue 14); {@link #next} passes over them. */
    private static final java.util.Set<String> PRESENCE = java.util.Set.of("user:online", "user:offline",
        "presence:updated", "presence:joined", "presence:left");

    /** The next event but presence announcements. */
    Event next() {
      try {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Event e;
        do {
          e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } while (e != null && PRESENCE.contains(e.event()));
        return e != null ? e : fail("no server-sent event within " + WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer b : buffers) {
        while (b.hasRemaining()) {
          byte c = b.get();
          // LF never occurs inside a UTF-8 multi-byte sequence, so splitting bytes is safe
          if (c == '\n') {
            byte[] bytes = line.toByteArray();
            line.reset();
            int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            onLine(new String(bytes, 0, n, StandardCharsets.UTF_8));
          } else {
            line.write(c);
          }
        }
      }
    }

    private void onLine(String l) {
      if (l.isEmpty()) {
        // "If the data buffer is an empty string, set the data buffer and the event type buffer to
        // the empty string and return" - otherwise dispatch
        if (data != null) {
          events.add(new Event(id, type == null ? "message" : type, data.toString()));
        }
        id = null;
        type = null;
        data = null;
        return;
      }
      if (l.startsWith(":")) {
        if (l.startsWith(": connected")) {
          connected.complete(null);
        }
        return;
      }
      int colon = l.indexOf(':');
      String field = colon < 0 ? l : l.substring(0, colon);
      String value = colon < 0 ? "" : l.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "id" -> id = value;
        case "event" -> type = value;
        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> { }
      }
    }

    @Override
    public void onError(Throwable t) {
      connected.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      connected.completeExceptionally(new IllegalStateException("the stream ended"));
    }

    @Override
    public void close() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }
}
