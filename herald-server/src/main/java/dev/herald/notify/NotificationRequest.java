package dev.herald.notify;

import dev.herald.validation.Fields;
import dev.herald.validation.InvalidRequest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.auth.ApiKeys;
import dev.herald.auth.Identity;
import dev.herald.directory.UserFields;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A validated {@code POST /api/notifications} body (seed 003): every field checked, recipients
 * de-duplicated and sorted (so concurrent creates lock their recipients' sequences in one order).
 *
 * @param tenant the tenant it is created in: the key's own, or {@code tenant} of the body for a global key
 * @param dataJson the {@code data} object as JSON text, or null
 * @param scheduledAt when to deliver it, or null for now
 * @param template the name of the template that renders title and message per recipient, or null
 *     for the literal {@code title} and {@code message} (which are then required)
 * @param locale the locale to render in for every recipient (normalised), or null for each
 *     recipient's own
 * @param deliverVia the channels it asks for in place of its type's ({@code inApp}, always among them:
 *     the first wave's {@code deliverVia} names the channels beside in-app; {@code email}, {@code push},
 *     {@code webhook}), or null when it names none and its type decides
 * @param contacts the fields of inline recipients ({@code {id, email?, name?, locale?, timeZone?}}) by
 *     user id, for the user directory; their ids are in {@code recipients} like any other
 */
