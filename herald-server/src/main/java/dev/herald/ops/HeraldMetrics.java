package dev.herald.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The gateway's Prometheus metrics. Every method is thread-safe and cheap enough for the delivery
 * path: meters are created once per label value and reused.
 */
public final class HeraldMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
  private final Map<String, Counter> messagesIn = new ConcurrentHashMap<>();
  private final Map<String, Counter> messagesOut = new ConcurrentHashMap<>();
  private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
  private final Map<String, Counter> presenceEvents = new ConcurrentHashMap<>();
  private final Map<String, Counter> recoveries = new ConcurrentHashMap<>();
  private final Map<String, Counter> deliveryAttempts = new ConcurrentHashMap<>();
  private final Map<String, Timer> deliveryDurations = new ConcurrentHashMap<>();
  private final Timer deliveryLatency;
  private final Counter published;
  private final Counter notificationsCreated;
  private final Counter notificationsAcked;
  private final Counter notificationsResent;
  private final Counter notificationsUnacknowledged;
  private final Counter notificationsReplayed;
  private final Counter notificationsScheduled;
  private final Counter notificationsNotLive;
  private final Counter jobsQueued;
  private final Counter jobsHeld;
  private final Counter jobsDigested;
  private final Counter jobsThrottled;
  private final Counter jobsReleased;
  private final Counter notificationsDelivered;
  private final Counter receiptsLost;
  private final Counter notTracked;

  public HeraldMetrics() {
    deliveryLatency = Timer.builder("herald_publish_delivery")
        .description("Time from publish to the write of the event to a client connection")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(50_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    published = Counter.builder("herald_events_published").description("Events published to rooms")
        .register(registry);
    notificationsCreated = counter("herald_notifications_stored", "Durable notifications stored (one per recipient)");
    notificationsAcked = counter("herald_notifications_acked", "Notifications acknowledged by a client");
    notificationsResent = counter("herald_notifications_resent", "Re-sends of notifications waiting for an ack");
    notificationsUnacknowledged = counter("herald_notifications_unacknowledged",
        "Notifications still unacknowledged after every re-send");
    notificationsReplayed = counter("herald_notifications_replayed", "Notifications replayed to clients that missed them");
    notificationsScheduled = counter("herald_notifications_scheduled_released",
        "Scheduled notifications released when due");
    notificationsNotLive = counter("herald_notifications_not_live",
        "Notifications stored for history but not sent live: the recipient switched in-app off");
    jobsQueued = counter("herald_delivery_jobs_queued", "Email and push jobs queued to go out now");
    jobsHeld = counter("herald_delivery_jobs_held", "Email and push jobs held through the recipient's quiet hours");
    jobsDigested = counter("herald_delivery_jobs_digested", "Email and push messages gathered into a digest");
    jobsThrottled = counter("herald_delivery_jobs_throttled", "Email and push messages skipped beyond a type's throttle");
    jobsReleased = counter("herald_delivery_jobs_released", "Held email and push jobs released when quiet hours ended");
    notificationsDelivered = counter("herald_notifications_delivered",
        "Notifications recorded delivered in-app: a session of the recipient had them written");
    receiptsLost = counter("herald_delivery_receipts_lost",
        "In-app deliveries that could not be recorded (the database refused or was away); they stay pending");
    notTracked = counter("herald_notifications_ack_untracked",
        "Notifications requiring an ack that were not tracked for re-sends (the node's limit was reached)");
  }

  /** What the preferences decided for committed notifications. */
  public void deliveryDecisions(int notLive, int queued, int held) {
    notificationsNotLive.increment(notLive);
    jobsQueued.increment(queued);
    jobsHeld.increment(held);
  }

  /** Email and push messages a create gathered into digests, and those it skipped beyond a throttle. */
  public void batched(int digested, int throttled) {
    jobsDigested.increment(digested);
    jobsThrottled.increment(throttled);
  }

  public void deliveryJobsReleased(int n) {
    jobsReleased.increment(n);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  public void notificationsDelivered(int n) {
    notificationsDelivered.increment(n);
  }

  public void deliveryReceiptsLost(int n) {
    receiptsLost.increment(n);
  }

  public void notificationNotTracked() {
    notTracked.increment();
  }

  public void notificationsCreated(int n) {
    notificationsCreated.increment(n);
  }

  public void notificationAcked() {
    notificationsAcked.increment();
  }

  public void notificationResent() {
    notificationsResent.increment();
  }

  public void notificationUnacknowledged() {
    notificationsUnacknowledged.increment();
  }

  public void notificationsReplayed(int n) {
    notificationsReplayed.increment(n);
  }

  public void notificationsScheduledReleased(int n) {
    notificationsScheduled.increment(n);
  }

  /** Registers a gauge read from {@code value} at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  public void connectionOpened(String transport) {
    connectionsOf(transport).incrementAndGet();
  }

  public void connectionClosed(String transport) {
    connectionsOf(transport).decrementAndGet();
  }

  public int connections(String transport) {
    return connectionsOf(transport).get();
  }

  public void messageIn(String transport) {
    Counter c = messagesIn.get(transport);
    if (c == null) {
      c = messagesIn.computeIfAbsent(transport, t -> Counter.builder("herald_messages_in")
          .description("Messages received from clients").tag("transport", t).register(registry));
    }
    c.increment();
  }

  /** On every delivery: a plain map read (no capturing lambda) once the counter exists. */
  public void messageOut(String transport) {
    Counter c = messagesOut.get(transport);
    if (c == null) {
      c = messagesOut.computeIfAbsent(transport, t -> Counter.builder("herald_messages_out")
          .description("Messages written to clients").tag("transport", t).register(registry));
    }
    c.increment();
  }

  /** Counts a presence event published ({@code user:online}, {@code user:offline}, {@code presence:updated}). */
  public void presenceEvent(String event) {
    presenceEvents.computeIfAbsent(event, e -> Counter.builder("herald_presence_events")
        .description("Presence events published, by event").tag("event", e).register(registry))
        .increment();
  }

  /** Counts a refused connection, message or request; {@code reason} is a short fixed label. */
  public void refused(String reason) {
    refusals.computeIfAbsent(reason, r -> Counter.builder("herald_refusals")
        .description("Refused connections, messages and requests").tag("reason", r).register(registry))
        .increment();
  }

  /**
   * A Socket.IO CONNECT that offered a recovery id: {@code recovered}, or why not
   * ({@code unknown_pid}, {@code other_user}, {@code expired}, {@code position_lost}).
   */
  public void recovery(String outcome) {
    recoveries.computeIfAbsent(outcome, o -> Counter.builder("herald_socketio_recoveries")
        .description("Socket.IO connection state recovery attempts by outcome").tag("outcome", o).register(registry))
        .increment();
  }

  /**
   * The end of one delivery attempt of {@code channel} ({@code email}, {@code push}, {@code webhook}):
   * {@code outcome} is the job's next state ({@code delivered}, {@code retrying}, {@code failed},
   * {@code skipped}, {@code deferred}), {@code nanos} how long the channel took (0 when it did not run).
   */
  public void deliveryAttempt(String channel, String outcome, long nanos) {
    String key = channel + '\u0000' + outcome;
    Counter c = deliveryAttempts.get(key);
    if (c == null) {
      c = deliveryAttempts.computeIfAbsent(key, k -> Counter.builder("herald_delivery_attempts")
          .description("Delivery job attempts by channel and the state they led to")
          .tag("channel", channel).tag("outcome", outcome).register(registry));
    }
    c.increment();
    if (nanos > 0) {
      deliveryDurations.computeIfAbsent(channel, ch -> Timer.builder("herald_delivery_attempt_duration")
          .description("How long one delivery attempt took, by channel").tag("channel", ch)
          .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(30)).register(registry))
          .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /** Attempts of {@code channel} that led to {@code outcome} so far (tests and the dashboard). */
  public double deliveryAttempts(String channel, String outcome) {
    Counter c = deliveryAttempts.get(channel + '\u0000' + outcome);
    return c == null ? 0 : c.count();
  }

  public double refusals(String reason) {
    Counter c = refusals.get(reason);
    return c == null ? 0 : c.count();
  }

  public void published() {
    published.increment();
  }

  public void delivered(long publishedAtNanos) {
    deliveryLatency.record(System.nanoTime() - publishedAtNanos, TimeUnit.NANOSECONDS);
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  private AtomicInteger connectionsOf(String transport) {
    return connections.computeIfAbsent(transport, t -> {
      AtomicInteger n = new AtomicInteger();
      Gauge.builder("herald_connections", n, AtomicInteger::get)
          .description("Open client connections").tag("transport", t).register(registry);
      return n;
    });
  }
}
