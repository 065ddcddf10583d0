package dev.herald.delivery.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.validation.Fields;
import dev.herald.validation.InvalidRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A webhook endpoint as a service asks for it: {@code POST /api/webhooks {url, events?, description?}}.
 * {@link #read} checks its shape; whether the URL is a public address is {@link
 * dev.herald.delivery.TargetAddresses}'s to say (it needs DNS).
 *
 * @param events null: every event
 */
public record NewEndpoint(URI url, List<String> events, String description) {
  static final int MAX_URL = 2_000;
  static final int MAX_DESCRIPTION = 500;
  private static final Set<String> FIELDS = Set.of("url", "events", "description");

  /** The endpoint {@code body} asks for; a 400 naming every offending field when it is not one. */
  public static NewEndpoint read(JsonNode body) throws InvalidRequest {
    if (body == null || !body.isObject()) {
      throw new InvalidRequest(400, "the body must be a JSON object {url, events?, description?}", List.of());
    }
    List<InvalidRequest.FieldError> errors = new ArrayList<>();
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        errors.add(new InvalidRequest.FieldError(Fields.abbreviate(name, 100), "is not a field of a webhook endpoint "
            + "(url, events, description)"));
      }
    }
    URI url = url(Fields.text(body, "url", true, MAX_URL, errors), errors);
    List<String> events = events(body.get("events"), errors);
    String description = Fields.text(body, "description", false, MAX_DESCRIPTION, errors);
    if (!errors.isEmpty()) {
      throw InvalidRequest.of(errors);
    }
    return new NewEndpoint(url, events, description);
  }

  private static URI url(String text, List<InvalidRequest.FieldError> errors) {
    if (text == null || text.isBlank() || text.length() > MAX_URL) {
      return null;
    }
    try {
      URI url = new URI(text);
      String scheme = url.getScheme();
      if (!url.isAbsolute() || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
          || url.getHost() == null) {
        errors.add(new InvalidRequest.FieldError("url", "must be an absolute http or https URL with a host"));
        return null;
      }
      if (url.getRawUserInfo() != null) {
        errors.add(new InvalidRequest.FieldError("url", "must not carry a user name or password"));
        return null;
      }
      if (url.getRawFragment() != null) {
        errors.add(new InvalidRequest.FieldError("url", "must not have a fragment (#…)"));
        return null;
      }
      return url;
    } catch (URISyntaxException e) {
      errors.add(new InvalidRequest.FieldError("url", "is not a URL: " + Fields.abbreviate(e.getReason(), 100)));
      return null;
    }
  }

  private static List<String> events(JsonNode node, List<InvalidRequest.FieldError> errors) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray() || node.isEmpty()) {
      errors.add(new InvalidRequest.FieldError("events", "must be a non-empty list of " + sorted()
          + " (omit it for every event)"));
      return null;
    }
    Set<String> events = new LinkedHashSet<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode e = node.get(i);
      if (!e.isTextual() || !WebhookEndpoint.EVENTS.contains(e.asText())) {
        errors.add(new InvalidRequest.FieldError("events[" + i + "]", "must be one of " + sorted()));
      } else {
        events.add(e.asText());
      }
    }
    return List.copyOf(events);
  }

  private static String sorted() {
    return String.join(", ", WebhookEndpoint.EVENTS.stream().sorted().toList());
  }
}
