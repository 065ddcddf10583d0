package dev.herald.conformance;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection driven by hand, for the polling tests that need to know a
 * request has left (java.net.http only says when the answer is back) or to abort one mid-flight. A
 * request written by {@link #sendGet} is in the server's receive buffer when the call returns;
 * {@link #abort} then closes the socket like an aborted fetch, and the server reads the request
 * before the end of the stream.
 */
final class RawHttp implements AutoCloseable {
  record Response(int status, String body) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String host;

  RawHttp(int port) {
    try {
      socket = new Socket("localhost", port);
      socket.setSoTimeout((int) WsRecorder.WAIT.toMillis());
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
      host = "localhost:" + port;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a GET for {@code target} (path and query) without waiting for the answer. */
  void sendGet(String target) {
    String head = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    try {
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a POST of {@code body} for {@code target} without waiting for the answer. */
  void sendPost(String target, String body) {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: text/plain;charset=UTF-8\r\n"
        + "Content-Length: " + content.length + "\r\n\r\n";
    try {
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A GET and its answer. */
  Response get(String target) {
    sendGet(target);
    return read();
  }

  /** Reads the next response (Content-Length or chunked body). */
  Response read() {
    try {
      String status = line();
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x status line: " + status);
      }
      int code = Integer.parseInt(parts[1]);
      long length = -1;
      boolean chunked = false;
      for (String h; !(h = line()).isEmpty(); ) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        if (name.equals("content-length")) {
          length = Long.parseLong(value);
        } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
          chunked = true;
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (chunked) {
        for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
          body.write(in.readNBytes(size));
          line();
        }
        while (!line().isEmpty()) {
          // trailers
        }
      } else if (length > 0) {
        byte[] b = in.readNBytes((int) length);
        if (b.length < length) {
          throw new EOFException("body shorter than Content-Length");
        }
        body.write(b);
      }
      return new Response(code, body.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The suites' {@code initLongPollingSession()} on this connection; returns the sid. */
  String openSession(String path) {
    Response r = get(path + "?EIO=4&transport=polling");
    if (r.status() != 200) {
      throw new IllegalStateException("handshake answered " + r);
    }
    return Polling.openPacket(r.body()).get("sid").asText();
  }

  /** Closes the connection at once, like an aborted fetch. */
  void abort() {
    close();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
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
}
