package dev.herald.delivery.email;

import dev.herald.delivery.DeliveryJob;
import dev.herald.templates.Template;
import dev.herald.templates.TemplateContent;
import dev.herald.templates.Templates;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a job into an {@link Email}: subject, text and HTML from the type's {@code email} template
 * when there is one, else from a built-in layout of the notification's title, message and action
 * URL; every value HTML-escaped in the HTML; the one-click unsubscribe link in the headers and in
 * the footer of both bodies.
 *
 * <p>Template variables: the notification's {@code data}, and beside it (data wins on a clash)
 * {@code title}, {@code message}, {@code actionUrl} and {@code unsubscribeUrl}.
 *
 * <p>Threads: any; immutable.
 */
final class EmailComposer {
  private final InternetAddress from;
  /** The base of links, read when a message is composed: the node's port may be bound after this is made. */
  private final java.util.function.Supplier<String> linkBase;
  private final String messageIdHost;
  private final UnsubscribeTokens tokens;
  private final Clock clock;

  /**
   * @param linkBase the base of links, without a trailing slash ({@code https://notify.example.com})
   * @param messageIdHost the right side of every {@code Message-ID}: the public URL's host
   */
  EmailComposer(InternetAddress from, String linkBase, String messageIdHost, UnsubscribeTokens tokens, Clock clock) {
    this(from, () -> linkBase, messageIdHost, tokens, clock);
  }

  EmailComposer(InternetAddress from, java.util.function.Supplier<String> linkBase, String messageIdHost,
      UnsubscribeTokens tokens, Clock clock) {
    this.from = from;
    this.linkBase = () -> {
      String base = linkBase.get();
      return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    };
    this.messageIdHost = messageIdHost;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** The host part of {@code Message-ID}s for {@code publicUrl} (null: none configured). */
  static String messageIdHost(String publicUrl) {
    String host = publicUrl == null ? null : URI.create(publicUrl).getHost();
    return host == null || host.isEmpty() ? "herald.local" : host;
  }

  /**
   * The message of {@code job} (which carries a notification) to {@code to}, from {@code template}
   * (null: the built-in layout). Throws {@link dev.herald.templates.Renderer.Failure} when the
   * template cannot render with the notification's data.
   */
  Email compose(DeliveryJob job, InternetAddress to, Template template) {
    DeliveryJob.Notification n = job.notification();
    String unsubscribeUrl = linkBase.get() + "/u/" + tokens.issue(job.tenant(), job.recipient(), n.type(), clock.instant());
    String subject;
    String text;
    String html;
    if (template == null) {
      subject = n.title();
      text = n.message() == null ? "" : n.message();
      html = EmailLayout.html(n.title(), text, n.actionUrl(), unsubscribeUrl);
      text = EmailLayout.text(text, n.actionUrl());
    } else {
      TemplateContent.Rendered r = template.content().render(variables(n, unsubscribeUrl));
      subject = r.title();
      text = r.message();
      html = r.html() == null ? EmailLayout.html(r.title(), r.message(), n.actionUrl(), unsubscribeUrl)
          : EmailLayout.withFooter(r.html(), unsubscribeUrl);
    }
    return email(to, subject, text, html, unsubscribeUrl, "X-Herald-Notification-Id", n.id(), "email");
  }

  /**
   * The message of a digest's send job to {@code to}: from {@code template} ({@code <type>.digest};
   * null: the built-in list), whose variables are {@code items} (each {@code title}, {@code message},
   * {@code actionUrl}, {@code type}, {@code createdAt}), {@code total}, {@code shown}, {@code more}
   * (how many are not listed) and {@code unsubscribeUrl}. The unsubscribe link turns off email of
   * the digest's type.
   */
  Email composeDigest(DeliveryJob job, InternetAddress to, Template template) {
    DeliveryJob.Digest digest = job.digest();
    String unsubscribeUrl = linkBase.get() + "/u/" + tokens.issue(job.tenant(), job.recipient(), digest.type(),
        clock.instant());
    String subject;
    String text;
    String html;
    if (template == null) {
      subject = DigestLayout.subject(digest);
      text = DigestLayout.text(digest);
      html = DigestLayout.html(subject, digest, unsubscribeUrl);
    } else {
      TemplateContent.Rendered r = template.content().render(DigestLayout.variables(digest, unsubscribeUrl));
      subject = r.title();
      text = r.message();
      html = r.html() == null ? EmailLayout.html(r.title(), r.message(), null, unsubscribeUrl)
          : EmailLayout.withFooter(r.html(), unsubscribeUrl);
    }
    return email(to, subject, text, html, unsubscribeUrl, "X-Herald-Digest-Id", digest.id(), "digest");
  }

  /**
   * The message around its texts, the same for one notification and for a digest: the unsubscribe
   * footer of the text body, the one-click unsubscribe headers, the header naming what it carries
   * ({@code idHeader}: {@code id}) and a {@code Message-ID} made of that id and {@code kind}.
   */
  private Email email(InternetAddress to, String subject, String text, String html, String unsubscribeUrl,
      String idHeader, java.util.UUID id, String kind) {
    String body = text + "\n\n--\nUnsubscribe from these emails: " + unsubscribeUrl + "\n";
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(idHeader, id.toString());
    // RFC 8058 §3.1: "A mail sender that wishes to enable one-click unsubscriptions places one
    // List-Unsubscribe header field and one List-Unsubscribe-Post header field in the message. The
    // List-Unsubscribe header field MUST contain one HTTPS URI." (HTTPS when the public URL is)
    headers.put("List-Unsubscribe", "<" + unsubscribeUrl + ">");
    // RFC 8058 §3.1: "The List-Unsubscribe-Post header field MUST contain the single key/value pair
    // 'List-Unsubscribe=One-Click'."
    headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    // the same on every attempt (RFC 5322 §3.6.4: unique to this message, which a retry still is)
    String messageId = "<" + id + "." + kind + "@" + messageIdHost + ">";
    return new Email(from, to, oneLine(subject), body, html, messageId, headers);
  }

  private static Map<String, Object> variables(DeliveryJob.Notification n, String unsubscribeUrl) {
    Map<String, Object> out = new HashMap<>();
    out.put("title", n.title());
    out.put("message", n.message());
    if (n.actionUrl() != null) {
      out.put("actionUrl", n.actionUrl());
    }
    out.put("unsubscribeUrl", unsubscribeUrl);
    out.putAll(Templates.variables(n.data()));
    return out;
  }

  /** A subject is one header line: line breaks in a title become spaces. */
  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("[\\r\\n\\t]+", " ").strip();
  }

