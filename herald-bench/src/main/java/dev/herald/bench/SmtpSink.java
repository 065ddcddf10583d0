package dev.herald.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An SMTP server that accepts every message and keeps nothing but its arrival: EHLO/HELO, MAIL,
 * RCPT, DATA, RSET, NOOP and QUIT, each answered at once (no TLS, no AUTH, no pipelining offered).
 * For each message it records, in {@link Receipts}, when the final {@code 250} after the data went
 * out and the notification id of its {@code X-Herald-Notification-Id} header.
 *
 * <p>Threads: every connection lives on the event loop of the given {@link Vertx}; a
 * {@link Session}'s fields are owned by it.
 */
final class SmtpSink implements AutoCloseable {
  private static final String ID_HEADER = "x-herald-notification-id:";
  private static final Buffer GREETING = Buffer.buffer("220 bench.local ESMTP herald-bench sink\r\n");
  private static final Buffer EHLO = Buffer.buffer("250-bench.local\r\n250-8BITMIME\r\n250 SIZE 26214400\r\n");
  private static final Buffer OK = Buffer.buffer("250 2.0.0 OK\r\n");
  private static final Buffer QUEUED = Buffer.buffer("250 2.0.0 queued\r\n");
  private static final Buffer DATA = Buffer.buffer("354 end data with <CR><LF>.<CR><LF>\r\n");
  private static final Buffer BYE = Buffer.buffer("221 2.0.0 bye\r\n");
  private static final Buffer UNKNOWN = Buffer.buffer("502 5.5.2 command not recognised\r\n");

  private final NetServer server;
  private final Receipts receipts = new Receipts();

  private SmtpSink(NetServer server) {
    this.server = server;
  }

  /** Listens on 127.0.0.1, on a free port. */
  static SmtpSink start(Vertx vertx) throws Exception {
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
    SmtpSink sink = new SmtpSink(server);
    server.connectHandler(socket -> sink.new Session(socket));
    server.listen().toCompletionStage().toCompletableFuture().get();
    return sink;
  }

  int port() {
    return server.actualPort();
  }

  Receipts receipts() {
    return receipts;
  }

  @Override
  public void close() {
    server.close();
  }

  /** One SMTP connection: the command state and, during DATA, the message's headers. */
  private final class Session {
    private final NetSocket socket;
    /** In DATA, until the lone "." line. */
    private boolean inData;
    /** In DATA, before the empty line that ends the headers. */
    private boolean inHeaders;
    private String notificationId;

    Session(NetSocket socket) {
      this.socket = socket;
      socket.handler(RecordParser.newDelimited("\r\n", this::line));
      socket.write(GREETING);
    }

    private void line(Buffer line) {
      if (inData) {
        data(line);
        return;
      }
      String command = line.toString(StandardCharsets.US_ASCII);
      String verb = (command.length() < 4 ? command : command.substring(0, 4)).toUpperCase(Locale.ROOT);
      switch (verb) {
        case "EHLO" -> socket.write(EHLO);
        case "HELO", "MAIL", "RCPT", "RSET", "NOOP" -> socket.write(OK);
        case "DATA" -> {
          inData = true;
          inHeaders = true;
          notificationId = null;
          socket.write(DATA);
        }
        case "QUIT" -> socket.end(BYE);
        default -> socket.write(UNKNOWN);
      }
    }

    private void data(Buffer line) {
      int length = line.length();
      // RFC 5321 §4.1.1.4: the mail data ends with a line holding a single period
      if (length == 1 && line.getByte(0) == '.') {
        inData = false;
        socket.write(QUEUED);
        receipts.record(notificationId, System.nanoTime());
        return;
      }
      if (!inHeaders) {
        return;
      }
      if (length == 0) {
        inHeaders = false;
      } else if (length > ID_HEADER.length() && (line.getByte(0) == 'X' || line.getByte(0) == 'x')) {
        String header = line.toString(StandardCharsets.US_ASCII);
        if (header.regionMatches(true, 0, ID_HEADER, 0, ID_HEADER.length())) {
          notificationId = header.substring(ID_HEADER.length()).trim();
        }
      }
    }
  }
}
