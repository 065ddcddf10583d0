package dev.herald.types;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a create writes to {@code delivery_job} under its type's rules, read back with SQL. */
class TypeJobsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  /** Creates a notification in tenant acme; returns its id per recipient, in recipient order. */
  private static JsonNode create(String type, String recipients, String extra) throws Exception {
    return ok(herald.call("POST", "/api/notifications", TestHerald.ACME_KEY, "{\"type\":\"" + type
        + "\",\"title\":\"Hello\",\"recipients\":[" + recipients + "]" + extra + "}"), 201).get("notifications");
  }

  private static String idOf(JsonNode notifications, String recipient) {
    for (JsonNode n : notifications) {
      if (n.get("recipient").asText().equals(recipient)) {
        return n.get("id").asText();
      }
    }
    throw new AssertionError("no notification for " + recipient + " in " + notifications);
  }

  private static String channels(String notificationId) {
    // the jobs a create queued, whatever the engine made of them since (it runs them at once)
    return (String) herald.queryDatabase("select coalesce(string_agg(delivery_channel || case when state = 'held' "
        + "then ':held' else '' end, ',' order by delivery_channel), '') from delivery_job where notification_id = ?::uuid",
        notificationId);
  }

  private static JsonNode explain(String notificationId) throws Exception {
    return JSON.readTree((String) herald.queryDatabase("select explain::text from notification where id = ?::uuid",
        notificationId));
  }

  @Test
  void underTheDefaultTypeEmailIsQueuedOnlyForARecipientWithoutALiveSession() throws Exception {
    try (JsonWsRecorder online = JsonWsRecorder.connect(herald, TestHerald.token("here-now", "acme"))) {
      JsonNode created = create("comment.new", "\"here-now\",\"away-now\"", "");
      String away = idOf(created, "away-now");
      String here = idOf(created, "here-now");
      assertThat(channels(away)).isEqualTo("email");
      assertThat(channels(here)).isEmpty();
      // seed 000's push-always: decided send, and no job for recipients who never subscribed a browser
      assertThat(explain(away).at("/push/decision").asText()).isEqualTo("send");
      assertThat(explain(here).at("/email/decision").asText()).isEqualTo("suppressed");
      assertThat(explain(here).at("/email/rule").asText()).isEqualTo("type:online");
      assertThat(explain(away).get("channelsFrom").asText()).isEqualTo("default");
      assertThat(online.next().toString()).as("the online recipient had it live").contains(here);
    }
  }

  @Test
  void anUnreadTypeQueuesEmailAtCreatedPlusAfterWithTheUnreadCondition() throws Exception {
    ok(herald.call("PUT", "/api/types/invoice.overdue", TestHerald.ACME_KEY,
        "{\"channels\":[\"inApp\",\"email\"],\"email\":{\"when\":\"unread\",\"after\":\"PT15M\"}}"), 201);
    // PostgreSQL keeps microseconds
    Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    String id = idOf(create("invoice.overdue", "\"payer\"", ""), "payer");
    Instant after = Instant.now();
    assertThat(channels(id)).isEqualTo("email");
    assertThat(herald.queryDatabase("select condition from delivery_job where notification_id = ?::uuid", id))
        .isEqualTo("unread");
    Instant runAt = Instant.EPOCH.plus(((Number) herald.queryDatabase(
        "select (extract(epoch from run_at) * 1000000)::bigint from delivery_job where notification_id = ?::uuid", id))
        .longValue(), java.time.temporal.ChronoUnit.MICROS);
    // planned at the create's own instant, which lies between the two readings of the same clock
    assertThat(runAt).isBetween(before.plus(Duration.ofMinutes(15)), after.plus(Duration.ofMinutes(15)));
    JsonNode explain = explain(id);
    assertThat(explain.at("/email/decision").asText()).isEqualTo("delayed");
    assertThat(explain.at("/email/after").asText()).isEqualTo("PT15M");
    assertThat(Instant.parse(explain.at("/email/until").asText()).truncatedTo(java.time.temporal.ChronoUnit.MICROS))
        .isEqualTo(runAt);
    assertThat(explain.get("channelsFrom").asText()).isEqualTo("type");
  }

  @Test
  void deliverViaWebhookQueuesOneJobPerSubscribedEnabledEndpointOfTheTenant() throws Exception {
    UUID all = endpoint("acme", null, true);
    UUID created = endpoint("acme", "{notification.created,notification.read}", true);
    endpoint("acme", "{notification.read}", true);
    endpoint("acme", null, false);
    endpoint("other", null, true);
    JsonNode notifications = create("deploy.done", "\"ops-1\",\"ops-2\"", ",\"deliverVia\":[\"webhook\"]");
    for (String recipient : new String[] {"ops-1", "ops-2"}) {
      String id = idOf(notifications, recipient);
      assertThat(channels(id)).isEqualTo("webhook,webhook");
      assertThat(herald.queryDatabase("select string_agg(endpoint_id::text, ',' order by endpoint_id) from delivery_job "
          + "where notification_id = ?::uuid", id))
          // PostgreSQL orders uuids by their bytes, as their text sorts (UUID.compareTo compares signed longs)
          .isEqualTo(all.toString().compareTo(created.toString()) < 0 ? all + "," + created : created + "," + all);
      assertThat(herald.queryDatabase("select string_agg(distinct event || '/' || recipient, ',') from delivery_job "
          + "where notification_id = ?::uuid", id)).isEqualTo("notification.created/" + recipient);
      // UUIDv7 like every other job id: the operator's list pages by id
      assertThat(herald.queryDatabase("select bool_and(substring(id::text from 15 for 1) = '7') from delivery_job "
          + "where notification_id = ?::uuid", id)).isEqualTo(true);
      assertThat(explain(id).at("/webhook/rule").asText()).isEqualTo("deliverVia");
      assertThat(explain(id).at("/inApp/decision").asText()).isEqualTo("send");
    }
  }

  @Test
  void aCreateWithoutEndpointsQueuesNoWebhookJobAndStillSucceeds() throws Exception {
    ok(herald.call("PUT", "/api/types/lonely.hook?tenant=nohooks", TestHerald.API_KEY, "{\"channels\":[\"webhook\"]}"), 201);
    JsonNode r = ok(herald.call("POST", "/api/notifications", TestHerald.API_KEY,
        "{\"tenant\":\"nohooks\",\"type\":\"lonely.hook\",\"title\":\"x\",\"recipients\":[\"u\"]}"), 201);
    String id = r.at("/notifications/0/id").asText();
    assertThat(channels(id)).isEmpty();
    assertThat(herald.queryDatabase("select live from notification where id = ?::uuid", id)).isEqualTo(false);
  }

  private static UUID endpoint(String tenant, String events, boolean enabled) {
    return (UUID) herald.queryDatabase("insert into webhook_endpoint (id, tenant_id, url, events, secret, enabled) "
        + "values (gen_random_uuid(), ?, 'http://127.0.0.1:9/hook', ?::text[], 'whsec_x', ?) returning id",
        tenant, events, enabled);
  }
}
