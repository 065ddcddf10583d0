package dev.herald.http;

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
 * <p>Threads: built once at start, then read-only; {@link #dispatch} from any event loop.
 */
public final class Routes {
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

  private record Prefix(String prefix, Consumer<HttpServerRequest> handler) {}

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
    prefixes.add(new Prefix(prefix, handler));
    return this;
  }

  /** Answers {@code req} through its route, or with 404 / 405. */
  public void dispatch(HttpServerRequest req) {
    String path = req.path();
    for (Prefix p : prefixes) {
      if (path.startsWith(p.prefix)) {
        p.handler.accept(req);
        return;
      }
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
      Problem.send(req.response(), 404, "Not Found", "no route for " + req.method() + " " + abbreviate(path));
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

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
