package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.config.P256Keys;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code /api/push}: the VAPID key, and each user's own browser subscriptions. */
class PushApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Local push services are private targets: this node allows them. */
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of("HERALD_ALLOW_PRIVATE_TARGETS", "true"));
  /** A node as deployed: private targets refused. */
  @RegisterExtension
  static final TestHerald strict = TestHerald.perClass();

  /** A fresh browser key, base64url of its 65-byte point. */
  private static String p256dh() {
    return P256Keys.base64url(P256Keys.raw((ECPublicKey) P256Keys.generate().getPublic()));
  }

  private static final String AUTH = P256Keys.base64url(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});

  private static String endpoint() {
    return "http://127.0.0.1:9/push/" + UUID.randomUUID();
  }

  private static String body(String endpoint, String p256dh, String auth) {
    return "{\"endpoint\":\"" + endpoint + "\",\"expirationTime\":null,\"keys\":{\"p256dh\":\"" + p256dh
        + "\",\"auth\":\"" + auth + "\"}}";
  }

  private static String user() {
    return "user-" + UUID.randomUUID();
  }

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  private static JsonNode problem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    return JSON.readTree(r.body());
  }

  private static String subscribe(String token, String body) throws Exception {
    return ok(herald.call("POST", "/api/push/subscriptions", token, body), 201).get("id").asText();
  }

  private static JsonNode list(TestHerald node, String token) throws Exception {
    return ok(node.call("GET", "/api/push/subscriptions", token, null), 200).get("subscriptions");
  }

  private static long stored(TestHerald node) {
    return ((Number) node.queryDatabase("select count(*) from push_subscription")).longValue();
  }

  @Test
  void theVapidPublicKeyIsAnUncompressedP256PointInBase64url() throws Exception {
    String token = TestHerald.token(user(), "acme");

    String key = ok(herald.call("GET", "/api/push/vapid-public-key", token, null), 200).get("publicKey").asText();

    assertThat(key).matches("[A-Za-z0-9_-]+");
    byte[] raw = Base64.getUrlDecoder().decode(key);
    assertThat(raw).hasSize(65);
    assertThat(P256Keys.point(raw)).isNotNull();
    assertThat(ok(herald.call("GET", "/api/push/vapid-public-key", token, null), 200).get("publicKey").asText())
        .isEqualTo(key);
    problem(herald.call("GET", "/api/push/vapid-public-key", null, null), 401);
  }

  @Test
  void aSubscriptionIsStoredAndListedWithoutItsKeys() throws Exception {
    String token = TestHerald.token(user(), "acme");
    String endpoint = endpoint();
    String agent = "Mozilla/5.0 " + "x".repeat(400);
    HttpResponse<String> created = herald.send(HttpRequest.newBuilder(URI.create(herald.url() + "/api/push/subscriptions"))
        .header("authorization", "Bearer " + token).header("content-type", "application/json")
        .header("user-agent", agent)
        .POST(HttpRequest.BodyPublishers.ofString("{\"endpoint\":\"" + endpoint + "\",\"expirationTime\":1893456000000,"
            + "\"keys\":{\"p256dh\":\"" + p256dh() + "\",\"auth\":\"" + AUTH + "\"},\"extra\":\"ignored\"}"))
        .build());
    String id = ok(created, 201).get("id").asText();

    JsonNode listed = list(herald, token);

    assertThat(listed).hasSize(1);
    JsonNode s = listed.get(0);
    assertThat(s.get("id").asText()).isEqualTo(id);
    assertThat(s.get("endpoint").asText()).isEqualTo(endpoint);
    assertThat(s.get("expirationTime").asLong()).isEqualTo(1_893_456_000_000L);
    assertThat(s.get("createdAt").asText()).endsWith("Z");
    assertThat(s.get("userAgent").asText()).isEqualTo(agent.substring(0, 300));
    assertThat(s.has("keys")).isFalse();
    assertThat(s.has("p256dh")).isFalse();
    assertThat(s.has("auth")).isFalse();
    assertThat(herald.queryDatabase("select tenant_id from push_subscription where id = ?::uuid", id)).isEqualTo("acme");
  }

  @Test
  void theSameEndpointAgainUpdatesItsKeysAndKeepsOneRowAndItsId() throws Exception {
    String token = TestHerald.token(user(), "acme");
    String endpoint = endpoint();
    String id = subscribe(token, body(endpoint, p256dh(), AUTH));
    String newKey = p256dh();

    JsonNode again = ok(herald.call("POST", "/api/push/subscriptions", token, body(endpoint, newKey, AUTH)), 200);

    assertThat(again.get("id").asText()).isEqualTo(id);
    assertThat(list(herald, token)).hasSize(1);
    assertThat(herald.queryDatabase("select count(*) from push_subscription where endpoint = ?", endpoint))
        .isEqualTo(1L);
    assertThat(herald.queryDatabase("select p256dh from push_subscription where id = ?::uuid", id)).isEqualTo(newKey);
  }

  @Test
  void anotherUsersOrTenantsSubscriptionIsNotListedAndNotFoundForDelete() throws Exception {
    String owner = user();
    String token = TestHerald.token(owner, "acme");
    String id = subscribe(token, body(endpoint(), p256dh(), AUTH));
    String otherUser = TestHerald.token(user(), "acme");
    String otherTenant = TestHerald.token(owner, "globex");

    assertThat(list(herald, otherUser)).isEmpty();
    assertThat(list(herald, otherTenant)).isEmpty();
    problem(herald.call("DELETE", "/api/push/subscriptions/" + id, otherUser, null), 404);
    problem(herald.call("DELETE", "/api/push/subscriptions/" + id, otherTenant, null), 404);
    assertThat(list(herald, token)).extracting(s -> s.get("id").asText()).containsExactly(id);
  }

  @Test
  void theOwnerDeletesASubscriptionOnce() throws Exception {
    String token = TestHerald.token(user(), "acme");
    String id = subscribe(token, body(endpoint(), p256dh(), AUTH));

    assertThat(herald.call("DELETE", "/api/push/subscriptions/" + id, token, null).statusCode()).isEqualTo(204);

    assertThat(list(herald, token)).isEmpty();
    assertThat(herald.queryDatabase("select count(*) from push_subscription where id = ?::uuid", id)).isEqualTo(0L);
    problem(herald.call("DELETE", "/api/push/subscriptions/" + id, token, null), 404);
    problem(herald.call("DELETE", "/api/push/subscriptions/not-a-uuid", token, null), 404);
  }

  @Test
  void everyRouteWantsAUserToken() throws Exception {
    problem(herald.call("POST", "/api/push/subscriptions", null, body(endpoint(), p256dh(), AUTH)), 401);
    problem(herald.call("GET", "/api/push/subscriptions", null, null), 401);
    problem(herald.call("DELETE", "/api/push/subscriptions/" + UUID.randomUUID(), "not-a-token", null), 401);
    problem(herald.call("GET", "/api/push/subscriptions", TestHerald.API_KEY, null), 401);
  }

  static Stream<Arguments> badBodies() {
    String key = p256dh();
    byte[] offCurve = Base64.getUrlDecoder().decode(key);
    offCurve[64] ^= 1;
    String ep = "http://127.0.0.1:9/push/bad";
    return Stream.of(
        Arguments.of("not JSON", "{\"endpoint\":", null),
        Arguments.of("an array", "[]", null),
        Arguments.of("no endpoint", "{\"keys\":{\"p256dh\":\"" + key + "\",\"auth\":\"" + AUTH + "\"}}", "endpoint"),
        Arguments.of("an ftp endpoint", body("ftp://127.0.0.1/push", key, AUTH), "endpoint"),
        Arguments.of("an endpoint of 2049 characters", body(ep + "x".repeat(2049 - ep.length()), key, AUTH), "endpoint"),
        Arguments.of("no keys", "{\"endpoint\":\"" + ep + "\"}", "keys"),
        Arguments.of("a p256dh of 64 bytes", body(ep, P256Keys.base64url(new byte[64]), AUTH), "keys.p256dh"),
        Arguments.of("a p256dh off the curve", body(ep, P256Keys.base64url(offCurve), AUTH), "keys.p256dh"),
        Arguments.of("a p256dh not base64url", body(ep, "not+base64/", AUTH), "keys.p256dh"),
        Arguments.of("an auth of 15 bytes", body(ep, key, P256Keys.base64url(new byte[15])), "keys.auth"),
        Arguments.of("no auth", "{\"endpoint\":\"" + ep + "\",\"keys\":{\"p256dh\":\"" + key + "\"}}", "keys.auth"),
        Arguments.of("an expirationTime string", "{\"endpoint\":\"" + ep + "\",\"expirationTime\":\"tomorrow\","
            + "\"keys\":{\"p256dh\":\"" + key + "\",\"auth\":\"" + AUTH + "\"}}", "expirationTime"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void aBadBodyIsRefusedWith400NamingTheFieldAndNothingIsStored(String what, String body, String field)
      throws Exception {
    String token = TestHerald.token(user(), "acme");
    long before = stored(herald);

    JsonNode p = problem(herald.call("POST", "/api/push/subscriptions", token, body), 400);

    if (field != null) {
      assertThat(p.get("errors")).extracting(e -> e.get("field").asText()).contains(field);
    }
    assertThat(list(herald, token)).isEmpty();
    assertThat(stored(herald)).isEqualTo(before);
  }

  @Test
  void aNodeAsDeployedRefusesPrivateAndPlainHttpEndpoints() throws Exception {
    String token = TestHerald.token(user(), "acme");

    JsonNode loopback = problem(strict.call("POST", "/api/push/subscriptions", token,
        body("https://127.0.0.1/push/1", p256dh(), AUTH)), 400);
    JsonNode plain = problem(strict.call("POST", "/api/push/subscriptions", token,
        body("http://push.example.com/1", p256dh(), AUTH)), 400);

    assertThat(loopback.get("errors").get(0).get("field").asText()).isEqualTo("endpoint");
    assertThat(loopback.get("detail").asText()).contains("loopback");
    assertThat(plain.get("errors").get(0).get("field").asText()).isEqualTo("endpoint");
    assertThat(plain.get("detail").asText()).contains("https");
    assertThat(stored(strict)).isZero();
  }

  @Test
  void aUserHoldsAtMostFiftySubscriptionsButMayStillRenewOne() throws Exception {
    String token = TestHerald.token(user(), "acme");
    String first = endpoint();
    subscribe(token, body(first, p256dh(), AUTH));
    for (int i = 1; i < 50; i++) {
      subscribe(token, body(endpoint(), p256dh(), AUTH));
    }

    JsonNode refused = problem(herald.call("POST", "/api/push/subscriptions", token, body(endpoint(), p256dh(), AUTH)),
        409);

    assertThat(refused.get("detail").asText()).contains("at most 50");
    assertThat(list(herald, token)).hasSize(50);
    ok(herald.call("POST", "/api/push/subscriptions", token, body(first, p256dh(), AUTH)), 200);
  }

  @Test
  void concurrentSubscribesOfOneUserStopAtFiftyExactly() throws Exception {
    String token = TestHerald.token(user(), "acme");
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 70; i++) {
        String body = body(endpoint(), p256dh(), AUTH);
        answers.add(clients.submit(() -> herald.call("POST", "/api/push/subscriptions", token, body).statusCode()));
      }
      int created = 0;
      int refused = 0;
      for (java.util.concurrent.Future<Integer> a : answers) {
        int status = a.get();
        created += status == 201 ? 1 : 0;
        refused += status == 409 ? 1 : 0;
      }
      assertThat(created).isEqualTo(50);
      assertThat(refused).isEqualTo(20);
      assertThat(list(herald, token)).hasSize(50);
    } finally {
      clients.shutdownNow();
    }
  }
}
