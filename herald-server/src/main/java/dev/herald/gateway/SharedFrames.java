package dev.herald.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.nio.charset.StandardCharsets;

/**
 * Writes one encoded text message to many WebSockets: the payload is UTF-8 encoded once into a
 * shared buffer, each connection gets a retained view of it, and writes are flushed once per batch
 * rather than once per message. Calls happen on the connection's own event loop.
 */
public final class SharedFrames {
  private SharedFrames() {}

  /** The UTF-8 bytes of {@code text} in a buffer shared by every writer (never released). */
  public static ByteBuf utf8(String text) {
    return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The Netty context under {@code ws}, or null when Vert.x does not expose it. */
  public static ChannelHandlerContext channelOf(ServerWebSocket ws) {
    return ws instanceof WebSocketInternal internal ? internal.channelHandlerContext() : null;
  }

  /**
   * True when the connection's outbound buffer is over its high-water mark (the limit Vert.x's
   * {@code setWriteQueueMaxSize} sets); shared writes bypass Vert.x's own accounting.
   */
  public static boolean full(ServerWebSocket ws, ChannelHandlerContext ctx) {
    return ws.writeQueueFull() || ctx != null && !ctx.channel().isWritable();
  }

  /** Writes {@code shared} as one final text frame, without flushing. */
  public static void write(ChannelHandlerContext ctx, ByteBuf shared) {
    ctx.write(new TextWebSocketFrame(true, 0, shared.retainedDuplicate()), ctx.voidPromise());
  }
}
