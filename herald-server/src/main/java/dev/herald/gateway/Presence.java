package dev.herald.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.Identity;
import dev.herald.bus.Bus;
import dev.herald.bus.LastSeen;
import dev.herald.bus.PresenceView;
import dev.herald.ops.HeraldMetrics;
import dev.herald.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is online (contract part 2, "Presence and typing (seed 000)"): per user, the sessions of
 * every transport on this node, the status ({@code ONLINE | AWAY | BUSY | OFFLINE}) and custom
 * status. The tenant's room hears {@code user:online {userId}} when a user's first session opens,
 * {@code user:offline {userId, lastSeenAt}} when the last one closed and no new one came within
 * the grace period ({@code HERALD_PRESENCE_GRACE_MS}: a page reload does not flap), and
 * {@code presence:updated {userId, status, customStatus}} on {@code presence:update}.
 * {@code lastSeenAt} goes to {@link LastSeen}, which keeps it durably.
 *
 * <p>Threads: any. Each user's state changes inside {@link ConcurrentHashMap#compute} of its key;
 * events are published after, outside it.
 */
public final class Presence implements PresenceView {
  public static final Set<String> STATUSES = Set.of("ONLINE", "AWAY", "BUSY", "OFFLINE");
  /** Rooms {@code presence:<userId>}: the subscribers of one user's presence ({@code presence:subscribe}). */
  public static final String SUBSCRIPTION_KIND = "presence";
  /** The most users one {@code presence:subscribe} names. */
  public static final int MAX_SUBSCRIBE = 500;
  /** The longest custom status, in characters (seed 000 sets no limit; a status line is short). */
  public static final int MAX_CUSTOM_STATUS = 128;

  /** Times as clients see them elsewhere: {@code 2024-01-15T10:30:00.000Z}. */
  private static final java.time.format.DateTimeFormatter ISO =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

  private record Key(String tenant, String user) {}

  /** One user's presence. Guarded by the map's compute of its key. */
  private static final class State {
    int sessions;
    String status = "ONLINE";
    String customStatus;
    Instant since;
    /** The pending {@code user:offline} while the user has no session, else null. */
    Scheduler.Timer offline;

    State(Instant since) {
      this.since = since;
    }
  }

  private final Bus bus;
  private final Scheduler scheduler;
  private final Duration grace;
  private final LastSeen lastSeen;
  private final Clock clock;
  private final HeraldMetrics metrics;
  private final ConcurrentHashMap<Key, State> users = new ConcurrentHashMap<>();
  private final boolean enabled;
  private final Typing typing;

  private final RoomPresence rooms;
  /** Users online per tenant on this node (with a session or in grace); changes with {@link #users}. */
  private final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> perTenant =
      new ConcurrentHashMap<>();
  /** Tenants with more users online than this hear no tenant-wide announcements. */
  private final int tenantLimit;
  private final Announcements announcements;

  /** Presence that tracks nothing and announces nothing (a gateway measured alone, in benchmarks). */
  public static Presence off(Bus bus, HeraldMetrics metrics) {
    return new Presence(bus, null, Duration.ZERO, LastSeen.NONE, Clock.systemUTC(), metrics, Set.of(), 0,
        Duration.ZERO, false);
  }

  /**
   * {@code roomKinds}: the kinds of room that keep presence (null for all but user, tenant and
   * channel); {@code tenantLimit}: above this many users online, a tenant hears no tenant-wide
   * announcements, only subscribers do; {@code coalesce}: the window announcements wait in
   * ({@link Announcements}; zero: none).
   */
  public Presence(Bus bus, Scheduler scheduler, Duration grace, LastSeen lastSeen, Clock clock,
      HeraldMetrics metrics, Set<String> roomKinds, int tenantLimit, Duration coalesce) {
    this(bus, scheduler, grace, lastSeen, clock, metrics, roomKinds, tenantLimit, coalesce, true);
  }

