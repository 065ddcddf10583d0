package dev.herald.delivery.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.herald.delivery.Outcome;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real SMTP deliveries through {@link SmtpMailer} to GreenMail: with authentication, and over implicit TLS. */
class SmtpDeliveryTest {
  @RegisterExtension
  static final GreenMailExtension GREENMAIL = new GreenMailExtension(new ServerSetup[] {
      ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.SMTPS.dynamicPort()})
      .withConfiguration(GreenMailConfiguration.aConfig().withUser("herald@example.com", "herald", "p@ss:w+rd"));

  private final EmailFixtures.RecordingMailer recorder = new EmailFixtures.RecordingMailer();

  /** A composed message of the built-in layout, as the channel would send it. */
  private Email email(UUID id) throws Exception {
    new EmailChannel("greenmail", recorder, (t, u) -> new Addresses.Address("bob@example.org", "Bob", null),
        (t, type, l) -> null, EmailFixtures.composer())
        .attempt(EmailFixtures.job(id, 1, "order.shipped", "Grüße <b>", "Your order", null, null));
    return recorder.sent.get(recorder.sent.size() - 1);
  }

  @Test
  void aMessageIsDeliveredWithAuthenticationAndArrivesWithItsHeadersAndBothParts() throws Exception {
    UUID id = UUID.randomUUID();
    String url = "smtp://herald:p%40ss%3Aw+rd@127.0.0.1:" + GREENMAIL.getSmtp().getPort();
    try (SmtpMailer mailer = new SmtpMailer(SmtpUrl.parse(url), Duration.ofSeconds(10), 2, "herald.test")) {
      Outcome outcome = mailer.send(email(id));

      assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
      assertThat(outcome.target()).isEqualTo("bob@example.org");
      assertThat(((Outcome.Delivered) outcome).detail()).startsWith("250");
    }
    MimeMessage received = GREENMAIL.getReceivedMessages()[0];
    assertThat(received.getMessageID()).isEqualTo("<" + id + ".email@notify.example.com>");
    assertThat(received.getSubject()).isEqualTo("Grüße <b>");
    assertThat(((InternetAddress) received.getFrom()[0]).getAddress()).isEqualTo("noreply@example.com");
    assertThat(((InternetAddress) received.getAllRecipients()[0]).getPersonal()).isEqualTo("Bob");
    assertThat(received.getHeader("X-Herald-Notification-Id", null)).isEqualTo(id.toString());
    assertThat(received.getHeader("List-Unsubscribe", null)).startsWith("<https://notify.example.com/u/");
    assertThat(received.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
    MimeMultipart parts = (MimeMultipart) received.getContent();
    assertThat(parts.getContentType()).startsWith("multipart/alternative");
    assertThat((String) parts.getBodyPart(0).getContent()).startsWith("Your order");
    assertThat((String) parts.getBodyPart(1).getContent()).contains("Grüße &lt;b&gt;");
  }

  @Test
  void aWrongPasswordIsRetriedNotFailed() throws Exception {
    String url = "smtp://herald:wrong@127.0.0.1:" + GREENMAIL.getSmtp().getPort();
    try (SmtpMailer mailer = new SmtpMailer(SmtpUrl.parse(url), Duration.ofSeconds(10), 1, "herald.test")) {
      Outcome outcome = mailer.send(email(UUID.randomUUID()));

      assertThat(outcome).isInstanceOf(Outcome.Retry.class);
      assertThat(((Outcome.Retry) outcome).error()).contains("Authentication");
    }
    assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
  }

  @Test
  void aMessageIsDeliveredOverImplicitTlsToAServerOfATrustedSelfSignedCertificate() throws Exception {
    UUID id = UUID.randomUUID();
    String url = "smtps://herald:p%40ss%3Aw+rd@127.0.0.1:" + GREENMAIL.getSmtps().getPort() + "?trust=*";
    try (SmtpMailer mailer = new SmtpMailer(SmtpUrl.parse(url), Duration.ofSeconds(10), 1, "herald.test")) {
      assertThat(mailer.send(email(id))).isInstanceOf(Outcome.Delivered.class);
    }
    assertThat(GREENMAIL.getReceivedMessages()[0].getMessageID()).isEqualTo("<" + id + ".email@notify.example.com>");
  }

  @Test
  void implicitTlsRefusesAnUntrustedCertificateAndRetries() throws Exception {
    String url = "smtps://herald:p%40ss%3Aw+rd@127.0.0.1:" + GREENMAIL.getSmtps().getPort();
    try (SmtpMailer mailer = new SmtpMailer(SmtpUrl.parse(url), Duration.ofSeconds(10), 1, "herald.test")) {
      assertThat(mailer.send(email(UUID.randomUUID()))).isInstanceOf(Outcome.Retry.class);
    }
    assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
  }
}
