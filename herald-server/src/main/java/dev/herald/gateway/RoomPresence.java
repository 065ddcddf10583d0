package dev.herald.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.bus.Bus;
import dev.herald.bus.Publication;
import dev.herald.ops.HeraldMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is in a room (contract part 2: "Rooms of kinds in HERALD_PRESENCE_ROOM_KINDS also announce
 * presence:joined / presence:left {room, userId} to their members"; seed 001's "who is viewing a
 * repository"): per room of a presence kind, the users with a session in it and how many. A user's
 * first session in the room announces {@code presence:joined} to the room's other members, the last
 * one to leave {@code presence:left}; {@link #users} answers {@code presence:who}.
 *
 * <p>Threads: any. A room's counts change inside the outer map's compute of that room (so joins
 * and leaves of one room are serialised); its inner map is concurrent for readers. Announcements go
 * out after.
 */
final class RoomPresence {
  /**
   * The kinds that never announce: a user's own room, the tenant's, broadcast channels, and the
   * rooms of presence subscriptions ({@code presence:<userId>}).
   */
  static final Set<String> QUIET_KINDS = Set.of("user", "tenant", "channel", Presence.SUBSCRIPTION_KIND);

  private record RoomId(String tenant, String room) {}

  private final Bus bus;
  private final HeraldMetrics metrics;
  /** The kinds that announce; null: every kind but {@link #QUIET_KINDS}. */
  private final Set<String> kinds;
  private final Map<RoomId, ConcurrentHashMap<String, Integer>> rooms = new ConcurrentHashMap<>();

  RoomPresence(Bus bus, HeraldMetrics metrics, Set<String> kinds) {
    this.bus = bus;
    this.metrics = metrics;
    this.kinds = kinds == null ? null : Set.copyOf(kinds);
  }

  /** Whether rooms named {@code room} keep presence: their kind (before the first {@code :}) is one. */
  boolean tracks(String room) {
    int colon = room.indexOf(':');
    String kind = colon < 0 ? room : room.substring(0, colon);
    return kinds == null ? !QUIET_KINDS.contains(kind) : kinds.contains(kind);
  }

  /** A session of {@code user} joined {@code room}. */
  void joined(String tenant, String room, String user) {
    if (!tracks(room)) {
      return;
    }
    boolean[] first = {false};
    // the room's whole change in its compute: a leave emptying it cannot drop this join
    rooms.compute(new RoomId(tenant, room), (id, members) -> {
      ConcurrentHashMap<String, Integer> m = members == null ? new ConcurrentHashMap<>() : members;
      first[0] = m.merge(user, 1, Integer::sum) == 1;
      return m;
    });
    if (first[0]) {
      announce(tenant, room, user, "presence:joined");
    }
  }

  /** A session of {@code user} left {@code room} (or ended). */
  void left(String tenant, String room, String user) {
    if (!tracks(room)) {
      return;
    }
    boolean[] last = {false};
    rooms.computeIfPresent(new RoomId(tenant, room), (id, m) -> {
      Integer n = m.get(user);
      if (n != null && n == 1) {
        m.remove(user);
        last[0] = true;
      } else if (n != null) {
        m.put(user, n - 1);
      }
      return m.isEmpty() ? null : m;
    });
    if (last[0]) {
      announce(tenant, room, user, "presence:left");
    }
  }

  /** The users with a session in {@code room}; empty when none (or the room keeps no presence). */
  List<String> users(String tenant, String room) {
    Map<String, Integer> members = rooms.get(new RoomId(tenant, room));
    return members == null ? List.of() : new ArrayList<>(members.keySet());
  }

  private void announce(String tenant, String room, String user, String event) {
    metrics.presenceEvent(event);
    String data = JsonNodeFactory.instance.objectNode().put("room", room).put("userId", user).toString();
    bus.publish(Publication.toOthers(tenant, List.of(room), event, data, user));
  }
}
