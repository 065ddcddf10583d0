package dev.herald.http;

import dev.herald.ops.HeraldMetrics;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import dev.herald.vertx.VertxInternals;
import dev.herald.vertx.VertxRequestDecoder;
import java.time.Duration;

/**
 * Herald's rules for the head of every HTTP/1.x request, enforced on the connection before Vert.x
 * reads it: a request framed two ways is refused 400 (RFC 9112 6.1: the request-smuggling hazard
 * behind a proxy), a head not complete within the header timeout is refused 408, and a head Netty
 * cannot read is answered 400 rather than with a silent close. Each refusal is problem+json, counted
 * in {@code herald_refusals_total}, logged at DEBUG only, and closes the connection.
 *
 * <pre>
 * server.connectionHandler(conn -&gt; guard.install(conn, options))
 *       .invalidRequestHandler(guard::answerInvalid);
 * </pre>
 *
 * <p>Threads: immutable; {@link #install} runs on the new connection's event loop,
 * {@link #answerInvalid} on the request's context.
 */
public final class RequestHeadGuard {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequestHeadGuard.class);
  private static final String DECODER = "httpDecoder";

  private final HeraldMetrics metrics;
  private final long headerTimeoutNanos;

  /** {@code headerTimeout}: how long a request head may take from its first byte to its last. */
  public RequestHeadGuard(HeraldMetrics metrics, Duration headerTimeout) {
    this.metrics = metrics;
    this.headerTimeoutNanos = headerTimeout.toNanos();
  }

  /**
   * Puts Herald's request decoder in the place of Vert.x's on a new HTTP/1.x connection
   * ({@code options} are the server's, which size the decoder). Call from the server's
   * {@code connectionHandler}: Vert.x calls it while setting the connection up, before a byte was
   * read, so nothing is lost in the swap. HTTP/2 connections are left alone.
   */
  public void install(HttpConnection connection, HttpServerOptions options) {
    ChannelPipeline pipeline = VertxInternals.pipelineOf(connection);
    if (pipeline != null && VertxRequestDecoder.isVertxs(pipeline.get(DECODER))) {
      pipeline.replace(DECODER, DECODER, new GuardedRequestDecoder(options, headerTimeoutNanos));
    }
  }

  /**
   * The server's {@code invalidRequestHandler}: answers a request whose head was refused or could
   * not be read. Vert.x closes the connection after the answer.
   */
  public void answerInvalid(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    if (cause instanceof TooLongFrameException) {
      // Vert.x's own answer: 414 for a long request line, 431 for too many header bytes
      metrics.refused("head_too_large");
      HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(req);
      return;
    }
    HttpServerResponse response = req.response().putHeader("connection", "close");
    if (cause instanceof RefusedRequestHead refused) {
      metrics.refused(refused.reason());
      LOG.debug("refused a request head from {}: {}", req.remoteAddress(), refused.getMessage());
      Problem.send(response, refused.status(), refused.title(), refused.getMessage());
    } else {
      metrics.refused("malformed_head");
      LOG.debug("unreadable request head from {}: {}", req.remoteAddress(), String.valueOf(cause));
      Problem.badRequest(response, "the request head is not valid HTTP/1.1");
    }
  }
}
