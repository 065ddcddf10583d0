package dev.herald.http;

import io.vertx.core.http.HttpServerRequest;

/** Where credentials sit on an HTTP request. */
public final class HttpAuth {
  private HttpAuth() {}

  /** The bearer token of the {@code Authorization} header, or null. */
  public static String bearer(HttpServerRequest req) {
    return bearer(req.getHeader("authorization"));
  }

  /** The token of an {@code Authorization: Bearer <token>} header value, or null. */
  public static String bearer(String h) {
    if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String t = h.substring(7).trim();
      return t.isEmpty() ? null : t;
    }
    return null;
  }

  /** The user token of a WebSocket or SSE request: the header, else {@code ?token=}. */
  public static String userToken(HttpServerRequest req) {
    String t = bearer(req);
    return t != null ? t : req.getParam("token");
  }
}
