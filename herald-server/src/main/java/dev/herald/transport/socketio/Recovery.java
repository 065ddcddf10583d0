package dev.herald.transport.socketio;

import dev.herald.auth.Identity;
import dev.herald.gateway.Gateway;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Socket.IO connection state recovery (socket.io 4.6+, "connectionStateRecovery"): a socket whose
 * transport dropped is parked under its recovery id ({@code pid}) for the recovery window; a client
 * that reconnects with that {@code pid} and its last {@code offset} gets its id and rooms back and
 * every event it missed, and {@code socket.recovered} is true.
 *
 * <p>Parked sessions are bounded ({@link #MAX_PARKED}): past it a dropped socket is not parked (its
 * client starts afresh, and fetches missed notifications from storage), counted in
 * {@code herald_socketio_recoveries_total{outcome="not_parked"}} and logged once per crossing.
 *
 * <p>Threads: parking and claiming run on sockets' event loops; the map is concurrent.
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  /** socket.io keeps a session for recovery after these disconnect reasons only. */
  private static final Set<String> RECOVERABLE = Set.of(
      "transport close", "transport error", "ping timeout", "forced close", "server shutting down");
  static final int MAX_PARKED = 100_000;

  /** A disconnected session kept for recovery. */
  record Parked(String sid, String pid, Identity identity, List<String> rooms, String startOffset, long expiresAt) {}

  private final Vertx vertx;
  private final Gateway gateway;
  private final HeraldMetrics metrics;
  private final long windowNanos;
  private final Map<String, Parked> parked = new ConcurrentHashMap<>();
  private final long timer;
  /** True while the parking limit is reached and that was logged. */
  private final AtomicBoolean full = new AtomicBoolean();

  Recovery(Vertx vertx, Gateway gateway, HeraldMetrics metrics, Duration window) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.metrics = metrics;
    this.windowNanos = window.toNanos();
    this.timer = vertx.setPeriodic(Math.max(1_000, window.toMillis() / 4), t -> expire());
    metrics.gauge("herald_socketio_parked_sessions", "Socket.IO sessions kept for connection state recovery",
        parked::size);
  }

  /** Stops the expiry timer and forgets every parked session. */
  void close() {
    vertx.cancelTimer(timer);
    parked.clear();
  }

  /**
   * Takes the parked session of {@code pid} when {@code identity} may resume it; null when there is
   * none (counted by why: unknown, another user's, expired).
   */
  Parked claim(String pid, Identity identity) {
    if (pid == null) {
      return null;
    }
    Parked previous = parked.remove(pid);
    String refused = previous == null ? "unknown_pid"
        : !previous.identity().userId().equals(identity.userId())
            || !previous.identity().tenantId().equals(identity.tenantId()) ? "other_user"
        : previous.expiresAt() - System.nanoTime() <= 0 ? "expired"
        : null;
    if (refused != null) {
      metrics.recovery(refused);
      return null;
    }
    return previous;
  }

  /**
   * Rejoins {@code previous}'s rooms and hands the session what it missed after {@code offset} (or
   * after the position it was parked at); when the position is lost, the socket starts afresh
   * under new ids, so the client sees {@code recovered: false}.
   */
  void resume(SioSocket socket, SocketIoSession session, Parked previous, String offset) {
    String from = offset != null ? offset : previous.startOffset();
    if (gateway.resume(session, previous.rooms(), from)) {
      metrics.recovery("recovered");
    } else {
      socket.renew();
      metrics.recovery("position_lost");
    }
  }

  /** Parks a socket that left for {@code reason}, when socket.io would keep it and there is room. */
  void park(SioSocket socket, SocketIoSession session, List<String> rooms, String reason) {
    if (socket.pid() == null || !RECOVERABLE.contains(reason)) {
      return;
    }
    if (parked.size() >= MAX_PARKED) {
      metrics.recovery("not_parked");
      if (full.compareAndSet(false, true)) {
        LOG.warn("{} Socket.IO sessions are parked for recovery (the limit); dropped sockets are not parked "
            + "until some expire, and their clients start afresh", MAX_PARKED);
      }
      return;
    }
    full.set(false);
    parked.put(socket.pid(), new Parked(socket.id(), socket.pid(), session.identity(), rooms,
        gateway.offsetOf(session.lastSeenId()), System.nanoTime() + windowNanos));
  }

  private void expire() {
    long now = System.nanoTime();
    parked.values().removeIf(p -> p.expiresAt() - now <= 0);
  }
}
