package dev.herald.http;

import dev.herald.validation.Fields;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The HTTP route table: one line per method and path pattern, matched in one place.
 *
 * <pre>
 * routes.add(GET, "/api/notifications/{id}", api::one)
 *       .prefix("/socket.io/", socketIo::handle);
 * </pre>
 *
 * <p>A pattern is literal segments and {@code {name}} segments (one path segment each). When several
 * patterns match a path, the most specific wins: segment by segment, a literal beats a parameter,
 * so {@code /api/notifications/read-all} is never taken for {@code /api/notifications/{id}}. A path
 * that matches a pattern but not with the request's method is answered 405 with {@code Allow}
 * (RFC 9110 15.5.6); a path nothing matches, 404. Both as problem+json.
 *
 * <p>Every request is answered, whatever its target or its handler does: a query that does not
 * decode is answered 400 before any handler sees it (in the format of its prefix route, else as
 * problem+json), and an exception escaping a handler is answered 500 and logged once.
 *
 * <p>Threads: built once at start, then read-only; {@link #dispatch} from any event loop.
 */
public final class Routes {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Routes.class);

  /** Handles a matched request; {@code params} holds the pattern's {@code {name}} segments. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpServerRequest req, Params params);
  }

  /** The values of a pattern's {@code {name}} segments, as they appear in the path (not decoded). */
  public record Params(Map<String, String> values) {
    static final Params NONE = new Params(Map.of());

    public String get(String name) {
      return values.get(name);
    }
  }

  private record Route(Set<HttpMethod> methods, String[] segments, String pattern, Handler handler) {}

  private record Prefix(String prefix, Consumer<HttpServerRequest> handler, Consumer<HttpServerRequest> undecodable) {}

  private final List<Prefix> prefixes = new ArrayList<>();
  private final List<Route> routes = new ArrayList<>();

  /** Routes {@code method} on paths matching {@code pattern} to {@code handler}. */
  public Routes add(HttpMethod method, String pattern, Handler handler) {
    return add(Set.of(method), pattern, handler);
  }

  /** Routes {@code method} on exactly {@code path} to {@code handler}, which needs no parameters. */
  public Routes add(HttpMethod method, String path, Consumer<HttpServerRequest> handler) {
    return add(Set.of(method), path, (req, p) -> handler.accept(req));
  }

  /** Routes every method of {@code methods} on paths matching {@code pattern} to {@code handler}. */
  public Routes add(Set<HttpMethod> methods, String pattern, Handler handler) {
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("a route pattern starts with '/', was '" + pattern + "'");
    }
    routes.add(new Route(Set.copyOf(methods), pattern.substring(1).split("/", -1), pattern, handler));
    return this;
  }

  /**
   * Hands every request whose path starts with {@code prefix} (or equals it), whatever its method,
   * to {@code handler}: protocol endpoints that answer their own methods. Checked before patterns.
   */
  public Routes prefix(String prefix, Consumer<HttpServerRequest> handler) {
    return prefix(prefix, handler, Routes::badTarget);
  }

  /**
   * {@link #prefix(String, Consumer)} for an endpoint with its own error format: {@code undecodable}
   * answers (400) the requests whose query does not decode, which {@code handler} never sees.
   */
  public Routes prefix(String prefix, Consumer<HttpServerRequest> handler, Consumer<HttpServerRequest> undecodable) {
    prefixes.add(new Prefix(prefix, handler, undecodable));
    return this;
  }

  /**
   * Answers {@code req} through its route, or with 400 (a query that does not decode), 404, 405, or
   * 500 (an exception escaping the handler).
   */
  public void dispatch(HttpServerRequest req) {
    try {
      route(req);
    } catch (RuntimeException e) {
      answerDefect(req, e);
    }
  }

  /**
   * Answers a request whose handler threw: 500 problem+json (or, when the answer had already begun,
   * the connection closed) and the cause logged once. Never throws.
   */
  static void answerDefect(HttpServerRequest req, RuntimeException e) {
    LOG.error("{} {} failed in its handler", req.method(), Fields.abbreviate(req.path(), 80), e);
    try {
      if (req.response().headWritten()) {
        req.connection().close();
        return;
      }
      req.resume();
      Problem.send(req.response(), 500, "Internal Server Error", "the request failed on the server");
    } catch (RuntimeException again) {
      req.connection().close();
    }
  }

  private void route(HttpServerRequest req) {
    String path = req.path();
    boolean decodes = queryDecodes(req);
    for (Prefix p : prefixes) {
      if (path.startsWith(p.prefix)) {
        (decodes ? p.handler : p.undecodable).accept(req);
        return;
      }
    }
    if (!decodes) {
      badTarget(req);
      return;
    }
    String[] segments = path.length() <= 1 ? new String[] {""} : path.substring(1).split("/", -1);
    Route best = null;
    for (Route r : routes) {
      if (matches(r.segments, segments) && (best == null || moreSpecific(r.segments, best.segments))) {
        best = r;
      }
    }
    if (best == null) {
      req.resume();
      Problem.send(req.response(), 404, "Not Found", "no route for " + req.method() + " " + Fields.abbreviate(path, 80));
      return;
    }
    Set<HttpMethod> allowed = new LinkedHashSet<>();
    for (Route r : routes) {
      if (r.pattern.equals(best.pattern)) {
        if (r.methods.contains(req.method())) {
          r.handler.handle(req, params(r.segments, segments));
          return;
        }
        allowed.addAll(r.methods);
      }
    }
    req.resume();
    Problem.notAllowed(req, String.join(", ", allowed.stream().map(HttpMethod::name).sorted().toList()));
  }

  /**
   * RFC 3986 2.1: a percent-encoding is "%" HEXDIG HEXDIG. Vert.x throws when its query decoder
   * meets any other; a client sent it, so it is a bad request, logged at DEBUG only.
   */
  private static boolean queryDecodes(HttpServerRequest req) {
    if (req.query() == null) {
      return true;
    }
    try {
      req.params();
      return true;
    } catch (IllegalArgumentException e) {
      LOG.debug("undecodable query in {} {}: {}", req.method(), Fields.abbreviate(req.path(), 80), e.getMessage());
      return false;
    }
  }

  private static void badTarget(HttpServerRequest req) {
    req.resume();
    Problem.badRequest(req.response(),
        "the query has a malformed percent-encoding: '%' must be followed by two hex digits");
  }

  private static boolean matches(String[] pattern, String[] path) {
    if (pattern.length != path.length) {
      return false;
    }
    for (int i = 0; i < pattern.length; i++) {
      if (!isParam(pattern[i]) && !pattern[i].equals(path[i]) || isParam(pattern[i]) && path[i].isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** True when {@code a} has a literal at the first segment where one of the two has a parameter. */
  private static boolean moreSpecific(String[] a, String[] b) {
    for (int i = 0; i < a.length; i++) {
      boolean pa = isParam(a[i]);
      boolean pb = isParam(b[i]);
      if (pa != pb) {
        return pb;
      }
    }
    return false;
  }

  private static Params params(String[] pattern, String[] path) {
    Map<String, String> values = null;
    for (int i = 0; i < pattern.length; i++) {
      if (isParam(pattern[i])) {
        if (values == null) {
          values = new java.util.HashMap<>(4);
        }
        values.put(pattern[i].substring(1, pattern[i].length() - 1), path[i]);
      }
    }
    return values == null ? Params.NONE : new Params(values);
  }

  private static boolean isParam(String segment) {
    return segment.length() > 2 && segment.charAt(0) == '{' && segment.charAt(segment.length() - 1) == '}';
  }
}
