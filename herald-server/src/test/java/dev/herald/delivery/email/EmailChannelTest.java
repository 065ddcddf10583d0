package dev.herald.delivery.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.delivery.Outcome;
import dev.herald.templates.Template;
import dev.herald.templates.TemplateContent;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.OffsetDateTime;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The message the email channel hands its mailer, checked with a recording fake in memory. */
class EmailChannelTest {
  private final EmailFixtures.RecordingMailer mailer = new EmailFixtures.RecordingMailer();
  private final Addresses alice = (tenant, user) -> tenant.equals("acme") && user.equals("alice")
      ? new Addresses.Address("alice@example.org", "Alice Ödegaard", null) : null;

  private EmailChannel channel(EmailTemplates templates) {
    return new EmailChannel("smtp.example.com:587", mailer, alice, templates, EmailFixtures.composer());
  }

  @Test
  void builtInLayoutEscapesMarkupAndCarriesTheOneClickUnsubscribeHeaders() throws Exception {
    UUID id = UUID.randomUUID();
    Outcome outcome = channel((t, type, l) -> null).attempt(EmailFixtures.job(id, 1, "order.shipped",
        "<script>alert(1)</script> shipped", "Your <b>order</b> & more", null, "https://shop.example/o/1?a=1&b=2"));

    assertThat(outcome).isEqualTo(new Outcome.Delivered("alice@example.org", "250 2.0.0 queued"));
    Email email = mailer.sent.get(0);
    assertThat(email.to().getAddress()).isEqualTo("alice@example.org");
    assertThat(email.to().getPersonal()).isEqualTo("Alice Ödegaard");
    assertThat(email.from().getAddress()).isEqualTo("noreply@example.com");
    assertThat(email.subject()).isEqualTo("<script>alert(1)</script> shipped");
    assertThat(email.html()).doesNotContain("<script>").doesNotContain("<b>order")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; shipped").contains("Your &lt;b&gt;order&lt;/b&gt; &amp; more")
        .contains("href=\"https://shop.example/o/1?a=1&amp;b=2\"");
    assertThat(email.text()).contains("Your <b>order</b> & more").contains("https://shop.example/o/1?a=1&b=2");
    assertThat(email.messageId()).isEqualTo("<" + id + ".email@notify.example.com>");
    assertThat(email.headers()).containsEntry("X-Herald-Notification-Id", id.toString())
        .containsEntry("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    String link = email.headers().get("List-Unsubscribe");
    assertThat(link).startsWith("<https://notify.example.com/u/").endsWith(">");
    String token = link.substring("<https://notify.example.com/u/".length(), link.length() - 1);
    assertThat(EmailFixtures.TOKENS.verify(token)).hasValueSatisfying(s -> {
      assertThat(s.tenant()).isEqualTo("acme");
      assertThat(s.user()).isEqualTo("alice");
      assertThat(s.type()).isEqualTo("order.shipped");
    });
    assertThat(email.html()).contains("https://notify.example.com/u/" + token);
    assertThat(email.text()).contains("https://notify.example.com/u/" + token);
  }

  @Test
  void theMessageIdIsTheSameOnEveryAttemptOfOneNotification() throws Exception {
    UUID id = UUID.randomUUID();
    EmailChannel channel = channel((t, type, l) -> null);
    channel.attempt(EmailFixtures.job(id, 1, "t", "Hi", "m", null, null));
    channel.attempt(EmailFixtures.job(id, 2, "t", "Hi", "m", null, null));
    channel.attempt(EmailFixtures.job(UUID.randomUUID(), 1, "t", "Hi", "m", null, null));

    assertThat(mailer.sent.get(1).messageId()).isEqualTo(mailer.sent.get(0).messageId());
    assertThat(mailer.sent.get(2).messageId()).isNotEqualTo(mailer.sent.get(0).messageId());
  }

  @Test
  void theTypesEmailTemplateRendersDataEscapedInTheHtmlOnly() throws Exception {
    TemplateContent content = TemplateContent.parse(new ObjectMapper().readTree("""
        {"title": "Order {{order}} shipped", "message": "Hello {{name}}",
         "html": "<html><body><p>Hello {{name}}</p></body></html>"}"""), "email");
    Template template = new Template(UUID.randomUUID(), "acme", "order.shipped", "email", "", 1, content,
        OffsetDateTime.now(), OffsetDateTime.now());
    String[] asked = new String[3];
    EmailChannel channel = channel((tenant, type, locale) -> {
      asked[0] = tenant;
      asked[1] = type;
      asked[2] = locale;
      return template;
    });

    channel.attempt(EmailFixtures.job(UUID.randomUUID(), 1, "order.shipped", "ignored", "ignored",
        "{\"order\": \"A-1\", \"name\": \"<script>x</script>\"}", null));

    assertThat(asked).containsExactly("acme", "order.shipped", null);
    Email email = mailer.sent.get(0);
    assertThat(email.subject()).isEqualTo("Order A-1 shipped");
    assertThat(email.text()).startsWith("Hello <script>x</script>");
    assertThat(email.html()).startsWith("<html><body><p>Hello &lt;script&gt;x&lt;/script&gt;</p>")
        .contains(">Unsubscribe</a>").endsWith("</body></html>");
  }

  @Test
  void aUserWithoutAnAddressIsSkippedAndNothingIsSent() throws Exception {
    Outcome outcome = new EmailChannel("smtp.example.com:587", mailer, (t, u) -> null, (t, type, l) -> null,
        EmailFixtures.composer()).attempt(EmailFixtures.job(UUID.randomUUID(), 1, "t", "Hi", "m", null, null));

    assertThat(outcome).isEqualTo(new Outcome.Skipped(null, "no-address"));
    assertThat(mailer.sent).isEmpty();
  }

  @Test
  void withoutAnSmtpServerEveryJobIsSkippedAsNoTransport() throws Exception {
    Outcome outcome = new EmailChannel(EmailChannel.NO_TRANSPORT, null, alice, (t, type, l) -> null,
        EmailFixtures.composer()).attempt(EmailFixtures.job(UUID.randomUUID(), 1, "t", "Hi", "m", null, null));

    assertThat(outcome).isEqualTo(new Outcome.Skipped(null, "no-transport"));
  }

  @Test
  void theMimeMessageIsMultipartAlternativeOfUtf8TextThenHtmlWithTheStableMessageId() throws Exception {
    UUID id = UUID.randomUUID();
    channel((t, type, l) -> null).attempt(EmailFixtures.job(id, 1, "t", "Grüße", "Straße", null, null));
    Session session = Session.getInstance(new Properties());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    MimeEmail.of(mailer.sent.get(0), session).writeTo(bytes);

    MimeMessage read = new MimeMessage(session, new ByteArrayInputStream(bytes.toByteArray()));
    assertThat(read.getMessageID()).isEqualTo("<" + id + ".email@notify.example.com>");
    assertThat(read.getSubject()).isEqualTo("Grüße");
    assertThat(read.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
    MimeMultipart parts = (MimeMultipart) read.getContent();
    assertThat(parts.getContentType()).startsWith("multipart/alternative");
    assertThat(parts.getCount()).isEqualTo(2);
    assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
    assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html").containsIgnoringCase("charset=UTF-8");
    assertThat((String) parts.getBodyPart(0).getContent()).startsWith("Straße");
    assertThat((String) parts.getBodyPart(1).getContent()).contains("<h1 style=\"font-size:20px\">Grüße</h1>");
  }
}
