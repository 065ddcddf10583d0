package dev.herald.gateway;

import dev.herald.bus.Bus;
import dev.herald.bus.Publication;
import dev.herald.ops.HeraldMetrics;
import dev.herald.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Presence announcements ({@code user:online}, {@code user:offline}, {@code presence:updated}),
 * coalesced per window (issue 14: "announcements to a tenant are coalesced per short window
 * (online/offline of one user in the same window cancel out)"): they wait up to one window, in
 * order, and go out together; a user's online and offline inside one window cancel out (with the
 * status changes between them), as do an offline and the online that follows it. The rooms an
 * announcement goes to are chosen when it goes out ({@code route}: the tenant's size then). A zero
 * window sends each at once.
 *
 * <p>Threads: any. A tenant's pending list changes under its own lock, and only while it is the
 * tenant's list in the map: the flush takes a list out of the map before it reads it under the
 * lock, so an announcement lands either in the list being flushed or in the next one. The flush
 * runs on the scheduler's thread.
 */
final class Announcements {
  /** One waiting announcement about {@code user}. */
  private record Pending(String user, String event, String json) {}

  private final Bus bus;
  private final HeraldMetrics metrics;
  private final boolean immediate;
  /** For a tenant and a user, the rooms an announcement about the user goes to now. */
  private final BiFunction<String, String, List<String>> route;
  private final ConcurrentHashMap<String, List<Pending>> pending = new ConcurrentHashMap<>();

  Announcements(Bus bus, Scheduler scheduler, Duration window, HeraldMetrics metrics,
      BiFunction<String, String, List<String>> route) {
    this.bus = bus;
    this.metrics = metrics;
    this.route = route;
    this.immediate = window.isZero() || scheduler == null;
    if (!immediate) {
      scheduler.every(window, this::flush);
    }
  }

  /** Announces {@code event} about {@code user} of {@code tenant}, at once or with the window's others. */
  void add(String tenant, String user, String event, String json) {
    if (immediate) {
      send(tenant, new Pending(user, event, json));
      return;
    }
    while (true) {
      List<Pending> list = pending.computeIfAbsent(tenant, t -> new ArrayList<>());
      synchronized (list) {
        if (pending.get(tenant) != list) {
          continue; // flushed since it was taken: a new list holds the next window's
        }
        String opposite = switch (event) {
          case "user:offline" -> "user:online";
          case "user:online" -> "user:offline";
          default -> null;
        };
        if (opposite != null && cancel(list, user, opposite, event.equals("user:offline"))) {
          metrics.presenceEvent("coalesced");
          return;
        }
        list.add(new Pending(user, event, json));
        return;
      }
    }
  }

  /**
   * Removes {@code user}'s waiting {@code opposite}, and (going offline) everything about the user
   * after it; whether there was one.
   */
  private static boolean cancel(List<Pending> list, String user, String opposite, boolean withLater) {
    int at = -1;
    for (int i = list.size() - 1; i >= 0; i--) {
      Pending p = list.get(i);
      if (p.user().equals(user) && p.event().equals(opposite)) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      return false;
    }
    list.remove(at);
    if (withLater) {
      for (Iterator<Pending> it = list.listIterator(at); it.hasNext(); ) {
        if (it.next().user().equals(user)) {
          it.remove();
        }
      }
    }
    return true;
  }

  /** Sends what waits, tenant by tenant, in order. */
  void flush() {
    for (String tenant : pending.keySet()) {
      List<Pending> list = pending.remove(tenant);
      if (list == null) {
        continue;
      }
      List<Pending> due;
      synchronized (list) {
        due = new ArrayList<>(list);
        list.clear();
      }
      for (Pending p : due) {
        send(tenant, p);
      }
    }
  }

  private void send(String tenant, Pending p) {
    metrics.presenceEvent(p.event());
    bus.publish(Publication.event(tenant, route.apply(tenant, p.user()), p.event(), p.json()));
  }
}
