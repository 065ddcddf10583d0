package dev.herald.transport.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Server-to-client frames, encoded straight into the bytes that go on the wire. RFC 6455 5.1: a
 * server never masks its frames, so a frame is the same bytes for every receiver and a broadcast can
 * encode it once ({@link #sharedText}).
 */
public final class WebSocketFrames {
  static final int OP_CONTINUATION = 0x0;
  static final int OP_TEXT = 0x1;
  static final int OP_BINARY = 0x2;
  static final int OP_CLOSE = 0x8;
  static final int OP_PING = 0x9;
  static final int OP_PONG = 0xA;
  private static final int FIN = 0x80;

  private WebSocketFrames() {}

  /**
   * A final text frame holding {@code text}, for many writers: each sends a
   * {@link ByteBuf#retainedDuplicate()} of it, and the socket copies those few bytes into its own
   * pooled buffer on the way out. On the heap and never released, so the garbage collector frees it
   * with the event that holds it (a direct buffer per event would cost a cleaner each).
   */
  public static ByteBuf sharedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    int header = headerLength(payload.length);
    byte[] frame = new byte[header + payload.length];
    ByteBuf buf = Unpooled.wrappedBuffer(frame).clear();
    writeHeader(buf, OP_TEXT, payload.length);
    buf.writeBytes(payload);
    return buf;
  }

  /** The text a frame of {@link #sharedText} carries. */
  public static String textOf(ByteBuf frame) {
    int second = frame.getUnsignedByte(frame.readerIndex() + 1) & 0x7F;
    int header = second < 126 ? 2 : second == 126 ? 4 : 10;
    return frame.toString(frame.readerIndex() + header, frame.readableBytes() - header, StandardCharsets.UTF_8);
  }

  /** A final text frame holding {@code text}, from {@code alloc}; the writer releases it. */
  static ByteBuf text(ByteBufAllocator alloc, CharSequence text) {
    int length = ByteBufUtil.utf8Bytes(text);
    ByteBuf buf = alloc.directBuffer(headerLength(length) + length);
    writeHeader(buf, OP_TEXT, length);
    ByteBufUtil.reserveAndWriteUtf8(buf, text, length);
    return buf;
  }

  /** A final frame of {@code opcode} holding {@code payload}. */
  static ByteBuf frame(ByteBufAllocator alloc, int opcode, byte[] payload) {
    ByteBuf buf = alloc.directBuffer(headerLength(payload.length) + payload.length);
    writeHeader(buf, opcode, payload.length);
    buf.writeBytes(payload);
    return buf;
  }

  /**
   * A close frame. RFC 6455 5.5.1: the body is a two-byte status code and a UTF-8 reason, together
   * at most 125 bytes (a control frame's limit); a longer reason is cut at a character boundary.
   */
  static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
    byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
    int textLength = Math.min(text.length, 123);
    while (textLength < text.length && textLength > 0 && (text[textLength] & 0xC0) == 0x80) {
      textLength--;
    }
    ByteBuf buf = alloc.directBuffer(2 + 2 + textLength);
    writeHeader(buf, OP_CLOSE, 2 + textLength);
    buf.writeShort(code);
    buf.writeBytes(text, 0, textLength);
    return buf;
  }

  static int headerLength(int payloadLength) {
    return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
  }

  private static void writeHeader(ByteBuf buf, int opcode, int length) {
    buf.writeByte(FIN | opcode);
    if (length < 126) {
      buf.writeByte(length);
    } else if (length < 65_536) {
      buf.writeByte(126);
      buf.writeShort(length);
    } else {
      buf.writeByte(127);
      buf.writeLong(length);
    }
  }
}
