package dev.herald.types;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /api/types}: every route, the walls between tenants, and refusals that store nothing. */
class TypesApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DIGEST = "{\"channels\":[\"inApp\",\"email\"],\"email\":{\"when\":\"unread\",\"after\":\"PT15M\"},"
      + "\"digest\":{\"window\":\"PT1H\",\"maxItems\":50},\"throttle\":{\"max\":10,\"per\":\"PT1H\"}}";
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  private static long stored(String type) {
    return ((Number) herald.queryDatabase("select count(*) from notification_type where type = ?", type)).longValue();
  }

  @Test
  void aTenantsTypeIsStoredReplacedReadListedAndDeleted() throws Exception {
    JsonNode created = ok(herald.call("PUT", "/api/types/invoice.due", TestHerald.ACME_KEY, DIGEST), 201);
    assertThat(created.get("type").asText()).isEqualTo("invoice.due");
    assertThat(created.get("tenant").asText()).isEqualTo("acme");
    assertThat(created.get("source").asText()).isEqualTo("tenant");
    assertThat(created.at("/email/after").asText()).isEqualTo("PT15M");
    assertThat(created.at("/digest/maxItems").asInt()).isEqualTo(50);
    assertThat(created.get("critical").asBoolean()).isFalse();
    assertThat(created.get("createdAt").asText()).endsWith("Z");

    JsonNode replaced = ok(herald.call("PUT", "/api/types/invoice.due", TestHerald.ACME_KEY,
        "{\"channels\":[\"push\"],\"critical\":true}"), 200);
    assertThat(replaced.get("createdAt")).isEqualTo(created.get("createdAt"));
    assertThat(replaced.get("critical").asBoolean()).isTrue();
    assertThat(replaced.has("digest")).isFalse();

    JsonNode read = ok(herald.call("GET", "/api/types/invoice.due", TestHerald.ACME_KEY, null), 200);
    assertThat(read.get("channels")).extracting(JsonNode::asText).containsExactly("push");
    JsonNode list = ok(herald.call("GET", "/api/types", TestHerald.ACME_KEY, null), 200);
    assertThat(list.get("types")).extracting(t -> t.get("type").asText()).contains("invoice.due");

    ok(herald.call("DELETE", "/api/types/invoice.due", TestHerald.ACME_KEY, null), 204);
    ok(herald.call("DELETE", "/api/types/invoice.due", TestHerald.ACME_KEY, null), 404);
    JsonNode fallback = ok(herald.call("GET", "/api/types/invoice.due", TestHerald.ACME_KEY, null), 200);
    assertThat(fallback.get("source").asText()).isEqualTo("default");
    assertThat(stored("invoice.due")).isZero();
  }

  @Test
  void aTypeNobodyDefinedIsSeed000sDefault() throws Exception {
    JsonNode t = ok(herald.call("GET", "/api/types/never.defined", TestHerald.ACME_KEY, null), 200);
    assertThat(t.get("source").asText()).isEqualTo("default");
    assertThat(t.get("channels")).extracting(JsonNode::asText).containsExactly("inApp", "push", "email");
    assertThat(t.at("/push/when").asText()).isEqualTo("always");
    assertThat(t.at("/email/when").asText()).isEqualTo("offline");
    assertThat(t.get("tenant").isNull()).isTrue();
    assertThat(t.get("createdAt").isNull()).isTrue();
  }

  @Test
  void oneTenantsTypeIsInvisibleToAnotherButASystemWideOneIsSeenByAllUntilATenantOverridesIt() throws Exception {
    ok(herald.call("PUT", "/api/types/wall.check", TestHerald.ACME_KEY, "{\"channels\":[\"webhook\"]}"), 201);
    JsonNode other = ok(herald.call("GET", "/api/types/wall.check?tenant=beta", TestHerald.API_KEY, null), 200);
    assertThat(other.get("source").asText()).isEqualTo("default");
    assertThat(ok(herald.call("GET", "/api/types?tenant=beta", TestHerald.API_KEY, null), 200).get("types"))
        .extracting(t -> t.get("type").asText()).doesNotContain("wall.check");
    ok(herald.call("DELETE", "/api/types/wall.check?tenant=beta", TestHerald.API_KEY, null), 404);
    // a tenant key cannot reach another tenant
    ok(herald.call("GET", "/api/types/wall.check?tenant=beta", TestHerald.ACME_KEY, null), 403);

    JsonNode system = ok(herald.call("PUT", "/api/types/shared.kind", TestHerald.API_KEY, "{\"channels\":[\"inApp\"]}"), 201);
    assertThat(system.get("tenant").isNull()).isTrue();
    assertThat(system.get("source").asText()).isEqualTo("system");
    assertThat(ok(herald.call("GET", "/api/types/shared.kind?tenant=beta", TestHerald.API_KEY, null), 200)
        .get("source").asText()).isEqualTo("system");
    assertThat(ok(herald.call("GET", "/api/types/shared.kind", TestHerald.ACME_KEY, null), 200)
        .get("source").asText()).isEqualTo("system");
    // a tenant key writes its own, which wins in its tenant only
    ok(herald.call("PUT", "/api/types/shared.kind", TestHerald.ACME_KEY, "{\"channels\":[\"inApp\",\"push\"]}"), 201);
    assertThat(ok(herald.call("GET", "/api/types/shared.kind", TestHerald.ACME_KEY, null), 200).get("source").asText())
        .isEqualTo("tenant");
    JsonNode acmeList = ok(herald.call("GET", "/api/types", TestHerald.ACME_KEY, null), 200);
    assertThat(acmeList.get("types")).filteredOn(t -> t.get("type").asText().equals("shared.kind"))
        .singleElement().satisfies(t -> assertThat(t.get("source").asText()).isEqualTo("tenant"));
    assertThat(ok(herald.call("GET", "/api/types/shared.kind?tenant=beta", TestHerald.API_KEY, null), 200)
        .get("source").asText()).isEqualTo("system");
    // the tenant deleting its own does not touch the system-wide one
    ok(herald.call("DELETE", "/api/types/shared.kind", TestHerald.ACME_KEY, null), 204);
    assertThat(ok(herald.call("GET", "/api/types/shared.kind", TestHerald.ACME_KEY, null), 200).get("source").asText())
        .isEqualTo("system");
  }

  @ParameterizedTest(name = "{0} {1}: {3}")
  @CsvSource(delimiter = '|', value = {
      "PUT|/api/types/bad.input|{\"channels\":[\"sms\"]}|422",
      "PUT|/api/types/bad.input|{\"channels\":[\"email\"],\"email\":{\"when\":\"unread\"}}|422",
      "PUT|/api/types/bad.input|{\"channels\":[\"email\"],\"colour\":1}|422",
      "PUT|/api/types/bad.input|[1]|400",
      "PUT|/api/types/bad.input|{not json|400",
      "PUT|/api/types/bad%20name|{\"channels\":[\"email\"]}|400",
      "PUT|/api/types/bad.input?tenant=beta|{\"channels\":[\"email\"]}|403",
      "GET|/api/types/bad%20name||400",
  })
  void badInputIsRefusedWithProblemJsonAndNothingIsStored(String method, String path, String body, int status)
      throws Exception {
    HttpResponse<String> r = herald.call(method, path, TestHerald.ACME_KEY, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(stored("bad.input")).isZero();
    assertThat(stored("bad name")).isZero();
  }

  @Test
  void aRefusedReplacementKeepsTheStoredDefinition() throws Exception {
    ok(herald.call("PUT", "/api/types/kept.one", TestHerald.ACME_KEY, "{\"channels\":[\"push\"]}"), 201);
    JsonNode refusal = ok(herald.call("PUT", "/api/types/kept.one", TestHerald.ACME_KEY,
        "{\"channels\":[\"push\"],\"push\":{\"when\":\"unread\",\"after\":\"P30D\"}}"), 422);
    assertThat(refusal.get("errors")).extracting(e -> e.get("field").asText()).containsExactly("push.after");
    assertThat(ok(herald.call("GET", "/api/types/kept.one", TestHerald.ACME_KEY, null), 200).has("push")).isFalse();
  }

  @Test
  void noKeyIs401() {
    assertThat(herald.call("GET", "/api/types", null, null).statusCode()).isEqualTo(401);
    assertThat(herald.call("PUT", "/api/types/x", null, "{\"channels\":[\"push\"]}").statusCode()).isEqualTo(401);
  }
}
