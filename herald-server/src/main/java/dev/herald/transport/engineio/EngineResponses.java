package dev.herald.transport.engineio;

import dev.herald.config.HeraldConfig;
import dev.herald.transport.websocket.UpgradeRequest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * The HTTP answers of an Engine.IO endpoint: payloads, the reference server's error bodies
 * ({@link EngineError}), and the CORS headers a browser needs to read them, for the origins the
 * endpoint allows. An answer to a request that already ended, or whose client left, is dropped.
 *
 * <p>Threads: stateless; each answer on the thread its response belongs to.
 */
final class EngineResponses {
  private EngineResponses() {}

  /**
   * A payload of packets ({@code text/plain}), answering a poll or a handshake; completes once the
   * response was written to the connection, fails when it could not be (the client left).
   */
  static Future<Void> respondPayload(HttpServerResponse resp, String payload, HeraldConfig.Engine engine) {
    return respondPayload(resp, payload, engine, null);
  }

  static Future<Void> respondPayload(HttpServerResponse resp, String payload, HeraldConfig.Engine engine,
      String origin) {
    if (resp.ended() || resp.closed()) {
      return Future.failedFuture("the poll ended before its answer");
    }
    resp.putHeader("content-type", "text/plain; charset=UTF-8");
    cors(resp, origin, engine);
    return resp.end(payload);
  }

  /** {@code error} with the CORS headers of the request's origin. */
  static void error(HttpServerRequest req, EngineError error, HeraldConfig.Engine engine) {
    cors(req.response(), req.getHeader("origin"), engine);
    error(req.response(), error, engine);
  }

  static void error(HttpServerResponse resp, EngineError error, HeraldConfig.Engine engine) {
    if (resp.ended() || resp.closed()) {
      return;
    }
    resp.setStatusCode(error.status).putHeader("content-type", "application/json").end(error.json());
  }

  /** The same error refusing a WebSocket upgrade, which closes the connection. */
  static void refuse(UpgradeRequest req, HeraldConfig.Engine engine, EngineError error, String origin) {
    if (origin != null && engine.allowsOrigin(origin)) {
      req.refuse(error.status, "application/json", error.json(), "access-control-allow-origin", origin,
          "access-control-allow-credentials", "true", "vary", "Origin");
    } else if (origin == null && engine.corsOrigins().contains("*")) {
      req.refuse(error.status, "application/json", error.json(), "access-control-allow-origin", "*");
    } else {
      req.refuse(error.status, "application/json", error.json());
    }
  }

  /** 413, and for HTTP/1.x the connection closes so the rest of the body is not read. */
  static void tooLarge(HttpServerRequest req) {
    if (req.version() != HttpVersion.HTTP_2) {
      req.response().putHeader("connection", "close");
    }
    req.response().setStatusCode(413).end();
  }

  /** A CORS preflight: 204, allowing an allowed origin what the reference server allows. */
  static void preflight(HttpServerRequest req, HeraldConfig.Engine engine) {
    String origin = req.getHeader("origin");
    HttpServerResponse resp = req.response();
    if (origin != null && engine.allowsOrigin(origin)) {
      resp.putHeader("access-control-allow-origin", origin)
          .putHeader("access-control-allow-credentials", "true")
          // the cors middleware of the reference server allows "GET,HEAD,PUT,PATCH,POST,DELETE";
          // without PUT a browser never sends the suites' PUT handshake, which must get its 400
          .putHeader("access-control-allow-methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
          .putHeader("access-control-allow-headers",
              req.getHeader("access-control-request-headers") == null
                  ? "content-type" : req.getHeader("access-control-request-headers"))
          .putHeader("vary", "Origin");
    }
    resp.setStatusCode(204).end();
  }

  /** The CORS headers for {@code origin} when the endpoint allows it (any origin: {@code *}). */
  static void cors(HttpServerResponse resp, String origin, HeraldConfig.Engine engine) {
    if (resp.headWritten() || !engine.allowsOrigin(origin)) {
      return;
    }
    if (origin != null) {
      resp.putHeader("access-control-allow-origin", origin)
          .putHeader("access-control-allow-credentials", "true")
          .putHeader("vary", "Origin");
    } else if (engine.corsOrigins().contains("*")) {
      resp.putHeader("access-control-allow-origin", "*");
    }
  }
}
