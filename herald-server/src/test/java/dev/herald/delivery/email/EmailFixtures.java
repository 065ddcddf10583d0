package dev.herald.delivery.email;

import dev.herald.delivery.DeliveryJob;
import dev.herald.delivery.Outcome;
import jakarta.mail.internet.InternetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Jobs, addresses and a recording mailer for the email channel's tests. */
final class EmailFixtures {
  static final String SECRET = "unsubscribe-test-secret-0123456789abcdef";
  static final UnsubscribeTokens TOKENS = new UnsubscribeTokens(SECRET);
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);

  private EmailFixtures() {}

  /** A mailer that keeps what it was given and answers 250. */
  static final class RecordingMailer implements Mailer {
    final List<Email> sent = new CopyOnWriteArrayList<>();

    @Override
    public Outcome send(Email email) {
      sent.add(email);
      return new Outcome.Delivered(email.to().getAddress(), "250 2.0.0 queued");
    }

    @Override
    public void close() {}
  }

  static InternetAddress from() {
    try {
      return new InternetAddress("Herald <noreply@example.com>", true);
    } catch (jakarta.mail.internet.AddressException e) {
      throw new IllegalStateException(e);
    }
  }

  static EmailComposer composer() {
    return new EmailComposer(from(), "https://notify.example.com/", "notify.example.com", TOKENS, CLOCK);
  }

  static DeliveryJob job(UUID notificationId, int attempt, String type, String title, String message, String data,
      String actionUrl) {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    var n = new DeliveryJob.Notification(notificationId, type, title, message, "orders", "normal", "unread", data,
        actionUrl, false, now, null, List.of());
    return new DeliveryJob(UUID.randomUUID(), "email", "acme", "alice", notificationId, null, null, null, "",
        attempt, now, n);
  }
}
