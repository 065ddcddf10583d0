package dev.herald.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A WebSocket client (java.net.http) that queues every frame it receives, text and binary, in
 * arrival order, and records how the connection ended. Unlike the suites' one-shot listeners it
 * never loses a frame, so a test can read "the next frame" whenever it is ready. Every await fails
 * the test after {@link #WAIT} (the suites' default mocha timeout) instead of hanging.
 *
 * <p>Threads: the listener callbacks run on the HTTP client's threads and only touch the queue and
 * the close future; the test thread reads them.
 */
final class WsRecorder implements WebSocket.Listener, AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(2);

  /** One received message. */
  sealed interface Frame permits Text, Binary {}

  record Text(String text) implements Frame {}

  record Binary(byte[] bytes) implements Frame {
    @Override
    public String toString() {
      return "Binary" + Arrays.toString(bytes);
    }
  }

  /**
   * How the connection ended: a close frame ({@code code}, {@code reason}), a broken connection
   * ({@code code} -1), or an upgrade the server refused ({@code refusedWithStatus}, else 0).
   */
  record Close(int code, String reason, int refusedWithStatus) {}

  private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Close> closed = new CompletableFuture<>();
  /** Fragments of the message being received; listener thread only. */
  private final StringBuilder partialText = new StringBuilder();
  private final ByteArrayOutputStream partialBinary = new ByteArrayOutputStream();
  private WebSocket ws;

  private WsRecorder() {}

  /** Opens {@code uri}, asserting the server accepts the upgrade. */
  static WsRecorder open(HttpClient http, URI uri) {
    WsRecorder recorder = attempt(http, uri);
    if (recorder.ws == null) {
      fail("the server refused the WebSocket " + uri + ": " + recorder.closed.join());
    }
    return recorder;
  }

  /**
   * Tries to open {@code uri}; a refused upgrade is recorded as the close (the suites only wait
   * for {@code close}, which the {@code ws} package emits in both cases).
   */
  static WsRecorder attempt(HttpClient http, URI uri) {
    WsRecorder recorder = new WsRecorder();
    try {
      recorder.ws = http.newWebSocketBuilder().buildAsync(uri, recorder).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        recorder.closed.complete(new Close(-1, "upgrade refused", refused.getResponse().statusCode()));
      } else {
        recorder.closed.complete(new Close(-1, String.valueOf(e.getCause()), 0));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      fail("no answer to the WebSocket upgrade of " + uri + " within " + WAIT);
    }
    return recorder;
  }

  /** The next frame, text or binary. */
  Frame awaitFrame() {
    try {
      Frame frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (frame == null) {
        fail("no frame within " + WAIT + (closed.isDone() ? "; the connection ended: " + closed.join() : ""));
      }
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next frame, asserting it is a text frame. */
  String awaitText() {
    Frame frame = awaitFrame();
    assertThat(frame).as("next frame").isInstanceOf(Text.class);
    return ((Text) frame).text();
  }

  /** The next frame, asserting it is a binary frame. */
  byte[] awaitBinary() {
    Frame frame = awaitFrame();
    assertThat(frame).as("next frame").isInstanceOf(Binary.class);
    return ((Binary) frame).bytes();
  }

  /**
   * The next frame that is not the Engine.IO ping {@code 2}, like the suites' {@code waitForPackets}.
   */
  Frame awaitFrameSkippingPings() {
    while (true) {
      Frame frame = awaitFrame();
      if (!(frame instanceof Text(String text) && text.equals("2"))) {
        return frame;
      }
    }
  }

  /** Waits for the end of the connection, failing after {@link #WAIT}. */
  Close awaitClose() {
    return awaitClose(WAIT);
  }

  Close awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      return fail("the server did not end the WebSocket within " + timeout + "; frames still queued: " + frames);
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  /** Frames received and not yet taken. */
  List<Frame> queued() {
    return List.copyOf(frames);
  }

  /** Sends one text frame and waits until it is written. */
  void sendText(String text) {
    ws.sendText(text, true).join();
  }

  /** Sends one binary frame and waits until it is written. */
  void sendBinary(byte... bytes) {
    ws.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partialText.append(data);
    if (last) {
      frames.add(new Text(partialText.toString()));
      partialText.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] chunk = new byte[data.remaining()];
    data.get(chunk);
    partialBinary.writeBytes(chunk);
    if (last) {
      frames.add(new Binary(partialBinary.toByteArray()));
      partialBinary.reset();
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(new Close(statusCode, reason, 0));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(new Close(-1, String.valueOf(error), 0));
  }

  /** Drops the connection (the suites' {@code socket.close()} at the end of a test). */
  @Override
  public void close() {
    if (ws != null) {
      ws.abort();
    }
  }
}
