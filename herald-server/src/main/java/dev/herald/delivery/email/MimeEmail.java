package dev.herald.delivery.email;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;

/**
 * An {@link Email} as MIME (RFC 2046 §5.1.4): {@code multipart/alternative} of a {@code text/plain}
 * part and then a {@code text/html} one ("the last part is the best"), both UTF-8, with the email's
 * own {@code Message-ID} rather than a generated one.
 */
final class MimeEmail extends MimeMessage {
  private final String messageId;

  private MimeEmail(Session session, String messageId) {
    super(session);
    this.messageId = messageId;
  }

  static MimeMessage of(Email email, Session session) throws MessagingException {
    MimeEmail m = new MimeEmail(session, email.messageId());
    m.setFrom(email.from());
    m.setRecipient(Message.RecipientType.TO, email.to());
    m.setSubject(email.subject(), StandardCharsets.UTF_8.name());
    m.setSentDate(new Date());
    for (Map.Entry<String, String> h : email.headers().entrySet()) {
      m.setHeader(h.getKey(), h.getValue());
    }
    MimeBodyPart text = new MimeBodyPart();
    text.setText(email.text(), StandardCharsets.UTF_8.name());
    MimeBodyPart html = new MimeBodyPart();
    html.setText(email.html(), StandardCharsets.UTF_8.name(), "html");
    MimeMultipart alternative = new MimeMultipart("alternative");
    alternative.addBodyPart(text);
    alternative.addBodyPart(html);
    m.setContent(alternative);
    m.saveChanges();
    return m;
  }

  /** Keeps the stable id: receivers drop a second copy of one Message-ID (a retry after a crash). */
  @Override
  protected void updateMessageID() throws MessagingException {
    setHeader("Message-ID", messageId);
  }
}
