package dev.herald.gateway;

import dev.herald.bus.Inbox;
import dev.herald.bus.Online;

import dev.herald.auth.Identity;
import dev.herald.bus.Bus;
import dev.herald.bus.Publication;
import dev.herald.config.HeraldConfig;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The heart of the gateway: which sessions are connected, which rooms they are in, and the fan-out
 * of publications to them. Transports register sessions here; the HTTP API publishes here.
 *
 * <p>Threads: membership maps are concurrent. Dispatch of one publication (log append and hand-off
 * to every member) happens under {@link #dispatchLock}, as does a resume (joining rooms and reading
 * the log), so a resuming client misses nothing and sees nothing twice. Hand-off is cheap: sessions
 * queue the write onto their own event loop.
 */
public final class Gateway implements Online {
  private static final RoomKey[] NO_ROOMS = new RoomKey[0];

  private final Inbox inbox;
  private final HeraldMetrics metrics;
  private final Presence presence;
  private final int maxConnectionsPerUser;
  private final Map<RoomKey, Room> rooms = new ConcurrentHashMap<>();
  private final Map<Session, Membership> sessions = new ConcurrentHashMap<>();
  private final Object dispatchLock = new Object();
  /** One per event loop that ever had a member; guarded by {@link #dispatchLock}. */
  private final Map<io.vertx.core.Context, LoopFlusher> flushers = new java.util.IdentityHashMap<>();
  private final EventLog log;
  private volatile boolean draining;

  /** The rooms one session is in (their canonical keys); copy-on-write under its own lock. */
  private static final class Membership {
    volatile RoomKey[] keys = NO_ROOMS;

    synchronized boolean add(RoomKey key) {
      RoomKey[] current = keys;
      for (RoomKey k : current) {
        if (k == key) {
          return false;
        }
      }
      RoomKey[] grown = java.util.Arrays.copyOf(current, current.length + 1);
      grown[current.length] = key;
      keys = grown;
      return true;
    }

    synchronized RoomKey remove(RoomKey key) {
      RoomKey[] current = keys;
      for (int i = 0; i < current.length; i++) {
        if (current[i].equals(key)) {
          RoomKey found = current[i];
          RoomKey[] shrunk = new RoomKey[current.length - 1];
          System.arraycopy(current, 0, shrunk, 0, i);
          System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
          keys = shrunk;
          return found;
        }
      }
      return null;
    }
  }

  public Gateway(Bus bus, Inbox inbox, HeraldMetrics metrics, HeraldConfig config) {
    this(bus, inbox, metrics, config, Presence.off(bus, metrics));
  }

  /** A gateway whose sessions make {@code presence} (user:online, user:offline, presence:update). */
  public Gateway(Bus bus, Inbox inbox, HeraldMetrics metrics, HeraldConfig config, Presence presence) {
    this.presence = presence;
    this.inbox = inbox;
    this.metrics = metrics;
    this.maxConnectionsPerUser = config.limits().maxConnectionsPerUser();
    this.log = new EventLog(newEpoch(), config.recovery().maxEvents(), config.recovery().window().toMillis(),
        config.recovery().maxBytes());
    bus.subscribe(this::dispatch);
    metrics.gauge("herald_rooms", "Rooms with at least one member on this node", rooms::size);
  }

  /**
   * Adds a session and joins it to {@code user:<sub>} and {@code tenant:<tid>}. Returns false, and
   * adds nothing, when the user already holds the maximum number of connections or the node drains.
   *
   * <p>The welcome rule (docs/PROTOCOL.md): a transport writes its welcome ({@code /ws}
   * {@code connected}, the Socket.IO CONNECT answer, the SSE stream's first bytes) only after this
   * returned true. The session is then a member of its automatic rooms, so whatever is published
   * after the client saw the welcome reaches it.
   */
  public boolean register(Session session) {
    return register(session, true);
  }

