package dev.herald.transport.sse;

import dev.herald.http.HttpAuth;
import dev.herald.http.Problem;
import dev.herald.auth.AuthException;
import dev.herald.auth.Identity;
import dev.herald.auth.RoomAuthorizer;
import dev.herald.auth.TokenVerifier;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.CloseReason;
import dev.herald.gateway.Gateway;
import dev.herald.gateway.Inbox;
import dev.herald.gateway.RoomEvent;
import dev.herald.gateway.Session;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /api/stream}: Server-Sent Events (WHATWG HTML, "Server-sent events") for clients that
 * cannot hold a WebSocket. Each event is {@code id: <offset>}, {@code event: <name>},
 * {@code data: <json>}; a reconnecting EventSource sends {@code Last-Event-ID} and receives what it
 * missed within the recovery window, or an {@code herald:reset} event when that position is lost.
 * Extra rooms come as {@code ?rooms=a,b} and are authorized like joins.
 *
 * <p>Durable notifications survive beyond that window: once a stream has carried a notification,
 * every id it writes is {@code <offset>~<sequence>}, the recipient's last notification sequence
 * it saw; when the in-memory position is lost, the stream replays the user's notifications after
 * that sequence from storage ({@link Inbox#missed}). {@code ?since=<sequence>} does the same on a
 * first connection.
 */
public final class SseEndpoint {
  /** Key of the SSE encoding of an event in {@link RoomEvent#encoded}. */
  private static final Object ENCODING = new Object();
  private static final long HEARTBEAT_MILLIS = 15_000;

  private final Vertx vertx;
  private final Gateway gateway;
  private final TokenVerifier verifier;
  private final RoomAuthorizer authorizer;
  private final HeraldMetrics metrics;
  private final HeraldConfig config;
  private final Inbox inbox;

  public SseEndpoint(Vertx vertx, Gateway gateway, TokenVerifier verifier, RoomAuthorizer authorizer,
      HeraldMetrics metrics, HeraldConfig config, Inbox inbox) {
    this.vertx = vertx;
    this.inbox = inbox;
    this.gateway = gateway;
    this.verifier = verifier;
    this.authorizer = authorizer;
    this.metrics = metrics;
    this.config = config;
  }

  public void handle(HttpServerRequest req) {
    if (gateway.isDraining()) {
      Problem.unavailable(req.response(), "server shutting down");
      return;
    }
    String roomsParam = req.getParam("rooms");
    List<String> rooms = roomsParam == null || roomsParam.isBlank() ? List.of()
        : Arrays.stream(roomsParam.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (rooms.size() > 100) {
      Problem.badRequest(req.response(), "at most 100 rooms per stream");
      return;
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
        return;
      }
    }
    long replayFrom = since;
    String position = lastEventId == null || lastEventId.isEmpty() ? null : lastEventId;
    verifier.verifyAsync(vertx, HttpAuth.userToken(req)).onComplete(ar -> {
      if (ar.failed()) {
        metrics.refused("unauthorized");
        Problem.unauthorized(req.response(),
            ar.cause() instanceof AuthException ? ar.cause().getMessage() : "token could not be verified");
        return;
      }
      Identity identity = ar.result();
      List<Future<RoomAuthorizer.Decision>> decisions = new ArrayList<>();
      for (String r : rooms) {
        decisions.add(authorizer.authorize(identity, r));
      }
      Future.join(decisions).onComplete(done -> {
        for (int i = 0; i < rooms.size(); i++) {
          RoomAuthorizer.Decision d = decisions.get(i).result();
          if (d == null || !d.allowed()) {
            metrics.refused("room_join");
            Problem.forbidden(req.response(), d == null ? "authorization failed for " + rooms.get(i) : d.reason());
            return;
          }
        }
        open(req.response(), identity, rooms, position, replayFrom);
      });
    });
  }

  private static long sequenceOf(String s) {
    try {
      long n = Long.parseLong(s);
      return n >= 0 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void open(HttpServerResponse resp, Identity identity, List<String> rooms, String lastEventId, long since) {
    SseSession session = new SseSession(resp, identity);
    if (since >= 0) {
      session.lastSequence = since;
    }
    boolean resuming = lastEventId != null;
    // chunked before registering: from then on a publication may write to the response from any
    // thread, and Vert.x refuses a write to a response that is neither chunked nor sized
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
    boolean replay = since >= 0;
    if (resuming) {
      if (gateway.resume(session, rooms, lastEventId)) {
        replay = false; // the window held everything, notifications included
      } else {
        session.write("event: herald:reset\ndata: {\"recovered\":false}\n\n");
        for (String r : rooms) {
          gateway.joinAuthorized(session, r);
        }
      }
    } else {
      for (String r : rooms) {
        gateway.joinAuthorized(session, r);
      }
    }
    if (replay) {
      // joined first, so nothing created meanwhile is missed (it may come twice: same id)
      inbox.missed(identity, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("since", since))
          .onSuccess(r -> {
            for (Inbox.Missed n : r.notifications()) {
              session.writeNotification(n);
            }
          })
          .onFailure(e -> session.write("event: herald:error\ndata: {\"code\":\"unavailable\","
              + "\"message\":\"missed notifications could not be read; reconnect to retry\"}\n\n"));
    }
    // after the joins: a client that has seen "connected" is in every room it asked for
    session.write("retry: 1000\n: connected " + session.id + "\n\n");
    session.heartbeat = vertx.setPeriodic(HEARTBEAT_MILLIS, t -> session.write(": ping\n\n"));
  }

  /** One SSE stream. Writes are thread-safe (Vert.x hops to the connection's loop). */
  private final class SseSession implements Session {
    private final HttpServerResponse resp;
    private final Identity identity;
    private final String id = UUID.randomUUID().toString();
    private volatile boolean closed;
    private long heartbeat = -1;
    /** The last notification sequence this stream carried, or -1; part of every id after the first. */
    private volatile long lastSequence = -1;
    private final io.vertx.core.Context context = Vertx.currentContext();

    @Override
    public io.vertx.core.Context context() {
      return context;
    }

    SseSession(HttpServerResponse resp, Identity identity) {
      this.resp = resp;
      this.identity = identity;
      resp.setWriteQueueMaxSize(config.limits().outboundBufferBytes());
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Identity identity() {
      return identity;
    }

    @Override
    public String transport() {
      return "sse";
    }

    @Override
    public boolean deliver(RoomEvent event) {
      if (closed) {
        return false;
      }
      if (resp.writeQueueFull()) {
        metrics.refused("slow_consumer");
        close(CloseReason.SLOW_CONSUMER);
        return false;
      }
      metrics.messageOut("sse");
      long seq = event.notificationSequence();
      if (seq > lastSequence) {
        lastSequence = seq;
      }
      String body = event.encoded(ENCODING, e -> "\nevent: " + e.event() + "\ndata: " + e.dataJson() + "\n\n");
      write(lastSequence < 0 ? "id: " + event.offset() + body : "id: " + event.offset() + "~" + lastSequence + body);
      return true;
    }

    /** A replayed notification: its id keeps the stream's position and carries its sequence. */
    void writeNotification(Inbox.Missed missed) {
      if (missed.sequence() > lastSequence) {
        lastSequence = missed.sequence();
      }
      write("id: " + gateway.offsetOf(gateway.currentId()) + "~" + lastSequence + "\nevent: notification\ndata: "
          + missed.json() + "\n\n");
    }

    void write(String chunk) {
      if (!closed) {
        resp.write(chunk);
      }
    }

    @Override
    public void close(CloseReason reason) {
      if (!closed) {
        closed = true;
        resp.end();
        onClosed();
      }
    }

    void onClosed() {
      closed = true;
      vertx.cancelTimer(heartbeat);
      gateway.unregister(this);
    }
  }
}
