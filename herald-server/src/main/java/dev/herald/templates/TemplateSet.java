package dev.herald.templates;

import java.util.List;

/**
 * The current templates of one name that a tenant can use: its own and the system-wide ones.
 * {@link #pick} walks the fallbacks: the tenant's before the system's; within each, the locale
 * chain ({@code de-AT → de → default}), and for each locale the delivery channel's own template
 * before a {@code default} one.
 */
public record TemplateSet(String tenant, String name, List<Template> templates) {
  public TemplateSet {
    templates = List.copyOf(templates);
  }

  public boolean isEmpty() {
    return templates.isEmpty();
  }

  /** The template for {@code deliveryChannel} in {@code locale} ({@code ""} or null for the default), or null. */
  public Template pick(String deliveryChannel, String locale) {
    List<String> chain = Locales.chain(locale);
    for (String scope : new String[] {tenant, ""}) {
      for (String l : chain) {
        Template exact = find(scope, deliveryChannel, l);
        if (exact != null) {
          return exact;
        }
        Template fallback = find(scope, "default", l);
        if (fallback != null) {
          return fallback;
        }
      }
    }
    return null;
  }

  private Template find(String scope, String deliveryChannel, String locale) {
    for (Template t : templates) {
      if (t.tenant().equals(scope) && t.deliveryChannel().equals(deliveryChannel) && t.locale().equals(locale)) {
        return t;
      }
    }
    return null;
  }
}
