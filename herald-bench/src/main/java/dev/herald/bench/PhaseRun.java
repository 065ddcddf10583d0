package dev.herald.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * One phase of {@link DeliveryScenario}: its streams published at once, each by its own
 * {@link Publisher} for the phase's length; then the queue's backlog; then settling until every
 * accepted create's message arrived, or nothing new arrived for a while, or the settle time passed;
 * then each stream's counts and latencies (and a sink's sample checks, once done), and Herald's and
 * PostgreSQL's CPU from the first create to the last receipt seen.
 *
 * <p>Threads: {@link #run} on the orchestrator's thread, one virtual thread per stream while
 * publishing.
 */
final class PhaseRun {
  /**
   * A kind of create, the publisher that sends it, the sink that receives its messages (null: the
   * load clients) and the sink's sample checks (null: it checks none).
   */
  record Stream(String channel, Publisher publisher, Publisher.Body body, Receipts receipts, double targetP99Ms,
                SampleChecks checks) {
    Stream(String channel, Publisher publisher, Publisher.Body body, Receipts receipts, double targetP99Ms) {
      this(channel, publisher, body, receipts, targetP99Ms, null);
    }

    Offered at(double rate) {
      return new Offered(this, rate);
    }
  }

  /** A sink's sample checks so far, once those of every message it received until now are done. */
  @FunctionalInterface
  interface SampleChecks {
    PushService.Checks await() throws InterruptedException;
  }

  /** A stream at a rate, for one phase. */
  record Offered(Stream stream, double rate) {}

  /** What every phase measures with. {@code backlog} may be null (no embedded database found). */
  record Context(ServerProcess server, JobBacklog backlog, LongSupplier clientCpu, int settleSeconds, long quietNanos) {}

  /** The phase, and its in-app stream waiting for the load clients' histogram (null when it had none). */
  record Outcome(DeliveryReport.Phase phase, Partial inApp) {}

  /** An in-app stream whose latency comes from the load clients' final report. */
  record Partial(double rate, double targetP99Ms, Publisher.Result published) {
    DeliveryReport.Stream finish(long received, Histogram latencyMicros) {
      Publisher.Result r = published;
      double acceptedPerSecond = r.seconds() > 0 ? r.accepted() / r.seconds() : 0;
      BenchReport.Latency latency = BenchReport.Latency.ofMicros(latencyMicros == null ? new Histogram(3) : latencyMicros);
      String why = DeliveryReport.shortfall(rate, acceptedPerSecond, r.failed(), r.skipped(), r.accepted(), received,
          latency, targetP99Ms);
      return new DeliveryReport.Stream("in-app", rate, acceptedPerSecond, r.scheduled(), r.accepted(), r.failed(),
          r.skipped(), r.accepted(), received, Math.max(0, r.accepted() - received), -1, 0, latency, latency,
          BenchReport.Latency.ofMicros(r.postMicros()), -1, targetP99Ms, why.isEmpty(), why, r.firstError(), null);
    }
  }

  private final Context ctx;
  private final String name;
  private final int k;
  private final int seconds;
  private final List<Offered> streams;
  private final LongSupplier inAppReceived;

  PhaseRun(Context ctx, String name, int k, int seconds, List<Offered> streams, LongSupplier inAppReceived) {
    this.ctx = ctx;
    this.name = name;
    this.k = k;
    this.seconds = seconds;
    this.streams = streams;
    this.inAppReceived = inAppReceived;
  }

  Outcome run() throws Exception {
    int n = streams.size();
    List<CreatedIds> ids = new ArrayList<>();
    long[] distinct0 = new long[n];
    long[] duplicates0 = new long[n];
    PushService.Checks[] checks0 = new PushService.Checks[n];
    for (int i = 0; i < n; i++) {
      ids.add(new CreatedIds());
      Receipts r = streams.get(i).stream().receipts();
      distinct0[i] = r == null ? 0 : r.distinct();
      duplicates0[i] = r == null ? 0 : r.duplicates();
      SampleChecks c = streams.get(i).stream().checks();
      checks0[i] = c == null ? null : c.await();
    }
    long transactions0 = ctx.backlog() == null ? -1 : ctx.backlog().transactions();
    long start = System.nanoTime();
    Snapshot cpu0 = Snapshot.take(ctx);
    List<Publisher.Result> results = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<Publisher.Result>> running = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Offered o = streams.get(i);
        CreatedIds created = ids.get(i);
        running.add(CompletableFuture.supplyAsync(() -> {
          try {
            return o.stream().publisher().run(k, o.rate(), Duration.ofSeconds(seconds), o.stream().body(), created);
          } catch (Exception e) {
            throw new IllegalStateException(name + " " + o.stream().channel() + ": " + e, e);
          }
        }, threads));
      }
      for (CompletableFuture<Publisher.Result> f : running) {
        results.add(f.join());
      }
    }
    long published = System.nanoTime();
    Map<String, Long> backlogAtEnd = ctx.backlog() == null ? null : ctx.backlog().unfinished();

    // Settle: until all arrived, or quiet for a while, or the settle time is up.
    long seen = -1;
    long lastProgress = published;
    Snapshot cpuAtLast = Snapshot.take(ctx);
    long deadline = published + Duration.ofSeconds(ctx.settleSeconds()).toNanos();
    while (true) {
      long got = 0;
      boolean all = true;
      for (int i = 0; i < n; i++) {
        Receipts r = streams.get(i).stream().receipts();
        long received = r == null ? inAppReceived.getAsLong() : r.distinct() - distinct0[i];
        got += received;
        all &= received >= results.get(i).accepted();
      }
      long now = System.nanoTime();
      if (got != seen) {
        seen = got;
        lastProgress = now;
        cpuAtLast = Snapshot.take(ctx);
      }
      if (all || now - lastProgress > ctx.quietNanos() || now > deadline || !ctx.server().isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    Map<String, Long> backlogAfter = ctx.backlog() == null ? null : ctx.backlog().unfinished();
    long transactions = ctx.backlog() == null ? -1 : ctx.backlog().transactions() - transactions0;

    List<DeliveryReport.Stream> out = new ArrayList<>();
    Partial inApp = null;
    long creates = 0;
    long messages = 0;
    for (int i = 0; i < n; i++) {
      Offered o = streams.get(i);
      Publisher.Result r = results.get(i);
      creates += r.accepted();
      if (o.stream().receipts() == null) {
        inApp = new Partial(o.rate(), o.stream().targetP99Ms(), r);
        out.add(inApp.finish(inAppReceived.getAsLong(), null));
        continue;
      }
      CreatedIds.Matched m = ids.get(i).match(o.stream().receipts());
      messages += m.received();
      PushService.Checks checks = o.stream().checks() == null ? null : o.stream().checks().await().minus(checks0[i]);
      out.add(stream(o, r, m, o.stream().receipts().duplicates() - duplicates0[i], checks, published));
    }
    double window = (lastProgress - start) / 1e9;
    Snapshot used = cpuAtLast.minus(cpu0);
    double heraldMicros = used.server() * 1e6 / ProcStats.TICKS_PER_SECOND;
    double databaseMicros = used.database() < 0 ? -1 : used.database() * 1e6 / ProcStats.TICKS_PER_SECOND;
    double heraldPercent = percent(used.server(), window);
    double databasePercent = percent(used.database(), window);
    double machineBusy = used.machine().busyPercent();
    DeliveryReport.Phase phase = new DeliveryReport.Phase(name, seconds, out, window,
        per(heraldMicros, creates), per(databaseMicros, creates), per(heraldMicros, messages),
        per(databaseMicros, messages), transactions < 0 ? -1 : per(transactions, creates), heraldPercent, databasePercent, percent(used.client(), window),
        percent(used.orchestrator(), window), machineBusy, backlogAtEnd, backlogAfter,
        DeliveryReport.saturation(out, backlogAtEnd == null ? Map.of() : backlogAtEnd, machineBusy, heraldPercent,
            databasePercent));
    return new Outcome(phase, inApp);
  }

  /** A sink's stream; {@code checks} (null: none) are the sample checks of the messages received in the phase. */
  private static DeliveryReport.Stream stream(Offered o, Publisher.Result r, CreatedIds.Matched m, long duplicates,
                                              PushService.Checks checks, long publishedNanos) {
    double acceptedPerSecond = r.seconds() > 0 ? r.accepted() / r.seconds() : 0;
    BenchReport.Latency latency = BenchReport.Latency.ofMicros(m.fromAnswerMicros());
    double target = o.stream().targetP99Ms();
    String why = DeliveryReport.shortfall(o.rate(), acceptedPerSecond, r.failed(), r.skipped(), r.accepted(),
        m.received(), latency, target);
    if (duplicates > 0) {
      why = why.isEmpty() ? duplicates + " duplicates" : why + ", " + duplicates + " duplicates";
    }
    if (checks != null && checks.failed() > 0) {
      String failed = checks.failed() + " of " + checks.sampled() + " sample checks failed";
      why = why.isEmpty() ? failed : why + ", " + failed;
    }
    if (checks != null && checks.pending() > 0) {
      String pending = checks.pending() + " sample checks not done";
      why = why.isEmpty() ? pending : why + ", " + pending;
    }
    double drain = m.lastReceiptNanos() == Long.MIN_VALUE ? -1 : Math.max(0, m.lastReceiptNanos() - publishedNanos) / 1e9;
    return new DeliveryReport.Stream(o.stream().channel(), o.rate(), acceptedPerSecond, r.scheduled(), r.accepted(),
        r.failed(), r.skipped(), r.accepted(), m.received(), Math.max(0, r.accepted() - m.received()), duplicates,
        m.beforeAnswer(), latency, BenchReport.Latency.ofMicros(m.fromRequestMicros()),
        BenchReport.Latency.ofMicros(r.postMicros()), drain, target, why.isEmpty(), why, r.firstError(), checks);
  }

  private static double per(double micros, long count) {
    return micros < 0 || count == 0 ? -1 : micros / count;
  }

  private static double percent(long ticks, double windowSeconds) {
    return ticks < 0 || windowSeconds <= 0 ? -1 : 100.0 * ticks / ProcStats.TICKS_PER_SECOND / windowSeconds;
  }

  /** CPU ticks read together: Herald, its database (-1: none), the load clients, this process, the machine. */
  private record Snapshot(long server, long database, long client, long orchestrator, ProcStats.MachineCpu machine) {
    static Snapshot take(Context ctx) {
      return new Snapshot(ctx.server().cpu().total(), ctx.server().databaseCpu().total(), ctx.clientCpu().getAsLong(),
          ProcStats.cpuTicks(ProcessHandle.current().pid()), ProcStats.MachineCpu.read());
    }

    Snapshot minus(Snapshot earlier) {
      return new Snapshot(server - earlier.server, database < 0 || earlier.database < 0 ? -1 : database - earlier.database,
          client - earlier.client, orchestrator - earlier.orchestrator, machine.minus(earlier.machine));
    }
  }
}
