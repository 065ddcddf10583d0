package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The delivery scenario's sinks, spoken to by a real SMTP client (Angus Mail, as Herald's) and a real HTTP client. */
class DeliverySinksTest {
  private static final Vertx VERTX = Vertx.vertx();

  @AfterAll
  static void close() {
    VERTX.close();
  }

  @Test
  void smtpSinkAcceptsMessagesOnOneConnectionAndRecordsEachNotificationId() throws Exception {
    try (SmtpSink sink = SmtpSink.start(VERTX)) {
      Properties p = new Properties();
      p.put("mail.smtp.host", "127.0.0.1");
      p.put("mail.smtp.port", String.valueOf(sink.port()));
      p.put("mail.smtp.starttls.enable", "true");
      Session session = Session.getInstance(p);
      UUID first = UUID.randomUUID();
      UUID second = UUID.randomUUID();
      try (Transport t = session.getTransport("smtp")) {
        t.connect();
        for (UUID id : new UUID[] {first, second, first}) {
          MimeMessage m = new MimeMessage(session);
          m.setFrom(new InternetAddress("bench@bench.test"));
          m.setRecipient(Message.RecipientType.TO, new InternetAddress("e1@bench.test"));
          m.setSubject("b");
          m.setHeader("X-Herald-Notification-Id", id.toString());
          m.setText("bench\n.\nnot the end\n");
          t.sendMessage(m, m.getAllRecipients());
        }
      }
      Receipts r = sink.receipts();
      assertThat(r.messages()).isEqualTo(3);
      assertThat(r.distinct()).isEqualTo(2);
      assertThat(r.duplicates()).isEqualTo(1);
      assertThat(r.receivedAt(first)).isPositive();
      assertThat(r.receivedAt(second)).isGreaterThan(r.receivedAt(first));
      assertThat(r.receivedAt(UUID.randomUUID())).isEqualTo(-1);
    }
  }

  @Test
  void webhookReceiverAnswers204AndCountsARepeatedWebhookIdAsADuplicate() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.start(VERTX)) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      UUID id = UUID.randomUUID();
      String body = "{\"type\":\"notification.created\",\"timestamp\":\"2026-12-07T00:00:00Z\",\"data\":{\"id\":\"" + id
          + "\",\"type\":\"bench\"}}";
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(receiver.url()))
            .header("webhook-id", "msg_1").timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(204);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> receiver.receipts().messages() == 2);
      assertThat(receiver.receipts().distinct()).isEqualTo(1);
      assertThat(receiver.receipts().duplicates()).isEqualTo(1);
      assertThat(receiver.repeatedWebhookIds()).isEqualTo(1);
      assertThat(receiver.receipts().receivedAt(id)).isPositive();
    }
  }

  @Test
  void createdIdsTakeTheIdFromTheCreateAnswerAndMatchOnlyWhatArrived() {
    CreatedIds ids = new CreatedIds();
    UUID arrived = UUID.randomUUID();
    UUID missing = UUID.randomUUID();
    ids.accepted(1_000_000, 2_000_000, io.vertx.core.buffer.Buffer.buffer("{\"requestId\":\"" + UUID.randomUUID()
        + "\",\"ids\":[\"" + arrived + "\"],\"notifications\":[]}"));
    ids.accepted(1_000_000, 2_000_000, io.vertx.core.buffer.Buffer.buffer("{\"requestId\":\"" + UUID.randomUUID()
        + "\",\"ids\":[\"" + missing + "\"],\"notifications\":[]}"));
    Receipts receipts = new Receipts();
    receipts.record(arrived.toString(), 7_000_000);
    CreatedIds.Matched m = ids.match(receipts);
    assertThat(ids.size()).isEqualTo(2);
    assertThat(m.received()).isEqualTo(1);
    assertThat(m.fromAnswerMicros().getMaxValue()).isBetween(4_990L, 5_010L);
    assertThat(m.fromRequestMicros().getMaxValue()).isBetween(5_990L, 6_010L);
    assertThat(m.beforeAnswer()).isZero();
  }
}
