/**
 * Email over SMTP, one {@link dev.herald.delivery.DeliveryChannel}: {@link dev.herald.delivery.email.EmailChannel}
 * turns a delivery job into one multipart text + HTML message (the recipient's {@code email} template or
 * a built-in layout) and hands it to a {@link dev.herald.delivery.email.Mailer} ({@code SmtpMailer} on
 * Angus Mail, one reused connection per concurrent sender). {@link dev.herald.delivery.email.UnsubscribeTokens}
 * signs the RFC 8058 one-click unsubscribe links that {@code api.UnsubscribeApi} answers.
 */
package dev.herald.delivery.email;
