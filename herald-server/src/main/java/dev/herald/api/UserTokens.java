package dev.herald.api;

import dev.herald.auth.AuthException;
import dev.herald.auth.Identity;
import dev.herald.auth.TokenVerifier;
import dev.herald.http.HttpAuth;
import dev.herald.http.Problem;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;

/**
 * The user behind a request's bearer token, for the routes users call with their JWT: 401 without
 * a token ({@code missing} says what is required) or with one that does not verify; the request is
 * paused while the token is verified, so its body waits.
 *
 * <p>Threads: the request's event loop; {@code action} runs there.
 */
final class UserTokens {
  static final String REQUIRED = "a user token is required: Authorization: Bearer <jwt>";

  private UserTokens() {}

  static void asUser(Vertx vertx, TokenVerifier verifier, HeraldMetrics metrics, HttpServerRequest req,
      String missing, Consumer<Identity> action) {
    String token = HttpAuth.bearer(req);
    if (token == null) {
      metrics.refused("unauthorized");
      Problem.unauthorized(req.response(), missing);
      return;
    }
    req.pause();
    verifier.verifyAsync(vertx, token).onComplete(ar -> {
      req.resume();
      if (ar.failed()) {
        metrics.refused("unauthorized");
        Problem.unauthorized(req.response(), ar.cause() instanceof AuthException
            ? "invalid token: " + ar.cause().getMessage() : "token could not be verified");
      } else {
        action.accept(ar.result());
      }
    });
  }
}
