package dev.herald.preferences;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.types.TypeDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planning matrix of a notification type's channels and {@code when} rules, under preferences. */
class TypeRoutedPlanTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOON = Instant.parse("2026-01-14T11:00:00Z");
  /** 23:30 in Berlin (CET). */
  private static final Instant NIGHT = Instant.parse("2026-01-14T22:30:00Z");
  private static final String QUIET = "{\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timezone\":\"Europe/Berlin\"}}";
  private static final DeliveryPlan.Route DEFAULT = new DeliveryPlan.Route(TypeDefinition.DEFAULT.channels(), "default",
      TypeDefinition.DEFAULT);

  private static PreferenceCache.Stored user(String json) throws Exception {
    return new PreferenceCache.Stored(json == null ? null : JSON.readTree(json), null);
  }

  private static TypeDefinition type(String json) throws Exception {
    return TypeDefinition.parse(JSON.readTree(json));
  }

  private static DeliveryPlan plan(String prefs, DeliveryPlan.Route route, boolean online, Instant at) throws Exception {
    return DeliveryPlan.of(user(prefs), null, "comment", "social", false, DeliveryPlan.Criticality.NONE, route, online,
        at, null);
  }

  @Test
  void theDefaultTypeSendsInAppAndPushAlwaysAndEmailOnlyToAnOfflineRecipient() throws Exception {
    DeliveryPlan offline = plan(null, DEFAULT, false, NOON);
    assertThat(offline.decisions()).containsOnlyKeys("inApp", "push", "email");
    assertThat(offline.decisions().get("push").outcome()).isEqualTo(DeliveryPlan.SEND);
    assertThat(offline.decisions().get("email").outcome()).isEqualTo(DeliveryPlan.SEND);
    assertThat(offline.explain().at("/email/when").asText()).isEqualTo("offline");
    assertThat(offline.explain().get("channelsFrom").asText()).isEqualTo("default");

    DeliveryPlan online = plan(null, DEFAULT, true, NOON);
    assertThat(online.live()).isTrue();
    assertThat(online.decisions().get("push").outcome()).isEqualTo(DeliveryPlan.SEND);
    assertThat(online.decisions().get("email").outcome()).isEqualTo(DeliveryPlan.SUPPRESSED);
    assertThat(online.explain().at("/email/rule").asText()).isEqualTo("type:online");
  }

  @Test
  void anUnreadRuleDelaysTheJobByItsAfterAndSaysSo() throws Exception {
    TypeDefinition t = type("{\"channels\":[\"inApp\",\"email\"],\"email\":{\"when\":\"unread\",\"after\":\"PT15M\"}}");
    DeliveryPlan p = plan(null, new DeliveryPlan.Route(t.channels(), "type", t), true, NOON);
    DeliveryPlan.Decision email = p.decisions().get("email");
    assertThat(email.outcome()).isEqualTo(DeliveryPlan.DELAYED);
    assertThat(email.until()).isEqualTo(NOON.plus(Duration.ofMinutes(15)));
    assertThat(email.unreadOnly()).isTrue();
    JsonNode explain = p.explain();
    assertThat(explain.at("/email/decision").asText()).isEqualTo("delayed");
    assertThat(explain.at("/email/rule").asText()).isEqualTo("type:unread");
    assertThat(explain.at("/email/after").asText()).isEqualTo("PT15M");
    assertThat(explain.get("channelsFrom").asText()).isEqualTo("type");
    assertThat(p.decisions()).doesNotContainKey("push");
  }

  @Test
  void anUnreadJobThatFallsDueInQuietHoursIsHeldUntilTheyEndAndKeepsItsCondition() throws Exception {
    TypeDefinition t = type("{\"channels\":[\"inApp\",\"push\"],\"push\":{\"when\":\"unread\",\"after\":\"PT1H\"}}");
    DeliveryPlan p = plan(QUIET, new DeliveryPlan.Route(t.channels(), "type", t), false,
        Instant.parse("2026-01-14T20:30:00Z")); // 21:30 in Berlin: due 22:30, inside the window
    DeliveryPlan.Decision push = p.decisions().get("push");
    assertThat(push.outcome()).isEqualTo(DeliveryPlan.HELD);
    assertThat(push.until()).isEqualTo(Instant.parse("2026-01-15T06:00:00Z"));
    assertThat(push.unreadOnly()).isTrue();
    assertThat(p.explain().at("/push/heldBy").asText()).isEqualTo("quietHours");
  }

  @Test
  void preferencesStillWinOverTheTypesChannels() throws Exception {
    TypeDefinition t = type("{\"channels\":[\"inApp\",\"push\",\"email\"],\"email\":{\"when\":\"always\"}}");
    DeliveryPlan p = plan("{\"types\":{\"comment\":{\"email\":false}}}", new DeliveryPlan.Route(t.channels(), "type", t),
        false, NOON);
    assertThat(p.decisions().get("email").outcome()).isEqualTo(DeliveryPlan.SUPPRESSED);
    assertThat(p.explain().at("/email/rule").asText()).isEqualTo("type:comment");
    assertThat(p.decisions().get("push").outcome()).isEqualTo(DeliveryPlan.SEND);
  }

  @Test
  void aCriticalTypeOverridesOptOutsAndQuietHoursForEmailAndPush() throws Exception {
    TypeDefinition t = type("{\"channels\":[\"inApp\",\"push\",\"email\"],\"email\":{\"when\":\"always\"},\"critical\":true}");
    DeliveryPlan p = DeliveryPlan.of(user("{\"email\":false,\"push\":false,\"inApp\":false,"
            + QUIET.substring(1, QUIET.length() - 1) + "}"), null, "security", "system", false,
        new DeliveryPlan.Criticality(true, java.util.Set.of("email", "push")), new DeliveryPlan.Route(t.channels(),
            "type", t), false, NIGHT, null);
    assertThat(p.live()).isTrue();
    assertThat(p.decisions().get("email").outcome()).isEqualTo(DeliveryPlan.SEND);
    assertThat(p.decisions().get("push").outcome()).isEqualTo(DeliveryPlan.SEND);
    assertThat(p.decisions().get("push").rule()).isEqualTo("urgent");
  }

  @Test
  void aTypeWithoutInAppStoresTheNotificationButDoesNotSendItLive() throws Exception {
    TypeDefinition t = type("{\"channels\":[\"webhook\"]}");
    DeliveryPlan p = plan(null, new DeliveryPlan.Route(t.channels(), "system", t), false, NOON);
    assertThat(p.live()).isFalse();
    assertThat(p.explain().at("/inApp/rule").asText()).isEqualTo("type:channels");
    assertThat(p.explain().at("/webhook/decision").asText()).isEqualTo("send");
    assertThat(p.explain().get("channelsFrom").asText()).isEqualTo("system");
  }

  @Test
  void deliverViaReplacesTheChannelsButTheTypesWhenStillApplies() throws Exception {
    DeliveryPlan p = plan("{\"push\":false}", new DeliveryPlan.Route(List.of("inApp", "email", "push", "webhook"),
        "deliverVia", TypeDefinition.DEFAULT), true, NOON);
    JsonNode explain = p.explain();
    assertThat(explain.get("channelsFrom").asText()).isEqualTo("deliverVia");
    assertThat(explain.at("/webhook/rule").asText()).isEqualTo("deliverVia");
    assertThat(explain.at("/webhook/decision").asText()).isEqualTo("send");
    assertThat(explain.at("/email/rule").asText()).as("the default: email only when offline").isEqualTo("type:online");
    assertThat(explain.at("/push/decision").asText()).isEqualTo("suppressed");
    assertThat(explain.at("/push/rule").asText()).isEqualTo("user");
  }

  @Test
  void aPushOptOutDoesNotStopTheTenantsWebhook() throws Exception {
    DeliveryPlan p = plan("{\"push\":false,\"email\":false,\"inApp\":false}",
        new DeliveryPlan.Route(List.of("inApp", "webhook"), "deliverVia", TypeDefinition.DEFAULT), false, NOON);
    assertThat(p.live()).isFalse();
    assertThat(p.decisions().get("webhook").outcome()).isEqualTo(DeliveryPlan.SEND);
  }
}
