package dev.herald.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.auth.ApiKeys;
import dev.herald.bus.Online;
import dev.herald.config.HeraldConfig;
import dev.herald.preferences.PreferenceCache;
import dev.herald.types.NotificationTypes;
import dev.herald.types.TypeDefinition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The jobs a create plans per recipient, from its type or its {@code deliverVia}, with nobody's I/O. */
class RecipientPlannerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-01-14T11:00:00Z");
  private static final HeraldConfig.Notify CONFIG = new HeraldConfig.Notify(Duration.ofSeconds(5), 3,
      Duration.ofSeconds(1), 8, true, Map.of("ops.page", Set.of("email")));
  /** {@code here} is online, everyone else is not. */
  private static final Online ONLINE = (tenant, user) -> tenant.equals("acme") && user.equals("here");
  private final RecipientPlanner planner = new RecipientPlanner(CONFIG, Clock.fixed(NOW, ZoneOffset.UTC), ONLINE);

  private static NotificationRequest request(String json) throws Exception {
    return NotificationRequest.parse(JSON.readTree(json), new ApiKeys.Service("acme"), 10_000);
  }

  private static NotificationTypes.Effective type(String source, String json) throws Exception {
    TypeDefinition d = json == null ? TypeDefinition.DEFAULT : TypeDefinition.parse(JSON.readTree(json));
    return new NotificationTypes.Effective("t", d, source, null, null, null);
  }

  private Map<String, RecipientPlan> plan(String request, NotificationTypes.Effective type, String prefs)
      throws Exception {
    var stored = new PreferenceCache.Stored(prefs == null ? null : JSON.readTree(prefs), null);
    return planner.plan(request(request), null, new PreferenceCache.Loaded(null, Map.of("here", stored, "away", stored)),
        type);
  }

  @Test
  void theDefaultTypePlansPushForEveryoneAndEmailForTheOfflineOnly() throws Exception {
    var plans = plan("{\"type\":\"t\",\"title\":\"x\",\"recipients\":[\"here\",\"away\"]}", type("default", null), null);
    assertThat(plans.get("here").jobs()).extracting(RecipientPlan.Job::deliveryChannel).containsExactly("push");
    assertThat(plans.get("away").jobs()).extracting(RecipientPlan.Job::deliveryChannel)
        .containsExactlyInAnyOrder("push", "email");
    assertThat(plans.get("away").jobs()).allSatisfy(j -> {
      assertThat(j.state()).isEqualTo("pending");
      assertThat(j.runAt()).isEqualTo(NOW);
      assertThat(j.condition()).isNull();
    });
    assertThat(plans.get("here").live()).isTrue();
  }

  @Test
  void anUnreadRulePlansAConditionalJobDueAfterTheDelay() throws Exception {
    var plans = plan("{\"type\":\"t\",\"title\":\"x\",\"recipients\":[\"here\"]}",
        type("tenant", "{\"channels\":[\"inApp\",\"push\"],\"push\":{\"when\":\"unread\",\"after\":\"PT10M\"}}"), null);
    RecipientPlan.Job job = plans.get("here").jobs().get(0);
    assertThat(job.deliveryChannel()).isEqualTo("push");
    assertThat(job.state()).isEqualTo("pending");
    assertThat(job.runAt()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
    assertThat(job.condition()).isEqualTo("unread");
    assertThat(plans.get("here").explainJson()).contains("\"channelsFrom\":\"type\"", "\"rule\":\"type:unread\"");
  }

  @Test
  void deliverViaReplacesTheTypesChannelsAndAWebhookIsOneJobForTheInsertToExpand() throws Exception {
    var plans = plan("{\"type\":\"t\",\"title\":\"x\",\"recipients\":[\"away\"],\"deliverVia\":[\"webhook\"]}",
        type("system", "{\"channels\":[\"push\",\"email\"]}"), null);
    RecipientPlan away = plans.get("away");
    assertThat(away.live()).as("in-app is always among deliverVia's channels").isTrue();
    assertThat(away.jobs()).singleElement().satisfies(j -> {
      assertThat(j.deliveryChannel()).isEqualTo("webhook");
      assertThat(j.event()).isEqualTo("notification.created");
      assertThat(j.id()).as("the insert gives each endpoint's job its own id").isNull();
    });
    assertThat(away.explainJson()).contains("\"channelsFrom\":\"deliverVia\"");
  }

  @Test
  void aCriticalTypeQueuesEmailAndPushDespiteOptOuts() throws Exception {
    String optedOut = "{\"email\":false,\"push\":false}";
    var plain = plan("{\"type\":\"t\",\"title\":\"x\",\"recipients\":[\"away\"]}", type("tenant",
        "{\"channels\":[\"inApp\",\"push\",\"email\"]}"), optedOut);
    assertThat(plain.get("away").jobs()).isEmpty();
    var critical = plan("{\"type\":\"t\",\"title\":\"x\",\"recipients\":[\"away\"]}", type("tenant",
        "{\"channels\":[\"inApp\",\"push\",\"email\"],\"critical\":true}"), optedOut);
    assertThat(critical.get("away").jobs()).extracting(RecipientPlan.Job::deliveryChannel)
        .containsExactlyInAnyOrder("push", "email");
  }

  @Test
  void theOperatorsCriticalTypesStillApplyWithTheirOwnBypass() throws Exception {
    var plans = plan("{\"type\":\"ops.page\",\"title\":\"x\",\"recipients\":[\"away\"]}", type("default", null),
        "{\"email\":false,\"push\":false}");
    assertThat(plans.get("away").jobs()).extracting(RecipientPlan.Job::deliveryChannel).containsExactly("email");
  }
}
