package dev.herald.http;

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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection to a server, written byte for byte as the test says (malformed targets,
 * conflicting framing headers, heads that never end) and read as HTTP/1.x responses. Every read
 * gives up after {@link #WAIT} with an assertion-friendly exception instead of hanging. Blocking,
 * one thread.
 */
final class RawConnection implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  /** One response: status, headers (names in lower case) and the body as text. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawConnection(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout((int) WAIT.toMillis());
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code text} as ISO-8859-1 bytes (what an HTTP/1.1 head is made of). */
  void write(String text) {
    try {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code text} and reads the response to it. */
  Response exchange(String text) {
    write(text);
    return read();
  }

  /** Reads the next response (body by Content-Length, chunked, or up to the end of the stream). */
  Response read() {
    try {
      String status = line();
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x status line: " + status);
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h; !(h = line()).isEmpty(); ) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      return new Response(Integer.parseInt(parts[1]), headers, body(headers));
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no response within " + WAIT + ": the server holds the request", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * True when the server closed the connection (end of stream or reset) within {@link #WAIT};
   * false when it sent more bytes or kept the connection open that long.
   */
  boolean closedByServer() {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private String body(Map<String, String> headers) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = headers.get("content-length");
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
        body.write(in.readNBytes(size));
        line();
      }
      while (!line().isEmpty()) {
        // trailer fields
      }
    } else if (length != null) {
      int n = Integer.parseInt(length);
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        throw new EOFException("body shorter than its Content-Length " + n);
      }
      body.write(b);
    }
    return body.toString(StandardCharsets.UTF_8);
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new EOFException("connection closed after: " + sb);
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
