package dev.herald.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A push row of a create becomes one job per subscription of the recipient (V9), written by the
 * create's own statement; a recipient without one gets a job that ends {@code skipped:
 * no-subscription} at once, unless it waits for quiet hours to end.
 */
class PushJobsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  private static String create(String recipient) throws Exception {
    HttpResponse<String> r = herald.call("POST", "/api/notifications", TestHerald.ACME_KEY, "{\"type\":\"ping\","
        + "\"title\":\"Hello\",\"recipients\":[\"" + recipient + "\"],\"deliverVia\":[\"push\"]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).at("/ids/0").asText();
  }

  private static UUID subscribe(String user, String endpoint) {
    UUID id = UUID.randomUUID();
    herald.queryDatabase("insert into push_subscription (id, tenant_id, user_id, endpoint, p256dh, auth) "
        + "values (?, 'acme', ?, ?, 'key', 'auth') returning id", id, user, endpoint);
    return id;
  }

  private static String jobs(String notification) {
    return (String) herald.queryDatabase("select coalesce(string_agg(coalesce(subscription_id::text, '-') || ':' "
        + "|| case when state = 'skipped' then 'skipped:' || reason else 'queued' end, ',' order by subscription_id), '') "
        + "from delivery_job where notification_id = ?::uuid and delivery_channel = 'push'", notification);
  }

  @Test
  void eachSubscriptionOfTheRecipientGetsAJobOfItsOwn() throws Exception {
    UUID phone = subscribe("two-devices", "https://push.example/a");
    UUID laptop = subscribe("two-devices", "https://push.example/b");
    subscribe("someone-else", "https://push.example/c");
    String id = create("two-devices");
    String first = phone.toString().compareTo(laptop.toString()) < 0 ? phone.toString() : laptop.toString();
    String second = first.equals(phone.toString()) ? laptop.toString() : phone.toString();
    assertThat(jobs(id)).isEqualTo(first + ":queued," + second + ":queued");
    // time-ordered ids of their own, not the planner's one id twice
    assertThat(herald.queryDatabase("select count(distinct id) from delivery_job where notification_id = ?::uuid", id))
        .isEqualTo(2L);
  }

  @Test
  void aRecipientWithoutASubscriptionGetsAJobSkippedAtOnce() throws Exception {
    String id = create("no-devices");
    assertThat(jobs(id)).isEqualTo("-:skipped:no-subscription");
    assertThat(herald.queryDatabase("select finished_at is not null from delivery_job where notification_id = ?::uuid",
        id)).isEqualTo(true);
  }

  @Test
  void aHeldPushWaitsForItsReleaseEvenWithoutASubscription() throws Exception {
    // quiet from an hour ago to an hour ahead, whenever the test runs (the window may cross midnight)
    java.time.LocalTime now = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
    java.time.format.DateTimeFormatter hhmm = java.time.format.DateTimeFormatter.ofPattern("HH:mm");
    HttpResponse<String> prefs = herald.call("PUT", "/api/notifications/preferences", TestHerald.token("night-owl", "acme"),
        "{\"quietHours\":{\"start\":\"" + now.minusHours(1).format(hhmm) + "\",\"end\":\""
            + now.plusHours(1).format(hhmm) + "\",\"timezone\":\"UTC\"}}");
    assertThat(prefs.statusCode()).as(prefs.body()).isEqualTo(200);
    String id = create("night-owl");
    assertThat(herald.queryDatabase("select state from delivery_job where notification_id = ?::uuid", id))
        .isEqualTo("held");
  }

  @Test
  void aDigestedPushIsOneItemAndItsDigestGoesToEverySubscription() throws Exception {
    HttpResponse<String> type = herald.call("PUT", "/api/types/push.digested", TestHerald.ACME_KEY,
        "{\"channels\": [\"inApp\", \"push\"], \"digest\": {\"window\": \"PT1H\", \"maxItems\": 5}}");
    assertThat(type.statusCode()).as(type.body()).isIn(200, 201);
    subscribe("digest-fan", "https://push.example/d1");
    subscribe("digest-fan", "https://push.example/d2");
    for (String user : new String[] {"digest-fan", "digest-none"}) {
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> r = herald.call("POST", "/api/notifications", TestHerald.ACME_KEY,
            "{\"type\":\"push.digested\",\"title\":\"Hi\",\"recipients\":[\"" + user + "\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      }
    }
    // two items, one row each (not one per subscription), and one send job per subscription
    assertThat(herald.queryDatabase("select count(*) from delivery_job where recipient = 'digest-fan' "
        + "and reason = 'digested' and subscription_id is null")).isEqualTo(2L);
    assertThat(herald.queryDatabase("select count(distinct subscription_id) from delivery_job "
        + "where recipient = 'digest-fan' and notification_id is null and digest_id is not null")).isEqualTo(2L);
    // without a subscription there is nothing to gather into: skipped at once, no digest
    assertThat(herald.queryDatabase("select string_agg(state || ':' || reason, ',') from delivery_job "
        + "where recipient = 'digest-none'")).isEqualTo("skipped:no-subscription,skipped:no-subscription");
    assertThat(herald.queryDatabase("select count(*) from digest where recipient = 'digest-none'")).isEqualTo(0L);
  }
}
