package dev.herald.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /api/templates} and notifications rendered from templates. */
class TemplatesApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  private static JsonNode create(String key, String query, String body) throws Exception {
    return ok(herald.call("POST", "/api/templates" + query, key, body), 201);
  }

  private static JsonNode notify(String key, String body) throws Exception {
    return ok(herald.call("POST", "/api/notifications", key, body), 201);
  }

  private static JsonNode latest(String user, String tenant) throws Exception {
    JsonNode page = ok(herald.call("GET", "/api/notifications?limit=1", TestHerald.token(user, tenant), null), 200);
    return page.at("/notifications/0");
  }

  @Test
  void aTemplateIsVersionedAndEveryVersionStaysReadable() throws Exception {
    JsonNode v1 = create(TestHerald.ACME_KEY, "", "{\"name\":\"invoice.due\",\"deliveryChannel\":\"inApp\","
        + "\"title\":\"Invoice {{number}} is due\",\"message\":\"Pay {{amount}} by {{date}}\"}");
    assertThat(v1.get("version").asInt()).isEqualTo(1);
    assertThat(v1.get("tenant").asText()).isEqualTo("acme");
    assertThat(v1.get("variables")).hasSize(3);
    String id = v1.get("id").asText();
    JsonNode v2 = ok(herald.call("PUT", "/api/templates/" + id, TestHerald.ACME_KEY,
        "{\"title\":\"Invoice {{number}}: due now\",\"message\":\"Pay {{amount}}\"}"), 200);
    assertThat(v2.get("version").asInt()).isEqualTo(2);
    assertThat(v2.get("id").asText()).isEqualTo(id);
    JsonNode versions = ok(herald.call("GET", "/api/templates/" + id + "/versions", TestHerald.ACME_KEY, null), 200);
    assertThat(versions.get("templates")).extracting(t -> t.get("version").asInt()).containsExactly(2, 1);
    JsonNode old = ok(herald.call("GET", "/api/templates/" + id + "/versions/1", TestHerald.ACME_KEY, null), 200);
    assertThat(old.get("title").asText()).isEqualTo("Invoice {{number}} is due");
    assertThat(ok(herald.call("GET", "/api/templates/" + id, TestHerald.ACME_KEY, null), 200).get("version").asInt())
        .isEqualTo(2);
    // the same name, channel and locale again is a conflict that points at the existing one
    HttpResponse<String> again = herald.call("POST", "/api/templates", TestHerald.ACME_KEY,
        "{\"name\":\"invoice.due\",\"deliveryChannel\":\"inApp\",\"title\":\"x\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains(id);
  }

  @Test
  void aTemplateThatDoesNotParseIsRefusedWithLineAndColumnAndTheStoredOneStays() throws Exception {
    String id = create(TestHerald.ACME_KEY, "", "{\"name\":\"parse.check\",\"deliveryChannel\":\"email\","
        + "\"title\":\"Hello {{name}}\",\"html\":\"<p>{{name}}</p>\"}").get("id").asText();
    HttpResponse<String> bad = herald.call("PUT", "/api/templates/" + id, TestHerald.ACME_KEY,
        "{\"title\":\"Hello {{name}}\",\"html\":\"<ul>\\n  {{#items}}<li>{{.}}</li>\\n</ul>\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode error = JSON.readTree(bad.body()).at("/errors/0");
    assertThat(error.get("field").asText()).isEqualTo("html");
    assertThat(error.get("line").asInt()).isEqualTo(2);
    assertThat(error.get("column").asInt()).isEqualTo(3);
    JsonNode stored = ok(herald.call("GET", "/api/templates/" + id, TestHerald.ACME_KEY, null), 200);
    assertThat(stored.get("version").asInt()).isEqualTo(1);
    assertThat(stored.get("html").asText()).isEqualTo("<p>{{name}}</p>");
    // and a bad one is never created
    HttpResponse<String> badNew = herald.call("POST", "/api/templates", TestHerald.ACME_KEY,
        "{\"name\":\"parse.never\",\"title\":\"{{/oops}}\"}");
    assertThat(badNew.statusCode()).isEqualTo(400);
    assertThat(ok(herald.call("GET", "/api/templates?name=parse.never", TestHerald.ACME_KEY, null), 200)
        .get("templates")).isEmpty();
  }

  @Test
  void previewRendersSampleDataEscapesEmailHtmlOnlyAndReportsMissingVariables() throws Exception {
    String email = create(TestHerald.ACME_KEY, "", "{\"name\":\"comment.new\",\"deliveryChannel\":\"email\","
        + "\"title\":\"{{author}} commented\",\"message\":\"{{author}}: {{text}}\","
        + "\"html\":\"<p><b>{{author}}</b>: {{text}}</p><a href=\\\"{{url}}\\\">open</a>\"}").get("id").asText();
    String push = create(TestHerald.ACME_KEY, "", "{\"name\":\"comment.new\",\"deliveryChannel\":\"push\","
        + "\"title\":\"{{author}} commented\",\"message\":\"{{text}}\"}").get("id").asText();
    String sample = "{\"data\":{\"author\":\"Ann & Bob\",\"text\":\"<script>alert(1)</script>\"}}";
    JsonNode e = ok(herald.call("POST", "/api/templates/" + email + "/preview", TestHerald.ACME_KEY, sample), 200);
    assertThat(e.get("html").asText()).isEqualTo("<p><b>Ann &amp; Bob</b>: &lt;script&gt;alert(1)&lt;/script&gt;</p>"
        + "<a href=\"\">open</a>");
    assertThat(e.get("title").asText()).isEqualTo("Ann & Bob commented");
    assertThat(e.get("missing")).extracting(JsonNode::asText).containsExactly("url");
    JsonNode p = ok(herald.call("POST", "/api/templates/" + push + "/preview", TestHerald.ACME_KEY, sample), 200);
    assertThat(p.get("message").asText()).isEqualTo("<script>alert(1)</script>");
    assertThat(p.has("html")).isFalse();
    assertThat(p.get("missing")).isEmpty();
    HttpResponse<String> badData = herald.call("POST", "/api/templates/" + push + "/preview", TestHerald.ACME_KEY,
        "{\"data\":[1]}");
    assertThat(badData.statusCode()).isEqualTo(400);
  }

  @Test
  void aNotificationRendersItsTemplateInEachRecipientsLocaleWithFallback() throws Exception {
    String tpl = "{\"name\":\"order.shipped\",\"deliveryChannel\":\"inApp\",\"title\":\"%s {{order}}\",\"message\":\"%s\"%s}";
    create(TestHerald.ACME_KEY, "", tpl.formatted("Order", "On its way", ""));
    String de = create(TestHerald.ACME_KEY, "", tpl.formatted("Bestellung", "Unterwegs", ",\"locale\":\"de\""))
        .get("id").asText();
    create(TestHerald.ACME_KEY, "", tpl.formatted("Commande", "En route", ",\"locale\":\"fr\""));
    // de-AT from the preferences, fr from the token's locale claim, nothing for the third
    ok(herald.call("PUT", "/api/notifications/preferences", TestHerald.token("tpl-at", "acme"), "{\"locale\":\"de-AT\"}"),
        200);
    try (JsonWsRecorder fr = JsonWsRecorder.connect(herald, TestHerald.tokenWithLocale("tpl-fr", "acme", "fr"))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> "fr".equals(herald.queryDatabase(
          "select token_locale from notification_preference where tenant_id = 'acme' and user_id = 'tpl-fr'")));
      JsonNode created = notify(TestHerald.ACME_KEY, "{\"type\":\"order.shipped\",\"template\":\"order.shipped\","
          + "\"recipients\":[\"tpl-at\",\"tpl-fr\",\"tpl-none\"],\"data\":{\"order\":\"A-17\"}}");
      assertThat(latest("tpl-at", "acme").get("title").asText()).isEqualTo("Bestellung A-17");
      assertThat(latest("tpl-at", "acme").get("message").asText()).isEqualTo("Unterwegs");
      assertThat(latest("tpl-fr", "acme").get("title").asText()).isEqualTo("Commande A-17");
      assertThat(latest("tpl-none", "acme").get("title").asText()).isEqualTo("Order A-17");
      // the live copy is the rendered one too
      assertThat(fr.next().get("title").asText()).isEqualTo("Commande A-17");
      // the explanation names the template version and where the locale came from
      String atId = created.at("/notifications/0/id").asText();
      JsonNode view = ok(herald.call("GET", "/api/admin/notifications/" + atId, TestHerald.ACME_KEY, null), 200);
      assertThat(view.at("/explain/template/id").asText()).isEqualTo(de);
      assertThat(view.at("/explain/template/locale").asText()).isEqualTo("de");
      assertThat(view.at("/explain/locale").asText()).isEqualTo("de-AT");
      assertThat(view.at("/explain/localeFrom").asText()).isEqualTo("preferences");
    }
    // the request's locale wins over everyone's own
    notify(TestHerald.ACME_KEY, "{\"type\":\"order.shipped\",\"template\":\"order.shipped\",\"locale\":\"fr-CA\","
        + "\"recipients\":[\"tpl-at\"],\"data\":{\"order\":\"B-2\"}}");
    assertThat(latest("tpl-at", "acme").get("title").asText()).isEqualTo("Commande B-2");
  }

  @Test
  void theNextNotificationUsesTheNewVersionAndADeletedTemplateIsGoneForCreates() throws Exception {
    String id = create(TestHerald.ACME_KEY, "", "{\"name\":\"digest.ready\",\"title\":\"v1 {{n}}\"}").get("id").asText();
    String body = "{\"type\":\"digest.ready\",\"template\":\"digest.ready\",\"recipients\":[\"ver-user\"],"
        + "\"data\":{\"n\":3}}";
    notify(TestHerald.ACME_KEY, body);
    assertThat(latest("ver-user", "acme").get("title").asText()).isEqualTo("v1 3");
    ok(herald.call("PUT", "/api/templates/" + id, TestHerald.ACME_KEY, "{\"title\":\"v2 {{n}}\"}"), 200);
    notify(TestHerald.ACME_KEY, body);
    assertThat(latest("ver-user", "acme").get("title").asText()).isEqualTo("v2 3");
    assertThat(herald.call("DELETE", "/api/templates/" + id, TestHerald.ACME_KEY, null).statusCode()).isEqualTo(204);
    assertThat(herald.call("POST", "/api/notifications", TestHerald.ACME_KEY, body).statusCode()).isEqualTo(422);
  }

  @Test
  void aTemplateThatRendersNothingUsableOrTooMuchIsRefusedAtCreateAndNothingIsStored() throws Exception {
    create(TestHerald.ACME_KEY, "", "{\"name\":\"blank.title\",\"title\":\"{{who}}\"}");
    HttpResponse<String> blank = herald.call("POST", "/api/notifications", TestHerald.ACME_KEY,
        "{\"type\":\"x\",\"template\":\"blank.title\",\"recipients\":[\"bomb-user\"]}");
    assertThat(blank.statusCode()).isEqualTo(422);
    assertThat(blank.body()).contains("blank title", "missing: who");
    create(TestHerald.ACME_KEY, "", "{\"name\":\"nested.loops\",\"title\":\"t\","
        + "\"message\":\"{{#a}}{{#a}}{{#a}}{{#a}}.{{/a}}{{/a}}{{/a}}{{/a}}\"}");
    String many = "[" + "0,".repeat(5_000) + "0]";
    HttpResponse<String> bomb = herald.call("POST", "/api/notifications", TestHerald.ACME_KEY,
        "{\"type\":\"x\",\"template\":\"nested.loops\",\"recipients\":[\"bomb-user\"],\"data\":{\"a\":" + many + "}}");
    assertThat(bomb.statusCode()).isEqualTo(422);
    assertThat(bomb.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode page = ok(herald.call("GET", "/api/notifications", TestHerald.token("bomb-user", "acme"), null), 200);
    assertThat(page.at("/pagination/total").asInt()).isZero();
  }

  @Test
  void badRequestsAreAnsweredWithProblemsAndChangeNothing() throws Exception {
    String id = create(TestHerald.ACME_KEY, "", "{\"name\":\"bad.input\",\"title\":\"ok\"}").get("id").asText();
    record Case(String method, String path, String body, int status) {}
    List<Case> cases = List.of(
        new Case("POST", "/api/templates", "{\"name\":", 400),
        new Case("POST", "/api/templates", "[1,2]", 400),
        new Case("POST", "/api/templates", "{\"name\":\"x\",\"title\":\"t\",\"name\":\"y\"}", 400),
        new Case("POST", "/api/templates", "{\"name\":\"x y\",\"title\":\"t\",\"deliveryChannel\":\"sms\","
            + "\"locale\":\"not a locale\",\"colour\":1}", 400),
        new Case("POST", "/api/templates", "{\"name\":\"big\",\"title\":\"" + "x".repeat(1_100_000) + "\"}", 413),
        new Case("PUT", "/api/templates/" + id, "{\"title\":7}", 400),
        new Case("PUT", "/api/templates/" + id, "{\"name\":\"renamed\",\"title\":\"t\"}", 400),
        new Case("PATCH", "/api/templates/" + id, "{}", 405),
        new Case("GET", "/api/templates/not-a-uuid", null, 404),
        new Case("GET", "/api/templates/" + id + "/versions/0", null, 404),
        new Case("GET", "/api/templates/" + id + "/versions/99", null, 404),
        new Case("POST", "/api/templates/" + id + "/preview", "{\"version\":\"one\"}", 400),
        new Case("GET", "/api/templates?deliveryChannel=fax", null, 400),
        new Case("GET", "/api/admin/notifications/not-a-uuid", null, 404),
        new Case("PUT", "/api/tenant/preferences", "{\"inApp\":", 400),
        new Case("DELETE", "/api/tenant/preferences", null, 405));
    for (Case c : cases) {
      HttpResponse<String> r = herald.call(c.method(), c.path(), TestHerald.ACME_KEY, c.body());
      assertThat(r.statusCode()).as(c.method() + " " + c.path() + " " + abbreviate(c.body())).isEqualTo(c.status());
      assertThat(r.headers().firstValue("content-type")).as(c.path()).hasValue("application/problem+json");
    }
    JsonNode many = JSON.readTree(herald.call("POST", "/api/templates", TestHerald.ACME_KEY, cases.get(3).body()).body());
    assertThat(many.get("errors")).extracting(e -> e.get("field").asText())
        .contains("name", "deliveryChannel", "locale", "colour");
    JsonNode stored = ok(herald.call("GET", "/api/templates/" + id, TestHerald.ACME_KEY, null), 200);
    assertThat(stored.get("version").asInt()).isEqualTo(1);
    assertThat(stored.get("title").asText()).isEqualTo("ok");
  }

  /**
   * Issue 11, defect 5: seed 003's template table names its fields {@code type}, {@code channel},
   * {@code subject_template}, {@code content_template} and {@code variables}; a body in those names
   * was refused. Accepted as aliases; answers keep Herald's names.
   */
  @Test
  void aTemplateInSeed003sFieldNamesIsCreatedSavedAndRendered() throws Exception {
    JsonNode created = create(TestHerald.ACME_KEY, "", "{\"type\":\"seed.order_shipped\",\"channel\":\"inApp\","
        + "\"subject_template\":\"Order {{orderId}} shipped\",\"content_template\":\"Order {{orderId}} is on its way\","
        + "\"variables\":[\"orderId\"]}");
    assertThat(created.get("name").asText()).isEqualTo("seed.order_shipped");
    assertThat(created.get("deliveryChannel").asText()).isEqualTo("inApp");
    assertThat(created.get("title").asText()).isEqualTo("Order {{orderId}} shipped");
    assertThat(created.get("message").asText()).isEqualTo("Order {{orderId}} is on its way");
    assertThat(created.get("variables")).extracting(JsonNode::asText).containsExactly("orderId");
    notify(TestHerald.ACME_KEY, "{\"type\":\"seed.order_shipped\",\"template\":\"seed.order_shipped\","
        + "\"recipients\":[\"seed-user\"],\"data\":{\"orderId\":\"A-1\"}}");
    assertThat(latest("seed-user", "acme").get("title").asText()).isEqualTo("Order A-1 shipped");
    assertThat(latest("seed-user", "acme").get("message").asText()).isEqualTo("Order A-1 is on its way");

    String id = created.get("id").asText();
    JsonNode v2 = ok(herald.call("PUT", "/api/templates/" + id, TestHerald.ACME_KEY,
        "{\"type\":\"seed.order_shipped\",\"subject_template\":\"Shipped: {{orderId}}\"}"), 200);
    assertThat(v2.get("version").asInt()).isEqualTo(2);
    assertThat(v2.get("title").asText()).isEqualTo("Shipped: {{orderId}}");
    JsonNode listed = ok(herald.call("GET", "/api/templates?type=seed.order_shipped&channel=inApp",
        TestHerald.ACME_KEY, null), 200);
    assertThat(listed.get("templates")).extracting(t -> t.get("id").asText()).containsExactly(id);
  }

  /** Issue 11, defect 5: one field under both its names is refused, and the answer names both. */
  @Test
  void aFieldGivenUnderBothItsNamesIsRefusedNamingBoth() throws Exception {
    HttpResponse<String> both = herald.call("POST", "/api/templates", TestHerald.ACME_KEY,
        "{\"name\":\"both.names\",\"type\":\"both.names\",\"title\":\"a\",\"subject_template\":\"b\"}");
    assertThat(both.statusCode()).isEqualTo(400);
    JsonNode errors = JSON.readTree(both.body()).get("errors");
    assertThat(errors).extracting(e -> e.get("message").asText())
        .anySatisfy(m -> assertThat(m).contains("name").contains("type"))
        .anySatisfy(m -> assertThat(m).contains("title").contains("subject_template"));
    HttpResponse<String> badSeedField = herald.call("POST", "/api/templates", TestHerald.ACME_KEY,
        "{\"type\":\"bad.seed\",\"subject_template\":7,\"variables\":\"orderId\"}");
    assertThat(badSeedField.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badSeedField.body()).get("errors")).extracting(e -> e.get("field").asText())
        .as("errors name the field as it was sent").contains("subject_template", "variables");
    assertThat(herald.call("GET", "/api/templates?name=both.names", TestHerald.ACME_KEY, null).body())
        .contains("\"templates\":[]");
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  @Test
  void aTenantsTemplateOverridesTheSystemOneOnlyInThatTenant() throws Exception {
    create(TestHerald.API_KEY, "", "{\"name\":\"welcome\",\"title\":\"Welcome, {{name}}\"}");
    create(TestHerald.ACME_KEY, "", "{\"name\":\"welcome\",\"title\":\"Welcome to Acme, {{name}}\"}");
    notify(TestHerald.API_KEY, "{\"tenant\":\"acme\",\"type\":\"welcome\",\"template\":\"welcome\","
        + "\"recipients\":[\"w1\"],\"data\":{\"name\":\"Ann\"}}");
    notify(TestHerald.API_KEY, "{\"tenant\":\"globex\",\"type\":\"welcome\",\"template\":\"welcome\","
        + "\"recipients\":[\"w1\"],\"data\":{\"name\":\"Ann\"}}");
    assertThat(latest("w1", "acme").get("title").asText()).isEqualTo("Welcome to Acme, Ann");
    assertThat(latest("w1", "globex").get("title").asText()).isEqualTo("Welcome, Ann");
  }

  @Test
  void aTenantKeyReadsSystemTemplatesButCannotChangeThemNorSeeAnotherTenants() throws Exception {
    String system = create(TestHerald.API_KEY, "", "{\"name\":\"sys.notice\",\"title\":\"Notice\"}").get("id").asText();
    String globex = create(TestHerald.API_KEY, "?tenant=globex", "{\"name\":\"gx.notice\",\"title\":\"Gx\"}")
        .get("id").asText();
    assertThat(herald.call("GET", "/api/templates/" + system, TestHerald.ACME_KEY, null).statusCode()).isEqualTo(200);
    assertThat(herald.call("POST", "/api/templates/" + system + "/preview", TestHerald.ACME_KEY, "{}").statusCode())
        .isEqualTo(200);
    HttpResponse<String> change = herald.call("PUT", "/api/templates/" + system, TestHerald.ACME_KEY, "{\"title\":\"Mine\"}");
    assertThat(change.statusCode()).isEqualTo(403);
    assertThat(herald.call("DELETE", "/api/templates/" + system, TestHerald.ACME_KEY, null).statusCode()).isEqualTo(403);
    assertThat(herald.call("GET", "/api/templates/" + globex, TestHerald.ACME_KEY, null).statusCode()).isEqualTo(404);
    assertThat(herald.call("DELETE", "/api/templates/" + globex, TestHerald.ACME_KEY, null).statusCode()).isEqualTo(404);
    assertThat(herald.call("GET", "/api/templates?tenant=globex", TestHerald.ACME_KEY, null).statusCode()).isEqualTo(403);
    assertThat(herald.call("GET", "/api/templates", null, null).statusCode()).isEqualTo(401);
    assertThat(ok(herald.call("GET", "/api/templates/" + system, TestHerald.API_KEY, null), 200).get("title").asText())
        .isEqualTo("Notice");
    // the owner deletes; then it is gone
    assertThat(herald.call("DELETE", "/api/templates/" + globex, TestHerald.API_KEY, null).statusCode())
        .as("a global key without ?tenant= works on system-wide templates only").isEqualTo(404);
    assertThat(herald.call("DELETE", "/api/templates/" + globex + "?tenant=globex", TestHerald.API_KEY, null)
        .statusCode()).isEqualTo(204);
    assertThat(herald.call("GET", "/api/templates/" + globex + "?tenant=globex", TestHerald.API_KEY, null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aNotificationNamingATemplateThatDoesNotExistIsRefusedAndNothingIsStored() throws Exception {
    HttpResponse<String> r = herald.call("POST", "/api/notifications", TestHerald.ACME_KEY,
        "{\"type\":\"ghost\",\"template\":\"no.such\",\"recipients\":[\"ghost-user\"]}");
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode page = ok(herald.call("GET", "/api/notifications", TestHerald.token("ghost-user", "acme"), null), 200);
    assertThat(page.at("/pagination/total").asInt()).isZero();
    // without a template, title stays required
    assertThat(herald.call("POST", "/api/notifications", TestHerald.ACME_KEY,
        "{\"type\":\"ghost\",\"recipients\":[\"ghost-user\"]}").statusCode()).isEqualTo(400);
  }
}
