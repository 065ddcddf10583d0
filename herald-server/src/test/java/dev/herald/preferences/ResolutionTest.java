package dev.herald.preferences;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ResolutionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode doc(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void withNoSettingsEveryChannelIsOnByTheSystemDefault() {
    Resolution r = Resolution.of(null, null, "order_status", "orders", false, java.util.Set.of());
    assertThat(r.enabled()).containsEntry("email", true).containsEntry("push", true).containsEntry("inApp", true);
    assertThat(r.reasons()).containsEntry("email", "system");
  }

  @Test
  void eachLevelOverridesTheOneBelow() throws Exception {
    JsonNode tenant = doc("{\"email\":false,\"push\":false,\"inApp\":false}");
    JsonNode user = doc("{\"email\":true,\"channels\":{\"orders\":{\"push\":true,\"email\":false}},"
        + "\"types\":{\"order_status\":{\"email\":true}}}");

    Resolution r = Resolution.of(user, tenant, "order_status", "orders", false, java.util.Set.of());
    assertThat(r.allows("email")).isTrue();
    assertThat(r.reasons().get("email")).isEqualTo("type:order_status"); // type beats channel's false
    assertThat(r.allows("push")).isTrue();
    assertThat(r.reasons().get("push")).isEqualTo("channel:orders"); // channel beats the tenant's false
    assertThat(r.allows("inApp")).isFalse();
    assertThat(r.reasons().get("inApp")).isEqualTo("tenant"); // nothing of the user's: the tenant default

    Resolution other = Resolution.of(user, tenant, "invoice", "billing", false, java.util.Set.of());
    assertThat(other.allows("email")).isTrue();
    assertThat(other.reasons().get("email")).isEqualTo("user"); // the user's global switch beats the tenant
    assertThat(other.allows("push")).isFalse();
    assertThat(other.reasons().get("push")).isEqualTo("tenant");
  }

  @Test
  void theTenantDefaultHasItsOwnTypeAndChannelLevels() throws Exception {
    JsonNode tenant = doc("{\"email\":true,\"channels\":{\"marketing\":{\"email\":false}}}");
    Resolution r = Resolution.of(null, tenant, "promo", "marketing", false, java.util.Set.of());
    assertThat(r.allows("email")).isFalse();
    assertThat(r.reasons().get("email")).isEqualTo("tenant:channel:marketing");
  }

  @Test
  void urgentAlwaysReachesInAppAndOverridesOtherOptOutsOnlyWhenItsTypeMayBypass() throws Exception {
    JsonNode user = doc("{\"email\":false,\"push\":false,\"inApp\":false}");
    Resolution urgent = Resolution.of(user, null, "outage", "system", true, java.util.Set.of());
    assertThat(urgent.allows("inApp")).isTrue();
    assertThat(urgent.reasons().get("inApp")).isEqualTo("urgent");
    assertThat(urgent.allows("email")).isFalse();
    assertThat(urgent.allows("push")).isFalse();

    Resolution critical = Resolution.of(user, null, "security_alert", "system", true, java.util.Set.of("email", "push"));
    assertThat(critical.enabled()).containsEntry("email", true).containsEntry("push", true).containsEntry("inApp", true);
  }
}
