package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /api/deliveries}: filters, cursor paging, retry and cancel with the states they allow,
 * bulk retry, tenant walls, and every bad query answered with problem+json that changes nothing.
 * Email jobs here have no SMTP server to go to ({@code skipped: no-transport}), a finished state an
 * operator can retry.
 */
class DeliveriesApiTest {
  private static final String GLOBEX_KEY = "test-api-key-globex-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of(
      "HERALD_API_KEYS", TestHerald.API_KEY + ",acme:" + TestHerald.ACME_KEY + ",globex:" + GLOBEX_KEY));

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  private static String createEmail(String recipient) throws Exception {
    JsonNode created = ok(herald.post("/api/notifications", TestHerald.ACME_KEY, """
        {"type": "invoice.ready", "recipients": [{"id": "%s", "email": "%s@example.org"}], "title": "Invoice",
         "message": "Ready", "channel": "billing", "priority": "low", "deliverVia": ["email"]}"""
        .formatted(recipient, recipient)), 201);
    return created.at("/ids/0").asText();
  }

  private static JsonNode jobOf(String notificationId) throws Exception {
    return ok(herald.call("GET", "/api/deliveries?notificationId=" + notificationId, TestHerald.ACME_KEY, null), 200)
        .path("deliveries").get(0);
  }

  private static JsonNode settled(String notificationId) {
    return await().atMost(Duration.ofSeconds(10)).until(() -> jobOf(notificationId),
        j -> j != null && j.path("status").asText().equals("skipped"));
  }

  @Test
  void aSkippedJobIsShownWithItsReasonAndAttemptAndCanBeRetried() throws Exception {
    String id = createEmail("dora");
    JsonNode job = settled(id);
    assertThat(job.path("reason").asText()).isEqualTo("no-transport");
    assertThat(job.path("userId").asText()).isEqualTo("dora");
    assertThat(job.path("attempts")).hasSize(1);
    JsonNode one = ok(herald.call("GET", "/api/deliveries/" + job.path("id").asText(), TestHerald.ACME_KEY, null), 200);
    assertThat(one.path("id").asText()).isEqualTo(job.path("id").asText());

    JsonNode retried = ok(herald.call("POST", "/api/deliveries/" + job.path("id").asText() + "/retry", TestHerald.ACME_KEY, null), 200);
    assertThat(retried.path("status").asText()).isIn("pending", "running", "skipped");
    // it runs again (and is skipped again): a second attempt in its log
    await().atMost(Duration.ofSeconds(10)).until(() -> jobOf(id).path("attempts").size() == 2);
  }

  @Test
  void aFinishedJobCannotBeCancelledAndADeliveredOneNotRetried() throws Exception {
    String id = createEmail("emil");
    JsonNode job = settled(id);
    HttpResponse<String> cancel = herald.call("POST", "/api/deliveries/" + job.path("id").asText() + "/cancel", TestHerald.ACME_KEY, null);
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(409);
    assertThat(cancel.headers().firstValue("content-type").orElse("")).contains("problem+json");
    assertThat(cancel.body()).contains("skipped");
    herald.queryDatabase("update delivery_job set state = 'delivered' where id = ?::uuid returning id",
        job.path("id").asText());
    assertThat(herald.call("POST", "/api/deliveries/" + job.path("id").asText() + "/retry", TestHerald.ACME_KEY, null)
        .statusCode()).isEqualTo(409);
    assertThat(jobOf(id).path("status").asText()).isEqualTo("delivered");
  }

  @Test
  void aJobWaitingForItsTimeCanBeCancelled() throws Exception {
    String id = createEmail("fritz");
    JsonNode job = settled(id);
    herald.queryDatabase("update delivery_job set state = 'retrying', run_at = now() + interval '1 hour' "
        + "where id = ?::uuid returning id", job.path("id").asText());
    JsonNode cancelled = ok(herald.call("POST", "/api/deliveries/" + job.path("id").asText() + "/cancel", TestHerald.ACME_KEY, null), 200);
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.path("reason").asText()).isEqualTo("cancelled by an operator");
  }

  @Test
  void bulkRetryPutsBackEveryJobOfTheStatusInTheTenantOnly() throws Exception {
    String a = createEmail("gina");
    String b = createEmail("hugo");
    settled(a);
    settled(b);
    JsonNode answer = ok(herald.post("/api/deliveries/retry", TestHerald.ACME_KEY,
        "{\"status\": \"skipped\", \"channel\": \"email\"}"), 200);
    assertThat(answer.path("retried").asInt()).isGreaterThanOrEqualTo(2);
    // another tenant's bulk retry touches none of acme's
    JsonNode globex = ok(herald.post("/api/deliveries/retry", GLOBEX_KEY, "{\"status\": \"skipped\"}"), 200);
    assertThat(globex.path("retried").asInt()).isZero();
  }

  @Test
  void anotherTenantsJobsAreInvisible() throws Exception {
    String id = createEmail("ida");
    String job = settled(id).path("id").asText();
    assertThat(herald.call("GET", "/api/deliveries/" + job, GLOBEX_KEY, null).statusCode()).isEqualTo(404);
    assertThat(herald.call("POST", "/api/deliveries/" + job + "/retry", GLOBEX_KEY, null).statusCode()).isEqualTo(404);
    assertThat(herald.call("POST", "/api/deliveries/" + job + "/cancel", GLOBEX_KEY, null).statusCode()).isEqualTo(404);
    assertThat(ok(herald.call("GET", "/api/deliveries", GLOBEX_KEY, null), 200).path("deliveries")).isEmpty();
    // a global key scoped to globex does not see it either; unscoped, it does
    assertThat(herald.call("GET", "/api/deliveries/" + job + "?tenant=globex", TestHerald.API_KEY, null).statusCode())
        .isEqualTo(404);
    assertThat(herald.call("GET", "/api/deliveries/" + job, TestHerald.API_KEY, null).statusCode()).isEqualTo(200);
  }

  @Test
  void pagesFollowTheCursorNewestFirstWithoutOverlap() throws Exception {
    for (String who : new String[] {"jan", "kai", "lea"}) {
      settled(createEmail(who));
    }
    JsonNode first = ok(herald.call("GET", "/api/deliveries?channel=email&limit=2", TestHerald.ACME_KEY, null), 200);
    assertThat(first.path("deliveries")).hasSize(2);
    String cursor = first.path("nextCursor").asText();
    JsonNode second = ok(herald.call("GET", "/api/deliveries?channel=email&limit=2&cursor=" + cursor,
        TestHerald.ACME_KEY, null), 200);
    assertThat(second.path("deliveries").get(0).path("id").asText())
        .isLessThan(first.path("deliveries").get(1).path("id").asText());
  }

  @Test
  void badQueriesAndBodiesAreRefusedAndChangeNothing() throws Exception {
    for (String query : new String[] {"status=lost", "channel=pigeon", "notificationId=42", "cursor=x", "limit=0",
        "limit=201", "limit=ten", "userId=%00"}) {
      HttpResponse<String> r = herald.call("GET", "/api/deliveries?" + query, TestHerald.ACME_KEY, null);
      assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(400);
      assertThat(r.headers().firstValue("content-type").orElse("")).contains("problem+json");
    }
    for (String body : new String[] {"", "[]", "{\"status\": \"delivered\"}", "{\"status\": \"failed\", \"x\": 1}",
        "{\"status\": \"failed\", \"channel\": \"fax\"}", "{not json"}) {
      HttpResponse<String> r = herald.post("/api/deliveries/retry", TestHerald.ACME_KEY, body);
      assertThat(r.statusCode()).as(body + ": " + r.body()).isBetween(400, 422);
    }
    assertThat(herald.call("GET", "/api/deliveries/not-a-uuid", TestHerald.ACME_KEY, null).statusCode()).isEqualTo(404);
    assertThat(herald.call("GET", "/api/deliveries", null, null).statusCode()).isEqualTo(401);
    assertThat(herald.call("GET", "/api/deliveries", TestHerald.token("someone", "acme"), null).statusCode())
        .isEqualTo(401);
  }
}
