package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one route table ({@link Routes}, filled in {@code HeraldServer.routes()}): literal segments
 * win over parameters, a path with routes for other methods is 405 with {@code Allow}, a path
 * with none is 404, both as problem+json.
 */
class RouteTableTest {
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  @Test
  void literalSegmentWinsOverAParameterAndItsMethodsAreTheAllowedOnes() {
    HttpResponse<String> r = herald.call("GET", "/api/notifications/read-all", TestHerald.token("u", null), null);

    assertThat(r.statusCode()).as("read-all is not the id of a notification").isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).contains("PUT");
    assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
  }

  @Test
  void everyMethodOfAPatternIsListedInAllow() {
    HttpResponse<String> r = herald.call("DELETE", "/api/notifications/preferences", TestHerald.token("u", null), null);

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).contains("GET, PATCH, PUT");
  }

  @Test
  void parameterSegmentsMatchWhatNoLiteralDoes() {
    HttpResponse<String> r = herald.call("GET", "/api/notifications/00000000-0000-7000-8000-000000000000",
        TestHerald.token("u", null), null);

    assertThat(r.statusCode()).as("a route was found: the notification is not").isEqualTo(404);
    assertThat(r.body()).contains("no such notification");
  }

  @Test
  void pathWithoutAnyRouteIsNotFoundNamingIt() {
    HttpResponse<String> r = herald.call("GET", "/api/nothing/here", null, null);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    assertThat(r.body()).contains("no route for GET /api/nothing/here");
  }

  @Test
  void emptySegmentIsNoParameter() {
    HttpResponse<String> r = herald.call("PUT", "/api/notifications//read", TestHerald.token("u", null), null);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("no route");
  }
}
