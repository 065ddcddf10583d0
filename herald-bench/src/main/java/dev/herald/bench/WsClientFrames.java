package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client side of RFC 6455 that {@link LoadConnection} needs, on bytes: the upgrade request and
 * the check of its answer, masked client frames (pre-encoded where they are constant), and the
 * search of a number in a received frame without decoding it to a String.
 */
final class WsClientFrames {
  static final int OP_CONTINUATION = 0;
  static final int OP_TEXT = 1;
  static final int OP_BINARY = 2;
  static final int OP_CLOSE = 8;
  static final int OP_PING = 9;
  static final int OP_PONG = 10;

  /** The Engine.IO pong {@code 3}, as a masked text frame. */
  static final ByteBuf EIO_PONG = constant(textFrame("3".getBytes(StandardCharsets.US_ASCII)));
  /** A close frame with status 1000 (normal closure), masked. */
  static final ByteBuf CLOSE_NORMAL = constant(frame(OP_CLOSE, new byte[] {0x03, (byte) 0xe8}));

  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WsClientFrames() {
  }

  /** A random {@code Sec-WebSocket-Key}: 16 bytes, base64. */
  static String newKey() {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** The HTTP/1.1 upgrade request of {@code GET <pathAndQuery>} to {@code host}, with {@code key}. */
  static ByteBuf upgradeRequest(ByteBufAllocator alloc, String hostAndPort, String pathAndQuery, String key) {
    String head = "GET " + pathAndQuery + " HTTP/1.1\r\n"
        + "Host: " + hostAndPort + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
    ByteBuf buf = alloc.buffer(head.length());
    buf.writeCharSequence(head, StandardCharsets.US_ASCII);
    return buf;
  }

  /**
   * The index just past the {@code \r\n\r\n} that ends an HTTP response head starting at the reader
   * index of {@code buf}, or -1 if it has not arrived yet.
   */
  static int headEnd(ByteBuf buf) {
    int end = buf.writerIndex();
    for (int i = buf.readerIndex() + 3; i < end; i++) {
      if (buf.getByte(i) == '\n' && buf.getByte(i - 1) == '\r' && buf.getByte(i - 2) == '\n' && buf.getByte(i - 3) == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  /** Why {@code head} (status line and headers) is not a valid answer to {@code key}, or null. */
  static String checkUpgradeResponse(String head, String key) {
    String[] lines = head.split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/1.") || !status[1].equals("101")) {
      return "upgrade answered '" + lines[0] + "'";
    }
    String accept = null;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
        accept = lines[i].substring(colon + 1).trim();
      }
    }
    if (!acceptOf(key).equals(accept)) {
      return "Sec-WebSocket-Accept '" + accept + "' does not match the key";
    }
    return null;
  }

  /** base64(SHA-1(key + GUID)), the {@code Sec-WebSocket-Accept} the server must answer. */
  static String acceptOf(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A complete masked text frame carrying {@code payload}. */
  static byte[] textFrame(byte[] payload) {
    return frame(OP_TEXT, payload);
  }

  /** A complete masked, final frame of {@code opcode} carrying {@code payload}, with a random mask. */
  static byte[] frame(int opcode, byte[] payload) {
    int len = payload.length;
    int head = len < 126 ? 2 : len < 65_536 ? 4 : 10;
    byte[] f = new byte[head + 4 + len];
    f[0] = (byte) (0x80 | opcode);
    if (len < 126) {
      f[1] = (byte) (0x80 | len);
    } else if (len < 65_536) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (len >>> 8);
      f[3] = (byte) len;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) ((long) len >>> (56 - 8 * i));
      }
    }
    int mask = ThreadLocalRandom.current().nextInt();
    for (int i = 0; i < 4; i++) {
      f[head + i] = (byte) (mask >>> (24 - 8 * i));
    }
    for (int i = 0; i < len; i++) {
      f[head + 4 + i] = (byte) (payload[i] ^ f[head + (i & 3)]);
    }
    return f;
  }

  /** A masked pong frame echoing the {@code len} (at most 125) bytes of a ping at {@code off}. */
  static ByteBuf pong(ByteBufAllocator alloc, ByteBuf ping, int off, int len) {
    byte[] payload = new byte[Math.min(len, 125)];
    ping.getBytes(off, payload);
    return Unpooled.wrappedBuffer(frame(OP_PONG, payload));
  }

  /** A shared direct buffer of {@code bytes} that is never released nor written to: write {@code duplicate()}s of it. */
  private static ByteBuf constant(byte[] bytes) {
    return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes));
  }

  /** Whether the bytes of {@code buf} at {@code off} start with {@code prefix} (within {@code end}). */
  static boolean startsWith(ByteBuf buf, int off, int end, byte[] prefix) {
    if (end - off < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (buf.getByte(off + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The non-negative decimal integer that follows the first {@code key} in {@code buf} between
   * {@code from} and {@code end}, or -1. Spaces between the key and the number are skipped: JSON
   * that went through PostgreSQL's {@code jsonb} comes back as {@code {"k": 5, "t": 123}}.
   */
  static long longAfter(ByteBuf buf, int from, int end, byte[] key) {
    int i = indexOf(buf, from, end, key);
    if (i < 0) {
      return -1;
    }
    i += key.length;
    while (i < end && buf.getByte(i) == ' ') {
      i++;
    }
    long v = 0;
    int digits = 0;
    for (; i < end && digits < 19; i++, digits++) {
      byte c = buf.getByte(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
    }
    return digits == 0 ? -1 : v;
  }

  /** The index just past the first {@code key} in {@code buf} between {@code from} and {@code end}, or -1. */
  static int indexAfter(ByteBuf buf, int from, int end, byte[] key) {
    int i = indexOf(buf, from, end, key);
    return i < 0 ? -1 : i + key.length;
  }

  private static int indexOf(ByteBuf buf, int from, int end, byte[] key) {
    byte first = key[0];
    for (int i = from, last = end - key.length; i <= last; i++) {
      if (buf.getByte(i) == first && startsWith(buf, i, end, key)) {
        return i;
      }
    }
    return -1;
  }
}
