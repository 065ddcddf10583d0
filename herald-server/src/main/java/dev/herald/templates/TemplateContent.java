package dev.herald.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.validation.InvalidRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one template version says: a {@code title} (the email subject), a {@code message} (the
 * in-app and push body, the email's plain text) and, for email, an {@code html} body. Each text is
 * compiled when the content is read: plain for title and message, HTML-escaping for html.
 */
public record TemplateContent(Renderer.Compiled title, Renderer.Compiled message, Renderer.Compiled html) {
  static final int MAX_TITLE = 1_000;
  static final int MAX_TEXT = 100_000;

  /** Rendered content: texts with every variable filled (empty where the data lacks it). */
  public record Rendered(String title, String message, String html, Set<String> missing) {
    public ObjectNode toJson() {
      ObjectNode out = JsonNodeFactory.instance.objectNode().put("title", title).put("message", message);
      if (html != null) {
        out.put("html", html);
      }
      out.set("missing", JsonNodeFactory.instance.arrayNode().addAll(missing.stream()
          .map(JsonNodeFactory.instance::textNode).toList()));
      return out;
    }
  }

  /** Validates and compiles {@code doc} for {@code deliveryChannel}; every problem is listed, with line and column. */
  public static TemplateContent parse(JsonNode doc, String deliveryChannel) throws InvalidRequest {
    List<InvalidRequest.FieldError> errors = new ArrayList<>();
    Renderer.Compiled title = text(doc, "title", true, MAX_TITLE, false, errors);
    Renderer.Compiled message = text(doc, "message", false, MAX_TEXT, false, errors);
    Renderer.Compiled html = null;
    if (doc.has("html") && !doc.get("html").isNull()) {
      if (!deliveryChannel.equals("email") && !deliveryChannel.equals("default")) {
        errors.add(new InvalidRequest.FieldError("html", "only email templates (or default ones) have html"));
      } else {
        html = text(doc, "html", false, MAX_TEXT, true, errors);
      }
    }
    if (!errors.isEmpty()) {
      throw InvalidRequest.of(errors);
    }
    return new TemplateContent(title, message == null ? empty() : message, html);
  }

  /** Renders every text with {@code data}; throws {@link Renderer.Failure} past the render limits. */
  public Rendered render(Map<String, Object> data) {
    Set<String> missing = new LinkedHashSet<>();
    String t = Renderer.render(title, data, missing);
    String m = Renderer.render(message, data, missing);
    String h = html == null ? null : Renderer.render(html, data, missing);
    return new Rendered(t, m, h, missing);
  }

  /** The names the texts use, in order of first use. */
  public Set<String> variables() {
    Set<String> out = new LinkedHashSet<>();
    for (Renderer.Compiled c : new Renderer.Compiled[] {title, message, html}) {
      if (c != null) {
        try {
          out.addAll(TemplateSyntax.check(c.source()));
        } catch (TemplateSyntax.Error e) {
          throw new IllegalStateException("a compiled template no longer parses", e);
        }
      }
    }
    return out;
  }

  /** The stored form: {@code {title, message, html?}}. */
  public ObjectNode toJson() {
    ObjectNode out = JsonNodeFactory.instance.objectNode().put("title", title.source()).put("message", message.source());
    if (html != null) {
      out.put("html", html.source());
    }
    return out;
  }

  private static Renderer.Compiled empty() {
    try {
      return Renderer.compile("", false);
    } catch (TemplateSyntax.Error e) {
      throw new IllegalStateException(e);
    }
  }

  private static Renderer.Compiled text(JsonNode doc, String field, boolean required, int max, boolean html,
      List<InvalidRequest.FieldError> errors) {
    int before = errors.size();
    String s = dev.herald.validation.Fields.text(doc, field, required, max, errors);
    if (s == null || errors.size() > before) {
      return null;
    }
    try {
      return Renderer.compile(s, html);
    } catch (TemplateSyntax.Error e) {
      errors.add(new InvalidRequest.FieldError(field, e.getMessage(), e.line(), e.column()));
      return null;
    }
  }
}