  private Presence(Bus bus, Scheduler scheduler, Duration grace, LastSeen lastSeen, Clock clock,
      HeraldMetrics metrics, Set<String> roomKinds, int tenantLimit, Duration coalesce, boolean enabled) {
    this.enabled = enabled;
    this.tenantLimit = tenantLimit;
    this.announcements = new Announcements(bus, enabled ? scheduler : null, coalesce, metrics, this::route);
    this.typing = new Typing(bus, scheduler, clock, metrics);
    this.rooms = new RoomPresence(bus, metrics, roomKinds);
    this.bus = bus;
    this.scheduler = scheduler;
    this.grace = grace;
    this.lastSeen = lastSeen;
    this.clock = clock;
    this.metrics = metrics;
    metrics.gauge("herald_presence_online_users", "Users with a session (or in their grace period) on this node",
        users::size);
  }

  /** A session of {@code user} opened: the first one (not within the grace period) announces the user online. */
  void connected(Identity user) {
    if (!enabled) {
      return;
    }
    boolean[] first = {false};
    users.compute(new Key(user.tenantId(), user.userId()), (k, s) -> {
      if (s == null) {
        s = new State(clock.instant());
        first[0] = true;
        perTenant.computeIfAbsent(k.tenant(), t -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
      } else if (s.offline != null) {
        // back within the grace period: the offline announcement is not made
        s.offline.cancel();
        s.offline = null;
      }
      s.sessions++;
      return s;
    });
    if (first[0]) {
      publish(user.tenantId(), user.userId(), "user:online",
          JsonNodeFactory.instance.objectNode().put("userId", user.userId()));
    }
  }

  /** A session of {@code user} closed: after the last one, the grace period starts. */
  void disconnected(Identity user) {
    if (!enabled) {
      return;
    }
    Key key = new Key(user.tenantId(), user.userId());
    users.computeIfPresent(key, (k, s) -> {
      s.sessions--;
      if (s.sessions == 0) {
        State state = s;
        s.offline = scheduler.schedule(grace, () -> expire(k, state));
      }
      return s;
    });
  }

  /** The grace period of {@code expected} ended: gone, unless a session came back meanwhile. */
  private void expire(Key key, State expected) {
    boolean[] gone = {false};
    users.computeIfPresent(key, (k, s) -> {
      if (s == expected && s.sessions == 0) {
        gone[0] = true;
        perTenant.computeIfPresent(k.tenant(), (t, n) -> n.decrementAndGet() == 0 ? null : n);
        return null;
      }
      return s;
    });
    if (gone[0]) {
      Instant at = clock.instant();
      lastSeen.record(key.tenant(), key.user(), at);
      publish(key.tenant(), key.user(), "user:offline", JsonNodeFactory.instance.objectNode().put("userId", key.user())
          .put("lastSeenAt", ISO.format(at)));
    }
  }

  /**
   * {@code presence:update}: sets {@code user}'s status and custom status (null clears it) and tells
   * the tenant; the answer is the presence as stored. Refused when the status is not one of
   * {@link #STATUSES} or the custom status is too long or holds control characters; nothing changes then.
   */
  Answer update(Identity user, String status, String customStatus) {
    if (!enabled) {
      return new Answer.Refused("unavailable", "presence is off on this server (HERALD_PRESENCE)");
    }
    if (status == null || !STATUSES.contains(status)) {
      metrics.refused("presence_status");
      return new Answer.Refused("bad_request", "status must be one of ONLINE, AWAY, BUSY, OFFLINE");
    }
    if (customStatus != null && (customStatus.length() > MAX_CUSTOM_STATUS
        || customStatus.chars().anyMatch(Character::isISOControl))) {
      metrics.refused("presence_status");
      return new Answer.Refused("bad_request", "customStatus must be at most " + MAX_CUSTOM_STATUS
          + " characters without control characters");
    }
    Instant now = clock.instant();
    State updated = users.computeIfPresent(new Key(user.tenantId(), user.userId()), (k, s) -> {
      s.status = status;
      s.customStatus = customStatus;
      s.since = now;
      return s;
    });
    if (updated == null) {
      return new Answer.Refused("not_connected", "no session of this user is open");
    }
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("userId", user.userId()).put("status", status);
    data.put("customStatus", customStatus);
    publish(user.tenantId(), user.userId(), "presence:updated", data);
    return new Answer.PresenceState(user.userId(), status, customStatus);
  }

  /**
   * {@code typing:start} / {@code typing:stop} of {@code session} in {@code <resourceType>:<resourceId>}:
   * only from a member of that room (contract: "only from users allowed in that room").
   */
  Answer typing(Session session, boolean start, String resourceType, String resourceId, boolean member) {
    if (!enabled) {
      return new Answer.Refused("unavailable", "presence is off on this server (HERALD_PRESENCE)");
    }
    String room = resourceType + ":" + resourceId;
    if (!member) {
      metrics.refused("typing_not_member");
      return new Answer.Refused("forbidden", "join " + dev.herald.validation.Fields.abbreviate(room, 200)
          + " before typing in it");
    }
    if (start) {
      typing.start(session, room, resourceType, resourceId);
    } else {
      typing.stop(session, room);
    }
    return new Answer.Done();
  }

  /** {@code session} joined {@code room}: a user's first session in a room of a presence kind announces them. */
  void roomJoined(Session session, String room) {
    if (enabled) {
      rooms.joined(session.identity().tenantId(), room, session.identity().userId());
    }
  }

  /** {@code session} left {@code room}, or ended: the user's last session there announces them gone. */
  void roomLeft(Session session, String room) {
    if (enabled) {
      rooms.left(session.identity().tenantId(), room, session.identity().userId());
    }
  }

  /**
   * {@code presence:who {room}}: the users in {@code room} with their presence, for a member of it
   * ({@code member}); refused for a room the session is not in or one of a kind without presence.
   */
  Answer who(String tenant, String room, boolean member) {
    if (!enabled) {
      return new Answer.Refused("unavailable", "presence is off on this server (HERALD_PRESENCE)");
    }
    if (!member) {
      metrics.refused("presence_who_not_member");
      return new Answer.Refused("forbidden", "join " + dev.herald.validation.Fields.abbreviate(room, 200)
          + " to see who is in it");
    }
    if (!rooms.tracks(room)) {
      return new Answer.Refused("bad_request", "rooms of this kind keep no presence (HERALD_PRESENCE_ROOM_KINDS)");
    }
    return new Answer.Who(room, room(tenant, room));
  }

  @Override
  public List<Member> room(String tenant, String room) {
    List<Member> out = new java.util.ArrayList<>();
    for (String user : rooms.users(tenant, room)) {
      Live live = live(tenant, user);
      if (live != null) {
        out.add(new Member(user, live.status(), live.customStatus(), live.since()));
      }
    }
    out.sort(java.util.Comparator.comparing(Member::userId));
    return out;
  }

  /** {@code session} ended: its typing stops. */
  void sessionEnded(Session session) {
    if (enabled) {
      typing.disconnected(session);
    }
  }

  @Override
  public Live live(String tenant, String user) {
    Live[] out = {null};
    users.computeIfPresent(new Key(tenant, user), (k, s) -> {
      out[0] = new Live(s.status, s.customStatus, s.since, s.sessions > 0);
      return s;
    });
    return out[0];
  }

  /** Records {@code lastSeenAt} for every user online here (the node is stopping). */
  public void recordAll() {
    Instant at = clock.instant();
    users.keySet().forEach(k -> lastSeen.record(k.tenant(), k.user(), at));
  }

  /** Whether sessions make presence on this node ({@code HERALD_PRESENCE}). */
  public boolean enabled() {
    return enabled;
  }

  /** The presence of those of {@code users} who are online here. */
  List<Member> online(String tenant, List<String> users) {
    List<Member> out = new java.util.ArrayList<>();
    for (String user : users) {
      Live live = live(tenant, user);
      if (live != null) {
        out.add(new Member(user, live.status(), live.customStatus(), live.since()));
      }
    }
    return out;
  }

  /** Users online in {@code tenant} on this node. */
  public int onlineIn(String tenant) {
    var n = perTenant.get(tenant);
    return n == null ? 0 : n.get();
  }

  /** An announcement about {@code user}, coalesced with the window's others ({@link Announcements}). */
  private void publish(String tenant, String user, String event, ObjectNode data) {
    announcements.add(tenant, user, event, data.toString());
  }

  /**
   * Where an announcement about {@code user} goes: to its subscribers ({@code presence:<user>}), and
   * to the whole tenant while the tenant has at most the limit online (issue 14: a tenant of 15,000
   * reconnecting after a deploy would otherwise make 225 million deliveries).
   */
  private List<String> route(String tenant, String user) {
    String subscribers = SUBSCRIPTION_KIND + ":" + user;
    return onlineIn(tenant) <= tenantLimit ? List.of("tenant:" + tenant, subscribers) : List.of(subscribers);
  }
}
