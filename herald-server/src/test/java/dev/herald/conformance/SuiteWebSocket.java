package dev.herald.conformance;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The suites' {@code WebSocket} (the {@code ws} package, as their node-imports.js installs it) on
 * java.net.http: {@code addEventListener} for {@code open}, {@code message} and {@code close},
 * {@code on("error", ...)}, {@code send} and {@code close}. Events reach the listeners through the
 * {@link SuiteRuntime}'s queue, so they are dispatched only while the test awaits.
 *
 * <p>Events as {@code ws} emits them: a handshake the server answers with anything but 101 is an
 * {@code error} ("Unexpected server response: 400") followed by {@code close}; a connection that
 * drops after the handshake is a {@code close} (1006) alone; a frame that breaks the protocol is an
 * {@code error} then {@code close}. A message's data is a String for a text frame and the bytes
 * for a binary one ({@code binaryType} does not matter to a port).
 *
 * <p>Threads: listener lists and {@link #send}/{@link #close} on the test thread; the
 * java.net.http callbacks only post tasks to the runtime.
 */
final class SuiteWebSocket implements WebSocket.Listener {
  sealed interface Event permits Open, Message, Close, Error {}

  record Open() implements Event {}

  /** {@code event.data}: a String or a byte[]. */
  record Message(Object data) implements Event {}

  record Close(int code, String reason) implements Event {}

  record Error(String message) implements Event {}

  /** The types {@code addEventListener} takes, named as in the suites. */
  enum Type { OPEN, MESSAGE, CLOSE }

  private record Registration(Type type, Consumer<Event> listener, boolean once) {}

  private final SuiteRuntime runtime;
  /** Test thread only. */
  private final List<Registration> listeners = new ArrayList<>();
  private final List<Consumer<Error>> errorListeners = new ArrayList<>();
  private CompletableFuture<WebSocket> connection;
  /** Set by java.net.http's thread before the {@code open} event is queued, so the test sees it after. */
  private volatile WebSocket webSocket;
  private volatile boolean failed;
  /** Fragments of the message being received; java.net.http's thread only. */
  private final StringBuilder partialText = new StringBuilder();
  private final ByteArrayOutputStream partialBinary = new ByteArrayOutputStream();

  private SuiteWebSocket(SuiteRuntime runtime) {
    this.runtime = runtime;
  }

  static SuiteWebSocket connect(SuiteRuntime runtime, HttpClient http, URI uri) {
    SuiteWebSocket socket = new SuiteWebSocket(runtime);
    socket.connection = http.newWebSocketBuilder().buildAsync(uri, socket);
    socket.connection.whenComplete((ws, failure) -> {
      if (failure != null) {
        socket.failed = true;
        Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
        String message = cause instanceof WebSocketHandshakeException refused
            ? "Unexpected server response: " + refused.getResponse().statusCode() : String.valueOf(cause);
        socket.emit(new Error(message));
        socket.emit(new Close(1006, ""));
      }
    });
    return socket;
  }

  /** {@code socket.addEventListener(type, listener, {once})}. */
  void addEventListener(Type type, Consumer<Event> listener, boolean once) {
    listeners.add(new Registration(type, listener, once));
  }

  /** {@code socket.removeEventListener(type, listener)}. */
  void removeEventListener(Type type, Consumer<Event> listener) {
    listeners.removeIf(r -> r.type == type && r.listener == listener);
  }

  /** {@code socket.on("error", listener)}; the suites pass {@code () => {}} to ignore errors. */
  void onError(Consumer<Error> listener) {
    errorListeners.add(listener);
  }

  /**
   * {@code socket.send(text)}: returns once the frame is written, as {@code ws} writes it to the
   * connection at once. Like {@code ws}, refuses a socket still connecting.
   */
  void send(String text) {
    open().sendText(text, true).join();
  }

  /** {@code socket.send(Uint8Array.from(bytes))}. */
  void send(byte... bytes) {
    open().sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  /** {@code socket.close()}: starts the closing handshake (with 1000: java.net.http needs a code). */
  void close() {
    open().sendClose(WebSocket.NORMAL_CLOSURE, "");
  }

  /** Drops the connection; the runtime does this to every socket when the test ends. */
  void abort() {
    WebSocket ws = webSocket;
    if (ws != null) {
      ws.abort();
    } else {
      connection.cancel(true);
    }
  }

  private WebSocket open() {
    WebSocket ws = webSocket;
    if (ws == null) {
      throw new IllegalStateException(failed
          ? "WebSocket is not open: readyState 3 (CLOSED)" : "WebSocket is not open: readyState 0 (CONNECTING)");
    }
    return ws;
  }

  /** Queues {@code event}; when it runs, it goes to the listeners registered by then. */
  private void emit(Event event) {
    runtime.post(() -> dispatch(event));
  }

  private void dispatch(Event event) {
    if (event instanceof Error error) {
      if (errorListeners.isEmpty()) {
        // ws emits 'error' on an EventEmitter: with no listener Node throws, and mocha fails the test
        throw new SuiteRuntime.MochaFailure("Uncaught Error: " + error.message());
      }
      List.copyOf(errorListeners).forEach(l -> l.accept(error));
      return;
    }
    Type type = switch (event) {
      case Open o -> Type.OPEN;
      case Message m -> Type.MESSAGE;
      case Close c -> Type.CLOSE;
      case Error e -> throw new IllegalStateException("handled above");
    };
    for (Registration r : List.copyOf(listeners)) {
      if (r.type == type && listeners.contains(r)) {
        if (r.once) {
          listeners.remove(r);
        }
        r.listener.accept(event);
      }
    }
  }

  // ---- java.net.http's side ----

  @Override
  public void onOpen(WebSocket webSocket) {
    this.webSocket = webSocket;
    emit(new Open());
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partialText.append(data);
    if (last) {
      emit(new Message(partialText.toString()));
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
      emit(new Message(partialBinary.toByteArray()));
      partialBinary.reset();
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    emit(new Close(statusCode, reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    if (error instanceof java.net.ProtocolException) {
      // ws's receiver error: the frame broke the protocol
      emit(new Error(error.getMessage()));
    }
    emit(new Close(1006, ""));
  }
}
