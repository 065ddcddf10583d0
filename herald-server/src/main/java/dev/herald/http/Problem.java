package dev.herald.http;

import dev.herald.auth.ApiKeys;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.http.HttpServerRequest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerResponse;
import dev.herald.validation.InvalidRequest.FieldError;
import java.util.List;

/**
 * RFC 9457 problem details, the body of every HTTP error Herald answers:
 * {@code {type, title, status, detail}} as {@code application/problem+json}.
 */
public final class Problem {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Problem.class);

  /** The most entries of {@code errors} a problem lists. */
  private static final int MAX_LISTED_ERRORS = 20;
  /** Longest field name and detail echoed back: both may carry what the client sent. */
  private static final int MAX_FIELD = 100;
  private static final int MAX_DETAIL = 500;

  private Problem() {}

  /** Ends {@code resp} with a JSON body (not a problem): the success answers of the API. */
  public static void ok(HttpServerResponse resp, int status, String body) {
    if (!resp.ended() && !resp.closed()) {
      resp.setStatusCode(status).putHeader("content-type", "application/json").end(body);
    }
  }

  public static void notAllowed(HttpServerRequest req, String allow) {
    req.response().putHeader("allow", allow);
    send(req.response(), 405, "Method Not Allowed", "use " + allow + " on " + req.path());
  }

  /**
   * A refused request: the offending fields in {@code errors}, with line and column where known. At
   * most {@link #MAX_LISTED_ERRORS} are listed, the rest counted in {@code errorsNotListed}, and each
   * field name abbreviated, so a body of 100,000 unknown fields gets an answer of a few KB.
   */
  public static void invalid(HttpServerResponse resp, int status, String detail, List<FieldError> errors) {
    String title = switch (status) {
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 422 -> "Unprocessable Content";
      default -> "Error";
    };
    ObjectNode body = document(status, title, detail);
    if (!errors.isEmpty()) {
      ArrayNode list = body.putArray("errors");
      for (FieldError fe : errors.subList(0, Math.min(errors.size(), MAX_LISTED_ERRORS))) {
        ObjectNode e = list.addObject().put("field", abbreviate(fe.field(), MAX_FIELD)).put("message", fe.message());
        if (fe.line() != null) {
          e.put("line", fe.line()).put("column", fe.column());
        }
      }
      if (errors.size() > MAX_LISTED_ERRORS) {
        body.put("errorsNotListed", errors.size() - MAX_LISTED_ERRORS);
      }
    }
    send(resp, body);
  }

  /** Maps a failure to its answer: refusals keep their status; the database being away is 503. */
  public static void fail(HttpServerResponse resp, Throwable e, HeraldMetrics metrics) {
    if (e instanceof dev.herald.validation.InvalidRequest invalid) {
      invalid(resp, invalid.status(), invalid.getMessage(), invalid.errors());
      return;
    }
    if (e instanceof io.vertx.pgclient.PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      if (state.startsWith("22") || state.startsWith("23")) {
        badRequest(resp, "the database refused a value: " + pg.getErrorMessage());
        return;
      }
      if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57")) {
        metrics.refused("database_unavailable");
        unavailable(resp, "the database is unavailable; retry shortly");
        return;
      }
      LOG.error("database error {}: {}", state, pg.getMessage());
      send(resp, 500, "Internal Server Error", "the request failed in the database (SQLSTATE " + state + ")");
      return;
    }
    if (isUnreachable(e)) {
      // no answer from PostgreSQL at all: refused, reset, closed or timed out connections
      metrics.refused("database_unavailable");
      LOG.warn("database unavailable: {}", e.toString());
      unavailable(resp, "the database is unavailable; retry shortly");
      return;
    }
    LOG.error("request failed", e);
    send(resp, 500, "Internal Server Error", "the request failed on the server");
  }

  /**
   * True when PostgreSQL did not answer at all, by the types the client and pool raise (Vert.x 5.0.8,
   * vertx-pg-client 5.0.8): a refused, reset or timed-out connect ({@link java.io.IOException}: the
   * JDK's {@code ConnectException}, Netty's {@code ConnectTimeoutException}); a connection closed under
   * a query ({@link io.vertx.sqlclient.ClosedConnectionException}); any {@link
   * java.util.concurrent.TimeoutException} (Vert.x's {@code NoStackTraceTimeoutException}); a pool whose
   * wait queue is full ({@link io.vertx.core.http.ConnectionPoolTooBusyException}, raised by the
   * shared pool code for SQL pools too); and the pool's own wait for a free connection timing out,
   * for which Vert.x has no type of its own (see
   * {@link dev.herald.vertx.VertxInternals#isPoolWaitTimeout}).
   */
  private static boolean isUnreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException || t instanceof java.util.concurrent.TimeoutException
          || t instanceof io.vertx.sqlclient.ClosedConnectionException
          || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException
          || dev.herald.vertx.VertxInternals.isPoolWaitTimeout(t)) {
        return true;
      }
    }
    return false;
  }

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
  public static ObjectNode document(int status, String title, String detail) {
    return JsonNodeFactory.instance.objectNode()
        .put("type", "https://herald.dev/problems/" + title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'))
        .put("title", title)
        .put("status", status)
        .put("detail", abbreviate(detail, MAX_DETAIL));
  }

  private static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "… (" + text.length() + " characters)";
  }

  /** Ends {@code response} with {@code document} (from {@link #document}). */
  public static void send(HttpServerResponse response, ObjectNode document) {
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
  public static ApiKeys.Service service(HttpServerRequest req, ApiKeys apiKeys, HeraldMetrics metrics) {
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
