package dev.herald.gateway;

import dev.herald.bus.Inbox;

import dev.herald.auth.Identity;
import dev.herald.auth.RoomAuthorizer;
import dev.herald.ops.HeraldMetrics;
import dev.herald.validation.Fields;
import dev.herald.vertx.VertxInternals;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Handles every {@link ClientCommand} of every transport, once: room joins through the
 * authorizer, leaves, and the durable-notification commands through the {@link Inbox}. Transports
 * decode a command, call {@link #handle}, and encode the {@link Answer}.
 *
 * <p>Threads: call {@link #handle} on the session's event loop; the answer completes there too,
 * and replayed notifications are written there ({@link Session#replay}) before it completes.
 */
public final class ClientCommands {
  /** Room names echoed in refusals are cut to this many characters. */
  private static final int MAX_ECHOED_ROOM = 200;

  private final Gateway gateway;
  private final Inbox inbox;
  private final RoomAuthorizer authorizer;
  private final HeraldMetrics metrics;

  public ClientCommands(Gateway gateway, Inbox inbox, RoomAuthorizer authorizer, HeraldMetrics metrics) {
    this.gateway = gateway;
    this.inbox = inbox;
    this.authorizer = authorizer;
    this.metrics = metrics;
  }

  /** Carries out {@code command} for {@code session}; never fails: refusals are {@link Answer.Refused}. */
  public Future<Answer> handle(Session session, ClientCommand command) {
    Future<Answer> answer = switch (command) {
      case ClientCommand.Ping p -> Future.succeededFuture(new Answer.Pong());
      case ClientCommand.Join j -> join(session, j.rooms());
      case ClientCommand.Leave l -> Future.succeededFuture(leave(session, l.rooms()));
      case ClientCommand.Ack a -> inbox.ack(session.identity(), a.notificationId())
          .map(st -> new Answer.Acked(st.notificationId(), st.status(), st.deliveredAt()));
      case ClientCommand.UpdatePreferences u -> inbox.updatePreferences(session.identity(), u.patch())
          .map(Answer.Preferences::new);
      case ClientCommand.RequestMissed r -> replay(session, r);
      case ClientCommand.PresenceUpdate u -> Future.succeededFuture(
          gateway.presence().update(session.identity(), u.status(), u.customStatus()));
      case ClientCommand.PresenceSubscribe p -> Future.succeededFuture(follow(session, p));
      case ClientCommand.Who w -> Future.succeededFuture(gateway.presence().who(session.identity().tenantId(),
          w.room(), gateway.isMember(session, w.room())));
      case ClientCommand.Typing t -> Future.succeededFuture(gateway.presence().typing(session, t.start(),
          t.resourceType(), t.resourceId(), gateway.isMember(session, t.resourceType() + ":" + t.resourceId())));
      case ClientCommand.Invalid i -> Future.succeededFuture(new Answer.Refused(i.code(), i.message()));
    };
    return onLoop(session, answer.recover(ClientCommands::refusal));
  }

  /**
   * Decides whether {@code user} may join each of {@code rooms} (the token's patterns, then the
   * operator's hook) without joining any: for a transport that must answer before it opens (SSE's
   * {@code ?rooms=}) or joins them later itself ({@link Gateway#resume}).
   */
  public Future<Answer.Joined> authorize(Identity user, List<String> rooms) {
    List<Future<RoomAuthorizer.Decision>> decisions = new ArrayList<>(rooms.size());
    for (String room : rooms) {
      decisions.add(authorizer.authorize(user, room));
    }
    return Future.join(decisions).transform(done -> {
      List<String> allowed = new ArrayList<>(rooms.size());
      List<Answer.RefusedRoom> refused = new ArrayList<>(0);
      for (int i = 0; i < rooms.size(); i++) {
        RoomAuthorizer.Decision d = decisions.get(i).result();
        if (d != null && d.allowed()) {
          allowed.add(rooms.get(i));
        } else {
          metrics.refused("room_join");
          refused.add(new Answer.RefusedRoom(Fields.abbreviate(rooms.get(i), MAX_ECHOED_ROOM),
              d == null ? "authorization failed" : d.reason()));
        }
      }
      return Future.succeededFuture(new Answer.Joined(allowed, refused));
    });
  }

  private Future<Answer> join(Session session, List<String> rooms) {
    return authorize(session.identity(), rooms).map(decided -> {
      List<String> joined = new ArrayList<>(decided.rooms().size());
      List<Answer.RefusedRoom> refused = new ArrayList<>(decided.refused());
      for (String room : decided.rooms()) {
        if (gateway.joinAuthorized(session, room)) {
          joined.add(room);
        } else {
          refused.add(new Answer.RefusedRoom(Fields.abbreviate(room, MAX_ECHOED_ROOM), "connection closed"));
        }
      }
      return new Answer.Joined(joined, refused);
    });
  }

  private Answer leave(Session session, List<String> rooms) {
    List<String> left = new ArrayList<>(rooms.size());
    for (String room : rooms) {
      if (gateway.leave(session, room)) {
        left.add(room);
      }
    }
    return new Answer.Left(left);
  }

  /**
   * {@code presence:subscribe}: joins the users' {@code presence:<id>} rooms (presence is visible
   * within the tenant, as its tenant-wide announcements are, so the token's room patterns do not
   * apply; rooms are per tenant, so another tenant's users are never followed); unsubscribe leaves them.
   */
  private Answer follow(Session session, ClientCommand.PresenceSubscribe p) {
    if (!gateway.presence().enabled()) {
      return new Answer.Refused("unavailable", "presence is off on this server (HERALD_PRESENCE)");
    }
    List<String> rooms = p.userIds().stream().map(id -> Presence.SUBSCRIPTION_KIND + ":" + id).toList();
    if (!p.subscribe()) {
      return leave(session, rooms);
    }
    List<String> following = new ArrayList<>(rooms.size());
    for (int i = 0; i < rooms.size(); i++) {
      if (gateway.joinAuthorized(session, rooms.get(i))) {
        following.add(p.userIds().get(i));
      }
    }
    return new Answer.Following(following, gateway.presence().online(session.identity().tenantId(), following));
  }

  /** Writes the missed notifications to the session, in order, then answers how many. */
  private Future<Answer> replay(Session session, ClientCommand.RequestMissed r) {
    return inbox.missed(session.identity(), r.afterSequence(), r.afterTime(), r.limit()).compose(found -> onLoop(session, () -> {
      boolean more = found.size() > r.limit();
      List<Inbox.Missed> shown = more ? found.subList(0, r.limit()) : found;
      for (Inbox.Missed m : shown) {
        session.replay(m);
      }
      session.flush();
      long last = shown.isEmpty() ? r.afterSequence() : shown.get(shown.size() - 1).sequence();
      return new Answer.Replayed(shown.size(), last, more);
    }));
  }

  private static Future<Answer> refusal(Throwable e) {
    return Future.succeededFuture(e instanceof Inbox.Refusal r ? new Answer.Refused(r.code(), r.getMessage())
        : new Answer.Refused("unavailable", "notifications are unavailable right now; retry shortly"));
  }

  /**
   * {@code result}, completing on the session's event loop: at once when it completes there (the
   * answer then goes out before anything the command published), else after a hop.
   */
  private static <T> Future<T> onLoop(Session session, Future<T> result) {
    Promise<T> promise = Promise.promise();
    result.onComplete(ar -> {
      if (VertxInternals.isOnLoopOf(session.context())) {
        promise.handle(ar);
      } else {
        session.context().runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }

  /** {@code work} run on the session's event loop. */
  private static <T> Future<T> onLoop(Session session, Supplier<T> work) {
    Promise<T> promise = Promise.promise();
    session.context().runOnContext(v -> {
      try {
        promise.complete(work.get());
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }
}
