package dev.herald.gateway;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The members of one room on this node. Small rooms (a user's own room, most channels) keep their
 * members in a copy-on-write array of a few entries; a room that grows past that moves them to a
 * concurrent set for good. For a {@code user:} room it also counts the user's registered sessions,
 * which the per-user connection limit checks.
 *
 * <p>Threads: changed only inside {@code ConcurrentHashMap.compute} on the gateway's room map,
 * which serialises the changes of one room; read by fan-out from any thread without locking.
 */
final class Room {
  private static final int SMALL = 8;
  private static final Session[] NONE = new Session[0];

  /** The room's key; every session's membership refers to this one instance. */
  final RoomKey key;
  /** Members while {@link #large} is null; stale (and ignored) once it is set. */
  private volatile Session[] small = NONE;
  private volatile Set<Session> large;
  /** Registered sessions of the user whose room this is; guarded by the map's compute. */
  int connections;

  Room(RoomKey key) {
    this.key = key;
  }

  boolean add(Session s) {
    Set<Session> set = large;
    if (set != null) {
      return set.add(s);
    }
    Session[] members = small;
    for (Session m : members) {
      if (m == s) {
        return false;
      }
    }
    if (members.length < SMALL) {
      Session[] grown = Arrays.copyOf(members, members.length + 1);
      grown[members.length] = s;
      small = grown;
    } else {
      Set<Session> moved = ConcurrentHashMap.newKeySet(SMALL * 4);
      moved.addAll(Arrays.asList(members));
      moved.add(s);
      // readers look at large first; small is left as it was so none of them sees an empty room
      large = moved;
    }
    return true;
  }

  boolean remove(Session s) {
    Set<Session> set = large;
    if (set != null) {
      return set.remove(s);
    }
    Session[] members = small;
    for (int i = 0; i < members.length; i++) {
      if (members[i] == s) {
        Session[] shrunk = new Session[members.length - 1];
        System.arraycopy(members, 0, shrunk, 0, i);
        System.arraycopy(members, i + 1, shrunk, i, members.length - i - 1);
        small = shrunk.length == 0 ? NONE : shrunk;
        return true;
      }
    }
    return false;
  }

  boolean contains(Session s) {
    Set<Session> set = large;
    if (set != null) {
      return set.contains(s);
    }
    for (Session m : small) {
      if (m == s) {
        return true;
      }
    }
    return false;
  }

  /** True when the room has no members (it may still count connections being registered). */
  boolean isEmpty() {
    Set<Session> set = large;
    return set != null ? set.isEmpty() : small.length == 0;
  }

  /** True when the room has neither members nor counted connections: it can leave the map. */
  boolean unused() {
    Set<Session> set = large;
    return connections == 0 && (set != null ? set.isEmpty() : small.length == 0);
  }

  /** Calls {@code action} for every member, a consistent-enough snapshot for fan-out. */
  void forEach(Consumer<Session> action) {
    Set<Session> set = large;
    if (set != null) {
      set.forEach(action);
    } else {
      for (Session s : small) {
        action.accept(s);
      }
    }
  }
}