  /** The built-in digest: a subject with the count, the listed items, and how many more there are. */
  static final class DigestLayout {
    private DigestLayout() {}

    static String subject(DeliveryJob.Digest d) {
      return d.total() == 1 ? "1 new notification" : d.total() + " new notifications";
    }

    static String text(DeliveryJob.Digest d) {
      StringBuilder b = new StringBuilder();
      for (DeliveryJob.Notification n : d.items()) {
        b.append("- ").append(n.title());
        if (n.message() != null && !n.message().isEmpty()) {
          b.append(": ").append(n.message());
        }
        b.append('\n');
        if (n.actionUrl() != null) {
          b.append("  ").append(n.actionUrl()).append('\n');
        }
      }
      int more = d.total() - d.items().size();
      if (more > 0) {
        b.append("… and ").append(more).append(" more\n");
      }
      return b.toString();
    }

    static String html(String subject, DeliveryJob.Digest d, String unsubscribeUrl) {
      StringBuilder b = new StringBuilder(1024).append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
          .append(EmailLayout.esc(subject)).append("</title></head>\n<body style=\"font-family:sans-serif;line-height:1.4\">\n")
          .append("<h1 style=\"font-size:20px\">").append(EmailLayout.esc(subject)).append("</h1>\n<ul>\n");
      for (DeliveryJob.Notification n : d.items()) {
        b.append("<li><strong>").append(EmailLayout.esc(n.title())).append("</strong>");
        if (n.message() != null && !n.message().isEmpty()) {
          b.append("<br>").append(EmailLayout.esc(n.message()));
        }
        if (n.actionUrl() != null && EmailLayout.isWebLink(n.actionUrl())) {
          b.append(" <a href=\"").append(EmailLayout.esc(n.actionUrl())).append("\">Open</a>");
        }
        b.append("</li>\n");
      }
      b.append("</ul>\n");
      int more = d.total() - d.items().size();
      if (more > 0) {
        b.append("<p>… and ").append(more).append(" more</p>\n");
      }
      return b.append(EmailLayout.footer(unsubscribeUrl)).append("</body></html>\n").toString();
    }

    static Map<String, Object> variables(DeliveryJob.Digest d, String unsubscribeUrl) {
      Map<String, Object> out = new HashMap<>(d.variables());
      out.put("unsubscribeUrl", unsubscribeUrl);
      return out;
    }
  }

  /** The built-in layout, and the footer added to a template's HTML. */
  static final class EmailLayout {
    private EmailLayout() {}

    static String text(String message, String actionUrl) {
      return actionUrl == null ? message : message + "\n\n" + actionUrl;
    }

    static String html(String title, String message, String actionUrl, String unsubscribeUrl) {
      StringBuilder b = new StringBuilder(512 + message.length())
          .append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title))
          .append("</title></head>\n<body style=\"font-family:sans-serif;line-height:1.4\">\n")
          .append("<h1 style=\"font-size:20px\">").append(esc(title)).append("</h1>\n");
      if (!message.isEmpty()) {
        b.append("<p style=\"white-space:pre-wrap\">").append(esc(message)).append("</p>\n");
      }
      if (actionUrl != null) {
        // only web links become links: a javascript: or data: URL stays inert text
        b.append(isWebLink(actionUrl) ? "<p><a href=\"" + esc(actionUrl) + "\">Open</a></p>\n"
            : "<p>" + esc(actionUrl) + "</p>\n");
      }
      return b.append(footer(unsubscribeUrl)).append("</body></html>\n").toString();
    }

    /** {@code html} with the unsubscribe footer before its {@code </body>} (or at its end). */
    static String withFooter(String html, String unsubscribeUrl) {
      int at = html.toLowerCase(java.util.Locale.ROOT).lastIndexOf("</body>");
      return at < 0 ? html + footer(unsubscribeUrl) : html.substring(0, at) + footer(unsubscribeUrl) + html.substring(at);
    }

    static String footer(String unsubscribeUrl) {
      return "<hr><p style=\"font-size:12px;color:#666\"><a href=\"" + esc(unsubscribeUrl)
          + "\">Unsubscribe</a> from these emails.</p>\n";
    }

    static boolean isWebLink(String url) {
      String lower = url.toLowerCase(java.util.Locale.ROOT);
      return lower.startsWith("https://") || lower.startsWith("http://");
    }

    /** HTML text and attribute values: the five characters that can end or start markup. */
    static String esc(String s) {
      if (s == null) {
        return "";
      }
      StringBuilder b = new StringBuilder(s.length() + 16);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '&' -> b.append("&amp;");
          case '<' -> b.append("&lt;");
          case '>' -> b.append("&gt;");
          case '"' -> b.append("&quot;");
          case '\'' -> b.append("&#39;");
          default -> b.append(c);
        }
      }
      return b.toString();
    }
  }
}
