package dev.herald.preferences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.MovableClock;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Preferences applied to deliveries on a node whose clock the test moves: quiet hours hold email
 * and push (never in-app) and release them when the window ends, across midnight and across both
 * daylight-saving changes; urgent and operator-critical types; tenant defaults under user settings;
 * and the explanation of every decision in the admin view.
 */
class HeldDeliveriesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BERLIN_NIGHTS = "{\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timezone\":\"Europe/Berlin\"}}";
  private TestHerald herald;
  private MovableClock clock;

  private void start(Instant now) {
    clock = new MovableClock(now);
    herald = TestHerald.start(Map.of("HERALD_SCHEDULER_POLL_MS", "50",
        "HERALD_CRITICAL_TYPES", "security.alert:email,account.locked"), clock);
  }

  @AfterEach
  void stop() {
    if (herald != null) {
      herald.close();
    }
  }

  private JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  private void preferences(String user, String doc) throws Exception {
    ok(herald.call("PUT", "/api/notifications/preferences", TestHerald.token(user, null), doc), 200);
  }

  /** Creates one notification for {@code user}; its id. */
  private String create(String user, String extra) throws Exception {
    JsonNode r = ok(herald.call("POST", "/api/notifications", TestHerald.API_KEY, "{\"type\":\"comment\",\"channel\":\"social\","
        + "\"title\":\"t\",\"recipients\":[\"" + user + "\"]" + extra + "}"), 201);
    return r.get("ids").get(0).asText();
  }

  private JsonNode view(String id) throws Exception {
    return ok(herald.call("GET", "/api/admin/notifications/" + id, TestHerald.API_KEY, null), 200);
  }

  private static JsonNode delivery(JsonNode view, String channel) {
    for (JsonNode d : view.get("deliveries")) {
      if (d.get("deliveryChannel").asText().equals(channel)) {
        return d;
      }
    }
    throw new AssertionError("no " + channel + " delivery in " + view);
  }

  @Test
  void quietHoursAcrossMidnightHoldEmailAndPushButNotInAppAndReleaseThemWhenTheWindowEnds() throws Exception {
    start(Instant.parse("2026-01-14T22:30:00Z")); // 23:30 in Berlin
    preferences("night-owl", BERLIN_NIGHTS);
    preferences("early-bird", "{\"quietHours\":{\"start\":\"22:00\",\"end\":\"08:00\",\"timezone\":\"Europe/Berlin\"}}");
    String owl = create("night-owl", ",\"deliverVia\":[\"email\",\"push\"]");
    String bird = create("early-bird", ",\"deliverVia\":[\"email\"]");

    JsonNode v = view(owl);
    assertThat(v.get("live").asBoolean()).isTrue();
    assertThat(v.at("/explain/inApp/decision").asText()).isEqualTo("send");
    assertThat(v.at("/explain/email/decision").asText()).isEqualTo("held");
    assertThat(v.at("/explain/email/heldBy").asText()).isEqualTo("quietHours");
    assertThat(v.at("/explain/push/until").asText()).isEqualTo("2026-01-15T06:00:00Z");
    assertThat(delivery(v, "email").get("state").asText()).isEqualTo("held");
    assertThat(delivery(v, "push").get("runAt").asText()).isEqualTo("2026-01-15T06:00:00.000Z");
    assertThat(delivery(view(bird), "email").get("runAt").asText()).isEqualTo("2026-01-15T07:00:00.000Z");

    // 07:30 in Berlin: the owl's window is over, the bird's is not
    clock.set(Instant.parse("2026-01-15T06:30:00Z"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !delivery(view(owl), "email").get("state").asText().equals("held"));
    JsonNode released = view(owl);
    assertThat(delivery(released, "push").get("state").asText()).isNotEqualTo("held");
    assertThat(released.get("deliveryLog")).anySatisfy(l -> {
      assertThat(l.get("status").asText()).isEqualTo("released");
      assertThat(l.get("detail").asText()).contains("2026-01-15T06:00:00Z");
    });
    // released by the same sweep that saw the bird's job still inside its window
    assertThat(delivery(view(bird), "email").get("state").asText()).isEqualTo("held");
    clock.set(Instant.parse("2026-01-15T07:00:00Z"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !delivery(view(bird), "email").get("state").asText().equals("held"));
    assertThat(herald.get("/metrics").body()).contains("herald_delivery_jobs_held_total 3.0");
    // counted when the release's answer comes back, which may be just after the rows are visible
    await().atMost(Duration.ofSeconds(10))
        .until(() -> herald.get("/metrics").body().contains("herald_delivery_jobs_released_total 3.0"));
  }

  @Test
  void aDeletedNotificationTakesItsHeldJobsWithIt() throws Exception {
    start(Instant.parse("2026-01-14T22:30:00Z"));
    preferences("deleter", BERLIN_NIGHTS);
    String id = create("deleter", ",\"deliverVia\":[\"email\",\"push\"]");
    assertThat(view(id).get("deliveries")).hasSize(2);
    assertThat(herald.call("DELETE", "/api/notifications/" + id, TestHerald.token("deleter", null), null).statusCode())
        .isEqualTo(204);
    assertThat(((Number) herald.queryDatabase("select count(*) from delivery_job where notification_id = ?::uuid", id))
        .intValue()).isZero();
  }

  @Test
  void aScheduledNotificationIsJudgedAtItsScheduledTime() throws Exception {
    start(Instant.parse("2026-01-14T12:00:00Z"));
    preferences("planner", "{\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timezone\":\"UTC\"}}");
    // scheduling is by real time: tomorrow (for real) at 23:30 UTC, inside the window
    java.time.LocalDate tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1);
    String at = tomorrow + "T23:30:00Z";
    String id = create("planner", ",\"scheduledAt\":\"" + at + "\",\"deliverVia\":[\"email\"]");
    JsonNode v = view(id);
    assertThat(v.get("sequence").isNull()).as("not released yet").isTrue();
    assertThat(delivery(v, "email").get("state").asText()).isEqualTo("held");
    assertThat(delivery(v, "email").get("runAt").asText()).isEqualTo(tomorrow.plusDays(1) + "T07:00:00.000Z");
  }

  @Test
  void onTheSpringForwardNightTheWindowEndsAnHourEarlierInUtc() throws Exception {
    start(Instant.parse("2026-03-28T22:30:00Z")); // 23:30 CET; clocks go forward at 02:00
    preferences("spring", BERLIN_NIGHTS);
    String id = create("spring", ",\"deliverVia\":[\"push\"]");
    assertThat(delivery(view(id), "push").get("runAt").asText()).isEqualTo("2026-03-29T05:00:00.000Z"); // 07:00 CEST
    clock.set(Instant.parse("2026-03-29T05:00:00Z"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !delivery(view(id), "push").get("state").asText().equals("held"));
  }

  @Test
  void onTheFallBackNightTheWindowEndsAnHourLaterInUtc() throws Exception {
    start(Instant.parse("2026-10-24T21:30:00Z")); // 23:30 CEST; clocks go back at 03:00
    preferences("autumn", BERLIN_NIGHTS);
    String id = create("autumn", ",\"deliverVia\":[\"email\"]");
    assertThat(delivery(view(id), "email").get("runAt").asText()).isEqualTo("2026-10-25T06:00:00.000Z"); // 07:00 CET
    clock.set(Instant.parse("2026-10-25T06:00:00Z"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !delivery(view(id), "email").get("state").asText().equals("held"));
  }

  @Test
  void urgentAndCriticalTypesBypassWhatTheOperatorAllows() throws Exception {
    start(Instant.parse("2026-01-14T22:30:00Z"));
    preferences("guarded", "{\"inApp\":false,\"email\":false,\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\","
        + "\"timezone\":\"Europe/Berlin\"}}");
    // an ordinary notification: in-app off (stored, not live), email off, push held
    JsonNode plain = view(create("guarded", ",\"deliverVia\":[\"email\",\"push\"]"));
    assertThat(plain.get("live").asBoolean()).isFalse();
    assertThat(plain.at("/explain/inApp").toString()).contains("suppressed", "\"rule\":\"user\"");
    assertThat(plain.at("/explain/email/decision").asText()).isEqualTo("suppressed");
    assertThat(plain.get("deliveries")).extracting(d -> d.get("deliveryChannel").asText()).containsExactly("push");
    // urgent: in-app goes live; email stays off and push still waits out the night
    JsonNode urgent = view(create("guarded", ",\"priority\":\"urgent\",\"deliverVia\":[\"email\",\"push\"]"));
    assertThat(urgent.get("live").asBoolean()).isTrue();
    assertThat(urgent.at("/explain/inApp/rule").asText()).isEqualTo("urgent");
    assertThat(urgent.at("/explain/email/decision").asText()).isEqualTo("suppressed");
    assertThat(delivery(urgent, "push").get("state").asText()).isEqualTo("held");
    // security.alert is marked critical with email: email goes now despite the opt-out and the night
    JsonNode alert = ok(herald.call("POST", "/api/notifications", TestHerald.API_KEY, "{\"type\":\"security.alert\","
        + "\"title\":\"New sign-in\",\"recipients\":[\"guarded\"],\"deliverVia\":[\"email\",\"push\"]}"), 201);
    JsonNode critical = view(alert.get("ids").get(0).asText());
    assertThat(critical.get("live").asBoolean()).isTrue();
    assertThat(delivery(critical, "email").get("state").asText()).isNotEqualTo("held");
    assertThat(critical.at("/explain/email/rule").asText()).isEqualTo("urgent");
    assertThat(delivery(critical, "push").get("state").asText()).isEqualTo("held");
    // account.locked is critical for in-app only
    JsonNode locked = ok(herald.call("POST", "/api/notifications", TestHerald.API_KEY, "{\"type\":\"account.locked\","
        + "\"title\":\"Locked\",\"recipients\":[\"guarded\"],\"deliverVia\":[\"email\"]}"), 201);
    JsonNode lockedView = view(locked.get("ids").get(0).asText());
    assertThat(lockedView.get("live").asBoolean()).isTrue();
    assertThat(lockedView.at("/explain/email/decision").asText()).isEqualTo("suppressed");
  }

  @Test
  void tenantDefaultsSetByTheTenantsKeyApplyUnderEachUsersOwnSettings() throws Exception {
    start(Instant.parse("2026-01-14T12:00:00Z"));
    String defaults = "{\"channels\":{\"marketing\":{\"inApp\":false,\"email\":false}},\"locale\":\"de\"}";
    JsonNode stored = ok(herald.call("PUT", "/api/tenant/preferences", TestHerald.ACME_KEY, defaults), 200);
    assertThat(stored).isEqualTo(JSON.readTree(defaults));
    assertThat(ok(herald.call("GET", "/api/tenant/preferences", TestHerald.ACME_KEY, null), 200))
        .isEqualTo(JSON.readTree(defaults));
    String promo = "{\"type\":\"promo\",\"channel\":\"marketing\",\"title\":\"Sale\",\"recipients\":[\"%s\"],"
        + "\"deliverVia\":[\"email\"]}";
    // a user without settings gets the tenant's
    JsonNode a = view(ok(herald.call("POST", "/api/notifications", TestHerald.ACME_KEY, promo.formatted("plain-user")), 201)
        .get("ids").get(0).asText());
    assertThat(a.get("live").asBoolean()).isFalse();
    assertThat(a.at("/explain/inApp/rule").asText()).isEqualTo("tenant:channel:marketing");
    assertThat(a.at("/explain/email/decision").asText()).isEqualTo("suppressed");
    assertThat(a.at("/explain/localeFrom").asText()).isEqualTo("tenant");
    // the user's own channel setting overrides the tenant's; their global email switch overrides it too
    ok(herald.call("PUT", "/api/notifications/preferences", TestHerald.token("keen-user", "acme"),
        "{\"email\":true,\"channels\":{\"marketing\":{\"inApp\":true}}}"), 200);
    JsonNode b = view(ok(herald.call("POST", "/api/notifications", TestHerald.ACME_KEY, promo.formatted("keen-user")), 201)
        .get("ids").get(0).asText());
    assertThat(b.get("live").asBoolean()).isTrue();
    assertThat(b.at("/explain/inApp/rule").asText()).isEqualTo("channel:marketing");
    assertThat(b.at("/explain/email/rule").asText()).isEqualTo("user");
    assertThat(b.at("/explain/email/decision").asText()).isEqualTo("send");
    // other tenants are untouched
    JsonNode c = view(ok(herald.call("POST", "/api/notifications", TestHerald.API_KEY,
        "{\"tenant\":\"globex\",\"type\":\"promo\",\"channel\":\"marketing\",\"title\":\"Sale\",\"recipients\":[\"plain-user\"]}"),
        201).get("ids").get(0).asText());
    assertThat(c.at("/explain/inApp/rule").asText()).isEqualTo("system");
  }

  @Test
  void tenantDefaultsAreTheTenantsOwnAndBadOnesChangeNothing() throws Exception {
    start(Instant.parse("2026-01-14T12:00:00Z"));
    ok(herald.call("PUT", "/api/tenant/preferences", TestHerald.ACME_KEY, "{\"push\":false}"), 200);
    assertThat(herald.call("PUT", "/api/tenant/preferences?tenant=globex", TestHerald.ACME_KEY, "{\"push\":true}")
        .statusCode()).isEqualTo(403);
    assertThat(herald.call("PUT", "/api/tenant/preferences", TestHerald.API_KEY, "{\"push\":true}").statusCode())
        .isEqualTo(400);
    assertThat(herald.call("GET", "/api/tenant/preferences", TestHerald.token("someone", "acme"), null).statusCode())
        .isEqualTo(401);
    HttpResponse<String> bad = herald.call("PATCH", "/api/tenant/preferences", TestHerald.ACME_KEY,
        "{\"push\":\"yes\",\"quietHours\":{\"start\":\"25:00\",\"end\":\"07:00\",\"timezone\":\"Mars/Olympus\"}}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get("errors")).hasSizeGreaterThanOrEqualTo(3);
    assertThat(ok(herald.call("GET", "/api/tenant/preferences?tenant=acme", TestHerald.API_KEY, null), 200))
        .isEqualTo(JSON.readTree("{\"push\":false}"));
  }

  @Test
  void theAdminViewIsScopedToTheKeysTenant() throws Exception {
    start(Instant.parse("2026-01-14T12:00:00Z"));
    String globex = ok(herald.call("POST", "/api/notifications", TestHerald.API_KEY,
        "{\"tenant\":\"globex\",\"type\":\"x\",\"title\":\"x\",\"recipients\":[\"u\"]}"), 201).get("ids").get(0).asText();
    assertThat(herald.call("GET", "/api/admin/notifications/" + globex, TestHerald.ACME_KEY, null).statusCode())
        .isEqualTo(404);
    assertThat(herald.call("GET", "/api/admin/notifications/" + globex, TestHerald.token("u", "globex"), null).statusCode())
        .isEqualTo(401);
    assertThat(view(globex).get("tenant").asText()).isEqualTo("globex");
  }
}
