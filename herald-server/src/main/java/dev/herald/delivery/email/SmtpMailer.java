package dev.herald.delivery.email;

import dev.herald.delivery.Outcome;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Mailer} over SMTP on Angus Mail. Connections are kept and reused: each concurrent sender
 * takes one connected transport from a pool of at most {@code maxConnections}, sends, and gives it
 * back; one that has idled for a while is checked ({@code NOOP}) before use and replaced when dead;
 * one that failed other than by a server reply is closed. {@link #close} closes them all.
 *
 * <p>Threads: {@link #send} from any number of (virtual) threads; blocks for a free connection and
 * for the server, each step bounded by the timeout. The pool's fields are thread-safe.
 */
final class SmtpMailer implements Mailer {
  private static final Logger LOG = LoggerFactory.getLogger(SmtpMailer.class);
  /**
   * A connection idle for longer is checked with NOOP before it carries a message. Servers drop idle
   * ones, but not this soon: RFC 5321 §4.5.3.2.7, "An SMTP server SHOULD have a timeout of at least
   * 5 minutes while it is awaiting the next command from the sender."
   */
  private static final long CHECK_AFTER_IDLE_NANOS = Duration.ofSeconds(10).toNanos();

  private final SmtpUrl url;
  private final Session session;
  private final Semaphore permits;
  /** Connected transports no sender holds. */
  private final BlockingQueue<Pooled> idle;
  /** Set once by {@link #close}; read by every sender returning a connection. */
  private volatile boolean closed;

  private record Pooled(SMTPTransport transport, long idleSince) {}

  private static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

  /**
   * @param heloName the name Herald gives itself in {@code EHLO}
   */
  SmtpMailer(SmtpUrl url, Duration timeout, int maxConnections, String heloName) {
    // Jakarta Mail looks its stream provider up with ServiceLoader for every MIME part unless this
    // property names it (jakartaee/mail-api#699): in a fat jar that scan was a quarter of the CPU
    // of building a message. Angus Mail's is the only one Herald ships.
    if (System.getProperty(STREAM_PROVIDER) == null) {
      System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
    }
    this.url = url;
    this.session = Session.getInstance(properties(url, timeout, heloName));
    this.permits = new Semaphore(maxConnections, true);
    this.idle = new ArrayBlockingQueue<>(maxConnections);
  }

  static Properties properties(SmtpUrl url, Duration timeout, String heloName) {
    Properties p = new Properties();
    String ms = String.valueOf(timeout.toMillis());
    p.put("mail.transport.protocol", "smtp");
    p.put("mail.smtp.host", url.host());
    p.put("mail.smtp.port", String.valueOf(url.port()));
    p.put("mail.smtp.connectiontimeout", ms);
    p.put("mail.smtp.timeout", ms);
    p.put("mail.smtp.writetimeout", ms);
    p.put("mail.smtp.localhost", heloName);
    p.put("mail.smtp.auth", String.valueOf(url.user() != null));
    if (url.implicitTls()) {
      p.put("mail.smtp.ssl.enable", "true");
    } else {
      // STARTTLS when the server offers it; ?starttls=required refuses one that does not
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", String.valueOf(url.starttlsRequired()));
    }
    // ?trust= (a test server's self-signed certificate) skips the chain and the name check; else both are made
    p.put("mail.smtp.ssl.checkserveridentity", String.valueOf(url.trust() == null));
    if (url.trust() != null) {
      p.put("mail.smtp.ssl.trust", url.trust());
    }
    return p;
  }

  @Override
  public Outcome send(Email email) {
    String target = email.to().getAddress();
    if (closed) {
      return new Outcome.Retry(target, "the SMTP mailer is closed (the node is stopping)", null);
    }
    Pooled connection;
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome.Retry(target, "interrupted while waiting for an SMTP connection", null);
    }
    try {
      connection = connection();
    } catch (MessagingException e) {
      permits.release();
      return SmtpReplies.classify(target, e);
    }
    boolean reusable = false;
    try {
      connection.transport().sendMessage(MimeEmail.of(email, session), new Address[] {email.to()});
      reusable = true;
      String reply = connection.transport().getLastServerResponse();
      return new Outcome.Delivered(target, reply == null ? "250" : reply.strip());
    } catch (MessagingException e) {
      // after a server's refusal the session is still in step (Angus resets it); after anything else it is not known to be
      reusable = SmtpReplies.isReply(e);
      return SmtpReplies.classify(target, e);
    } finally {
      giveBack(connection.transport(), reusable);
    }
  }

  /** An idle connection that is still alive, or a new one. The caller holds a permit. */
  private Pooled connection() throws MessagingException {
    for (Pooled p; (p = idle.poll()) != null; ) {
      if (System.nanoTime() - p.idleSince() < CHECK_AFTER_IDLE_NANOS || p.transport().isConnected()) {
        return p;
      }
      quietlyClose(p.transport());
    }
    SMTPTransport t = (SMTPTransport) session.getTransport("smtp");
    t.connect(url.host(), url.port(), url.user(), url.password());
    return new Pooled(t, System.nanoTime());
  }

  private void giveBack(SMTPTransport transport, boolean reusable) {
    try {
      if (!reusable || closed || !idle.offer(new Pooled(transport, System.nanoTime()))) {
        quietlyClose(transport);
      }
      if (closed) {
        // close() may have drained the pool between the check above and the offer
        closeIdle();
      }
    } finally {
      permits.release();
    }
  }

  @Override
  public void close() {
    closed = true;
    closeIdle();
  }

  private void closeIdle() {
    for (Pooled p; (p = idle.poll()) != null; ) {
      quietlyClose(p.transport());
    }
  }

  private static void quietlyClose(Transport t) {
    try {
      t.close();
    } catch (MessagingException e) {
      LOG.debug("closing an SMTP connection: {}", e.toString());
    }
  }
}
