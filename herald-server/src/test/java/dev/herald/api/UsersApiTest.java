package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /api/users}: the user directory, inline recipients, token claims, GDPR erasure and export. */
class UsersApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACME = TestHerald.ACME_KEY;
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of("HERALD_MAX_HTTP_BODY_BYTES", "65536"));

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  private static long count(String sql, Object... params) {
    return ((Number) herald.queryDatabase(sql, params)).longValue();
  }

  private static long directoryRows(String tenant, String user) {
    return count("select count(*) from directory_user where tenant_id = ? and user_id = ?", tenant, user);
  }

  /** What each table holds of {@code user} in acme: rows by table. */
  private static Map<String, Long> held(String user) {
    Map<String, Long> out = new java.util.TreeMap<>();
    out.put("notification", count("select count(*) from notification where tenant_id = 'acme' and recipient = ?", user));
    out.put("delivery_job", count("select count(*) from delivery_job where tenant_id = 'acme' and recipient = ?", user));
    out.put("delivery_log", count("select count(*) from delivery_log l join notification n on n.id = l.notification_id "
        + "where n.tenant_id = 'acme' and n.recipient = ?", user));
    out.put("recipient_sequence", count("select count(*) from recipient_sequence where tenant_id = 'acme' "
        + "and recipient = ?", user));
    out.put("notification_preference", count("select count(*) from notification_preference where tenant_id = 'acme' "
        + "and user_id = ?", user));
    out.put("directory_user", directoryRows("acme", user));
    return out;
  }

  /** Creates one notification for each of {@code recipients} (JSON array text) in acme; the create answer. */
  private static JsonNode notify(String recipients, String extra) throws Exception {
    return ok(herald.call("POST", "/api/notifications", ACME, "{\"type\":\"user.test\",\"title\":\"Hello\","
        + "\"recipients\":" + recipients + extra + "}"), 201);
  }

  @Test
  void aPutUserReadsBackAndAPutReplacesTheServiceFields() throws Exception {
    JsonNode put = ok(herald.call("PUT", "/api/users/ada", ACME, "{\"email\":\"ada@example.com\",\"name\":\"Ada L\","
        + "\"locale\":\"de_at\",\"timeZone\":\"Europe/Vienna\",\"data\":{\"plan\":\"pro\"}}"), 200);
    assertThat(put.get("id").asText()).isEqualTo("ada");
    assertThat(put.get("email").asText()).isEqualTo("ada@example.com");
    assertThat(put.get("locale").asText()).isEqualTo("de-AT");
    assertThat(put.get("timeZone").asText()).isEqualTo("Europe/Vienna");
    assertThat(put.at("/data/plan").asText()).isEqualTo("pro");
    assertThat(put.at("/sources/email").asText()).isEqualTo("service");
    assertThat(put.get("createdAt").asText()).isNotEmpty();

    JsonNode got = ok(herald.call("GET", "/api/users/ada", ACME, null), 200);
    assertThat(got.get("name").asText()).isEqualTo("Ada L");
    assertThat(got.at("/data/plan").asText()).isEqualTo("pro");

    JsonNode replaced = ok(herald.call("PUT", "/api/users/ada", ACME, "{\"name\":\"Ada Lovelace\"}"), 200);
    assertThat(replaced.get("name").asText()).isEqualTo("Ada Lovelace");
    assertThat(replaced.get("email").isNull()).isTrue();
    assertThat(replaced.get("data").isNull()).isTrue();
    assertThat(replaced.get("createdAt").asText()).isEqualTo(put.get("createdAt").asText());
  }

  @Test
  void badInputIsRefusedAndNothingIsStored() throws Exception {
    record Case(String body, int status, String field) {}
    List<Case> cases = List.of(
        new Case("{\"email\":\"not-an-address\"}", 400, "email"),
        new Case("{\"email\":\"a@b..com\"}", 400, "email"),
        new Case("{\"email\":\"" + "x".repeat(250) + "@example.com\"}", 400, "email"),
        new Case("{\"name\":\"" + "n".repeat(201) + "\"}", 400, "name"),
        new Case("{\"name\":\"line\\nbreak\"}", 400, "name"),
        new Case("{\"timeZone\":\"Mars/Olympus\"}", 400, "timeZone"),
        new Case("{\"locale\":\"not a locale\"}", 400, "locale"),
        new Case("{\"data\":[1,2]}", 400, "data"),
        new Case("{\"data\":{\"blob\":\"" + "d".repeat(17 * 1024) + "\"}}", 400, "data"),
        new Case("{\"email\":42}", 400, "email"),
        new Case("{\"nickname\":\"ada\",\"email\":\"ada@example.com\"}", 422, "nickname"),
        new Case("[]", 400, null),
        new Case("{\"name\":\"" + "x".repeat(70_000) + "\"}", 413, null));
    for (Case c : cases) {
      HttpResponse<String> r = herald.call("PUT", "/api/users/refused", ACME, c.body());
      assertThat(r.statusCode()).as(Fields.abbreviate(c.body()) + " → " + r.body()).isEqualTo(c.status());
      if (c.field() != null) {
        assertThat(JSON.readTree(r.body()).get("errors")).extracting(e -> e.get("field").asText()).contains(c.field());
      }
    }
    assertThat(herald.call("PUT", "/api/users/has%20space", ACME, "{}").statusCode()).isEqualTo(400);
    assertThat(directoryRows("acme", "refused")).isZero();
    assertThat(herald.call("GET", "/api/users/refused", ACME, null).statusCode()).isEqualTo(404);
  }

  @Test
  void anotherTenantsUserIsNotFound() throws Exception {
    ok(herald.call("PUT", "/api/users/walled", ACME, "{\"email\":\"walled@acme.example\"}"), 200);
    assertThat(herald.call("GET", "/api/users/walled?tenant=globex", TestHerald.API_KEY, null).statusCode())
        .isEqualTo(404);
    assertThat(herald.call("GET", "/api/users/walled/export?tenant=globex", TestHerald.API_KEY, null).body())
        .doesNotContain("walled@acme.example");
    assertThat(herald.call("GET", "/api/users/walled?tenant=globex", ACME, null).statusCode()).isEqualTo(403);
    // a global key names the tenant
    assertThat(herald.call("GET", "/api/users/walled", TestHerald.API_KEY, null).statusCode()).isEqualTo(400);
    assertThat(ok(herald.call("GET", "/api/users/walled?tenant=acme", TestHerald.API_KEY, null), 200)
        .get("email").asText()).isEqualTo("walled@acme.example");
    // erasing the same id in another tenant leaves acme's alone
    ok(herald.call("DELETE", "/api/users/walled?tenant=globex", TestHerald.API_KEY, null), 204);
    assertThat(directoryRows("acme", "walled")).isOne();
    assertThat(herald.call("GET", "/api/users/walled", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void deleteErasesEverythingHeraldHoldsAboutTheUserAndNothingOfOthers() throws Exception {
    for (String user : List.of("erased", "kept")) {
      ok(herald.call("PUT", "/api/users/" + user, ACME, "{\"email\":\"" + user + "@example.com\"}"), 200);
      ok(herald.call("PUT", "/api/notifications/preferences", TestHerald.token(user, "acme"),
          "{\"email\":false}"), 200);
    }
    JsonNode created = notify("[\"erased\",\"kept\"]", ",\"deliverVia\":[\"email\",\"push\"]");
    notify("[\"erased\"]", "");
    for (JsonNode n : created.get("notifications")) {
      herald.queryDatabase("insert into delivery_log (notification_id, tenant_id, channel, status) "
          + "values (?::uuid, 'acme', 'email', 'delivered') returning id", n.get("id").asText());
    }
    // every table holds something of both users before (push jobs: the preferences turned email off)
    assertThat(held("erased")).allSatisfy((table, rows) -> assertThat(rows).as(table).isPositive());
    // the engine runs the jobs at once (and logs each attempt): measure once it is done with them
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> count("select count(*) from "
        + "delivery_job where tenant_id = 'acme' and state in ('pending', 'running', 'retrying') and run_at <= now()") == 0);
    Map<String, Long> keptBefore = held("kept");
    assertThat(keptBefore).allSatisfy((table, rows) -> assertThat(rows).as(table).isPositive());
    long logBefore = count("select count(*) from delivery_log l join notification n on n.id = l.notification_id "
        + "where n.recipient = 'kept'");

    // an idempotent create's recorded answer names its recipients: the erased user's goes, others stay
    herald.queryDatabase("insert into idempotency_key (tenant_id, key, request_hash, state, response_status, "
        + "response_body) values ('acme', 'k-erased', '\\x00'::bytea, 'done', 201, ?), ('acme', 'k-kept', '\\x00'::bytea, "
        + "'done', 201, ?) returning key", "{\"notifications\":[{\"id\":\"x\",\"recipient\":\"erased\"}]}",
        "{\"notifications\":[{\"id\":\"y\",\"recipient\":\"kept\"}]}");

    ok(herald.call("DELETE", "/api/users/erased", ACME, null), 204);

    assertThat(count("select count(*) from idempotency_key where key = 'k-erased'")).isZero();
    assertThat(count("select count(*) from idempotency_key where key = 'k-kept'")).isEqualTo(1);

    assertThat(held("erased")).allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
    assertThat(held("kept")).isEqualTo(keptBefore);
    assertThat(count("select count(*) from delivery_log l join notification n on n.id = l.notification_id "
        + "where n.recipient = 'kept'")).isEqualTo(logBefore);
    assertThat(herald.call("GET", "/api/users/erased", ACME, null).statusCode()).isEqualTo(404);
    // this node forgot the erased preferences too (they were cached by the creates): email is on again
    notify("[\"erased\"]", ",\"deliverVia\":[\"email\"]");
    assertThat(count("select count(*) from delivery_job where tenant_id = 'acme' and recipient = 'erased' "
        + "and delivery_channel = 'email'")).isOne();
    // erasing again (nothing stored) is still 204
    ok(herald.call("DELETE", "/api/users/erased", ACME, null), 204);
  }

  @Test
  void theExportHoldsTheEntryPreferencesNotificationsJobsAndLog() throws Exception {
    ok(herald.call("PUT", "/api/users/exported", ACME, "{\"email\":\"exported@example.com\",\"data\":{\"k\":1}}"), 200);
    ok(herald.call("PUT", "/api/notifications/preferences", TestHerald.token("exported", "acme"),
        "{\"push\":false}"), 200);
    JsonNode created = notify("[\"exported\",\"bystander\"]", ",\"deliverVia\":[\"email\"]");
    String id = created.at("/notifications/0/recipient").asText().equals("exported")
        ? created.at("/notifications/0/id").asText() : created.at("/notifications/1/id").asText();
    herald.queryDatabase("insert into delivery_log (notification_id, tenant_id, channel, status, detail) "
        + "values (?::uuid, 'acme', 'email', 'failed', 'mailbox full') returning id", id);
    ok(herald.call("PUT", "/api/notifications/" + id + "/read", TestHerald.token("exported", "acme"), null), 200);

    JsonNode export = ok(herald.call("GET", "/api/users/exported/export", ACME, null), 200);
    assertThat(export.get("userId").asText()).isEqualTo("exported");
    assertThat(export.at("/user/email").asText()).isEqualTo("exported@example.com");
    assertThat(export.at("/user/data/k").asInt()).isEqualTo(1);
    assertThat(export.at("/preferences/document").toString()).contains("push");
    assertThat(export.get("notifications")).hasSize(1);
    JsonNode n = export.at("/notifications/0");
    assertThat(n.get("id").asText()).isEqualTo(id);
    assertThat(n.get("title").asText()).isEqualTo("Hello");
    assertThat(n.get("read_at").isNull()).isFalse();
    assertThat(n.has("seen_at")).isTrue();
    assertThat(n.has("archived_at")).isTrue();
    assertThat(n.get("explain").isNull()).isFalse();
    assertThat(export.get("deliveryJobs")).extracting(j -> j.get("notification_id").asText()).containsExactly(id);
    assertThat(export.get("deliveryLog")).extracting(l -> l.get("detail").asText()).contains("mailbox full");
    assertThat(export.toString()).doesNotContain("bystander");
  }

  @Test
  void inlineRecipientsAreUpsertedWithOnlyTheFieldsGiven() throws Exception {
    ok(herald.call("PUT", "/api/users/inline-b", ACME, "{\"email\":\"old@example.com\",\"name\":\"Bea\"}"), 200);
    JsonNode created = notify("[\"inline-plain\",{\"id\":\"inline-a\",\"email\":\"a@example.com\",\"timeZone\":\"Asia/Tokyo\"},"
        + "{\"id\":\"inline-b\",\"email\":\"new@example.com\"}]", "");
    assertThat(created.get("notifications")).extracting(x -> x.get("recipient").asText())
        .containsExactlyInAnyOrder("inline-plain", "inline-a", "inline-b");
    JsonNode a = ok(herald.call("GET", "/api/users/inline-a", ACME, null), 200);
    assertThat(a.get("email").asText()).isEqualTo("a@example.com");
    assertThat(a.get("timeZone").asText()).isEqualTo("Asia/Tokyo");
    JsonNode b = ok(herald.call("GET", "/api/users/inline-b", ACME, null), 200);
    assertThat(b.get("email").asText()).isEqualTo("new@example.com");
    assertThat(b.get("name").asText()).isEqualTo("Bea");
    // a plain id stores nothing
    assertThat(directoryRows("acme", "inline-plain")).isZero();
  }

  @Test
  void aBadInlineRecipientIsRefusedWithItsPathAndNothingIsCreated() throws Exception {
    HttpResponse<String> r = herald.call("POST", "/api/notifications", ACME, "{\"type\":\"user.test\",\"title\":\"x\","
        + "\"recipients\":[\"bad-1\",{\"id\":\"bad-2\"},{\"id\":\"bad-3\",\"name\":\"ok\"},"
        + "{\"id\":\"bad-4\",\"email\":\"nope\"},{\"email\":\"x@example.com\"},{\"id\":\"bad-6\",\"phone\":\"1\"}]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("errors")).extracting(e -> e.get("field").asText())
        .containsExactlyInAnyOrder("recipients[3].email", "recipients[4].id", "recipients[5].phone");
    assertThat(count("select count(*) from notification where tenant_id = 'acme' and recipient like 'bad-%'")).isZero();
    assertThat(count("select count(*) from directory_user where tenant_id = 'acme' and user_id like 'bad-%'")).isZero();
  }

  @Test
  void tokenClaimsFillTheGapsAndTheServiceValueWins() throws Exception {
    ok(herald.call("PUT", "/api/users/claimer", ACME, "{\"email\":\"service@example.com\"}"), 200);
    String token = tokenWithClaims("claimer", "acme", Map.of("email", "token@example.com", "name", "Claire",
        "zoneinfo", "America/New_York", "locale", "fr-ca"));
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, token)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> "Claire".equals(
          herald.queryDatabase("select claim_name from directory_user where tenant_id = 'acme' and user_id = 'claimer'")));
    }
    JsonNode user = ok(herald.call("GET", "/api/users/claimer", ACME, null), 200);
    assertThat(user.get("email").asText()).isEqualTo("service@example.com");
    assertThat(user.at("/sources/email").asText()).isEqualTo("service");
    assertThat(user.get("name").asText()).isEqualTo("Claire");
    assertThat(user.at("/sources/name").asText()).isEqualTo("token");
    assertThat(user.get("timeZone").asText()).isEqualTo("America/New_York");
    assertThat(user.get("locale").asText()).isEqualTo("fr-CA");
    assertThat(herald.queryDatabase("select claim_email from directory_user where tenant_id = 'acme' and user_id = 'claimer'"))
        .isEqualTo("token@example.com");
    // the email channel's lookup sees the same effective values
    var contact = herald.server().notifications().directory().contact("acme", "claimer")
        .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS).orElseThrow();
    assertThat(contact.email()).isEqualTo("service@example.com");
    assertThat(contact.name()).isEqualTo("Claire");
  }

  @Test
  void malformedClaimsAreIgnoredAndTheConnectionStillOpens() throws Exception {
    String token = tokenWithClaims("sloppy", "acme", Map.of("email", "not an address", "zoneinfo", "Nowhere/Land",
        "name", "Sloppy"));
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, token)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> "Sloppy".equals(
          herald.queryDatabase("select claim_name from directory_user where tenant_id = 'acme' and user_id = 'sloppy'")));
    }
    assertThat(herald.queryDatabase("select coalesce(claim_email, '') || coalesce(claim_time_zone, '') "
        + "from directory_user where tenant_id = 'acme' and user_id = 'sloppy'")).isEqualTo("");
  }

  private static String tokenWithClaims(String sub, String tid, Map<String, String> extra) {
    try {
      var claims = new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(sub).claim("tid", tid)
          .expirationTime(java.util.Date.from(java.time.Instant.now().plus(Duration.ofHours(1))));
      extra.forEach(claims::claim);
      var jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
          claims.build());
      jwt.sign(new com.nimbusds.jose.crypto.MACSigner(TestHerald.SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Short echoes of test bodies in assertion messages. */
  private static final class Fields {
    static String abbreviate(String s) {
      return dev.herald.validation.Fields.abbreviate(s, 80);
    }
  }
}