  /**
   * Adds a session; with {@code joinAutomaticRooms} false it joins no room yet, because a
   * {@link #resume} follows that joins them together with the replay.
   */
  public boolean register(Session session, boolean joinAutomaticRooms) {
    if (draining) {
      metrics.refused("draining");
      return false;
    }
    // the user's own room counts the user's connections, so the limit needs no map of its own
    boolean[] admitted = {false};
    rooms.compute(userRoomKey(session), (k, room) -> {
      Room r = room == null ? new Room(k) : room;
      if (r.connections < maxConnectionsPerUser) {
        r.connections++;
        admitted[0] = true;
      }
      return r.unused() ? null : r;
    });
    if (!admitted[0]) {
      metrics.refused("connection_limit");
      return false;
    }
    sessions.put(session, new Membership());
    metrics.connectionOpened(session.transport());
    inbox.connected(session.identity());
    if (joinAutomaticRooms) {
      for (String room : session.identity().automaticRooms()) {
        joinAuthorized(session, room);
      }
    }
    // after the joins: the tenant's room, this session included (as in seed 000), hears user:online
    presence.connected(session.identity());
    return true;
  }

  /** Who is online on this node, and as what. */
  public Presence presence() {
    return presence;
  }

  /** Removes a session from every room. Idempotent. */
  public void unregister(Session session) {
    Membership membership = sessions.remove(session);
    if (membership == null) {
      return;
    }
    RoomKey[] joined;
    synchronized (membership) {
      joined = membership.keys;
      membership.keys = NO_ROOMS;
    }
    // its typing stops before its rooms hear it left
    presence.sessionEnded(session);
    for (RoomKey key : joined) {
      removeMember(key, session);
      presence.roomLeft(session, key.room());
    }
    rooms.computeIfPresent(userRoomKey(session), (k, r) -> {
      r.connections--;
      return r.unused() ? null : r;
    });
    metrics.connectionClosed(session.transport());
    presence.disconnected(session.identity());
  }

  /** Joins a room whose authorization was already decided. False when the session is gone. */
  public boolean joinAuthorized(Session session, String room) {
    Membership membership = sessions.get(session);
    if (membership == null) {
      return false;
    }
    Room joined = rooms.compute(new RoomKey(session.identity().tenantId(), room), (k, r) -> {
      Room target = r == null ? new Room(k) : r;
      target.add(session);
      return target;
    });
    boolean added = membership.add(joined.key);
    if (!sessions.containsKey(session)) {
      // unregistered meanwhile: undo, so no room keeps a session that is gone
      removeMember(joined.key, session);
      return false;
    }
    if (added) {
      presence.roomJoined(session, room);
    }
    return true;
  }

  /** Leaves {@code room}; the automatic rooms cannot be left. Returns whether it was a member. */
  public boolean leave(Session session, String room) {
    if (session.identity().automaticRooms().contains(room)) {
      return false;
    }
    Membership membership = sessions.get(session);
    RoomKey key = membership == null ? null : membership.remove(new RoomKey(session.identity().tenantId(), room));
    if (key == null) {
      return false;
    }
    removeMember(key, session);
    presence.roomLeft(session, room);
    return true;
  }

  /** Whether {@code session} is a member of {@code room}. */
  public boolean isMember(Session session, String room) {
    Membership membership = sessions.get(session);
    if (membership == null) {
      return false;
    }
    for (RoomKey k : membership.keys) {
      if (k.room().equals(room)) {
        return true;
      }
    }
    return false;
  }

  /** The rooms {@code session} is in, by name. */
  public List<String> roomsOf(Session session) {
    Membership membership = sessions.get(session);
    if (membership == null) {
      return List.of();
    }
    return java.util.Arrays.stream(membership.keys).map(RoomKey::room).sorted().toList();
  }

  /**
   * Called by a session once durable notification {@code notificationId} (from
   * {@link RoomEvent#deliveredByWrite} or {@link Inbox.Missed}) was written to its connection: the
   * notification is delivered, and the domain records it.
   */
  public void written(Session session, java.util.UUID notificationId) {
    inbox.written(session.identity(), notificationId, session.transport());
  }

  /** The offset a client that has seen nothing yet resumes from. */
  public String currentOffset() {
    return offsetOf(currentId());
  }

  /** The log id of the last event published on this node: a client that starts now has seen it. */
  public long currentId() {
    synchronized (dispatchLock) {
      return log.lastId();
    }
  }

  /** The offset clients hold for log id {@code id} ({@code <epoch>-<id>}). */
  public String offsetOf(long id) {
    return log.epoch() + "-" + id;
  }

