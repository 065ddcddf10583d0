package dev.herald.transport.websocket;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written frame by frame over a plain socket, for tests that must send what
 * well-behaved clients never do: unmasked or fragmented frames, broken UTF-8, frames glued to the
 * handshake. Blocking, one thread.
 */
final class RawWebSocket implements AutoCloseable {
  /** One frame as it came off the wire. */
  record Frame(boolean fin, int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a close frame, 1005 when it has none. */
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }
  }

  /** The response head of the opening handshake. */
  record Head(int status, String text) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawWebSocket(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5_000);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** The opening handshake for {@code target}, with {@code extraHeaders} ("Name: value\r\n" lines). */
  static byte[] upgradeRequest(String target, String version, String extraHeaders) {
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    return ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
        + (version == null ? "" : "Sec-WebSocket-Version: " + version + "\r\n")
        + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Writes raw bytes. */
  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads the response head (status line and headers) of the handshake. */
  Head readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed inside the response head: " + head);
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : 0;
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    return new Head(Integer.parseInt(text.substring(9, 12)), text);
  }

  /** Reads the body after a head that announced {@code content-length}. */
  String readBody(Head head) throws IOException {
    String lower = head.text().toLowerCase(java.util.Locale.ROOT);
    int at = lower.indexOf("content-length:");
    int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).trim());
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  /** A client frame: masked as RFC 6455 5.3 requires unless {@code masked} is false. */
  static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      f.write(maskBit | payload.length);
    } else if (payload.length < 65_536) {
      f.write(maskBit | 126);
      f.write(payload.length >> 8);
      f.write(payload.length);
    } else {
      f.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    if (masked) {
      ThreadLocalRandom.current().nextBytes(mask);
      f.writeBytes(mask);
    }
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i % 4]);
    }
    return f.toByteArray();
  }

  static byte[] text(String s) {
    return frame(true, 0x1, s.getBytes(StandardCharsets.UTF_8), true);
  }

  /** Sends one masked final text frame. */
  void sendText(String s) throws IOException {
    write(text(s));
  }

  /** Reads the next frame from the server (server frames are never masked). */
  Frame readFrame() throws IOException {
    int b0 = readByte();
    int b1 = readByte();
    long length = b1 & 0x7F;
    if (length == 126) {
      length = (readByte() << 8) | readByte();
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | readByte();
      }
    }
    if ((b1 & 0x80) != 0) {
      throw new IOException("the server masked a frame");
    }
    return new Frame((b0 & 0x80) != 0, b0 & 0x0F, in.readNBytes((int) length));
  }

  /** True when the server closed the TCP connection (end of stream) within the socket timeout. */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection closed");
    }
    return b;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
