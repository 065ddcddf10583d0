package dev.herald.delivery;

import dev.herald.bus.Bus;
import dev.herald.config.DatabaseUrl;
import dev.herald.config.HeraldConfig;
import dev.herald.ops.HeraldMetrics;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs delivery jobs: one claimer takes due jobs from PostgreSQL in batches ({@code FOR UPDATE SKIP
 * LOCKED}, each with a lease naming this node), as many as there are free attempt slots
 * ({@code HERALD_DELIVERY_CONCURRENCY}); each job runs on a virtual thread through its
 * {@link DeliveryChannel}, behind its receiver's gate ({@link TargetGates}); a {@link Results}
 * writer records the ends of attempts in batches. The claimer sleeps until a {@code NOTIFY}
 * ({@link Wakeups}), the next job falls due, or a retry was scheduled; it never polls an empty queue
 * on a short period.
 *
 * <p>At least once: a job is delivered before its end is recorded, so a crash in between runs it
 * again (this node takes its own jobs back when it starts; other nodes take them when the lease
 * runs out). Never twice at once: a job runs only under an unexpired lease, and an end is recorded
 * only by the node holding it.
 *
 * <p>Threads: {@link #start} and {@link #close} from the composition root; the claimer, the results
 * writer and the listener each on a virtual thread of their own; attempts on virtual threads.
 */
public final class DeliveryEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);
  static final int BATCH = 200;
  private static final Duration IDLE_WAIT = Duration.ofSeconds(30);
  private static final Duration BUSY_RECEIVER_DEFER = Duration.ofMillis(500);
  private static final Duration SLOT_WAIT = Duration.ofSeconds(2);
  /** How long a claim that a wake-up started waits for more jobs to commit. */
  static final Duration LINGER = Duration.ofMillis(5);

  private final JobQueue queue;
  private final Map<String, DeliveryChannel> channels;
  private final TargetGates gates;
  private final int perTarget;
  private final RetryPolicy retries;
  private final Results results;
  private final Wakeups wakeups;
  private final HeraldMetrics metrics;
  private final Clock clock;
  private final Duration lease;
  private final String node;
  /** Free attempt slots of this node. */
  private final Semaphore slots;
  private final int concurrency;
  /** Released by every wake-up; the claimer drains it before each claim. */
  private final Semaphore wake = new Semaphore(0);
  private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
  private volatile boolean closed;
  private Thread claimer;

  /**
   * An engine over the jobs in {@code pool}, listening on a session of its own to {@code listenTo},
   * sending through {@code channels}; statuses go to the user's sessions over {@code bus}.
   */
  public DeliveryEngine(Pool pool, DatabaseUrl listenTo, Bus bus, HeraldMetrics metrics,
      HeraldConfig.Delivery config, String node, Clock clock, List<DeliveryChannel> channels) {
    this.queue = new JobQueue(pool, node);
    this.channels = channels.stream().collect(Collectors.toUnmodifiableMap(DeliveryChannel::name, Function.identity()));
    this.gates = new TargetGates(config.perTarget(), System::nanoTime);
    this.perTarget = config.perTarget();
    this.retries = new RetryPolicy(config.retryDelays(), () -> ThreadLocalRandom.current().nextDouble());
    this.metrics = metrics;
    this.clock = clock;
    this.lease = config.lease();
    this.node = node;
    this.concurrency = config.concurrency();
    this.slots = new Semaphore(concurrency);
    this.results = new Results(queue, bus, metrics, this::wake);
    this.wakeups = new Wakeups(listenTo, this::wake);
  }

  /** Takes back this node's own unfinished jobs (a crash), then starts claiming. */
  public void start() {
    results.start();
    wakeups.start();
    // never blocks the caller (an event loop, often): the claimer's first act is the take-back
    claimer = Thread.ofVirtual().name("herald-delivery-claim").start(() -> {
      reclaimOwn();
      claimLoop();
    });
  }

  private void reclaimOwn() {
    while (!closed) {
      try {
        int reclaimed = queue.reclaimOwn();
        if (reclaimed > 0) {
          LOG.info("[{}] {} delivery jobs were running when this node stopped; they run again", node, reclaimed);
        }
        return;
      } catch (RuntimeException e) {
        LOG.warn("[{}] taking back this node's unfinished delivery jobs: {}; trying again in 1 s", node, e.toString());
        try {
          wake.tryAcquire(1, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** Wakes the claimer: jobs may be due (a NOTIFY, a retry, an operator's request). */
  public void wake() {
    if (wake.availablePermits() == 0) {
      wake.release();
    }
  }

  /** Attempts running now on this node. */
  public int running() {
    return concurrency - slots.availablePermits();
  }

  private void claimLoop() {
    long leasesCheckedAt = 0;
    while (!closed) {
      try {
        long now = System.nanoTime();
        if (now - leasesCheckedAt > lease.toNanos() / 4) {
          leasesCheckedAt = now;
          int expired = queue.expireLeases();
          if (expired > 0) {
            LOG.warn("[{}] {} delivery jobs outlived their lease (their node died?); they run again", node, expired);
          }
        }
        slots.acquire();
        slots.release();
        wake.drainPermits();
        int want = Math.min(BATCH, slots.availablePermits());
        List<JobQueue.Claimed> claimed = want == 0 ? List.of() : queue.claim(want, lease);
        for (JobQueue.Claimed c : claimed) {
          slots.acquireUninterruptibly();
          attempts.execute(() -> {
            try {
              results.add(run(c));
            } finally {
              slots.release();
            }
          });
        }
        if (claimed.size() < want && wake.tryAcquire(untilNextDue().toNanos(), TimeUnit.NANOSECONDS)) {
          // woken with the queue drained: let the commits of the next few milliseconds join this claim
          // (at 1,000 creates/s a claim per NOTIFY took one or two jobs, a transaction each)
          Thread.sleep(LINGER.toMillis());
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.warn("[{}] claiming delivery jobs: {}; trying again in 1 s", node, e.toString());
          try {
            wake.tryAcquire(1, TimeUnit.SECONDS);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  private Duration untilNextDue() {
    OffsetDateTime next = queue.nextDue();
    if (next == null) {
      return IDLE_WAIT;
    }
    Duration d = Duration.between(clock.instant(), next.toInstant());
    return d.isNegative() || d.isZero() ? Duration.ofMillis(5) : d.compareTo(IDLE_WAIT) > 0 ? IDLE_WAIT : d;
  }

  /** One job, start to end: the shared checks, the gate, the channel, and what its outcome means. */
  JobQueue.Result run(JobQueue.Claimed claimed) {
    DeliveryJob job = claimed.job();
    DeliveryChannel channel = channels.get(job.channel());
    if (channel == null) {
      // no sender of this kind on this node (Web Push, before its channel is wired)
      return end(job, new Outcome.Skipped(null, "no-sender"), 0);
    }
    if (job.notificationId() != null && job.notification() == null) {
      return end(job, new Outcome.Skipped(null, "deleted"), 0);
    }
    // contract: `unread` — at `after`, the notification is still unread, otherwise the job ends as skipped: read
    if ("unread".equals(claimed.condition()) && job.notification().readAt() != null) {
      return end(job, new Outcome.Skipped(null, "read"), 0);
    }
    // issue 13: "a digest whose items are all read is skipped: read"
    if (job.digest() != null && job.digest().items().isEmpty()) {
      return end(job, new Outcome.Skipped(null, "read"), 0);
    }
    TargetGates.Gate gate = gates.of(channel.name() + ' ' + channel.targetKey(job),
        channel.slotsPerTarget(perTarget, concurrency));
    Duration breakerWait = gate.waitNow();
    if (!breakerWait.isZero()) {
      return defer(job, breakerWait, "the receiver's breaker is open after repeated failures");
    }
    if (!acquire(gate)) {
      return defer(job, BUSY_RECEIVER_DEFER, "the receiver has its maximum of attempts running");
    }
    long started = System.nanoTime();
    Outcome outcome;
    try {
      outcome = channel.attempt(job);
    } catch (Exception e) {
      LOG.warn("[{}] {} job {} failed in Herald: {}", node, channel.name(), job.id(), e.toString(), e);
      outcome = new Outcome.Retry(null, "Herald failed to send it: " + e, null);
    } finally {
      gate.slots.release();
    }
    switch (outcome) {
      case Outcome.Delivered d -> gate.succeeded();
      case Outcome.Retry r -> gate.failed();
      default -> { }
    }
    return end(job, outcome, System.nanoTime() - started);
  }

  /** A slot of the receiver: waits a little (a busy receiver frees them fast), not for a hanging one. */
  private static boolean acquire(TargetGates.Gate gate) {
    try {
      return gate.slots.tryAcquire(SLOT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private JobQueue.Result end(DeliveryJob job, Outcome outcome, long nanos) {
    JobQueue.Result result = switch (outcome) {
      case Outcome.Delivered d -> new JobQueue.Result(job.id(), "delivered", null, null, d.target(), null, d.detail(), false);
      case Outcome.Skipped s -> new JobQueue.Result(job.id(), "skipped", s.reason(), null, s.target(), null,
          "skipped: " + s.reason(), false);
      case Outcome.Failed f -> new JobQueue.Result(job.id(), "failed", "rejected", f.error(), f.target(), null,
          f.error(), false);
      case Outcome.Retry r -> retries.after(job.attempt(), r.after())
          .map(wait -> new JobQueue.Result(job.id(), "retrying", null, r.error(), r.target(), at(wait),
              r.error(), false))
          .orElseGet(() -> new JobQueue.Result(job.id(), "failed", "retries-exhausted", r.error(), r.target(), null,
              r.error(), false));
    };
    metrics.deliveryAttempt(job.channel(), result.state(), nanos);
    return result;
  }

  private JobQueue.Result defer(DeliveryJob job, Duration wait, String why) {
    metrics.deliveryAttempt(job.channel(), "deferred", 0);
    return new JobQueue.Result(job.id(), "retrying", null, why, null, at(wait), null, true);
  }

  private OffsetDateTime at(Duration wait) {
    return OffsetDateTime.ofInstant(clock.instant().plus(wait), ZoneOffset.UTC);
  }

  /** Stops claiming, lets running attempts finish for a moment, records what ended. */
  @Override
  public void close() {
    closed = true;
    wakeups.close();
    if (claimer != null) {
      claimer.interrupt();
    }
    attempts.shutdown();
    try {
      if (!attempts.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.info("[{}] {} delivery attempts still running at close; their leases return them", node, running());
        attempts.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    results.close();
  }
}
