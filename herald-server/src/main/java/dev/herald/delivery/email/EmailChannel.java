package dev.herald.delivery.email;

import dev.herald.config.HeraldConfig;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryJob;
import dev.herald.delivery.Outcome;
import dev.herald.templates.Renderer;
import dev.herald.templates.Template;
import dev.herald.templates.Templates;
import io.vertx.sqlclient.Pool;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.UnsupportedEncodingException;
import java.time.Clock;
import java.time.Duration;

/**
 * The email channel (contract part 2, "Email"): finds the recipient's address in the user
 * directory, renders the message ({@link EmailComposer}) and sends it through a {@link Mailer}.
 * No transport configured ({@code HERALD_SMTP_URL} unset): {@code skipped: no-transport}; no
 * address: {@code skipped: no-address}; a template that cannot render: failed.
 *
 * <p>Threads: {@link #attempt} on delivery virtual threads, many at once; immutable but for the mailer's pool.
 */
public final class EmailChannel implements DeliveryChannel, AutoCloseable {
  /** The target key when no SMTP server is configured (every job is skipped). */
  static final String NO_TRANSPORT = "smtp:none";

  private final String targetKey;
  private final Mailer mailer;
  private final Addresses addresses;
  private final EmailTemplates templates;
  private final EmailComposer composer;

  /** @param mailer null when there is no SMTP server: every job ends {@code skipped: no-transport} */
  EmailChannel(String targetKey, Mailer mailer, Addresses addresses, EmailTemplates templates, EmailComposer composer) {
    this.targetKey = targetKey;
    this.mailer = mailer;
    this.addresses = addresses;
    this.templates = templates;
    this.composer = composer;
  }

  /**
   * The channel over {@code delivery.smtpUrl()} (null: none), the directory and templates in
   * {@code pool}, signing unsubscribe links with {@code tokens}.
   *
   * @param linkBase the base of links in messages: {@code delivery.publicUrl()}, or the node's own
   *     {@code http://localhost:<port>} when none is configured
   */
  public static EmailChannel create(Pool pool, Templates templates, HeraldConfig.Delivery delivery, String linkBase,
      UnsubscribeTokens tokens) {
    return create(pool, templates, delivery, () -> linkBase, tokens);
  }

  /** As {@link #create(Pool, Templates, HeraldConfig.Delivery, String, UnsubscribeTokens)}, the link base read per message. */
  public static EmailChannel create(Pool pool, Templates templates, HeraldConfig.Delivery delivery,
      java.util.function.Supplier<String> linkBase, UnsubscribeTokens tokens) {
    InternetAddress from;
    try {
      from = new InternetAddress(delivery.emailFrom(), true);
    } catch (AddressException e) {
      throw new IllegalArgumentException("HERALD_EMAIL_FROM is not an address: " + e.getMessage(), e);
    }
    String host = EmailComposer.messageIdHost(delivery.publicUrl());
    EmailComposer composer = new EmailComposer(from, linkBase, host, tokens, Clock.systemUTC());
    Duration timeout = delivery.smtpTimeout();
    SmtpUrl smtp = delivery.smtpUrl() == null ? null : SmtpUrl.parse(delivery.smtpUrl());
    Mailer mailer = smtp == null ? null : new SmtpMailer(smtp, timeout, delivery.perTarget(), host);
    return new EmailChannel(smtp == null ? NO_TRANSPORT : smtp.key(), mailer, new DirectoryAddresses(pool, timeout),
        EmailTemplates.of(templates, timeout), composer);
  }

  @Override
  public String name() {
    return "email";
  }

  /** Every email goes to the one SMTP server: {@code host:port}. */
  @Override
  public String targetKey(DeliveryJob job) {
    return targetKey;
  }

  @Override
  public Outcome attempt(DeliveryJob job) throws Exception {
    if (mailer == null) {
      return new Outcome.Skipped(null, "no-transport");
    }
    Addresses.Address address = job.recipient() == null ? null
        : job.contact() != null ? new Addresses.Address(job.contact().email(), job.contact().name(), job.contact().locale())
        : addresses.find(job.tenant(), job.recipient());
    if (address == null || address.email() == null || address.email().isBlank()) {
      return new Outcome.Skipped(null, "no-address");
    }
    InternetAddress to;
    try {
      to = new InternetAddress(address.email(), address.name(), "UTF-8");
      to.validate();
    } catch (AddressException | UnsupportedEncodingException e) {
      return new Outcome.Failed(address.email(), "not a deliverable address: " + e.getMessage());
    }
    String locale = job.locale() == null || job.locale().isEmpty() ? address.locale() : job.locale();
    if (job.digest() != null) {
      return sendDigest(job, to, address, locale);
    }
    if (job.notification() == null) {
      return new Outcome.Failed(address.email(), "an email job without a notification");
    }
    String type = job.notification().type();
    Template template = type == null ? null : templates.pick(job.tenant(), type, locale);
    Email email;
    try {
      email = composer.compose(job, to, template);
    } catch (Renderer.Failure e) {
      return new Outcome.Failed(address.email(), "email template '" + type + "' (" + template.id()
          + ") does not render: " + e.getMessage());
    }
    return mailer.send(email);
  }

  /** A digest's message, from its {@code <type>.digest} template in {@code locale}, else the built-in list. */
  private Outcome sendDigest(DeliveryJob job, InternetAddress to, Addresses.Address address, String locale)
      throws Exception {
    String name = job.digest().template();
    Template template = name == null ? null : templates.pick(job.tenant(), name, locale);
    Email email;
    try {
      email = composer.composeDigest(job, to, template);
    } catch (Renderer.Failure e) {
      return new Outcome.Failed(address.email(), "digest template '" + name + "' (" + template.id()
          + ") does not render: " + e.getMessage());
    }
    return mailer.send(email);
  }

  /** Closes the SMTP connections. */
  @Override
  public void close() {
    if (mailer != null) {
      mailer.close();
    }
  }
}
