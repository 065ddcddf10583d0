package dev.herald.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.bus.Bus;
import dev.herald.bus.Publication;
import dev.herald.ops.HeraldMetrics;
import dev.herald.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Typing indicators (seed 000; contract part 2, "Presence and typing"): {@code typing:start} /
 * {@code typing:stop {resourceType, resourceId}} from a member of room
 * {@code <resourceType>:<resourceId>} reach the room's other members (not the typist's own
 * sessions) as {@code typing:user-started} / {@code typing:user-stopped {userId, resourceType,
 * resourceId}}. A start not renewed within {@link #EXPIRY} stops by itself, and so does every start
 * of a session that disconnects. Repeated starts are coalesced: at most one relay per user and
 * resource per {@link #COALESCE}; the renewals in between only keep it alive.
 *
 * <p>Threads: any. A typist's state changes inside the map's compute of its key; relays are
 * published after, outside it.
 */
final class Typing {
  static final Duration EXPIRY = Duration.ofSeconds(8);
  static final Duration COALESCE = Duration.ofSeconds(2);

  private record Key(String tenant, String user, String room) {}

  /** One user typing in one room. Guarded by the map's compute of its key. */
  private static final class State {
    final String sessionId;
    final String resourceType;
    final String resourceId;
    Instant relayedAt;
    Scheduler.Timer expiry;

    State(String sessionId, String resourceType, String resourceId) {
      this.sessionId = sessionId;
      this.resourceType = resourceType;
      this.resourceId = resourceId;
    }
  }

  private final Bus bus;
  private final Scheduler scheduler;
  private final Clock clock;
  private final HeraldMetrics metrics;
  private final ConcurrentHashMap<Key, State> typing = new ConcurrentHashMap<>();
  /** The keys each session started, for its disconnect. */
  private final ConcurrentHashMap<String, Set<Key>> bySession = new ConcurrentHashMap<>();

  Typing(Bus bus, Scheduler scheduler, Clock clock, HeraldMetrics metrics) {
    this.bus = bus;
    this.scheduler = scheduler;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** {@code typing:start} in {@code room} (which {@code session} is a member of: the caller checked). */
  void start(Session session, String room, String resourceType, String resourceId) {
    Key key = new Key(session.identity().tenantId(), session.identity().userId(), room);
    Instant now = clock.instant();
    boolean[] relay = {false};
    typing.compute(key, (k, s) -> {
      State state = s;
      if (state == null) {
        state = new State(session.id(), resourceType, resourceId);
        relay[0] = true;
      } else if (!now.isBefore(state.relayedAt.plus(COALESCE))) {
        relay[0] = true;
      }
      if (relay[0]) {
        state.relayedAt = now;
      }
      if (state.expiry != null) {
        state.expiry.cancel();
      }
      State expiring = state;
      state.expiry = scheduler.schedule(EXPIRY, () -> end(k, expiring));
      return state;
    });
    bySession.compute(session.id(), (id, started) -> {
      Set<Key> keys = started == null ? ConcurrentHashMap.newKeySet() : started;
      keys.add(key);
      return keys;
    });
    if (relay[0]) {
      relay(key, "typing:user-started", resourceType, resourceId);
    } else {
      metrics.refused("typing_coalesced");
    }
  }

  /** {@code typing:stop}: relays the stop when the user was typing there. */
  void stop(Session session, String room) {
    Key key = new Key(session.identity().tenantId(), session.identity().userId(), room);
    State state = typing.get(key);
    if (state != null) {
      end(key, state);
    }
  }

  /** {@code session} ended: what it started stops. */
  void disconnected(Session session) {
    Set<Key> keys = bySession.remove(session.id());
    if (keys == null) {
      return;
    }
    for (Key key : keys) {
      State state = typing.get(key);
      if (state != null && state.sessionId.equals(session.id())) {
        end(key, state);
      }
    }
  }

  /** Ends {@code expected} (a stop, an expiry, a disconnect) unless it was replaced meanwhile. */
  private void end(Key key, State expected) {
    if (typing.remove(key, expected)) {
      if (expected.expiry != null) {
        expected.expiry.cancel();
      }
      // the session's index loses the key, and goes when empty (a start racing its session's
      // disconnect may have made one that no disconnect will read)
      bySession.computeIfPresent(expected.sessionId, (id, started) -> {
        started.remove(key);
        return started.isEmpty() ? null : started;
      });
      relay(key, "typing:user-stopped", expected.resourceType, expected.resourceId);
    }
  }

  private void relay(Key key, String event, String resourceType, String resourceId) {
    metrics.presenceEvent(event);
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("userId", key.user())
        .put("resourceType", resourceType).put("resourceId", resourceId);
    bus.publish(Publication.toOthers(key.tenant(), List.of(key.room()), event, data.toString(), key.user()));
  }
}
