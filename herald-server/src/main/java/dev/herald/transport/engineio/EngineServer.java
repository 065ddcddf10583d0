package dev.herald.transport.engineio;

import dev.herald.config.HeraldConfig;
import dev.herald.gateway.CloseReason;
import dev.herald.transport.websocket.UpgradeRequest;
import dev.herald.transport.websocket.WebSocket;
import dev.herald.transport.websocket.WebSocketSettings;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An Engine.IO v4 endpoint (engine.io-protocol): the handshake, HTTP long-polling GET/POST, direct
 * WebSocket connections and the polling-to-WebSocket upgrade, with CORS and the error answers of the
 * reference server. Sessions are {@link EngineSocket}s; the {@link Listener} decides what their
 * messages mean.
 */
public final class EngineServer {
  /** Receives every new session, on the session's context, before any of its messages. */
  public interface Listener {
    void onOpen(EngineSocket socket, Handshake handshake);
  }

  /**
   * What the layer above may need from the handshake request, copied so the request itself is not
   * retained: the raw query string (null when none), the Authorization header and the client's
   * address. Kept for the session's lifetime, so it holds no parsed maps.
   */
  public record Handshake(String query, String authorization, String remoteAddress) {
    /** The first value of query parameter {@code name}, decoded, or null. */
    public String param(String name) {
      if (query == null) {
        return null;
      }
      java.util.List<String> values = new io.netty.handler.codec.http.QueryStringDecoder(query, false)
          .parameters().get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final EngineOptions options;
  private final HeraldMetrics metrics;
  private final Listener listener;
  private final WebSocketSettings webSocketSettings;
  private final Map<String, EngineSocket> sockets = new ConcurrentHashMap<>();
  private final Map<Context, Heartbeats> heartbeats = new ConcurrentHashMap<>();
  private volatile boolean draining;

  public EngineServer(EngineOptions options, HeraldMetrics metrics, Listener listener) {
    this.options = options;
    this.metrics = metrics;
    this.listener = listener;
    this.webSocketSettings = new WebSocketSettings(options.engine().maxPayload(), options.outboundBufferBytes());
  }

  HeraldMetrics metrics() {
    return metrics;
  }

  /** Number of open Engine.IO sessions. */
  public int size() {
    return sockets.size();
  }

  /** Refuses new handshakes and closes every session so clients reconnect elsewhere. */
  public void drain() {
    draining = true;
    for (EngineSocket s : new ArrayList<>(sockets.values())) {
      s.close(CloseReason.SERVER_SHUTDOWN);
    }
  }

  /** Handles one request to the endpoint's path. */
  public void handle(HttpServerRequest req) {
    HeraldConfig.Engine engine = options.engine();
    String origin = req.getHeader("origin");
    if (req.method() == HttpMethod.OPTIONS) {
      EngineResponses.preflight(req, engine);
      return;
    }
    if (!engine.allowsOrigin(origin)) {
      metrics.refused("cors");
      EngineResponses.error(req, EngineError.FORBIDDEN, engine);
      return;
    }
    String transport = req.getParam("transport");
    if (!"polling".equals(transport) && !"websocket".equals(transport)) {
      EngineResponses.error(req, EngineError.UNKNOWN_TRANSPORT, engine);
      return;
    }
    if (!"4".equals(req.getParam("EIO"))) {
      EngineResponses.error(req, EngineError.UNSUPPORTED_PROTOCOL_VERSION, engine);
      return;
    }
    boolean upgradeRequest = "websocket".equalsIgnoreCase(req.getHeader("upgrade"));
    if ("websocket".equals(transport) && !upgradeRequest) {
      EngineResponses.error(req, EngineError.BAD_REQUEST, engine);
      return;
    }
    String sid = req.getParam("sid");
    if (sid == null) {
      handshake(req, transport);
      return;
    }
    EngineSocket socket = live(sid);
    if (socket == null) {
      EngineResponses.error(req, EngineError.UNKNOWN_SID, engine);
      return;
    }
    if ("websocket".equals(transport)) {
      // a real upgrade never gets here: WebSocketUpgrades hands it to upgrade(UpgradeRequest)
      EngineResponses.error(req, EngineError.BAD_REQUEST, engine);
    } else if (req.method() == HttpMethod.GET) {
      HttpServerResponse resp = req.response();
      EngineResponses.cors(resp, origin, engine);
      EngineSocket polled = socket;
      // A GET only says where the next answer goes: on the session's loop it is in place at once.
      // A POST's packets run in a task of their own (post), so a GET read in the same turn, as from
      // a client that sends both together, is held before a close packet ends the session.
      if (polled.onContext()) {
        polled.onPoll(resp);
      } else {
        polled.context.runOnContext(v -> polled.onPoll(resp));
      }
    } else if (req.method() == HttpMethod.POST) {
      post(req, socket);
    } else {
      EngineResponses.error(req, EngineError.BAD_REQUEST, engine);
    }
  }

  /**
   * Answers a request to the endpoint whose query does not decode (the route table's check), as
   * the reference server answers what it cannot read: 400 {@code {"code":3,"message":"Bad request"}}.
   */
  public void badRequest(HttpServerRequest req) {
    req.resume();
    EngineResponses.error(req, EngineError.BAD_REQUEST, options.engine());
  }

  /**
   * Handles a WebSocket upgrade to the endpoint ({@code transport=websocket}): a new session over a
   * direct WebSocket when there is no {@code sid}, else the upgrade of a polling session. Errors are
   * the same JSON answers as over HTTP.
   */
  public void upgrade(UpgradeRequest req) {
    HeraldConfig.Engine engine = options.engine();
    String origin = req.header("origin");
    if (!engine.allowsOrigin(origin)) {
      metrics.refused("cors");
      EngineResponses.refuse(req, engine, EngineError.FORBIDDEN, origin);
      return;
    }
    if (!"4".equals(req.param("EIO"))) {
      EngineResponses.refuse(req, engine, EngineError.UNSUPPORTED_PROTOCOL_VERSION, origin);
      return;
    }
    String sid = req.param("sid");
    if (sid == null) {
      if (draining) {
        metrics.refused("draining");
        EngineResponses.refuse(req, engine, EngineError.SHUTTING_DOWN, origin);
        return;
      }
      Handshake handshake = new Handshake(req.rawQuery(), req.header("authorization"), req.remoteAddress());
      EngineSocket socket = new EngineSocket(newSid(), req.context(), this, options);
      WebSocket ws = req.accept(webSocketSettings, socket.transportListener());
      sockets.put(socket.sid, socket);
      socket.openOverWebSocket(ws);
      listener.onOpen(socket, handshake);
      return;
    }
    EngineSocket socket = live(sid);
    if (socket == null) {
      EngineResponses.refuse(req, engine, EngineError.UNKNOWN_SID, origin);
      return;
    }
    EngineSocket polling = socket;
    Context requestContext = req.context();
    polling.context.runOnContext(v -> {
      switch (polling.reserveUpgrade()) {
        case GRANTED -> requestContext.runOnContext(x -> {
          WebSocket ws = req.accept(webSocketSettings, polling.transportListener());
          if (polling.onContext()) {
            polling.onUpgradeSocket(ws);
          } else {
            polling.context.runOnContext(y -> polling.onUpgradeSocket(ws));
          }
        });
        // engine.io (Server#onWebSocket): a session that "had already been upgraded" or "has already
        // been trying to upgrade" gets websocket.close(): accepted, then closed; the first goes on
        case TAKEN -> requestContext.runOnContext(x -> req.accept(webSocketSettings, IGNORED)
            .close(CloseReason.PROTOCOL_ERROR.code(), "session already has a websocket"));
        case GONE -> EngineResponses.refuse(req, engine, EngineError.UNKNOWN_SID, origin);
      }
    });
  }

  /** The listener of a WebSocket accepted only to be closed: nothing it sends means anything. */
  private static final WebSocket.Listener IGNORED = new WebSocket.Listener() {
    @Override public void onText(WebSocket socket, String text) { }

    @Override public void onBinary(WebSocket socket, byte[] data) { }

    @Override public void onClose(WebSocket socket, int code, String reason) { }
  };

  private void handshake(HttpServerRequest req, String transport) {
    HeraldConfig.Engine engine = options.engine();
    if (req.method() != HttpMethod.GET) {
      EngineResponses.error(req, EngineError.BAD_HANDSHAKE_METHOD, engine);
      return;
    }
    if (draining) {
      metrics.refused("draining");
      EngineResponses.error(req, EngineError.SHUTTING_DOWN, engine);
      return;
    }
    Handshake handshake = new Handshake(req.query(),
        req.getHeader("authorization"),
        req.remoteAddress() == null ? null : req.remoteAddress().hostAddress());
    Context ctx = Vertx.currentContext();
    String sid = newSid();
    EngineSocket socket = new EngineSocket(sid, ctx, this, options);
    sockets.put(sid, socket);
    String openPacket = socket.openOverPolling();
    listener.onOpen(socket, handshake);
    EngineResponses.respondPayload(req.response(), openPacket, engine, req.getHeader("origin"));
  }

  private void post(HttpServerRequest req, EngineSocket socket) {
    HeraldConfig.Engine engine = options.engine();
    int max = engine.maxPayload();
    String contentLength = req.getHeader("content-length");
    if (contentLength != null && parseLength(contentLength) > max) {
      metrics.refused("payload_too_large");
      EngineResponses.tooLarge(req);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    req.handler(chunk -> {
      if (tooLarge[0]) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        tooLarge[0] = true;
        metrics.refused("payload_too_large");
        EngineResponses.tooLarge(req);
        return;
      }
      body.appendBuffer(chunk);
    });
    HttpServerResponse resp = req.response();
    String origin = req.getHeader("origin");
    req.endHandler(v -> {
      if (tooLarge[0]) {
        return;
      }
      // always a task, even on the session's loop: a GET read in the same turn goes first (handle)
      socket.context.runOnContext(x -> {
        EngineResponses.cors(resp, origin, engine);
        if (!socket.onPost(body.toString(java.nio.charset.StandardCharsets.UTF_8))) {
          EngineResponses.error(resp, EngineError.BAD_REQUEST, engine);
          return;
        }
        resp.putHeader("content-type", "text/html");
        resp.end("ok");
      });
    });
  }

  /** The heartbeat queues of {@code context}'s loop, started on first use; call on that context. */
  Heartbeats heartbeats(Context context) {
    return heartbeats.computeIfAbsent(context, c -> new Heartbeats(c,
        options.engine().pingInterval().toMillis(), options.engine().pingTimeout().toMillis()));
  }

  void remove(EngineSocket socket) {
    sockets.remove(socket.sid, socket);
  }

  /**
   * The session of {@code sid}, or null when there is none or its heartbeat expired: such a session
   * is gone even if its tick has not ended it yet, and is ended on its loop.
   */
  private EngineSocket live(String sid) {
    EngineSocket socket = sockets.get(sid);
    if (socket != null && socket.heartbeatExpired()) {
      remove(socket);
      socket.context.runOnContext(v -> socket.onPongMissed());
      return null;
    }
    return socket;
  }

  private static long parseLength(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String newSid() {
    byte[] b = new byte[15];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
