package dev.herald.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.samskivert.mustache.Escapers;
import dev.herald.auth.Identity;
import dev.herald.delivery.email.UnsubscribeTokens;
import dev.herald.http.Bodies;
import dev.herald.http.Routes;
import dev.herald.ops.HeraldMetrics;
import dev.herald.preferences.Preferences;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-click unsubscribe (RFC 8058) from the links of Herald's emails, without a login: the signed
 * token ({@link UnsubscribeTokens}) is the authority.
 *
 * <pre>
 * GET  /u/{token}   a confirmation page whose form POSTs to the same URL; changes nothing
 * POST /u/{token}   turns email off for the token's type and user; 200 with a page saying so
 * </pre>
 *
 * A bad or forged token answers 400 and changes nothing. Pages are self-contained HTML: every value
 * escaped, no external resources, a {@code Content-Security-Policy} that allows none.
 */
public final class UnsubscribeApi {
  private static final Logger LOG = LoggerFactory.getLogger(UnsubscribeApi.class);
  /** The body RFC 8058 §3.1 defines; it is all a one-click POST carries. */
  private static final String ONE_CLICK = "List-Unsubscribe=One-Click";
  private static final int MAX_BODY = 4_096;
  private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
      + "frame-ancestors 'none'; base-uri 'none'";

  private final UnsubscribeTokens tokens;
  private final Preferences preferences;
  private final HeraldMetrics metrics;

  public UnsubscribeApi(UnsubscribeTokens tokens, Preferences preferences, HeraldMetrics metrics) {
    this.tokens = tokens;
    this.preferences = preferences;
    this.metrics = metrics;
  }

  /**
   * {@code GET /u/{token}}: the confirmation page. The GET never unsubscribes (RFC 8058 §1: mail
   * filters fetch the links in messages to check them; only the POST acts).
   */
  public void page(HttpServerRequest req, Routes.Params params) {
    Optional<UnsubscribeTokens.Subject> subject = tokens.verify(params.get("token"));
    if (subject.isEmpty()) {
      refuse(req.response());
      return;
    }
    answer(req.response(), 200, "Unsubscribe", "<h1>Unsubscribe?</h1>\n<p>Stop receiving " + what(subject.get())
        + " by email?</p>\n<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
        + "<button type=\"submit\">Unsubscribe</button></form>\n");
  }

  /**
   * {@code POST /u/{token}}: RFC 8058 §3.2, "The POST request MUST NOT include cookies, HTTP
   * authorization, or any other context information": the URI and the body
   * {@code List-Unsubscribe=One-Click} are all there is. The confirmation page's form sends the same
   * body; an empty one is accepted too.
   */
  public void unsubscribe(HttpServerRequest req, Routes.Params params) {
    Optional<UnsubscribeTokens.Subject> subject = tokens.verify(params.get("token"));
    if (subject.isEmpty()) {
      req.resume();
      refuse(req.response());
      return;
    }
    Bodies.read(req, MAX_BODY, metrics, body -> {
      String form = body.toString(StandardCharsets.UTF_8).strip();
      if (!form.isEmpty() && !List.of(form.split("&")).contains(ONE_CLICK)) {
        answer(req.response(), 400, "Unsubscribe", "<h1>Not understood</h1>\n<p>A one-click unsubscribe sends "
            + "<code>" + ONE_CLICK + "</code>.</p>\n");
        return;
      }
      UnsubscribeTokens.Subject s = subject.get();
      preferences.merge(new Identity(s.user(), s.tenant(), List.of(), List.of(), null), patch(s.type()))
          .onSuccess(v -> answer(req.response(), 200, "Unsubscribed", "<h1>Unsubscribed</h1>\n<p>You will no longer "
              + "receive " + what(s) + " by email.</p>\n"))
          .onFailure(e -> {
            if (e instanceof InvalidRequest) {
              // a type name the preference document does not take: nothing was written
              answer(req.response(), 400, "Unsubscribe", "<h1>Not possible here</h1>\n<p>Change your notification "
                  + "settings in the app instead.</p>\n");
              return;
            }
            LOG.warn("one-click unsubscribe of a user of tenant {} failed: {}", s.tenant(), e.toString());
            answer(req.response(), 503, "Try again", "<h1>Please try again</h1>\n<p>Your request could not be saved "
                + "just now.</p>\n");
          });
    });
  }

  /** {@code {"types": {type: {"email": false}}}}, or {@code {"email": false}} for a notification of no type. */
  private static ObjectNode patch(String type) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    if (type.isEmpty()) {
      return patch.put("email", false);
    }
    patch.putObject("types").putObject(type).put("email", false);
    return patch;
  }

  private static String what(UnsubscribeTokens.Subject s) {
    return s.type().isEmpty() ? "notifications" : "\u201c" + esc(s.type()) + "\u201d notifications";
  }

  private static void refuse(HttpServerResponse response) {
    answer(response, 400, "Link not valid", "<h1>This link is not valid</h1>\n<p>Use the unsubscribe link of a "
        + "recent email, or change your notification settings in the app.</p>\n");
  }

  private static void answer(HttpServerResponse response, int status, String title, String body) {
    if (response.ended()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader("content-type", "text/html; charset=utf-8")
        .putHeader("content-security-policy", CSP)
        .putHeader("x-content-type-options", "nosniff")
        // the token in the URL is a credential: not sent onwards, not kept
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("cache-control", "no-store")
        .end("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            + "content=\"width=device-width\"><title>" + esc(title) + "</title></head>\n"
            + "<body style=\"font-family:sans-serif;max-width:32em;margin:3em auto\">\n" + body + "</body></html>\n");
  }

  private static String esc(String s) {
    return Escapers.HTML.escape(s);
  }
}