  /**
   * Called on the session's event loop. Joins the automatic rooms and {@code rooms} and hands the
   * session, in order, every logged event
   * after {@code offset} that was published to one of its rooms; atomically with respect to
   * dispatch, so nothing is missed or doubled. Returns false when the offset is unknown or too old
   * for the log: then only the automatic rooms are joined and the caller starts the client afresh.
   */
  public boolean resume(Session session, Collection<String> rooms, String offset) {
    synchronized (dispatchLock) {
      for (String room : session.identity().automaticRooms()) {
        joinAuthorized(session, room);
      }
      Optional<Long> after = log.idOf(offset);
      if (after.isEmpty()) {
        return false;
      }
      Optional<List<RoomEvent>> missed = log.after(after.get(), System.currentTimeMillis());
      if (missed.isEmpty()) {
        return false;
      }
      for (String room : rooms) {
        joinAuthorized(session, room);
      }
      Membership joined = sessions.get(session);
      for (RoomEvent e : missed.get()) {
        if (joined != null && e.tenant().equals(session.identity().tenantId()) && inAnyRoom(joined.keys, e)
            && !e.excludes(session)) {
          session.deliver(e);
        }
      }
      session.flush();
      return true;
    }
  }

  /** True when {@code room} of {@code tenant} has a member on this node. */
  public boolean hasMembers(String tenant, String room) {
    Room r = rooms.get(new RoomKey(tenant, room));
    return r != null && !r.isEmpty();
  }

  /** Whether {@code userId} has a session on this node: its {@code user:<id>} room has a member. */
  @Override
  public boolean hasSession(String tenant, String userId) {
    return hasMembers(tenant, "user:" + userId);
  }

  /** Number of registered sessions on this node. */
  public int sessionCount() {
    return sessions.size();
  }

  /** Refuses new sessions from now on (start of a drain). */
  public void startDraining() {
    draining = true;
  }

  public boolean isDraining() {
    return draining;
  }

  /** Closes every session with {@code reason}. */
  public void closeAll(CloseReason reason) {
    for (Session s : new ArrayList<>(sessions.keySet())) {
      s.close(reason);
    }
  }

  private void dispatch(Publication publication) {
    synchronized (dispatchLock) {
      RoomEvent event = log.append(publication, System.currentTimeMillis());
      List<String> names = publication.rooms();
      // one task per event loop: deliver to each of its sessions, then flush each once
      Map<io.vertx.core.Context, List<Session>> byLoop = new java.util.IdentityHashMap<>(8);
      if (names.size() == 1) {
        Room room = rooms.get(new RoomKey(publication.tenant(), names.get(0)));
        if (room != null) {
          room.forEach(s -> {
            if (!event.excludes(s)) {
              byLoop.computeIfAbsent(s.context(), c -> new ArrayList<>()).add(s);
            }
          });
        }
      } else {
        Set<Session> seen = new HashSet<>();
        for (String name : names) {
          Room room = rooms.get(new RoomKey(publication.tenant(), name));
          if (room != null) {
            room.forEach(s -> {
              if (!event.excludes(s) && seen.add(s)) {
                byLoop.computeIfAbsent(s.context(), c -> new ArrayList<>()).add(s);
              }
            });
          }
        }
      }
      // submitted under the lock, so every loop receives events in log order
      byLoop.forEach((loop, batch) -> {
        LoopFlusher flusher = flushers.computeIfAbsent(loop, LoopFlusher::new);
        loop.runOnContext(v -> {
          metrics.delivered(event.publishedAtNanos());
          flusher.deliver(event, batch);
        });
      });
    }
  }

  private static boolean inAnyRoom(RoomKey[] joined, RoomEvent e) {
    for (String room : e.rooms()) {
      for (RoomKey k : joined) {
        if (k.room().equals(room)) {
          return true;
        }
      }
    }
    return false;
  }

  private void removeMember(RoomKey key, Session session) {
    rooms.computeIfPresent(key, (k, r) -> {
      r.remove(session);
      return r.unused() ? null : r;
    });
  }

  private static RoomKey userRoomKey(Session session) {
    Identity identity = session.identity();
    return new RoomKey(identity.tenantId(), identity.userRoom());
  }

  private static String newEpoch() {
    byte[] b = new byte[4];
    new SecureRandom().nextBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }
}
