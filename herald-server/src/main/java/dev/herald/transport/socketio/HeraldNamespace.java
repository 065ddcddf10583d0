package dev.herald.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.AuthException;
import dev.herald.auth.Identity;
import dev.herald.auth.TokenVerifier;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.Answer;
import dev.herald.gateway.ClientCommand;
import dev.herald.gateway.ClientCommands;
import dev.herald.gateway.Gateway;
import dev.herald.ops.HeraldMetrics;
import dev.herald.transport.engineio.EngineServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Herald's Socket.IO application, served on {@code /} and {@code /events}: authenticates the
 * CONNECT, registers a {@link SocketIoSession} (joining the automatic rooms before the CONNECT
 * answer goes out), hands client events to {@link ClientCommands} and encodes the answers as
 * Socket.IO acks, and offers connection state recovery ({@link Recovery}).
 *
 * <p>Threads: every method runs on the socket's event loop.
 */
public final class HeraldNamespace implements Namespace {
  private final Vertx vertx;
  private final Gateway gateway;
  private final ClientCommands commands;
  private final TokenVerifier verifier;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;
  private final Recovery recovery;

  public HeraldNamespace(Vertx vertx, Gateway gateway, ClientCommands commands, TokenVerifier verifier,
      HeraldMetrics metrics, HeraldConfig config) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.commands = commands;
    this.verifier = verifier;
    this.metrics = metrics;
    this.limits = config.limits();
    this.recovery = new Recovery(vertx, gateway, metrics, config.recovery().window());
  }

  /** Stops the recovery window's timer; parked sessions are forgotten. */
  public void close() {
    recovery.close();
  }

  @Override
  public Future<Void> connect(SioSocket socket, JsonNode auth, EngineServer.Handshake handshake) {
    String token = text(auth, "token");
    if (token == null) {
      token = handshake.param("token");
    }
    if (token == null && handshake.authorization() != null
        && handshake.authorization().regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = handshake.authorization().substring(7).trim();
    }
    return verifier.verifyAsync(vertx, token)
        .recover(err -> {
          metrics.refused("unauthorized");
          String reason = err instanceof AuthException ? err.getMessage() : "token could not be verified";
          return Future.failedFuture(refusal("unauthorized: " + reason, "unauthorized"));
        })
        .compose(identity -> onContext(socket, () -> accept(socket, identity, text(auth, "pid"), text(auth, "offset"))));
  }

  private Future<Void> accept(SioSocket socket, Identity identity, String pid, String offset) {
    Recovery.Parked previous = recovery.claim(pid, identity);
    if (previous != null) {
      socket.restore(previous.sid(), previous.pid());
    } else {
      socket.enableRecovery();
    }
    SocketIoSession session = new SocketIoSession(socket, identity, gateway, metrics, limits);
    // the welcome rule: registered (and in its rooms) before the CONNECT answer, which follows
    // when the returned future completes
    if (!gateway.register(session, previous == null)) {
      return Future.failedFuture(gateway.isDraining()
          ? refusal("server shutting down", "draining")
          : refusal("too many connections for this user (limit " + limits.maxConnectionsPerUser() + ")",
              "connection_limit"));
    }
    socket.attach(session);
    if (previous != null) {
      recovery.resume(socket, session, previous, offset);
    }
    return Future.succeededFuture();
  }

  @Override
  public void onEvent(SioSocket socket, String event, ArrayNode args, SioSocket.Ack ack) {
    SocketIoSession session = socket.attachment();
    metrics.messageIn("socketio.event");
    if (!session.bucket().tryTake()) {
      metrics.refused("rate_limited");
      if (session.bucket().refusedInARow() > limits.maxRefusedInARow()) {
        socket.emit("error", error("rate_limited", "disconnected: persistent rate limit violations", event));
        socket.disconnect(true);
        return;
      }
      answer(socket, ack, event, new Answer.Refused("rate_limited", "rate limit exceeded"));
      return;
    }
    JsonNode arg = args.isEmpty() ? null : args.get(0);
    commands.handle(session, ClientCommand.parse(event, arg)).onSuccess(answer -> answer(socket, ack, event, answer));
  }

  @Override
  public void onDisconnect(SioSocket socket, String reason) {
    SocketIoSession session = socket.attachment();
    if (session == null) {
      return;
    }
    List<String> rooms = gateway.roomsOf(session);
    gateway.unregister(session);
    recovery.park(socket, session, rooms, reason);
  }

  /**
   * Encodes {@code answer}: as the ack's argument when the client asked for one; without an ack,
   * refusals (and each refused room) are emitted as {@code error} events, anything else is dropped.
   */
  private static void answer(SioSocket socket, SioSocket.Ack ack, String event, Answer answer) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (ack == null) {
      switch (answer) {
        case Answer.Refused r -> socket.emit("error", error(r.code(), r.message(), event));
        case Answer.Joined j -> j.refused().forEach(r ->
            socket.emit("error", error("forbidden", r.reason(), event).put("room", r.room())));
        default -> { }
      }
      return;
    }
    ack.send(switch (answer) {
      case Answer.Pong p -> f.objectNode().put("ok", true);
      case Answer.Joined j -> {
        ObjectNode result = f.objectNode();
        j.rooms().forEach(result.putArray("rooms")::add);
        result.put("ok", j.ok());
        if (!j.ok()) {
          ArrayNode refused = result.putArray("refused");
          j.refused().forEach(r -> refused.addObject().put("room", r.room()).put("reason", r.reason()));
          result.put("error", j.refused().get(0).reason());
        }
        yield result;
      }
      case Answer.Left l -> {
        ObjectNode result = f.objectNode();
        l.rooms().forEach(result.putArray("rooms")::add);
        yield result.put("ok", true);
      }
      case Answer.Acked a -> f.objectNode().put("notificationId", a.notificationId().toString())
          .put("status", a.status()).put("timestamp", a.timestamp());
      case Answer.Preferences p -> p.document();
      case Answer.Done d -> f.objectNode().put("ok", true);
      case Answer.Who w -> w.toJson().put("ok", true);
      case Answer.Following fo -> fo.toJson().put("ok", true);
      case Answer.PresenceState p -> {
        ObjectNode result = f.objectNode().put("ok", true).put("userId", p.userId()).put("status", p.status());
        yield result.put("customStatus", p.customStatus());
      }
      case Answer.Replayed r -> f.objectNode().put("count", r.count()).put("lastSequence", r.lastSequence())
          .put("hasMore", r.more());
      case Answer.Refused r -> f.objectNode().put("ok", false).put("error", r.message()).put("code", r.code());
    });
  }

  private static ObjectNode error(String code, String message, String event) {
    return JsonNodeFactory.instance.objectNode().put("code", code).put("message", message).put("event", event);
  }

  private static Namespace.ConnectRefused refusal(String message, String code) {
    return new Namespace.ConnectRefused(message, JsonNodeFactory.instance.objectNode().put("code", code));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static <T> Future<T> onContext(SioSocket socket, java.util.function.Supplier<Future<T>> work) {
    if (socket.engine().onContext()) {
      return work.get();
    }
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    socket.engine().context().runOnContext(v -> work.get().onComplete(promise));
    return promise.future();
  }
}
