package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.auth.ApiKeys;
import dev.herald.auth.Identity;
import dev.herald.config.HeraldConfig;
import dev.herald.directory.UserDirectory;
import dev.herald.directory.UserFields;
import dev.herald.http.Bodies;
import dev.herald.http.Problem;
import dev.herald.http.Routes;
import dev.herald.ops.HeraldMetrics;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * {@code /api/users} for API keys (contract part 2, "Recipients: the user directory"): a
 * tenant-bound key acts in its tenant, a global key names one with {@code ?tenant=}. Another
 * tenant's user is simply not found.
 *
 * <pre>
 * PUT    /api/users/{userId}          {email?, name?, locale?, timeZone?, data?} → the stored user
 * GET    /api/users/{userId}          the effective entry (service values, token claims filling gaps)
 * DELETE /api/users/{userId}          erases everything Herald holds about the user (GDPR); 204
 * GET    /api/users/{userId}/export   everything Herald holds about the user, one JSON document
 * </pre>
 */
public final class UsersApi {
  private final UserDirectory directory;
  private final ApiKeys apiKeys;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;

  public UsersApi(UserDirectory directory, ApiKeys apiKeys, HeraldMetrics metrics, HeraldConfig.Limits limits) {
    this.directory = directory;
    this.apiKeys = apiKeys;
    this.metrics = metrics;
    this.limits = limits;
  }

  /** {@code PUT /api/users/{userId}}: replaces the service-set fields; 200 with the stored user. */
  public void put(HttpServerRequest req, Routes.Params params) {
    Target t = target(req, params);
    if (t == null) {
      return;
    }
    Bodies.readJson(req, limits.maxHttpBodyBytes(), metrics, body -> {
      UserFields fields;
      try {
        fields = UserFields.ofPut(body);
      } catch (InvalidRequest e) {
        metrics.refused("invalid_user");
        Problem.fail(req.response(), e, metrics);
        return;
      }
      settle(req, directory.put(t.tenant(), t.user(), fields), user -> Problem.ok(req.response(), 200, user.toString()));
    });
  }

  /** {@code GET /api/users/{userId}}: the effective entry; 404 when nothing is stored. */
  public void get(HttpServerRequest req, Routes.Params params) {
    without(req, params, directory::get, user -> Problem.ok(req.response(), 200, user.toString()));
  }

  /** {@code DELETE /api/users/{userId}}: GDPR erasure; 204 whether or not anything was stored. */
  public void delete(HttpServerRequest req, Routes.Params params) {
    without(req, params, (tenant, user) -> directory.erase(tenant, user).map(Boolean.TRUE),
        done -> req.response().setStatusCode(204).end());
  }

  /** {@code GET /api/users/{userId}/export}: GDPR access, one JSON document. */
  public void export(HttpServerRequest req, Routes.Params params) {
    without(req, params, directory::export, doc -> Problem.ok(req.response(), 200, doc.toString()));
  }

  /** The tenant and user a request acts on. */
  private record Target(String tenant, String user) {}

  /** The target of the request, or null after answering 401, 400 or 403. */
  private Target target(HttpServerRequest req, Routes.Params params) {
    String tenant = ServiceScope.of(req, apiKeys, metrics);
    if (tenant == null) {
      return null;
    }
    if (tenant.isEmpty()) {
      // users live in tenants: there is no system-wide directory
      req.resume();
      Problem.badRequest(req.response(), "a global API key names the tenant with ?tenant=");
      return null;
    }
    String user = decode(params.get("userId"));
    if (!Identity.isValidId(user)) {
      req.resume();
      Problem.badRequest(req.response(), "the user id must be 1-128 printable characters without spaces");
      return null;
    }
    return new Target(tenant, user);
  }

  private <T> void without(HttpServerRequest req, Routes.Params params,
      BiFunction<String, String, Future<T>> action, Consumer<T> onFound) {
    Target t = target(req, params);
    if (t != null) {
      req.resume();
      settle(req, action.apply(t.tenant(), t.user()), onFound);
    }
  }

  private <T> void settle(HttpServerRequest req, Future<T> result, Consumer<T> onFound) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        Problem.fail(req.response(), ar.cause(), metrics);
      } else if (ar.result() == null) {
        Problem.send(req.response(), 404, "Not Found", "no such user");
      } else {
        onFound.accept(ar.result());
      }
    });
  }

  /** The percent-decoded path segment (RFC 3986 2.1; {@code +} stays a plus), or null when malformed. */
  static String decode(String segment) {
    if (segment == null || segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c != '%') {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      if (i + 2 >= segment.length()) {
        return null;
      }
      int hi = Character.digit(segment.charAt(i + 1), 16);
      int lo = Character.digit(segment.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      bytes.write(hi * 16 + lo);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