public record NotificationRequest(
    String tenant,
    String type,
    List<String> recipients,
    String title,
    String message,
    String channel,
    String priority,
    String dataJson,
    boolean requiresAck,
    String actionUrl,
    String actor,
    String resourceType,
    String resourceId,
    OffsetDateTime scheduledAt,
    String template,
    String locale,
    Set<String> deliverVia,
    Map<String, UserFields> contacts) {

  public static final int MAX_RECIPIENTS = 1000;
  public static final Set<String> PRIORITIES = Set.of("low", "medium", "high", "urgent");
  static final int MAX_TITLE = 500;
  static final int MAX_MESSAGE = 10_000;
  static final int MAX_URL = 2048;
  private static final Set<String> FIELDS = Set.of("type", "recipients", "title", "message", "channel",
      "priority", "data", "requiresAck", "actionUrl", "actor", "resource", "scheduledAt", "tenant",
      "template", "locale", "deliverVia");
  /** Unknown fields listed one by one in a refusal; the rest are counted. */
  private static final int MAX_LISTED_UNKNOWN = 10;
  private static final Set<String> DELIVERY_CHANNELS = Set.of("inApp", "email", "push", "webhook");

  public NotificationRequest {
    recipients = List.copyOf(recipients);
    deliverVia = deliverVia == null ? null : Set.copyOf(deliverVia);
    contacts = Map.copyOf(contacts);
  }

  /** A request whose recipients are plain ids (no inline contact fields). */
  public NotificationRequest(String tenant, String type, List<String> recipients, String title, String message,
      String channel, String priority, String dataJson, boolean requiresAck, String actionUrl, String actor,
      String resourceType, String resourceId, OffsetDateTime scheduledAt, String template, String locale,
      Set<String> deliverVia) {
    this(tenant, type, recipients, title, message, channel, priority, dataJson, requiresAck, actionUrl, actor,
        resourceType, resourceId, scheduledAt, template, locale, deliverVia, Map.of());
  }

  /** Validates {@code body} sent by {@code service}; {@code maxDataBytes} bounds {@code data}. */
  public static NotificationRequest parse(JsonNode body, ApiKeys.Service service, int maxDataBytes)
      throws InvalidRequest {
    if (body == null || !body.isObject()) {
      throw new InvalidRequest(400, "the body must be a JSON object", List.of());
    }
    List<InvalidRequest.FieldError> errors = new ArrayList<>();
    unknownFields(body, errors);
    String template = name(body, "template", "", errors);
    if (template.isEmpty()) {
      template = null;
    }
    String locale = null;
    JsonNode l = body.get("locale");
    if (l != null && !l.isNull()) {
      locale = l.isTextual() ? dev.herald.templates.Locales.normalize(l.asText()) : null;
      if (locale == null) {
        errors.add(new InvalidRequest.FieldError("locale", "must be a locale tag such as de, de-AT or pt-BR"));
      }
    }
    Set<String> deliverVia = null;
    JsonNode via = body.get("deliverVia");
    if (via != null && !via.isNull()) {
      deliverVia = new TreeSet<>(Set.of("inApp"));
      if (!via.isArray()) {
        errors.add(new InvalidRequest.FieldError("deliverVia", "must be an array of inApp, email, push, webhook"));
      } else {
        for (int i = 0; i < via.size(); i++) {
          if (!via.get(i).isTextual() || !DELIVERY_CHANNELS.contains(via.get(i).asText())) {
            errors.add(new InvalidRequest.FieldError("deliverVia[" + i + "]", "must be inApp, email, push or webhook"));
          } else {
            deliverVia.add(via.get(i).asText());
          }
        }
      }
    }

    String tenant = service.tenant();
    JsonNode t = body.get("tenant");
    if (t != null && !t.isNull()) {
      if (!t.isTextual() || !Identity.isValidId(t.asText())) {
        errors.add(new InvalidRequest.FieldError("tenant", "must be a tenant id"));
      } else if (service.tenant() != null && !service.tenant().equals(t.asText())) {
        throw new InvalidRequest(403, "this API key acts only in tenant " + service.tenant(), List.of());
      } else {
        tenant = t.asText();
      }
    }
    if (tenant == null) {
      tenant = Identity.DEFAULT_TENANT;
    }

    String type = name(body, "type", null, errors);
    Map<String, UserFields> contacts = new TreeMap<>();
    List<String> recipients = recipients(body.get("recipients"), contacts, errors);
    // with a template, title and message are what renders when a recipient's locale has none
    String title = Fields.text(body, "title", template == null, MAX_TITLE, errors);
    String message = Fields.text(body, "message", false, MAX_MESSAGE, errors);
    String channel = name(body, "channel", "default", errors);
    String priority = "medium";
    JsonNode p = body.get("priority");
    if (p != null && !p.isNull()) {
      if (!p.isTextual() || !PRIORITIES.contains(p.asText())) {
        errors.add(new InvalidRequest.FieldError("priority", "must be one of low, medium, high, urgent"));
      } else {
        priority = p.asText();
      }
    }
    String dataJson = null;
    JsonNode data = body.get("data");
    if (data != null && !data.isNull()) {
      if (!data.isObject()) {
        errors.add(new InvalidRequest.FieldError("data", "must be a JSON object"));
      } else {
        dataJson = data.toString();
        if (dataJson.contains("\\u0000")) {
          errors.add(new InvalidRequest.FieldError("data", "must not contain NUL characters (\\u0000)"));
        }
        if (dataJson.length() > maxDataBytes) {
          throw new InvalidRequest(413, "data is " + dataJson.length() + " bytes; the limit is " + maxDataBytes,
              List.of(new InvalidRequest.FieldError("data", "too large")));
        }
      }
    }
    boolean requiresAck = false;
    JsonNode ack = body.get("requiresAck");
    if (ack != null && !ack.isNull()) {
      if (!ack.isBoolean()) {
        errors.add(new InvalidRequest.FieldError("requiresAck", "must be true or false"));
      } else {
        requiresAck = ack.asBoolean();
      }
    }
    String actionUrl = Fields.text(body, "actionUrl", false, MAX_URL, errors);
    if (actionUrl != null && !actionUrl.isEmpty() && !validActionUrl(actionUrl)) {
      errors.add(new InvalidRequest.FieldError("actionUrl", "must be an http(s) URL or a path starting with /"));
    }
    String actor = Fields.text(body, "actor", false, 200, errors);
    String resourceType = null;
    String resourceId = null;
    JsonNode resource = body.get("resource");
    if (resource != null && !resource.isNull()) {
      if (!resource.isObject() || !resource.path("type").isTextual() || !resource.path("id").isTextual()
          || !Fields.isName(resource.path("type").asText())
          || resource.path("id").asText().isEmpty() || resource.path("id").asText().length() > 200) {
        errors.add(new InvalidRequest.FieldError("resource", "must be {type, id} with a type name and an id of 1-200 characters"));
      } else {
        resourceType = resource.get("type").asText();
        resourceId = resource.get("id").asText();
      }
    }
    OffsetDateTime scheduledAt = null;
    JsonNode s = body.get("scheduledAt");
    if (s != null && !s.isNull()) {
      try {
        scheduledAt = OffsetDateTime.parse(s.asText());
        if (!s.isTextual()) {
          throw new DateTimeParseException("not text", s.toString(), 0);
        }
        if (scheduledAt.isAfter(OffsetDateTime.now().plusYears(10))) {
          errors.add(new InvalidRequest.FieldError("scheduledAt", "must be within ten years"));
        }
      } catch (DateTimeParseException e) {
        errors.add(new InvalidRequest.FieldError("scheduledAt",
            "must be an ISO-8601 date-time with an offset, such as 2024-01-15T14:00:00Z"));
      }
    }
    if (!errors.isEmpty()) {
      throw InvalidRequest.of(errors);
    }
    return new NotificationRequest(tenant, type, recipients, title, message == null ? "" : message, channel,
        priority, dataJson, requiresAck, actionUrl == null || actionUrl.isEmpty() ? null : actionUrl, actor,
        resourceType, resourceId, scheduledAt, template, locale, deliverVia, contacts);
  }

  /** True when it is to be delivered later rather than now. */
  public boolean isScheduled() {
    return scheduledAt != null && scheduledAt.isAfter(OffsetDateTime.now());
  }

  /**
   * Adds an error per unknown field of {@code body}, up to {@link #MAX_LISTED_UNKNOWN}; beyond,
   * one entry counts the rest, so 100,000 unknown fields cost a dozen entries.
   */
  private static void unknownFields(JsonNode body, List<InvalidRequest.FieldError> errors) {
    int unknown = 0;
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f) && ++unknown <= MAX_LISTED_UNKNOWN) {
        errors.add(new InvalidRequest.FieldError(f, "unknown field"));
      }
    }
    if (unknown > MAX_LISTED_UNKNOWN) {
      errors.add(new InvalidRequest.FieldError("(other fields)",
          (unknown - MAX_LISTED_UNKNOWN) + " more unknown fields, not listed"));
    }
  }

  /**
   * The recipient ids, de-duplicated and sorted. Contract part 2: an entry is a user id or an inline
   * object {@code {id, email?, name?, locale?, timeZone?}} whose fields go to {@code contacts}
   * (validated like {@code PUT /api/users}; a user given twice keeps the later value of each field).
   */
  private static List<String> recipients(JsonNode node, Map<String, UserFields> contacts,
      List<InvalidRequest.FieldError> errors) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      errors.add(new InvalidRequest.FieldError("recipients",
          "must be a non-empty array of user ids or {id, email?, name?, locale?, timeZone?} objects"));
      return List.of();
    }
    if (node.size() > MAX_RECIPIENTS) {
      errors.add(new InvalidRequest.FieldError("recipients",
          "has " + node.size() + " entries; at most " + MAX_RECIPIENTS + " per request"));
      return List.of();
    }
    TreeSet<String> unique = new TreeSet<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode r = node.get(i);
      if (r.isObject()) {
        inline(r, "recipients[" + i + "]", unique, contacts, errors);
      } else if (!r.isTextual() || !Identity.isValidId(r.asText())) {
        errors.add(new InvalidRequest.FieldError("recipients[" + i + "]", "must be a user id"));
      } else {
        unique.add(r.asText());
      }
    }
    return new ArrayList<>(unique);
  }

  private static void inline(JsonNode r, String path, Set<String> ids, Map<String, UserFields> contacts,
      List<InvalidRequest.FieldError> errors) {
    JsonNode id = r.get("id");
    boolean valid = id != null && id.isTextual() && Identity.isValidId(id.asText());
    if (!valid) {
      errors.add(new InvalidRequest.FieldError(path + ".id", "must be a user id"));
    }
    UserFields fields = UserFields.ofInline(r, path, errors);
    if (valid) {
      ids.add(id.asText());
      contacts.merge(id.asText(), fields, (earlier, later) -> new UserFields(
          later.email() != null ? later.email() : earlier.email(), later.name() != null ? later.name() : earlier.name(),
          later.locale() != null ? later.locale() : earlier.locale(),
          later.timeZone() != null ? later.timeZone() : earlier.timeZone(), null));
    }
  }

  private static String name(JsonNode body, String field, String fallback, List<InvalidRequest.FieldError> errors) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (fallback == null) {
        errors.add(new InvalidRequest.FieldError(field, "is required"));
      }
      return fallback;
    }
    if (!n.isTextual() || !Fields.isName(n.asText())) {
      errors.add(new InvalidRequest.FieldError(field, "must be 1-100 characters of letters, digits and _ . : -"));
      return fallback;
    }
    return n.asText();
  }

  private static boolean validActionUrl(String url) {
    if (url.startsWith("/") && !url.startsWith("//")) {
      return true;
    }
    try {
      URI u = URI.create(url);
      return ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
