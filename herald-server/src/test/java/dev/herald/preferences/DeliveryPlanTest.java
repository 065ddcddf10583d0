package dev.herald.preferences;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeliveryPlanTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> BOTH = Set.of("email", "push");
  /** 23:30 in Berlin (CET). */
  private static final Instant NIGHT = Instant.parse("2026-01-14T22:30:00Z");
  private static final Instant NOON = Instant.parse("2026-01-14T11:00:00Z");

  private static PreferenceCache.Stored user(String json, String tokenLocale) throws Exception {
    return new PreferenceCache.Stored(json == null ? null : JSON.readTree(json), tokenLocale);
  }

  private static final String QUIET = "{\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timezone\":\"Europe/Berlin\"}}";

  @Test
  void quietHoursHoldEmailAndPushUntilTheWindowEndsButNeverInApp() throws Exception {
    DeliveryPlan p = DeliveryPlan.of(user(QUIET, null), null, "comment", "social", false,
        DeliveryPlan.Criticality.NONE, BOTH, NIGHT, null);
    assertThat(p.live()).isTrue();
    assertThat(p.decisions().get("email").outcome()).isEqualTo(DeliveryPlan.HELD);
    assertThat(p.decisions().get("email").until()).isEqualTo(Instant.parse("2026-01-15T06:00:00Z"));
    assertThat(p.decisions().get("push").outcome()).isEqualTo(DeliveryPlan.HELD);
    DeliveryPlan day = DeliveryPlan.of(user(QUIET, null), null, "comment", "social", false,
        DeliveryPlan.Criticality.NONE, BOTH, NOON, null);
    assertThat(day.decisions().get("email").outcome()).isEqualTo(DeliveryPlan.SEND);
  }

  @Test
  void theTenantsQuietHoursApplyWhenTheUserHasNone() throws Exception {
    JsonNode tenant = JSON.readTree(QUIET);
    DeliveryPlan p = DeliveryPlan.of(user(null, null), tenant, "comment", "social", false,
        DeliveryPlan.Criticality.NONE, Set.of("email"), NIGHT, null);
    assertThat(p.decisions().get("email").outcome()).isEqualTo(DeliveryPlan.HELD);
    assertThat(p.decisions()).doesNotContainKey("push");
  }

  @Test
  void urgentReachesInAppDespiteAnOptOutButStillWaitsOutQuietHoursForEmail() throws Exception {
    String doc = "{\"inApp\":false,\"email\":true,\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timezone\":\"Europe/Berlin\"}}";
    DeliveryPlan p = DeliveryPlan.of(user(doc, null), null, "outage", "system", true,
        DeliveryPlan.Criticality.NONE, BOTH, NIGHT, null);
    assertThat(p.live()).isTrue();
    assertThat(p.decisions().get("inApp").rule()).isEqualTo("urgent");
    assertThat(p.decisions().get("email").outcome()).isEqualTo(DeliveryPlan.HELD);
  }

  @Test
  void aCriticalTypeMarkedForEmailBypassesOptOutAndQuietHoursThereOnly() throws Exception {
    String doc = "{\"email\":false,\"push\":false,\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timezone\":\"Europe/Berlin\"}}";
    DeliveryPlan p = DeliveryPlan.of(user(doc, null), null, "security.alert", "system", false,
        new DeliveryPlan.Criticality(true, Set.of("email")), BOTH, NIGHT, null);
    assertThat(p.decisions().get("email").outcome()).isEqualTo(DeliveryPlan.SEND);
    assertThat(p.decisions().get("email").rule()).isEqualTo("urgent");
    assertThat(p.decisions().get("push").outcome()).isEqualTo(DeliveryPlan.SUPPRESSED);
    assertThat(p.decisions().get("push").rule()).isEqualTo("user");
    assertThat(p.live()).isTrue();
  }

  @Test
  void anOptOutSuppressesAndTheExplanationNamesTheRule() throws Exception {
    DeliveryPlan p = DeliveryPlan.of(user("{\"channels\":{\"social\":{\"push\":false}}}", null), null, "comment",
        "social", false, DeliveryPlan.Criticality.NONE, BOTH, NOON, null);
    JsonNode explain = p.explain();
    assertThat(explain.at("/push/decision").asText()).isEqualTo("suppressed");
    assertThat(explain.at("/push/rule").asText()).isEqualTo("channel:social");
    assertThat(explain.at("/email/decision").asText()).isEqualTo("send");
    assertThat(explain.at("/email/rule").asText()).isEqualTo("system");
    assertThat(explain.at("/inApp/decision").asText()).isEqualTo("send");
  }

  @Test
  void theLocaleComesFromTheRequestThenPreferencesThenTokenThenTenant() throws Exception {
    JsonNode tenant = JSON.readTree("{\"locale\":\"fr\"}");
    DeliveryPlan.Criticality none = DeliveryPlan.Criticality.NONE;
    assertThat(DeliveryPlan.of(user("{\"locale\":\"de\"}", "it"), tenant, "t", "c", false, none, Set.of(), NOON, "es"))
        .extracting(DeliveryPlan::locale, DeliveryPlan::localeFrom).containsExactly("es", "request");
    assertThat(DeliveryPlan.of(user("{\"locale\":\"de\"}", "it"), tenant, "t", "c", false, none, Set.of(), NOON, null))
        .extracting(DeliveryPlan::locale, DeliveryPlan::localeFrom).containsExactly("de", "preferences");
    assertThat(DeliveryPlan.of(user("{}", "it"), tenant, "t", "c", false, none, Set.of(), NOON, null))
        .extracting(DeliveryPlan::locale, DeliveryPlan::localeFrom).containsExactly("it", "token");
    assertThat(DeliveryPlan.of(user(null, null), tenant, "t", "c", false, none, Set.of(), NOON, null))
        .extracting(DeliveryPlan::locale, DeliveryPlan::localeFrom).containsExactly("fr", "tenant");
    assertThat(DeliveryPlan.of(user(null, null), null, "t", "c", false, none, Set.of(), NOON, null))
        .extracting(DeliveryPlan::locale, DeliveryPlan::localeFrom).containsExactly("", "default");
  }
}
