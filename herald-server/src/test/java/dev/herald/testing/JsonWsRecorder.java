package dev.herald.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code /ws} client (java.net.http) that records what it receives, in the manner of OkHttp's
 * {@code WebSocketRecorder}: every text frame as JSON in arrival order, and the close code. Every
 * {@code await}/{@code next} fails the test after {@link #WAIT} instead of hanging.
 *
 * <p>Threads: the listener callbacks run on the HTTP client's threads and only touch the queue and
 * the futures; the test thread reads them.
 */
public final class JsonWsRecorder implements WebSocket.Listener, AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(10);
  /** Decimals kept exact, so tests can tell whether a number reached the client as it was sent. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The presence announcements a node sends every session of a tenant (issue 14). */
  private static final java.util.Set<String> PRESENCE = java.util.Set.of("user:online", "user:offline",
      "presence:updated", "presence:joined", "presence:left");
  private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  /** Whether {@link #next} returns presence announcements; by default they are passed over. */
  private volatile boolean hearingPresence;
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  /** Fragments of the text message being received; listener thread only. */
  private final StringBuilder partial = new StringBuilder();
  private WebSocket ws;

  private JsonWsRecorder() {}

  /** Opens {@code /ws?token=…} and waits for the handshake (not for the welcome frame). */
  public static JsonWsRecorder open(TestHerald herald, String token) {
    JsonWsRecorder recorder = new JsonWsRecorder();
    URI uri = URI.create(herald.wsUrl() + "/ws?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    try {
      recorder.ws = HTTP.newWebSocketBuilder().buildAsync(uri, recorder)
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("WebSocket handshake with " + herald.wsUrl() + "/ws failed", e);
    }
    return recorder;
  }

  /**
   * Attempts {@code /ws?token=…} (null: no token) expecting the server to refuse the upgrade, and
   * returns its HTTP answer; the body is the response text.
   */
  public static HttpResponse<?> refusal(TestHerald herald, String token) {
    String query = token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    try {
      WebSocket accepted = HTTP.newWebSocketBuilder()
          .buildAsync(URI.create(herald.wsUrl() + "/ws" + query), new WebSocket.Listener() { })
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      accepted.abort();
      return fail("the server accepted a WebSocket it should have refused (token " + token + ")");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse();
      }
      throw new IllegalStateException("the handshake failed without an HTTP answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      return fail("no answer to the WebSocket handshake within " + WAIT);
    }
  }

  /** Opens {@code /ws} and consumes the welcome frame, asserting it is {@code {type:"connected"}}. */
  public static JsonWsRecorder connect(TestHerald herald, String token) {
    JsonWsRecorder recorder = open(herald, token);
    recorder.next("connected");
    return recorder;
  }

  /**
   * This recorder with presence announcements ({@code user:online}, {@code presence:joined}, …)
   * among the frames {@link #next} returns: without, they are passed over, since every session of
   * a tenant hears them and most tests are about something else.
   */
  public JsonWsRecorder hearingPresence() {
    hearingPresence = true;
    return this;
  }

  private boolean passedOver(JsonNode frame) {
    return !hearingPresence && frame.path("type").asText().equals("event")
        && PRESENCE.contains(frame.path("event").asText());
  }

  /** The next frame, whatever it is (presence announcements only when {@link #hearingPresence}). */
  public JsonNode next() {
    try {
      long deadline = System.nanoTime() + WAIT.toNanos();
      JsonNode frame;
      do {
        frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } while (frame != null && passedOver(frame));
      if (frame == null) {
        fail("no frame within " + WAIT + (closed.isDone() ? "; closed with " + closed.join() : ""));
      }
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next frame, asserting its {@code type}. */
  public JsonNode next(String type) {
    JsonNode frame = next();
    assertThat(frame.path("type").asText()).as("type of %s", frame).isEqualTo(type);
    return frame;
  }

  /** The next frame, asserting it is the room event {@code event}. */
  public JsonNode nextEvent(String event) {
    JsonNode frame = next("event");
    assertThat(frame.path("event").asText()).as("event of %s", frame).isEqualTo(event);
    return frame;
  }

  /** Sends one text frame. */
  public void send(String text) {
    ws.sendText(text, true).join();
  }

  /** The close code the server sent; -1 when the connection broke without a close frame. */
  public int awaitClose() {
    try {
      return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      return fail("the server did not close the connection within " + WAIT);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** Frames received and not yet taken. */
  public int queued() {
    return (int) frames.stream().filter(f -> !passedOver(f)).count();
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      try {
        frames.add(JSON.readTree(text));
      } catch (IOException e) {
        throw new UncheckedIOException("the server sent a frame that is not JSON: " + text, e);
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
  }

  @Override
  public void close() {
    if (ws != null) {
      ws.abort();
    }
  }
}
