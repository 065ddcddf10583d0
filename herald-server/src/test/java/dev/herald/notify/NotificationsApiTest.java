package dev.herald.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP API of durable notifications against a real node and a real PostgreSQL. */
class NotificationsApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of("HERALD_ACK_RETRY_MS", "60000"));

  private static HttpResponse<String> create(String body) {
    return herald.post("/api/notifications", TestHerald.API_KEY, body);
  }

  private static HttpResponse<String> create(String key, String idempotencyKey, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(herald.url() + "/api/notifications"))
        .header("content-type", "application/json").header("authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKey != null) {
      b.header("idempotency-key", idempotencyKey);
    }
    return herald.send(b.build());
  }

  private static HttpResponse<String> asUser(String method, String path, String token) {
    return herald.send(HttpRequest.newBuilder(URI.create(herald.url() + path))
        .header("authorization", "Bearer " + token)
        .method(method, HttpRequest.BodyPublishers.noBody()).build());
  }

  private static String notification(String recipients, String title) {
    return "{\"type\":\"order_status\",\"recipients\":" + recipients + ",\"title\":\"" + title + "\","
        + "\"message\":\"Your order #12345 has been shipped\",\"channel\":\"orders\",\"priority\":\"high\","
        + "\"data\":{\"orderId\":\"12345\",\"amount\":0.10000000000000000555}}";
  }

  @Test
  void createdNotificationIsInTheRecipientsHistoryWithTheSeedShape() throws Exception {
    HttpResponse<String> created = create(notification("[\"hist-1\"]", "Order Updated"));

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode answer = JSON.readTree(created.body());
    String id = answer.get("ids").get(0).asText();
    assertThat(answer.get("notifications").get(0).get("recipient").asText()).isEqualTo("hist-1");

    HttpResponse<String> page = asUser("GET", "/api/notifications", TestHerald.token("hist-1", null));
    assertThat(page.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(page.body());
    JsonNode n = body.get("notifications").get(0);
    assertThat(n.get("id").asText()).isEqualTo(id);
    assertThat(n.get("type").asText()).isEqualTo("order_status");
    assertThat(n.get("title").asText()).isEqualTo("Order Updated");
    assertThat(n.get("channel").asText()).isEqualTo("orders");
    assertThat(n.get("priority").asText()).isEqualTo("high");
    assertThat(n.get("status").asText()).isEqualTo("pending");
    assertThat(n.get("readAt").isNull()).isTrue();
    assertThat(n.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(n.get("data").get("orderId").asText()).isEqualTo("12345");
    assertThat(n.get("sequence").asLong()).isEqualTo(1);
    assertThat(body.get("pagination").get("total").asLong()).isEqualTo(1);
    assertThat(body.get("pagination").get("page").asInt()).isEqualTo(1);
    assertThat(body.get("pagination").get("limit").asInt()).isEqualTo(20);
  }

  @Test
  void historyIsNewestFirstAndPagesByPageAndByCursor() throws Exception {
    for (int i = 1; i <= 5; i++) {
      assertThat(create(notification("[\"pager\"]", "n" + i)).statusCode()).isEqualTo(201);
    }
    String token = TestHerald.token("pager", null);

    JsonNode first = JSON.readTree(asUser("GET", "/api/notifications?limit=2", token).body());
    assertThat(titles(first)).containsExactly("n5", "n4");
    assertThat(first.get("pagination").get("hasMore").asBoolean()).isTrue();
    assertThat(first.get("pagination").get("total").asLong()).isEqualTo(5);

    JsonNode second = JSON.readTree(asUser("GET", "/api/notifications?limit=2&page=2", token).body());
    assertThat(titles(second)).containsExactly("n3", "n2");

    String cursor = second.get("pagination").get("nextCursor").asText();
    JsonNode third = JSON.readTree(asUser("GET", "/api/notifications?limit=2&cursor=" + cursor, token).body());
    assertThat(titles(third)).containsExactly("n1");
    assertThat(third.get("pagination").get("hasMore").asBoolean()).isFalse();
    assertThat(third.get("pagination").get("nextCursor").isNull()).isTrue();
  }

  @Test
  void readStateIsExactAcrossReadOneAndReadAll() throws Exception {
    String token = TestHerald.token("reader", null);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(JSON.readTree(create(notification("[\"reader\"]", "r" + i)).body()).get("ids").get(0).asText());
    }
    assertThat(count(token)).isEqualTo(3);

    HttpResponse<String> read = asUser("PUT", "/api/notifications/" + ids.get(0) + "/read", token);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(read.body()).get("readAt").asText()).endsWith("Z");
    assertThat(count(token)).isEqualTo(2);
    JsonNode unread = JSON.readTree(asUser("GET", "/api/notifications?unread=true", token).body());
    assertThat(titles(unread)).containsExactly("r2", "r1");
    JsonNode readOnes = JSON.readTree(asUser("GET", "/api/notifications?status=read", token).body());
    assertThat(titles(readOnes)).containsExactly("r0");

    HttpResponse<String> all = asUser("PUT", "/api/notifications/read-all", token);
    assertThat(JSON.readTree(all.body()).get("count").asLong()).isEqualTo(2);
    assertThat(count(token)).isZero();
  }

  @Test
  void readOnOneDeviceReachesTheUsersOtherConnections() throws Exception {
    String token = TestHerald.token("two-devices", null);
    String id = JSON.readTree(create(notification("[\"two-devices\"]", "x")).body()).get("ids").get(0).asText();
    try (JsonWsRecorder other = JsonWsRecorder.connect(herald, token)) {
      asUser("PUT", "/api/notifications/" + id + "/read", token);

      JsonNode event = other.nextEvent("notification:read");
      assertThat(event.get("data").get("notificationId").asText()).isEqualTo(id);

      asUser("PUT", "/api/notifications/read-all", token);
      assertThat(other.nextEvent("notification:all-read").get("data").has("count")).isTrue();
    }
  }

  @Test
  void anotherUsersOrTenantsNotificationIsNotFoundAndUnchanged() throws Exception {
    String id = JSON.readTree(create(notification("[\"owner\"]", "mine")).body()).get("ids").get(0).asText();
    String stranger = TestHerald.token("stranger", null);
    String sameIdOtherTenant = TestHerald.token("owner", "acme");

    for (String token : List.of(stranger, sameIdOtherTenant)) {
      assertThat(asUser("GET", "/api/notifications/" + id, token).statusCode()).isEqualTo(404);
      assertThat(asUser("PUT", "/api/notifications/" + id + "/read", token).statusCode()).isEqualTo(404);
      assertThat(asUser("PUT", "/api/notifications/" + id + "/archive", token).statusCode()).isEqualTo(404);
      assertThat(asUser("DELETE", "/api/notifications/" + id, token).statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(asUser("GET", "/api/notifications", token).body()).get("notifications")).isEmpty();
    }
    JsonNode still = JSON.readTree(asUser("GET", "/api/notifications/" + id, TestHerald.token("owner", null)).body());
    assertThat(still.get("readAt").isNull()).isTrue();
    assertThat(still.get("archivedAt").isNull()).isTrue();
  }

  @Test
  void archiveHidesFromTheDefaultListAndDeleteRemoves() throws Exception {
    String token = TestHerald.token("archivist", null);
    String id = JSON.readTree(create(notification("[\"archivist\"]", "a")).body()).get("ids").get(0).asText();

    assertThat(asUser("PUT", "/api/notifications/" + id + "/archive", token).statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(asUser("GET", "/api/notifications", token).body()).get("notifications")).isEmpty();
    assertThat(titles(JSON.readTree(asUser("GET", "/api/notifications?archived=true", token).body()))).containsExactly("a");
    assertThat(asUser("PUT", "/api/notifications/" + id + "/unarchive", token).statusCode()).isEqualTo(200);
    assertThat(titles(JSON.readTree(asUser("GET", "/api/notifications", token).body()))).containsExactly("a");

    assertThat(asUser("PUT", "/api/notifications/" + id + "/seen", token).statusCode()).isEqualTo(200);
    assertThat(asUser("DELETE", "/api/notifications/" + id, token).statusCode()).isEqualTo(204);
    assertThat(asUser("GET", "/api/notifications/" + id, token).statusCode()).isEqualTo(404);
  }

  @Test
  void repeatedIdempotencyKeyReturnsTheFirstAnswerAndStoresOnce() throws Exception {
    String body = notification("[\"idem\"]", "once");
    HttpResponse<String> first = create(TestHerald.API_KEY, "key-1", body);
    HttpResponse<String> again = create(TestHerald.API_KEY, "key-1", body);

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(again.headers().firstValue("idempotent-replayed")).contains("true");
    assertThat(count(TestHerald.token("idem", null))).isEqualTo(1);

    HttpResponse<String> different = create(TestHerald.API_KEY, "key-1", notification("[\"idem\"]", "other"));
    assertThat(different.statusCode()).isEqualTo(422);
    assertThat(different.headers().firstValue("content-type")).contains("application/problem+json");
    assertThat(count(TestHerald.token("idem", null))).isEqualTo(1);
  }

  @Test
  void concurrentRequestsWithOneIdempotencyKeyCreateOnce() throws Exception {
    String body = notification("[\"idem-race\"]", "race");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(() -> create(TestHerald.API_KEY, "race-key", body));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
        statuses.add(f.get().statusCode());
      }
      assertThat(statuses).allMatch(s -> s == 201 || s == 409);
      assertThat(statuses).contains(201);
    } finally {
      pool.shutdownNow();
    }
    assertThat(count(TestHerald.token("idem-race", null))).isEqualTo(1);
  }

  @Test
  void everyBadFieldIsListedInTheProblemAndNothingIsStored() throws Exception {
    HttpResponse<String> r = create("{\"type\":\"bad type!\",\"recipients\":[\"ok\",7],\"title\":\"\","
        + "\"priority\":\"whenever\",\"data\":[1],\"requiresAck\":\"yes\",\"scheduledAt\":\"tomorrow\","
        + "\"actionUrl\":\"javascript:alert(1)\",\"colour\":\"red\"}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    JsonNode problem = JSON.readTree(r.body());
    List<String> fields = new ArrayList<>();
    problem.get("errors").forEach(e -> fields.add(e.get("field").asText()));
    assertThat(fields).contains("type", "recipients[1]", "title", "priority", "data", "requiresAck", "scheduledAt",
        "actionUrl", "colour");
    assertThat(count(TestHerald.token("ok", null))).isZero();
  }

  @Test
  void malformedTooManyRecipientsAndUnauthenticatedCreatesAreRefused() throws Exception {
    assertThat(create("{\"type\":").statusCode()).isEqualTo(400);
    assertThat(create("[]").statusCode()).isEqualTo(400);
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i <= NotificationRequest.MAX_RECIPIENTS; i++) {
      many.append(i == 0 ? "" : ",").append("\"u").append(i).append('"');
    }
    HttpResponse<String> tooMany = create(notification(many.append(']').toString(), "t"));
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(tooMany.body()).contains("at most 1000");
    assertThat(create("nokey-at-all-0123456789", null, notification("[\"x\"]", "t")).statusCode()).isEqualTo(401);
    assertThat(asUser("GET", "/api/notifications", "not-a-jwt").statusCode()).isEqualTo(401);
    assertThat(asUser("GET", "/api/notifications?limit=0", TestHerald.token("x", null)).statusCode()).isEqualTo(400);
    assertThat(asUser("GET", "/api/notifications?status=lost", TestHerald.token("x", null)).statusCode()).isEqualTo(400);
  }

  @Test
  void tenantKeyCreatesOnlyInsideItsTenant() throws Exception {
    HttpResponse<String> own = create(TestHerald.ACME_KEY, null, notification("[\"t-user\"]", "acme"));
    assertThat(own.statusCode()).isEqualTo(201);
    assertThat(count(TestHerald.token("t-user", "acme"))).isEqualTo(1);
    assertThat(count(TestHerald.token("t-user", null))).isZero();

    HttpResponse<String> foreign = create(TestHerald.ACME_KEY, null,
        "{\"tenant\":\"globex\",\"type\":\"t\",\"recipients\":[\"t-user\"],\"title\":\"x\"}");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(count(TestHerald.token("t-user", "globex"))).isZero();
  }

  @Test
  void hundredsOfRecipientsInOneCallEachGetTheirOwnRow() throws Exception {
    StringBuilder r = new StringBuilder("[");
    for (int i = 0; i < 300; i++) {
      r.append(i == 0 ? "" : ",").append("\"bulk-").append(i).append('"');
    }
    HttpResponse<String> created = create(notification(r.append(']').toString(), "bulk"));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(JSON.readTree(created.body()).get("ids")).hasSize(300);
    assertThat(count(TestHerald.token("bulk-7", null))).isEqualTo(1);
    assertThat(count(TestHerald.token("bulk-299", null))).isEqualTo(1);
  }

  @Test
  void concurrentCreatesForOneRecipientGetEverySequenceOnce() throws Exception {
    int n = 200;
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        String recipients = k % 2 == 0 ? "[\"seq-shared\"]" : "[\"seq-shared\",\"seq-other-" + k + "\"]";
        calls.add(() -> create(notification(recipients, "c" + k)));
      }
      for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
        assertThat(f.get().statusCode()).as(f.get().body()).isEqualTo(201);
      }
    } finally {
      pool.shutdownNow();
    }
    String token = TestHerald.token("seq-shared", null);
    java.util.Set<Long> sequences = new java.util.TreeSet<>();
    String cursor = "";
    for (int page = 0; page < 3; page++) {
      JsonNode body = JSON.readTree(asUser("GET", "/api/notifications?limit=100" + cursor, token).body());
      body.get("notifications").forEach(x -> sequences.add(x.get("sequence").asLong()));
      if (!body.get("pagination").get("hasMore").asBoolean()) {
        break;
      }
      cursor = "&cursor=" + body.get("pagination").get("nextCursor").asText();
    }
    assertThat(sequences).hasSize(n);
    assertThat(sequences).first().isEqualTo(1L);
    assertThat(sequences).last().isEqualTo((long) n);
  }

  private static long count(String token) throws Exception {
    HttpResponse<String> r = asUser("GET", "/api/notifications/unread-count", token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("count").asLong();
  }

  private static List<String> titles(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("notifications").forEach(n -> out.add(n.get("title").asText()));
    return out;
  }
}
