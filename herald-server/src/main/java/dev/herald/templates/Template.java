package dev.herald.templates;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;

/**
 * One version of a template.
 *
 * @param tenant the tenant it belongs to, {@code ""} for a system-wide default
 * @param deliveryChannel {@code inApp}, {@code email}, {@code push}, or {@code default} for any of them
 * @param locale a locale tag, {@code ""} for the default of every locale
 */
public record Template(UUID id, String tenant, String name, String deliveryChannel, String locale, int version,
    TemplateContent content, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
  public static final Set<String> DELIVERY_CHANNELS = Set.of("default", "inApp", "email", "push");

  public ObjectNode toJson() {
    ObjectNode out = JsonNodeFactory.instance.objectNode()
        .put("id", id.toString())
        .put("name", name)
        .put("deliveryChannel", deliveryChannel)
        .put("locale", locale.isEmpty() ? null : locale)
        .put("tenant", tenant.isEmpty() ? null : tenant)
        .put("systemDefault", tenant.isEmpty())
        .put("version", version);
    out.setAll(content.toJson());
    out.set("variables", JsonNodeFactory.instance.arrayNode().addAll(content.variables().stream()
        .map(JsonNodeFactory.instance::textNode).toList()));
    out.put("createdAt", dev.herald.store.Timestamps.iso(createdAt));
    out.put("updatedAt", dev.herald.store.Timestamps.iso(updatedAt));
    return out;
  }
}
