package dev.herald.transport.sse;

import dev.herald.auth.AuthException;
import dev.herald.auth.Identity;
import dev.herald.auth.TokenVerifier;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.Answer;
import dev.herald.gateway.ClientCommand;
import dev.herald.gateway.ClientCommands;
import dev.herald.gateway.Gateway;
import dev.herald.http.HttpAuth;
import dev.herald.http.Problem;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /api/stream}: Server-Sent Events (WHATWG HTML, "Server-sent events") for clients that
 * cannot hold a WebSocket. Each event is {@code id: <offset>}, {@code event: <name>},
 * {@code data: <json>}; a reconnecting EventSource sends {@code Last-Event-ID} and receives what it
 * missed within the recovery window, or an {@code herald:reset} event when that position is lost.
 * Extra rooms come as {@code ?rooms=a,b} and are authorized like joins ({@link ClientCommands#authorize}).
 *
 * <p>Durable notifications survive beyond that window: once a stream has carried a notification,
 * every id it writes is {@code <offset>~<sequence>}, the recipient's last notification sequence
 * it saw; when the in-memory position is lost, the stream replays the user's notifications after
 * that sequence from storage (a {@link ClientCommand.RequestMissed}). {@code ?since=<sequence>}
 * does the same on a first connection.
 */
public final class SseEndpoint {
  private static final long HEARTBEAT_MILLIS = 15_000;

  private final Vertx vertx;
  private final Gateway gateway;
  private final ClientCommands commands;
  private final TokenVerifier verifier;
  private final HeraldMetrics metrics;
  private final HeraldConfig config;

  public SseEndpoint(Vertx vertx, Gateway gateway, ClientCommands commands, TokenVerifier verifier,
      HeraldMetrics metrics, HeraldConfig config) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.commands = commands;
    this.verifier = verifier;
    this.metrics = metrics;
    this.config = config;
  }

  /** Where a stream starts: its extra rooms, the log position to resume from, the sequence to replay after. */
  private record Start(List<String> rooms, String lastEventId, long since) {}

  public void handle(HttpServerRequest req) {
    if (gateway.isDraining()) {
      Problem.unavailable(req.response(), "server shutting down");
      return;
    }
    Start start = start(req);
    if (start == null) {
      return;
    }
    // the stream lives on its connection's loop, whichever thread answers the token and the rooms
    io.vertx.core.Context connection = Vertx.currentContext();
    verifier.verifyAsync(vertx, HttpAuth.userToken(req)).onComplete(ar -> {
      if (ar.failed()) {
        metrics.refused("unauthorized");
        Problem.unauthorized(req.response(),
            ar.cause() instanceof AuthException ? ar.cause().getMessage() : "token could not be verified");
        return;
      }
      Identity identity = ar.result();
      commands.authorize(identity, start.rooms()).onComplete(decided -> {
        if (decided.failed()) {
          Problem.fail(req.response(), decided.cause(), metrics);
        } else if (!decided.result().ok()) {
          Problem.forbidden(req.response(), decided.result().refused().get(0).reason());
        } else if (Vertx.currentContext() == connection) {
          open(req.response(), identity, start, connection);
        } else {
          connection.runOnContext(v -> open(req.response(), identity, start, connection));
        }
      });
    });
  }

  /** The stream's start from the request, or null after answering 400. */
  private static Start start(HttpServerRequest req) {
    String roomsParam = req.getParam("rooms");
    List<String> rooms = roomsParam == null || roomsParam.isBlank() ? List.of()
        : Arrays.stream(roomsParam.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (rooms.size() > 100) {
      Problem.badRequest(req.response(), "at most 100 rooms per stream");
      return null;
    }
    String lastEventId = req.getHeader("last-event-id") != null ? req.getHeader("last-event-id")
        : req.getParam("lastEventId");
    long since = -1;
    if (lastEventId != null && lastEventId.contains("~")) {
      since = sequenceOf(lastEventId.substring(lastEventId.indexOf('~') + 1));
      lastEventId = lastEventId.substring(0, lastEventId.indexOf('~'));
    } else if (req.getParam("since") != null) {
      since = sequenceOf(req.getParam("since"));
      if (since < 0) {
        Problem.badRequest(req.response(), "since must be a notification sequence number");
        return null;
      }
    }
    return new Start(rooms, lastEventId == null || lastEventId.isEmpty() ? null : lastEventId, since);
  }

  private static long sequenceOf(String s) {
    try {
      long n = Long.parseLong(s);
      return n >= 0 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** On the request's event loop: register, join (or resume), welcome, then replay from storage. */
  private void open(HttpServerResponse resp, Identity identity, Start start, io.vertx.core.Context connection) {
    SseSession session = new SseSession(resp, identity, connection, gateway, metrics,
        config.limits().outboundBufferBytes());
    if (start.since() >= 0) {
      session.resumeAfterSequence(start.since());
    }
    boolean resuming = start.lastEventId() != null;
    // chunked before registering: from then on a publication may write to the response, and
    // Vert.x refuses a write to a response that is neither chunked nor sized
    resp.setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no");
    if (!gateway.register(session, !resuming)) {
      if (gateway.isDraining()) {
        Problem.unavailable(resp, "server shutting down");
      } else {
        Problem.tooManyRequests(resp, 5,
            "too many connections for this user (limit " + config.limits().maxConnectionsPerUser() + ")");
      }
      return;
    }
    resp.closeHandler(v -> session.onClosed());
    resp.exceptionHandler(e -> { });
    boolean recovered = resuming && gateway.resume(session, start.rooms(), start.lastEventId());
    if (!recovered) {
      for (String r : start.rooms()) {
        gateway.joinAuthorized(session, r);
      }
    }
    // the welcome rule: every room is joined before the stream's first bytes
    session.welcome(resuming && !recovered);
    if (start.since() >= 0 && !recovered) {
      // joined first, so nothing created meanwhile is missed (it may come twice: same id)
      commands.handle(session, new ClientCommand.RequestMissed(start.since(), null, ClientCommand.MAX_REPLAY))
          .onSuccess(answer -> {
            if (answer instanceof Answer.Refused) {
              session.write("event: herald:error\ndata: {\"code\":\"unavailable\","
                  + "\"message\":\"missed notifications could not be read; reconnect to retry\"}\n\n");
            }
          });
    }
    session.heartbeat(vertx.setPeriodic(HEARTBEAT_MILLIS, t -> session.write(": ping\n\n")));
  }
}
