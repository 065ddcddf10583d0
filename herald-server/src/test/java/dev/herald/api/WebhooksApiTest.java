package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.herald.testing.TestHerald;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /api/webhooks}: endpoints per tenant, secrets, rotation, test-sends and the SSRF guard. */
class WebhooksApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Local receivers are private targets: this node allows them. */
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of("HERALD_ALLOW_PRIVATE_TARGETS", "true"));
  /** A node as deployed: private targets refused. */
  @RegisterExtension
  static final TestHerald strict = TestHerald.perClass();

  private static HttpServer receiver;
  /** {webhook-id, webhook-timestamp, webhook-signature, body} of each request the receiver got. */
  private static final BlockingQueue<String[]> received = new LinkedBlockingQueue<>();

  @BeforeAll
  static void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      var h = exchange.getRequestHeaders();
      received.add(new String[] {h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
          h.getFirst("webhook-signature"), body});
      int status = exchange.getRequestURI().getPath().endsWith("/broken") ? 500 : 204;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterAll
  static void stopReceiver() {
    receiver.stop(0);
  }

  private static String receiverUrl(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
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

  private static JsonNode create(String body) throws Exception {
    return ok(herald.call("POST", "/api/webhooks", TestHerald.ACME_KEY, body), 201);
  }

  private static long stored(TestHerald node) {
    return ((Number) node.queryDatabase("select count(*) from webhook_endpoint")).longValue();
  }

  @Test
  void anEndpointIsCreatedWithAWhsecSecretAndReadBack() throws Exception {
    JsonNode e = create("{\"url\":\"" + receiverUrl("/orders") + "\",\"events\":[\"notification.created\","
        + "\"notification.read\"],\"description\":\"orders service\"}");

    assertThat(e.get("secret").asText()).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(e.get("secret").asText().substring(6))).hasSize(32);
    assertThat(e.get("url").asText()).isEqualTo(receiverUrl("/orders"));
    assertThat(e.get("events")).extracting(JsonNode::asText).containsExactly("notification.created", "notification.read");
    assertThat(e.get("description").asText()).isEqualTo("orders service");
    assertThat(e.get("enabled").asBoolean()).isTrue();
    assertThat(e.get("createdAt").asText()).endsWith("Z");
    JsonNode again = ok(herald.call("GET", "/api/webhooks/" + e.get("id").asText(), TestHerald.ACME_KEY, null), 200);
    assertThat(again.get("secret").asText()).isEqualTo(e.get("secret").asText());
    assertThat(herald.queryDatabase("select tenant_id from webhook_endpoint where id = ?::uuid", e.get("id").asText()))
        .isEqualTo("acme");
  }

  @Test
  void withoutEventsAnEndpointReceivesEveryEvent() throws Exception {
    JsonNode e = create("{\"url\":\"" + receiverUrl("/all") + "\"}");

    assertThat(e.get("events").isNull()).isTrue();
  }

  @Test
  void theListShowsTheTenantsEndpointsWithoutSecrets() throws Exception {
    String id = create("{\"url\":\"" + receiverUrl("/listed") + "\"}").get("id").asText();

    JsonNode list = ok(herald.call("GET", "/api/webhooks", TestHerald.ACME_KEY, null), 200).get("webhooks");

    assertThat(list).extracting(w -> w.get("id").asText()).contains(id);
    assertThat(list).allSatisfy(w -> assertThat(w.has("secret")).isFalse());
    JsonNode viaGlobal = ok(herald.call("GET", "/api/webhooks?tenant=acme", TestHerald.API_KEY, null), 200);
    assertThat(viaGlobal.get("webhooks")).extracting(w -> w.get("id").asText()).contains(id);
    JsonNode otherTenant = ok(herald.call("GET", "/api/webhooks?tenant=globex", TestHerald.API_KEY, null), 200);
    assertThat(otherTenant.get("webhooks")).extracting(w -> w.get("id").asText()).doesNotContain(id);
  }

  @Test
  void aDeletedEndpointIsGone() throws Exception {
    String id = create("{\"url\":\"" + receiverUrl("/deleted") + "\"}").get("id").asText();

    assertThat(herald.call("DELETE", "/api/webhooks/" + id, TestHerald.ACME_KEY, null).statusCode()).isEqualTo(204);

    problem(herald.call("GET", "/api/webhooks/" + id, TestHerald.ACME_KEY, null), 404);
    problem(herald.call("DELETE", "/api/webhooks/" + id, TestHerald.ACME_KEY, null), 404);
    assertThat(herald.queryDatabase("select count(*) from webhook_endpoint where id = ?::uuid", id)).isEqualTo(0L);
  }

  @Test
  void rotatingGivesANewSecretAndKeepsTheOldOneSigningForADay() throws Exception {
    JsonNode before = create("{\"url\":\"" + receiverUrl("/rotated") + "\"}");
    String id = before.get("id").asText();

    JsonNode after = ok(herald.call("POST", "/api/webhooks/" + id + "/rotate-secret", TestHerald.ACME_KEY, null), 200);

    assertThat(after.get("secret").asText()).startsWith("whsec_").isNotEqualTo(before.get("secret").asText());
    assertThat(java.time.Instant.parse(after.get("previousSecretExpiresAt").asText()))
        .isAfter(java.time.Instant.now().plus(java.time.Duration.ofHours(23)));
    assertThat(herald.queryDatabase("select previous_secret from webhook_endpoint where id = ?::uuid", id))
        .isEqualTo(before.get("secret").asText());
    JsonNode test = ok(herald.call("POST", "/api/webhooks/" + id + "/test", TestHerald.ACME_KEY, null), 200);
    assertThat(test.get("delivered").asBoolean()).isTrue();
    String[] r = nextReceived(test.get("webhookId").asText());
    assertThat(r[2].split(" ")).containsExactly(
        "v1," + sign(after.get("secret").asText(), r[0], r[1], r[3]),
        "v1," + sign(before.get("secret").asText(), r[0], r[1], r[3]));
  }

  @Test
  void aTestSendIsSignedAndReported() throws Exception {
    JsonNode e = create("{\"url\":\"" + receiverUrl("/tested") + "\"}");

    JsonNode report = ok(herald.call("POST", "/api/webhooks/" + e.get("id").asText() + "/test",
        TestHerald.ACME_KEY, null), 200);

    assertThat(report.get("delivered").asBoolean()).isTrue();
    assertThat(report.get("status").asInt()).isEqualTo(204);
    assertThat(report.get("durationMs").asLong()).isGreaterThanOrEqualTo(0);
    String[] r = nextReceived(report.get("webhookId").asText());
    assertThat(r[2]).isEqualTo("v1," + sign(e.get("secret").asText(), r[0], r[1], r[3]));
    assertThat(JSON.readTree(r[3]).get("type").asText()).isEqualTo("webhook.test");
  }

  @Test
  void aTestSendToAFailingReceiverReportsItsAnswer() throws Exception {
    JsonNode e = create("{\"url\":\"" + receiverUrl("/broken") + "\"}");

    JsonNode report = ok(herald.call("POST", "/api/webhooks/" + e.get("id").asText() + "/test",
        TestHerald.ACME_KEY, null), 200);

    assertThat(report.get("delivered").asBoolean()).isFalse();
    assertThat(report.get("status").asInt()).isEqualTo(500);
    assertThat(report.get("error").asText()).startsWith("HTTP 500");
  }

  @Test
  void badBodiesAreRefusedAndNothingIsStored() throws Exception {
    long before = stored(herald);
    String url = receiverUrl("/bad");
    String[] bodies = {
        "{not json",
        "[]",
        "",
        "{\"url\":\"" + url + "\",\"secret\":\"whsec_mine\"}",
        "{\"url\":\"ftp://example.com/x\"}",
        "{\"url\":\"not a url\"}",
        "{\"url\":\"https://user:pw@example.com/\"}",
        "{\"url\":42}",
        "{\"events\":[\"notification.created\"]}",
        "{\"url\":\"" + url + "\",\"events\":[\"notification.exploded\"]}",
        "{\"url\":\"" + url + "\",\"events\":\"notification.created\"}",
        "{\"url\":\"" + url + "\",\"events\":[]}",
        "{\"url\":\"" + url + "\",\"description\":\"" + "d".repeat(501) + "\"}",
    };
    for (String body : bodies) {
      JsonNode p = problem(herald.call("POST", "/api/webhooks", TestHerald.ACME_KEY, body), 400);
      assertThat(p.get("detail").asText()).as(body).isNotBlank();
    }
    assertThat(stored(herald)).isEqualTo(before);
  }

  @Test
  void aPrivateTargetIsRefusedWhereItIsNotAllowed() throws Exception {
    long before = stored(strict);

    JsonNode p = problem(strict.call("POST", "/api/webhooks", TestHerald.ACME_KEY,
        "{\"url\":\"http://127.0.0.1:9/hook\"}"), 400);
    JsonNode metadata = problem(strict.call("POST", "/api/webhooks", TestHerald.ACME_KEY,
        "{\"url\":\"http://169.254.169.254/latest/meta-data\"}"), 400);

    assertThat(p.get("detail").asText()).contains("loopback").contains("HERALD_ALLOW_PRIVATE_TARGETS");
    assertThat(p.at("/errors/0/field").asText()).isEqualTo("url");
    assertThat(metadata.get("detail").asText()).contains("link-local");
    assertThat(stored(strict)).isEqualTo(before);
  }

  @Test
  void anotherTenantsEndpointIsNotFound() throws Exception {
    String id = create("{\"url\":\"" + receiverUrl("/walled") + "\"}").get("id").asText();

    problem(herald.call("GET", "/api/webhooks/" + id + "?tenant=globex", TestHerald.API_KEY, null), 404);
    problem(herald.call("DELETE", "/api/webhooks/" + id + "?tenant=globex", TestHerald.API_KEY, null), 404);
    problem(herald.call("POST", "/api/webhooks/" + id + "/rotate-secret?tenant=globex", TestHerald.API_KEY, null), 404);
    problem(herald.call("POST", "/api/webhooks/" + id + "/test?tenant=globex", TestHerald.API_KEY, null), 404);
    ok(herald.call("GET", "/api/webhooks/" + id + "?tenant=acme", TestHerald.API_KEY, null), 200);
    // a tenant key cannot ask for another tenant
    problem(herald.call("GET", "/api/webhooks/" + id + "?tenant=globex", TestHerald.ACME_KEY, null), 403);
  }

  @Test
  void unknownAndMalformedIdsAreNotFound() throws Exception {
    problem(herald.call("GET", "/api/webhooks/0193a5c0-0000-7000-8000-000000000000", TestHerald.ACME_KEY, null), 404);
    problem(herald.call("GET", "/api/webhooks/not-an-id", TestHerald.ACME_KEY, null), 404);
    problem(herald.call("POST", "/api/webhooks/not-an-id/test", TestHerald.ACME_KEY, null), 404);
  }

  @Test
  void aGlobalKeyMustNameTheTenantAndNoKeyIsUnauthorized() throws Exception {
    JsonNode p = problem(herald.call("POST", "/api/webhooks", TestHerald.API_KEY,
        "{\"url\":\"" + receiverUrl("/x") + "\"}"), 400);
    assertThat(p.get("detail").asText()).contains("?tenant=");
    problem(herald.call("GET", "/api/webhooks", null, null), 401);
    ok(herald.call("POST", "/api/webhooks?tenant=globex", TestHerald.API_KEY, "{\"url\":\"" + receiverUrl("/g") + "\"}"),
        201);
  }

  /** The receiver's request of message {@code webhookId}. */
  private static String[] nextReceived(String webhookId) throws InterruptedException {
    for (String[] r; (r = received.poll(10, TimeUnit.SECONDS)) != null; ) {
      if (webhookId.equals(r[0])) {
        return r;
      }
    }
    throw new AssertionError("the receiver got no message " + webhookId);
  }

  /** Standard Webhooks, computed here independently of Herald's code: base64 HMAC-SHA256 of id.timestamp.body. */
  private static String sign(String secret, String id, String timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    return Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body)
        .getBytes(StandardCharsets.UTF_8)));
  }
}
