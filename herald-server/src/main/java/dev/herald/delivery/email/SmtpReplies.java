package dev.herald.delivery.email;

import dev.herald.delivery.Outcome;
import jakarta.mail.MessagingException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * What a failed SMTP send means for the job. RFC 5321 §4.2.1: "4yz Transient Negative Completion
 * reply: ... the sender SMTP client SHOULD try again"; "5yz Permanent Negative Completion reply:
 * ... the SMTP client SHOULD NOT repeat the exact request". So a 4xx reply to MAIL FROM, RCPT TO or
 * DATA is retried, a 5xx reply fails the job at once, and the server's reply is kept as the error.
 * A failure to reach or talk to the server (refused, timed out, TLS, authentication) is no verdict
 * on the message: retried.
 *
 * <p>Threads: any; stateless.
 */
final class SmtpReplies {
  private SmtpReplies() {}

  /** The outcome of {@code e}, raised by a send to {@code target}. */
  static Outcome classify(String target, MessagingException e) {
    Reply reply = reply(e);
    if (reply == null) {
      return new Outcome.Retry(target, describe(e), null);
    }
    if (reply.code() >= 500) {
      return new Outcome.Failed(target, reply.text());
    }
    return new Outcome.Retry(target, reply.text(), null);
  }

  /** True when the server answered (the connection is sound and may be used again). */
  static boolean isReply(MessagingException e) {
    return reply(e) != null;
  }

  private record Reply(int code, String text) {}

  /** The first SMTP reply in the chain of {@code e}, or null when the failure was not a reply. */
  private static Reply reply(MessagingException e) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < 10; depth++) {
      if (t instanceof SMTPAddressFailedException f && f.getReturnCode() >= 400) {
        return new Reply(f.getReturnCode(), text(f.getReturnCode(), f.getMessage()));
      }
      if (t instanceof SMTPSendFailedException f && f.getReturnCode() >= 400) {
        return new Reply(f.getReturnCode(), text(f.getReturnCode(), f.getMessage()));
      }
      Throwable next = t instanceof MessagingException m && m.getNextException() != null ? m.getNextException()
          : t.getCause();
      t = next == t ? null : next;
    }
    return null;
  }

  /** The server's reply line, starting with its code ({@code 550 5.1.1 no such user}). */
  private static String text(int code, String message) {
    String m = message == null ? "" : message.strip();
    return m.startsWith(String.valueOf(code)) ? m : code + " " + m;
  }

  private static String describe(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (!b.isEmpty()) {
        b.append(": ");
      }
      b.append(t.getClass().getSimpleName()).append(t.getMessage() == null ? "" : " " + t.getMessage().strip());
      if (b.length() > 500) {
        break;
      }
    }
    return dev.herald.validation.Fields.abbreviate(b.toString(), 500);
  }
}
