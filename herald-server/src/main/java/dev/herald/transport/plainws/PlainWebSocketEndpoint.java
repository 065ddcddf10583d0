package dev.herald.transport.plainws;

import dev.herald.auth.AuthException;
import dev.herald.auth.Identity;
import dev.herald.auth.TokenVerifier;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.ClientCommands;
import dev.herald.gateway.CloseReason;
import dev.herald.gateway.Gateway;
import dev.herald.http.HttpAuth;
import dev.herald.http.Problem;
import dev.herald.ops.HeraldMetrics;
import dev.herald.transport.websocket.UpgradeRequest;
import dev.herald.transport.websocket.WebSocket;
import dev.herald.transport.websocket.WebSocketSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code /ws}: the plain JSON WebSocket protocol of seed 002, one JSON object per text frame
 * (docs/PROTOCOL.md, "Plain WebSocket"). The token comes in the {@code Authorization} header or
 * {@code ?token=}; a bad one is refused with 401 before the upgrade. Each accepted connection is a
 * {@link PlainWebSocketSession}.
 */
public final class PlainWebSocketEndpoint {
  private final Vertx vertx;
  private final Gateway gateway;
  private final ClientCommands commands;
  private final TokenVerifier verifier;
  private final HeraldMetrics metrics;
  private final HeraldConfig config;
  private final WebSocketSettings settings;

  public PlainWebSocketEndpoint(Vertx vertx, Gateway gateway, ClientCommands commands, TokenVerifier verifier,
      HeraldMetrics metrics, HeraldConfig config) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.commands = commands;
    this.verifier = verifier;
    this.metrics = metrics;
    this.config = config;
    this.settings = new WebSocketSettings(config.engine().maxPayload(), config.limits().outboundBufferBytes());
  }

  /** A request to {@code /ws} that is not a WebSocket upgrade. */
  public void handle(HttpServerRequest req) {
    Problem.badRequest(req.response(), "/ws expects a WebSocket upgrade");
  }

  /** A WebSocket upgrade to {@code /ws}: the token is checked before the handshake completes. */
  public void upgrade(UpgradeRequest req) {
    if (gateway.isDraining()) {
      req.refuse(503, "application/problem+json", Problem.json(503, "Service Unavailable", "server shutting down"),
          "retry-after", "5");
      return;
    }
    String token = HttpAuth.bearer(req.header("authorization"));
    if (token == null) {
      token = req.param("token");
    }
    verifier.verifyAsync(vertx, token).onComplete(ar -> {
      if (ar.failed()) {
        metrics.refused("unauthorized");
        String reason = ar.cause() instanceof AuthException ? ar.cause().getMessage() : "token could not be verified";
        req.refuse(401, "application/problem+json", Problem.json(401, "Unauthorized", reason),
            "www-authenticate", "Bearer");
        return;
      }
      Identity identity = ar.result();
      if (Vertx.currentContext() == req.context()) {
        open(req, identity);
      } else {
        req.context().runOnContext(v -> open(req, identity));
      }
    });
  }

  /** On the connection's event loop: accept, register (joining the rooms), then the welcome. */
  private void open(UpgradeRequest req, Identity identity) {
    PlainWebSocketSession session = new PlainWebSocketSession(identity, req.context(), gateway, commands, metrics,
        config);
    WebSocket ws = req.accept(settings, session);
    session.attach(ws);
    if (!gateway.register(session)) {
      ws.close(gateway.isDraining() ? CloseReason.SERVER_SHUTDOWN.code() : (short) 4429,
          gateway.isDraining() ? CloseReason.SERVER_SHUTDOWN.text()
              : "too many connections for this user (limit " + config.limits().maxConnectionsPerUser() + ")");
      return;
    }
    // the welcome rule: registered, so a member of user: and tenant: before the client hears of it
    session.welcome();
  }
}
