package dev.herald.delivery.email;

import jakarta.mail.internet.InternetAddress;
import java.util.Map;

/**
 * One prepared message, as a {@link Mailer} sends it: both bodies rendered, every header decided.
 *
 * @param messageId the {@code Message-ID}, with its angle brackets; the same on every attempt of a
 *     notification, so that receivers drop a copy re-sent after a crash
 * @param headers further headers in order ({@code List-Unsubscribe}, {@code X-Herald-Notification-Id}, …)
 */
record Email(InternetAddress from, InternetAddress to, String subject, String text, String html, String messageId,
    Map<String, String> headers) {
  Email {
    headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
  }
}
