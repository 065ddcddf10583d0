package dev.herald.delivery.email;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An SMTP server of a few lines for failure paths GreenMail does not offer: it speaks just enough
 * of RFC 5321 (no TLS, no AUTH) and answers each command with its scripted reply, 250 by default.
 * Keys of {@link #reply}: {@code MAIL}, {@code RCPT}, {@code DATA} (the reply after the message's
 * final dot). Records the commands it received.
 *
 * <p>Threads: one accepting thread, one per connection; the script and the log are thread-safe.
 */
final class ScriptedSmtpServer implements AutoCloseable {
  final Map<String, String> reply = new ConcurrentHashMap<>();
  final List<String> commands = new CopyOnWriteArrayList<>();
  private final ServerSocket socket;

  ScriptedSmtpServer() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("scripted-smtp").start(this::accept);
  }

  int port() {
    return socket.getLocalPort();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        Thread.ofPlatform().daemon().name("scripted-smtp-conn").start(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
      OutputStream out = s.getOutputStream();
      send(out, "220 scripted ESMTP");
      for (String line; (line = in.readLine()) != null; ) {
        String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
        commands.add(line);
        switch (verb) {
          case "EHLO" -> send(out, "250-scripted\r\n250 8BITMIME");
          case "HELO", "RSET", "NOOP" -> send(out, "250 OK");
          case "MAIL" -> send(out, reply.getOrDefault("MAIL", "250 2.1.0 OK"));
          case "RCPT" -> send(out, reply.getOrDefault("RCPT", "250 2.1.5 OK"));
          case "DATA" -> {
            send(out, "354 go ahead");
            for (String l; (l = in.readLine()) != null && !l.equals("."); ) {
              // the message is not kept
            }
            send(out, reply.getOrDefault("DATA", "250 2.0.0 queued as 1"));
          }
          case "QUIT" -> {
            send(out, "221 bye");
            return;
          }
          default -> send(out, "502 5.5.2 not implemented");
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static void send(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
