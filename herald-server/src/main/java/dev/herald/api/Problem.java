package dev.herald.api;

import dev.herald.auth.ApiKeys;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.http.HttpServerRequest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerResponse;

/**
 * RFC 9457 problem details, the body of every HTTP error Herald answers:
 * {@code {type, title, status, detail}} as {@code application/problem+json}.
 */
public final class Problem {
  private Problem() {}

  /** Ends {@code response} with a problem of {@code status}. */
  public static void send(HttpServerResponse response, int status, String title, String detail) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", "application/problem+json").end(json(status, title, detail));
  }

  /** The problem document of {@code status} as JSON text. */
  public static String json(int status, String title, String detail) {
    return document(status, title, detail).toString();
  }

  /** The problem document of {@code status}, for adding extension members before sending it. */
  static ObjectNode document(int status, String title, String detail) {
    return JsonNodeFactory.instance.objectNode()
        .put("type", "https://herald.dev/problems/" + title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'))
        .put("title", title)
        .put("status", status)
        .put("detail", detail);
  }

  /** Ends {@code response} with {@code document} (from {@link #document}). */
  static void send(HttpServerResponse response, ObjectNode document) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(document.get("status").asInt()).putHeader("content-type", "application/problem+json")
        .end(document.toString());
  }

  /**
   * The service behind the request's API key; without a valid one, answers 401 and returns null.
   * The body is not read ({@code resume} lets the connection finish the request).
   */
  static ApiKeys.Service service(HttpServerRequest req, ApiKeys apiKeys, HeraldMetrics metrics) {
    ApiKeys.Service service = apiKeys.authenticate(HttpAuth.bearer(req)).orElse(null);
    if (service == null) {
      metrics.refused("unauthorized");
      req.resume();
      unauthorized(req.response(), "an API key is required: Authorization: Bearer <key>");
    }
    return service;
  }

  public static void badRequest(HttpServerResponse r, String detail) {
    send(r, 400, "Bad Request", detail);
  }

  public static void unauthorized(HttpServerResponse r, String detail) {
    r.putHeader("www-authenticate", "Bearer");
    send(r, 401, "Unauthorized", detail);
  }

  public static void forbidden(HttpServerResponse r, String detail) {
    send(r, 403, "Forbidden", detail);
  }

  public static void tooLarge(HttpServerResponse r, String detail) {
    send(r, 413, "Content Too Large", detail);
  }

  /** 429 with {@code Retry-After} (RFC 9110 10.2.3) in seconds, as the contract promises for every 429. */
  public static void tooManyRequests(HttpServerResponse r, int retryAfterSeconds, String detail) {
    r.putHeader("retry-after", String.valueOf(retryAfterSeconds));
    send(r, 429, "Too Many Requests", detail);
  }

  public static void unavailable(HttpServerResponse r, String detail) {
    r.putHeader("retry-after", "5");
    send(r, 503, "Service Unavailable", detail);
  }
}
