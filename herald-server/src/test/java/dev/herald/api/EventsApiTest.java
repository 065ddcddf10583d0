package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import dev.herald.testing.JsonWsRecorder;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code POST /api/events} and the node's other HTTP routes, against a real node. */
class EventsApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 20_000;
  private static final int MAX_EVENT = 2_000;
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of(
        "HERALD_MAX_HTTP_BODY_BYTES", String.valueOf(MAX_BODY),
        "HERALD_MAX_EVENT_BYTES", String.valueOf(MAX_EVENT)));

  @Test
  void singleEventIsAcceptedWith202AndItsCount() throws Exception {
    HttpResponse<String> r = herald.publish("{\"room\":\"user:nobody\",\"event\":\"task.created\",\"data\":{}}");

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("{\"accepted\":1}"));
  }

  @Test
  void eventDataReachesClientsExactlyAsPublishedWithoutRoundingOrReordering() throws Exception {
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, TestHerald.token("api-exact", null))) {
      herald.publish("{\"room\":\"user:api-exact\",\"event\":\"price\","
          + "\"data\":{\"z\":[1, 2],\"price\":0.1000000000000000055511151231257827,\"big\":123456789012345678901234567890}}");

      JsonNode data = client.nextEvent("price").path("data");
      assertThat(data.fieldNames()).toIterable().containsExactly("z", "price", "big");
      assertThat(data.get("price").decimalValue())
          .isEqualByComparingTo(new java.math.BigDecimal("0.1000000000000000055511151231257827"));
      assertThat(data.get("big").bigIntegerValue())
          .isEqualTo(new java.math.BigInteger("123456789012345678901234567890"));
    }
  }

  @Test
  void arrayOfEventsIsAcceptedWithItsCountAndDeliveredInOrder() throws Exception {
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, TestHerald.token("api-batch", null, "channel:*"))) {
      client.send("{\"type\":\"subscribe\",\"channels\":[\"batch\"]}");
      client.next("subscribed");

      HttpResponse<String> r = herald.publish("["
          + "{\"room\":\"user:api-batch\",\"event\":\"one\",\"data\":1},"
          + "{\"rooms\":[\"channel:batch\",\"user:api-batch\"],\"event\":\"two\",\"data\":2},"
          + "{\"room\":\"channel:batch\",\"event\":\"three\",\"data\":3}]");

      assertThat(r.statusCode()).isEqualTo(202);
      assertThat(JSON.readTree(r.body()).path("accepted").asInt()).isEqualTo(3);
      assertThat(client.nextEvent("one").path("data").asInt()).isEqualTo(1);
      assertThat(client.nextEvent("two").path("data").asInt()).as("once, though in two of its rooms").isEqualTo(2);
      assertThat(client.nextEvent("three").path("data").asInt()).isEqualTo(3);
    }
  }

  @Test
  void missingApiKeyIsRefusedWith401Problem() throws Exception {
    HttpResponse<String> r = herald.post("/api/events", null, "{\"room\":\"user:x\",\"event\":\"e\"}");

    assertProblem(r, 401);
    assertThat(r.headers().firstValue("www-authenticate")).contains("Bearer");
  }

  @Test
  void wrongApiKeyIsRefusedWith401Problem() throws Exception {
    HttpResponse<String> r = herald.post("/api/events", "wrong-key-wrong-key-wrong-key",
        "{\"room\":\"user:x\",\"event\":\"e\"}");

    assertProblem(r, 401);
  }

  @Test
  void userTokenIsNotAnApiKey() throws Exception {
    HttpResponse<String> r = herald.post("/api/events", TestHerald.token("sneaky", null),
        "{\"room\":\"user:x\",\"event\":\"e\"}");

    assertProblem(r, 401);
  }

  @Test
  void tenantBoundKeyPublishingToAnotherTenantIsForbidden() throws Exception {
    HttpResponse<String> r = herald.post("/api/events", TestHerald.ACME_KEY,
        "{\"tenant\":\"globex\",\"room\":\"user:x\",\"event\":\"e\"}");

    assertProblem(r, 403);
    assertThat(JSON.readTree(r.body()).path("detail").asText()).contains("acme");
  }

  @Test
  void tenantBoundKeyPublishesInsideItsOwnTenant() {
    try (JsonWsRecorder acme = JsonWsRecorder.connect(herald, TestHerald.token("api-acme", "acme"))) {
      HttpResponse<String> r = herald.post("/api/events", TestHerald.ACME_KEY,
          "{\"room\":\"user:api-acme\",\"event\":\"from.acme.key\",\"data\":null}");

      assertThat(r.statusCode()).isEqualTo(202);
      acme.nextEvent("from.acme.key");
    }
  }

  static Stream<Arguments> badEvents() {
    return Stream.of(
        Arguments.of("malformed JSON", "{\"room\":\"user:x\",", "not valid JSON"),
        Arguments.of("a bare string", "\"hello\"", "must be an event object"),
        Arguments.of("missing event", "{\"room\":\"user:x\",\"data\":1}", ".event must be"),
        Arguments.of("reserved event name", "{\"room\":\"user:x\",\"event\":\"connect\"}", "reserved"),
        Arguments.of("room name with a space", "{\"room\":\"user:a b\",\"event\":\"e\"}", "invalid room name"),
        Arguments.of("empty room name", "{\"room\":\"\",\"event\":\"e\"}", "invalid room name"),
        Arguments.of("room name of 201 characters", "{\"room\":\"" + "r".repeat(201) + "\",\"event\":\"e\"}",
            "invalid room name"),
        Arguments.of("room that is not a string", "{\"room\":7,\"event\":\"e\"}", "room must be a string"),
        Arguments.of("no room at all", "{\"event\":\"e\"}", "needs room or rooms"),
        Arguments.of("empty rooms", "{\"rooms\":[],\"event\":\"e\"}", "rooms"),
        Arguments.of("both room and rooms", "{\"room\":\"user:x\",\"rooms\":[\"user:y\"],\"event\":\"e\"}",
            "both room and rooms"),
        Arguments.of("empty array", "[]", "between 1 and"));
  }

  @ParameterizedTest(name = "{0} is refused with 400")
  @MethodSource("badEvents")
  void badInputIsRefusedWith400Problem(String what, String body, String detail) throws Exception {
    HttpResponse<String> r = herald.publish(body);

    assertProblem(r, 400);
    assertThat(JSON.readTree(r.body()).path("detail").asText()).contains(detail);
  }

  @Test
  void bodyOverTheHttpBodyLimitIsRefusedWith413() throws Exception {
    String big = "{\"room\":\"user:x\",\"event\":\"e\",\"data\":\"" + "x".repeat(MAX_BODY) + "\"}";

    assertProblem(herald.publish(big), 413);
  }

  @Test
  void chunkedBodyOverTheHttpBodyLimitIsRefusedWith413() throws Exception {
    byte[] big = ("{\"room\":\"user:x\",\"event\":\"e\",\"data\":\"" + "x".repeat(MAX_BODY) + "\"}").getBytes();
    HttpRequest request = HttpRequest.newBuilder(URI.create(herald.url() + "/api/events"))
        .version(java.net.http.HttpClient.Version.HTTP_1_1)
        .header("authorization", "Bearer " + TestHerald.API_KEY)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
        .build();

    assertProblem(herald.send(request), 413);
  }

  @Test
  void eventDataOverTheEventLimitIsRefusedWith413() throws Exception {
    String body = "{\"room\":\"user:x\",\"event\":\"e\",\"data\":\"" + "x".repeat(MAX_EVENT) + "\"}";

    HttpResponse<String> r = herald.publish(body);

    assertProblem(r, 413);
    assertThat(JSON.readTree(r.body()).path("detail").asText()).contains(String.valueOf(MAX_EVENT));
  }

  @Test
  void eventDataLimitCountsBytesNotCharacters() throws Exception {
    String accented = "é".repeat(MAX_EVENT / 2 + 10);
    String body = "{\"room\":\"user:x\",\"event\":\"e\",\"data\":\"" + accented + "\"}";

    assertProblem(herald.publish(body), 413);
  }

  @Test
  void badItemInAnArrayPublishesNothingOfTheBatch() {
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, TestHerald.token("api-atomic", null))) {
      HttpResponse<String> r = herald.publish("["
          + "{\"room\":\"user:api-atomic\",\"event\":\"first\",\"data\":1},"
          + "{\"room\":\"user:api-atomic\",\"event\":\"second\",\"data\":2},"
          + "{\"room\":\"user:api atomic\",\"event\":\"third\",\"data\":3}]");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("events[2]");

      herald.publish("{\"room\":\"user:api-atomic\",\"event\":\"marker\",\"data\":null}");
      client.nextEvent("marker");
    }
  }

  @Test
  void eventOfOneTenantNeverReachesTheSameUserIdInAnotherTenant() {
    try (JsonWsRecorder inA = JsonWsRecorder.connect(herald, TestHerald.token("same-user", "tenant-a"));
        JsonWsRecorder inB = JsonWsRecorder.connect(herald, TestHerald.token("same-user", "tenant-b"))) {
      herald.publish("{\"tenant\":\"tenant-b\",\"room\":\"user:same-user\",\"event\":\"for.b\",\"data\":1}");
      herald.publish("{\"tenant\":\"tenant-b\",\"room\":\"tenant:tenant-b\",\"event\":\"for.b.tenant\",\"data\":2}");
      inB.nextEvent("for.b");
      inB.nextEvent("for.b.tenant");

      herald.publish("{\"tenant\":\"tenant-a\",\"room\":\"user:same-user\",\"event\":\"for.a\",\"data\":3}");
      assertThat(inA.nextEvent("for.a").path("data").asInt()).as("the first event tenant A sees").isEqualTo(3);
    }
  }

  @Test
  void healthAnswers200WithStatusUp() throws Exception {
    HttpResponse<String> r = herald.get("/health");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    assertThat(JSON.readTree(r.body()).path("status").asText()).isEqualTo("UP");
  }

  @Test
  void metricsExposeConnectionsAndRefusalsInPrometheusFormat() {
    herald.post("/api/events", "wrong-key-wrong-key-wrong-key", "{}");
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, TestHerald.token("api-metrics", null))) {
      HttpResponse<String> r = herald.get("/metrics");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type"))
          .hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
      assertThat(sample(r.body(), "herald_connections\\{transport=\"ws\"}")).isGreaterThanOrEqualTo(1);
      assertThat(sample(r.body(), "herald_refusals_total\\{reason=\"unauthorized\"}")).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void unknownPathIs404Problem() throws Exception {
    assertProblem(herald.get("/no/such/route"), 404);
  }

  @Test
  void getOnTheEventsRouteIs405WithAllow() throws Exception {
    HttpResponse<String> r = herald.get("/api/events");

    assertProblem(r, 405);
    assertThat(r.headers().firstValue("allow")).contains("POST");
  }

  private static void assertProblem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    JsonNode problem = JSON.readTree(r.body());
    assertThat(problem.path("status").asInt()).isEqualTo(status);
    assertThat(problem.path("title").asText()).isNotBlank();
    assertThat(problem.path("detail").asText()).isNotBlank();
  }

  /** The value of the Prometheus sample whose name and labels match {@code series}. */
  private static double sample(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as("%s in\n%s", series, scrape).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
