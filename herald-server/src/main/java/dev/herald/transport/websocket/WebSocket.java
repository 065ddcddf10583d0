package dev.herald.transport.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import dev.herald.vertx.VertxInternals;
import io.vertx.core.Context;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted WebSocket connection (RFC 6455): the last handler of its channel, after Netty's
 * frame decoder. It reassembles fragmented messages, answers pings, runs the closing handshake, and
 * hands whole messages to its {@link Listener}; writes go out as ready-made frame bytes.
 *
 * <p>Threads: frames arrive on the channel's event loop and reach the listener inside the Vert.x
 * {@link #context()} of the connection, so timers and futures the listener starts stay on that
 * loop. {@link #sendText}, {@link #sendPing}, {@link #close} and {@link #abort} may be called from
 * any thread (Netty queues writes onto the loop, in order per calling thread); {@link #writeShared}
 * and {@link #flush} only on the loop. Every field but {@link #closing} is owned by the loop.
 */
public final class WebSocket extends ChannelInboundHandlerAdapter {
  /**
   * What a connection's messages mean; called on the connection's event loop, in its context. A
   * call that throws fails its connection with 1011; the loop's other connections carry on.
   */
  public interface Listener {
    void onText(WebSocket socket, String text);

    void onBinary(WebSocket socket, byte[] data);

    /** A pong frame arrived (the answer to {@link #sendPing}, or an unsolicited heartbeat). */
    default void onPong(WebSocket socket) {
    }

    /**
     * The connection ended, called once: {@code code} is the status of the close frame received,
     * or of the one sent when Herald ended it (RFC 6455 7.1.5), 1006 when the connection dropped
     * without a closing handshake.
     */
    void onClose(WebSocket socket, int code, String reason);
  }

  private static final Logger LOG = LoggerFactory.getLogger(WebSocket.class);
  /** RFC 6455 7.1.1: after its close frame the server waits this long for the client's answer. */
  private static final long CLOSE_GRACE_MILLIS = 2_000;
  /** RFC 6455 7.4.1: 1006 is never sent; it reports a connection that dropped. */
  public static final int ABNORMAL_CLOSURE = 1006;
  /**
   * RFC 6455 7.4.1: 1011, "the server is terminating the connection because it encountered an
   * unexpected condition that prevented it from fulfilling the request".
   */
  public static final int INTERNAL_ERROR = 1011;

  private final Channel channel;
  private final Context context;
  private final int maxMessageBytes;
  private volatile Listener listener;
  private ChannelHandlerContext ctx;
  /** Set once a close frame was sent or the connection aborted: no more messages go out. */
  private volatile boolean closing;
  private boolean closeReported;
  private int sentCode;
  private String sentReason;
  private CompositeByteBuf fragments;
  private boolean fragmentsAreText;
  /** False until {@link #open} runs: what arrives before waits in {@link #early}. */
  private boolean opened;
  /** Frames, failures and the end of the connection that came before {@link #open}, in order. */
  private java.util.List<Object> early;

  WebSocket(Channel channel, Context context, int maxMessageBytes, Listener listener) {
    this.channel = channel;
    this.context = context;
    this.maxMessageBytes = maxMessageBytes;
    this.listener = listener;
  }

  /** The Vert.x context of the connection's event loop. */
  public Context context() {
    return context;
  }

  /** Replaces the listener; call on the event loop. */
  public void listener(Listener listener) {
    this.listener = listener;
  }

  /** True until a close frame went out or the connection ended. */
  public boolean isOpen() {
    return !closing && channel.isActive();
  }

  /**
   * False when the client's unread data passed the outbound high-water mark: a client that does not
   * read. Writers then stop and end the connection ({@link #abort}).
   */
  public boolean isWritable() {
    return channel.isWritable();
  }

  /** Sends one text message. Returns false when the connection is closing or closed. */
  public boolean sendText(String text) {
    if (closing) {
      return false;
    }
    channel.writeAndFlush(WebSocketFrames.text(channel.alloc(), text), channel.voidPromise());
    return true;
  }

  /**
   * Sends one text message and runs {@code onWritten} on the event loop once it was written to the
   * connection (the socket took it), not before; never when the write failed. Returns false when
   * the connection is closing or closed.
   */
  public boolean sendText(String text, Runnable onWritten) {
    if (closing) {
      return false;
    }
    channel.writeAndFlush(WebSocketFrames.text(channel.alloc(), text), receipt(onWritten));
    return true;
  }

  /** Sends one binary message. Returns false when the connection is closing or closed. */
  public boolean sendBinary(byte[] data) {
    if (closing) {
      return false;
    }
    channel.writeAndFlush(WebSocketFrames.frame(channel.alloc(), WebSocketFrames.OP_BINARY, data),
        channel.voidPromise());
    return true;
  }

  /** RFC 6455 5.5.2: a ping frame; the client answers with a pong ({@link Listener#onPong}). */
  public void sendPing() {
    if (!closing) {
      channel.writeAndFlush(WebSocketFrames.frame(channel.alloc(), WebSocketFrames.OP_PING, new byte[0]),
          channel.voidPromise());
    }
  }

  /**
   * Writes a frame encoded once for many connections ({@link WebSocketFrames#sharedText}); on the
   * event loop without flushing ({@link #flush} after the batch), from elsewhere flushed at once.
   */
  public boolean writeShared(ByteBuf frame) {
    if (closing) {
      return false;
    }
    if (ctx != null && channel.eventLoop().inEventLoop()) {
      ctx.write(frame.retainedDuplicate(), ctx.voidPromise());
    } else {
      channel.writeAndFlush(frame.retainedDuplicate(), channel.voidPromise());
    }
    return true;
  }

  /**
   * {@link #writeShared(ByteBuf)}, running {@code onWritten} on the event loop once the frame was
   * written to the connection, not before; never when the write failed.
   */
  public boolean writeShared(ByteBuf frame, Runnable onWritten) {
    if (closing) {
      return false;
    }
    if (ctx != null && channel.eventLoop().inEventLoop()) {
      ctx.write(frame.retainedDuplicate(), receipt(onWritten));
    } else {
      channel.writeAndFlush(frame.retainedDuplicate(), receipt(onWritten));
    }
    return true;
  }

  /** Runs {@code task} on the event loop once everything written before this call was written. */
  public void afterWrites(Runnable task) {
    channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER, receipt(task));
  }

  private io.netty.channel.ChannelPromise receipt(Runnable onWritten) {
    io.netty.channel.ChannelPromise promise = channel.newPromise();
    promise.addListener(f -> {
      if (f.isSuccess()) {
        onWritten.run();
      }
    });
    return promise;
  }

  /** Flushes what {@link #writeShared} wrote. */
  public void flush() {
    if (ctx != null && channel.eventLoop().inEventLoop()) {
      ctx.flush();
    }
  }

  /**
   * Starts the closing handshake (RFC 6455 7.1.2): sends a close frame with {@code code} and
   * {@code reason}, then closes the connection when the client answers, or after a grace period.
   * Idempotent.
   */
  public void close(int code, String reason) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> close(code, reason));
      return;
    }
    if (closing) {
      return;
    }
    closing = true;
    sentCode = code;
    sentReason = reason;
    if (!channel.isActive()) {
      return;
    }
    channel.writeAndFlush(WebSocketFrames.close(channel.alloc(), code, reason), channel.voidPromise());
    channel.eventLoop().schedule(() -> {
      channel.close();
    }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Fails the connection (RFC 6455 7.1.7): closes it at once, dropping writes still queued. For a
   * client that stopped reading, whose close frame would wait behind data it never takes.
   */
  public void abort(int code, String reason) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> abort(code, reason));
      return;
    }
    if (!closing) {
      closing = true;
      sentCode = code;
      sentReason = reason;
    }
    channel.close();
  }

  // ---- Netty side ----

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Starts delivering: queued right behind the accept, so that whoever accepted holds this socket
   * before the first frame (one glued to the handshake, say) reaches the listener.
   */
  void open() {
    opened = true;
    java.util.List<Object> queued = early;
    early = null;
    if (queued != null) {
      for (Object o : queued) {
        if (o instanceof Throwable t) {
          exceptionCaught(ctx, t);
        } else if (o == INACTIVE) {
          channelInactive(ctx);
        } else {
          channelRead(ctx, o);
        }
      }
    }
  }

  private static final Object INACTIVE = new Object();

  private boolean deferred(Object event) {
    if (opened) {
      return false;
    }
    if (early == null) {
      early = new java.util.ArrayList<>(2);
    }
    early.add(event);
    return true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (deferred(msg)) {
      return;
    }
    if (!(msg instanceof WebSocketFrame frame)) {
      // the end of the upgrade request (LastHttpContent) that the HTTP decoder emitted after it
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      onFrame(frame);
    } finally {
      frame.release();
    }
  }

  private void onFrame(WebSocketFrame frame) {
    switch (frame) {
      case TextWebSocketFrame t -> onData(t, true);
      case BinaryWebSocketFrame b -> onData(b, false);
      case ContinuationWebSocketFrame c -> onContinuation(c);
      case PingWebSocketFrame ping -> {
        // RFC 6455 5.5.2: a pong with the ping's application data answers it
        if (!closing) {
          ByteBuf data = ping.content();
          byte[] payload = ByteBufUtil.getBytes(data);
          ctx.writeAndFlush(WebSocketFrames.frame(ctx.alloc(), WebSocketFrames.OP_PONG, payload), ctx.voidPromise());
        }
      }
      case PongWebSocketFrame pong -> dispatch(() -> listener.onPong(this));
      case CloseWebSocketFrame close -> onCloseFrame(close);
      default -> { }
    }
  }

  private void onData(WebSocketFrame frame, boolean text) {
    if (closing) {
      return; // RFC 6455 1.4: after sending a close frame, data is discarded
    }
    if (frame.isFinalFragment()) {
      deliver(frame.content(), text);
      return;
    }
    fragments = ctx.alloc().compositeBuffer(64);
    fragmentsAreText = text;
    fragments.addComponent(true, frame.content().retain());
  }

  private void onContinuation(ContinuationWebSocketFrame frame) {
    if (closing || fragments == null) {
      return; // the decoder refuses a continuation outside a fragmented message
    }
    if (fragments.readableBytes() + frame.content().readableBytes() > maxMessageBytes) {
      fail(1009, "message too big");
      return;
    }
    fragments.addComponent(true, frame.content().retain());
    if (frame.isFinalFragment()) {
      CompositeByteBuf whole = fragments;
      fragments = null;
      try {
        deliver(whole, fragmentsAreText);
      } finally {
        whole.release();
      }
    }
  }

  private void deliver(ByteBuf content, boolean text) {
    if (text) {
      // RFC 6455 8.1: a text message that is not valid UTF-8 fails the connection with 1007
      if (!ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
        fail(1007, "invalid UTF-8 in a text message");
        return;
      }
      String s = content.toString(StandardCharsets.UTF_8);
      dispatch(() -> listener.onText(this, s));
    } else {
      byte[] data = ByteBufUtil.getBytes(content);
      dispatch(() -> listener.onBinary(this, data));
    }
  }

  private void onCloseFrame(CloseWebSocketFrame close) {
    int code = close.statusCode() < 0 ? 1005 : close.statusCode();
    String reason = close.statusCode() < 0 ? "" : close.reasonText();
    if (!closing) {
      // RFC 6455 5.5.1: answer with a close frame, echoing the status code, then close the TCP connection
      closing = true;
      sentCode = code;
      sentReason = reason;
      int echo = code == 1005 ? 1000 : code;
      ctx.writeAndFlush(WebSocketFrames.close(ctx.alloc(), echo, ""))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
    reportClose(code, reason);
  }

  /**
   * Fails the connection with {@code code}: a close frame, then the connection closes when the
   * client answers it, or after the grace period. Not at once: the rest of what the client was
   * sending would still be unread, and closing a socket with unread input makes the kernel reset
   * the connection, which can destroy the close frame before the client reads it. Meanwhile input
   * is read and dropped (the decoder discards after a violation; {@link #closing} drops frames).
   */
  private void fail(int code, String reason) {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
    if (!closing) {
      closing = true;
      sentCode = code;
      sentReason = reason;
      ctx.writeAndFlush(WebSocketFrames.close(ctx.alloc(), code, reason), ctx.voidPromise());
      channel.eventLoop().schedule(() -> {
        channel.close();
      }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      channel.close();
    }
    reportClose(code, reason);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (deferred(cause)) {
      return;
    }
    if (cause instanceof CorruptedWebSocketFrameException corrupted) {
      // RFC 6455 7.4.1: 1009 for a message too big, 1002 (or the decoder's own status) for other violations
      int code = corrupted.closeStatus() != null ? corrupted.closeStatus().code() : 1002;
      fail(code, code == 1009 ? "message too big" : "protocol error");
    } else {
      channel.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (deferred(INACTIVE)) {
      return;
    }
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
    closing = true;
    reportClose(sentCode != 0 ? sentCode : ABNORMAL_CLOSURE, sentCode != 0 ? sentReason : "connection lost");
  }

  private void reportClose(int code, String reason) {
    if (!closeReported) {
      closeReported = true;
      dispatch(() -> listener.onClose(this, code, reason));
    }
  }

  /** Runs a listener call in the connection's context, through {@link #runListener}. */
  private void dispatch(Runnable task) {
    VertxInternals.dispatch(context, task, this::runListener);
  }

  /**
   * What the listener throws, Error included, fails this connection with 1011 and goes no further:
   * the event loop serves other connections, and this one must not go on in whatever state the
   * failure left its listener (Vert.x would log the throwable and deliver the next message).
   */
  private void runListener(Runnable task) {
    try {
      task.run();
    } catch (Throwable failure) {
      fail(INTERNAL_ERROR, "internal error");
      LOG.error("WebSocket from {} failed with 1011: its listener threw", channel.remoteAddress(), failure);
    }
  }
}
