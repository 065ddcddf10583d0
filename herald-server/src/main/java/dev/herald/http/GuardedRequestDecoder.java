package dev.herald.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpServerOptions;
import dev.herald.vertx.VertxRequestDecoder;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's HTTP/1.x request decoder with Herald's rules on the request head. A refused head reaches
 * Vert.x the way Netty hands over any head it cannot read: as a request whose {@code DecoderResult}
 * failed (here with a {@link RefusedRequestHead}), which Vert.x gives to the server's
 * {@code invalidRequestHandler} and then closes the connection. Nothing after it is decoded.
 *
 * <p>The header timeout runs from the first byte of a head to its end, never between requests (the
 * idle timeout bounds those). Bytes a client sends behind a WebSocket upgrade request before the
 * 101 start it too; a route accepting the upgrade removes the decoder and the timer with it.
 *
 * <p>Threads: Netty calls it on the connection's event loop only, and its timer runs there too, so
 * its fields need no synchronisation.
 */
final class GuardedRequestDecoder extends VertxRequestDecoder {
  private final long headerTimeoutNanos;
  /** True from a request's end (or the connection's start) to the first byte of the next head. */
  private boolean betweenRequests = true;
  /** When the first byte of the head being read arrived ({@code System.nanoTime}), or 0. */
  private long headStartedAt;
  /** Refuses the head being read when it is still incomplete at the header timeout; or null. */
  private ScheduledFuture<?> headDeadline;
  /** Set once a head was refused: every byte after it is dropped. */
  private boolean refused;

  GuardedRequestDecoder(HttpServerOptions options, long headerTimeoutNanos) {
    super(options);
    this.headerTimeoutNanos = headerTimeoutNanos;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (refused) {
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    if (betweenRequests && headStartedAt == 0 && buffer.isReadable()) {
      headStartedAt = System.nanoTime();
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      Object msg = out.get(i);
      if (msg instanceof HttpMessage) {
        headComplete();
      }
      if (msg instanceof LastHttpContent) {
        betweenRequests = true;
      }
    }
    // most heads arrive whole in one read: only one that spans reads costs a timer
    if (headStartedAt != 0 && headDeadline == null && !refused) {
      long left = headerTimeoutNanos - (System.nanoTime() - headStartedAt);
      headDeadline = ctx.executor().schedule(() -> headTimedOut(ctx), Math.max(0, left), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * RFC 9112 6.1: "A server MAY reject a request that contains both Content-Length and
   * Transfer-Encoding or process such a request in accordance with the Transfer-Encoding alone.
   * Regardless, the server MUST close the connection after responding to such a request to avoid
   * the potential attacks." Herald rejects it: thrown here, Netty turns it into a failed request
   * and discards the rest of the connection's input.
   */
  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    refused = true;
    throw RefusedRequestHead.ambiguousFraming();
  }

  private void headComplete() {
    betweenRequests = false;
    headStartedAt = 0;
    if (headDeadline != null) {
      headDeadline.cancel(false);
      headDeadline = null;
    }
  }

  /** RFC 9110 15.5.9: 408 "the server did not receive a complete request message within the time". */
  private void headTimedOut(ChannelHandlerContext ctx) {
    headDeadline = null;
    if (headStartedAt == 0 || refused || ctx.isRemoved()) {
      return;
    }
    refused = true;
    HttpMessage invalid = createInvalidMessage();
    invalid.setDecoderResult(DecoderResult.failure(
        RefusedRequestHead.timedOut(TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos))));
    ctx.fireChannelRead(invalid);
    // outside a read from the socket: end the read cycle, which is when Vert.x handles what it got
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    headComplete();
    super.channelInactive(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    // a WebSocket upgrade takes the decoder out of the pipeline: no head is pending any more
    headComplete();
    super.handlerRemoved0(ctx);
  }
}
