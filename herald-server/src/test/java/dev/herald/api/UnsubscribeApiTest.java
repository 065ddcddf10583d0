package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.delivery.email.UnsubscribeTokens;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** RFC 8058 one-click unsubscribe at {@code /u/{token}}: the page changes nothing, the POST turns email off. */
class UnsubscribeApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "unsubscribe-api-test-secret-0123456789";
  private static final UnsubscribeTokens TOKENS = new UnsubscribeTokens(SECRET);
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of("HERALD_SIGNING_SECRET", SECRET));

  private static String token(String user, String type) {
    return TOKENS.issue("acme", user, type, Instant.now());
  }

  private static HttpResponse<String> post(String path, String body) {
    return herald.send(HttpRequest.newBuilder(URI.create(herald.url() + path))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static JsonNode preferences(String user) throws Exception {
    HttpResponse<String> r = herald.call("GET", "/api/notifications/preferences", TestHerald.token(user, "acme"), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void theLinkShowsAConfirmationPageAndChangesNothing() throws Exception {
    JsonNode before = preferences("un-get");

    HttpResponse<String> page = herald.get("/u/" + token("un-get", "order.shipped"));

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
    assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(v ->
        assertThat(v).contains("default-src 'none'"));
    assertThat(page.body()).contains("<form method=\"post\">").contains("name=\"List-Unsubscribe\" value=\"One-Click\"")
        .contains("order.shipped");
    assertThat(preferences("un-get")).isEqualTo(before);
    assertThat(before.path("types").path("order.shipped").isMissingNode()).isTrue();
  }

  @Test
  void aOneClickPostTurnsEmailOffForThatTypeOnly() throws Exception {
    HttpResponse<String> r = post("/u/" + token("un-post", "order.shipped"), "List-Unsubscribe=One-Click");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("You will no longer receive").contains("order.shipped");
    JsonNode prefs = preferences("un-post");
    assertThat(prefs.path("types").path("order.shipped").path("email").asBoolean(true)).isFalse();
    assertThat(prefs.path("email").asBoolean()).isTrue();
  }

  @Test
  void theConfirmationFormsEmptyPostIsAcceptedToo() throws Exception {
    HttpResponse<String> r = post("/u/" + token("un-empty", "digest.weekly"), "");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(preferences("un-empty").path("types").path("digest.weekly").path("email").asBoolean(true)).isFalse();
  }

  @Test
  void aForgedTokenIsRefusedAndChangesNothing() throws Exception {
    JsonNode before = preferences("un-forged");
    String forged = new UnsubscribeTokens("a-different-secret-of-32-characters-at-least")
        .issue("acme", "un-forged", "order.shipped", Instant.now());
    String valid = token("un-forged", "order.shipped");
    String tampered = token("someone-else", "order.shipped").split("\\.")[0] + "." + valid.split("\\.")[1];

    HttpResponse<String> r1 = post("/u/" + forged, "List-Unsubscribe=One-Click");
    HttpResponse<String> r2 = post("/u/" + tampered, "List-Unsubscribe=One-Click");
    HttpResponse<String> r3 = herald.get("/u/" + forged);

    assertThat(r1.statusCode()).isEqualTo(400);
    assertThat(r2.statusCode()).isEqualTo(400);
    assertThat(r3.statusCode()).isEqualTo(400);
    assertThat(r1.body()).contains("not valid");
    assertThat(preferences("un-forged")).isEqualTo(before);
    assertThat(preferences("someone-else").path("types").path("order.shipped").isMissingNode()).isTrue();
  }

  @Test
  void aPostWithAnotherBodyIsRefusedAndChangesNothing() throws Exception {
    HttpResponse<String> r = post("/u/" + token("un-body", "order.shipped"), "something=else");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(preferences("un-body").path("types").path("order.shipped").isMissingNode()).isTrue();
  }
}
