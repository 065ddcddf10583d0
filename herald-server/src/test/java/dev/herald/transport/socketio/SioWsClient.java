package dev.herald.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Socket.IO client written packet by packet over an Engine.IO WebSocket (java.net.http), for
 * tests that send what the official client never would: headers whose attachments never come, more
 * attachments than allowed. It queues the Socket.IO packets it receives, answers Engine.IO pings
 * (so a session outlives the heartbeat), and records the close code the server ended it with.
 *
 * <p>Threads: the listener callbacks run on the HTTP client's threads and touch only the queue,
 * the partial message and the close future; the test thread reads the queue and the future.
 */
final class SioWsClient implements WebSocket.Listener, AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final LinkedBlockingQueue<String> packets = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  /** Fragments of the text message being received; listener threads only. */
  private final StringBuilder partial = new StringBuilder();
  private WebSocket ws;

  private SioWsClient() {}

  /**
   * Opens an Engine.IO session on {@code wsUrl} ({@code ws://host:port}) and joins the main
   * namespace with the CONNECT payload {@code auth}, asserting the CONNECT is accepted.
   */
  static SioWsClient connect(String wsUrl, String auth) {
    SioWsClient client = new SioWsClient();
    try {
      client.ws = HTTP.newWebSocketBuilder()
          .buildAsync(URI.create(wsUrl + "/socket.io/?EIO=4&transport=websocket"), client)
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("no WebSocket to " + wsUrl, e);
    }
    client.send("0" + auth);
    assertThat(client.awaitPacket()).as("CONNECT answer").startsWith("0{\"sid\":");
    return client;
  }

  /** Sends one Socket.IO packet (one Engine.IO message) and waits until it is written. */
  void send(String packet) {
    ws.sendText("4" + packet, true).join();
  }

  /** Sends one binary attachment and waits until it is written. */
  void sendAttachment(byte[] bytes) {
    ws.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  /** The next Socket.IO packet the server sent. */
  String awaitPacket() {
    try {
      String packet = packets.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (packet == null) {
        fail("no packet within " + WAIT + (closed.isDone() ? "; the connection ended with " + closed.join() : ""));
      }
      return packet;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Skips packets until an EVENT named {@code name} arrives; returns it. */
  String awaitEvent(String name) {
    String prefix = "2[\"" + name + "\"";
    while (true) {
      String packet = awaitPacket();
      if (packet.startsWith(prefix)) {
        return packet;
      }
    }
  }

  /** The close code the server ended the connection with (-1: dropped without a close frame). */
  int awaitClose() {
    try {
      return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      return fail("the server did not end the connection within " + WAIT + "; packets queued: " + packets);
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String message = partial.toString();
      partial.setLength(0);
      if (message.equals("2")) {
        webSocket.sendText("3", true); // EIO v4: the client answers each ping with a pong
      } else if (message.startsWith("4")) {
        packets.add(message.substring(1));
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
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
    ws.abort();
  }
}
