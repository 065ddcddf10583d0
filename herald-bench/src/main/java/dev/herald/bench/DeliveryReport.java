package dev.herald.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The report of {@code --scenario delivery} (issues 12 and 13, "Speed"): per phase, per stream
 * (email to the SMTP sink, webhooks to the receiver, Web Push to the push service, in-app to the
 * connected clients), what was offered, accepted, received, lost and repeated, the latency, the
 * push service's sample checks, Herald's and PostgreSQL's CPU, the job queue's backlog when
 * publishing ended, and where it saturates. As values (in {@code results.json}) and as markdown.
 */
final class DeliveryReport {
  /**
   * The issues' bounds for p99: email commit → accepted by SMTP, webhook and push commit → received,
   * in-app publish → receipt.
   */
  static final double EMAIL_P99_MS = 1_000;
  static final double WEBHOOK_P99_MS = 500;
  static final double PUSH_P99_MS = 1_000;
  static final double IN_APP_P99_MS = 50;
  /** A rate counts as sustained when at least this share of it was accepted. */
  static final double SUSTAINED = 0.98;

  private DeliveryReport() {}

  /**
   * One stream of a phase. {@code latency} for email, webhooks and push is from the create's 201
   * answer (after its commit) to the sink's receipt; {@code fromRequest} from just before the
   * create's request; for in-app both are from the request, as in the durable scenario.
   * {@code beforeAnswer}: messages that reached the sink before their create's answer reached the
   * publisher (counted as 0 ms). {@code drainSeconds}: from the end of publishing to the last
   * receipt. {@code sampleChecks}: for push, the push service's checks of the messages received in
   * the phase (null, left out, for the other streams).
   */
  record Stream(String channel, double offeredRate, double acceptedPerSecond, long scheduled, long accepted,
                long refused, long skipped, long expected, long received, long lost, long duplicates,
                long beforeAnswer, BenchReport.Latency latency, BenchReport.Latency fromRequest,
                BenchReport.Latency createRoundTrip, double drainSeconds, double targetP99Ms, boolean meetsTarget,
                String shortfall, String firstError,
                @JsonInclude(JsonInclude.Include.NON_NULL) PushService.Checks sampleChecks) {}

  /**
   * One phase. CPU counts from its first create to the last receipt (or the end of settling);
   * per create is over every create of the phase, per message over email, webhook and push messages
   * received (for push: the encryption and VAPID header included). Backlogs are unfinished jobs by "channel state", when publishing ended and after
   * settling. {@code databaseTransactionsPerCreate}: PostgreSQL transactions over the phase and its
   * settling (every client's: Herald's, and the harness's few) per create.
   */
  record Phase(String name, double seconds, List<Stream> streams, double cpuWindowSeconds,
               double heraldCpuMicrosPerCreate, double databaseCpuMicrosPerCreate,
               double heraldCpuMicrosPerMessage, double databaseCpuMicrosPerMessage,
               double databaseTransactionsPerCreate, double heraldCpuPercent,
               double databaseCpuPercent, double clientCpuPercent, double publisherCpuPercent,
               double machineBusyPercent, Map<String, Long> backlogAtEnd, Map<String, Long> backlogAfterSettle,
               String saturation) {
    Stream stream(String channel) {
      return streams.stream().filter(s -> s.channel().equals(channel)).findFirst().orElse(null);
    }
  }

  /**
   * Every phase; after the last one settled, how long until no job was unfinished in the table
   * ({@code finishedJobsAfterSeconds}, -1: not within the wait); every job of the run by channel and
   * state then; the sinks' totals and the run's targets in words; the push service's totals, warm-up
   * included (null, left out, when the push phase did not run).
   */
  record Result(List<Phase> phases, double finishedJobsAfterSeconds, Map<String, Long> jobsAtEnd, String targets,
                String sinks, @JsonInclude(JsonInclude.Include.NON_NULL) PushService.Totals pushService) {}

  /** Whether a stream met its target, and if not why. */
  static String shortfall(double offered, double acceptedPerSecond, long refused, long skipped, long expected,
                          long received, BenchReport.Latency latency, double targetP99Ms) {
    List<String> why = new ArrayList<>();
    if (refused > 0) {
      why.add(refused + " refused");
    }
    if (skipped > 0) {
      why.add(skipped + " skipped (all requests in flight)");
    }
    if (expected == 0) {
      why.add("nothing accepted");
    } else if (received < expected) {
      why.add((expected - received) + " of " + expected + " not received");
    }
    if (received > 0 && latency.p99Ms() >= targetP99Ms) {
      why.add("p99 " + fmt(latency.p99Ms(), 1) + " ms");
    }
    if (acceptedPerSecond < SUSTAINED * offered) {
      why.add("accepted " + fmt(acceptedPerSecond, 0) + "/s");
    }
    return String.join(", ", why);
  }

  /** Where the phase saturates, from what was measured: creates, the queue, the machine. */
  static String saturation(List<Stream> streams, Map<String, Long> backlogAtEnd, double machineBusy,
                           double heraldPercent, double databasePercent) {
    List<String> notes = new ArrayList<>();
    for (Stream s : streams) {
      if (s.acceptedPerSecond() < SUSTAINED * s.offeredRate()) {
        String rate = fmt(s.acceptedPerSecond(), 0) + " of " + fmt(s.offeredRate(), 0) + "/s accepted";
        notes.add(s.skipped() + s.refused() > 0
            ? s.channel() + " creates fell behind (" + rate + "; " + s.skipped() + " skipped with every request in flight, "
                + s.refused() + " refused)"
            : s.channel() + " publishing fell behind its own schedule (" + rate + ", none skipped or refused: the "
                + "publisher was short of CPU)");
      }
      long waiting = count(backlogAtEnd, s.channel(), "pending") + count(backlogAtEnd, s.channel(), "retrying");
      long running = count(backlogAtEnd, s.channel(), "running");
      // more than a second of the rate (and more than a handful) not yet attempted: sending is behind
      if (waiting > Math.max(s.offeredRate(), 50)) {
        notes.add(s.channel() + " sending fell behind: " + waiting + " jobs not yet attempted when publishing ended "
            + "(about " + fmt(waiting / s.offeredRate(), 1) + " s of the rate), the last message "
            + fmt(s.drainSeconds(), 1) + " s later");
      } else if (s.received() > 0 && s.latency().p99Ms() >= s.targetP99Ms()) {
        notes.add(s.channel() + " kept up in throughput but its tail missed (p99 " + fmt(s.latency().p99Ms(), 0) + " ms)");
      }
      if (running > Math.max(s.offeredRate(), 50)) {
        notes.add(running + " " + s.channel() + " jobs still running in the table when publishing ended (results are "
            + "written behind the sends)");
      }
    }
    long push = backlogAtEnd.entrySet().stream().filter(e -> e.getKey().startsWith("push ")).mapToLong(Map.Entry::getValue).sum();
    if (push > 0 && streams.stream().noneMatch(s -> s.channel().equals("push"))) {
      notes.add(push + " push jobs unfinished (one per in-app create of a type with push, ended as skipped)");
    }
    String cpu = "machine " + fmt(machineBusy, 0) + " % busy (Herald " + fmt(heraldPercent, 0) + " %, PostgreSQL "
        + fmt(databasePercent, 0) + " % of a core)";
    if (notes.isEmpty()) {
      return "kept up with every offered rate; " + cpu;
    }
    return String.join("; ", notes) + "; " + cpu + (machineBusy >= 90 ? ": the machine is out of CPU" : "");
  }

  /** Jobs of {@code channel} in {@code state} in a backlog keyed "channel state". */
  private static long count(Map<String, Long> backlog, String channel, String state) {
    return backlog.getOrDefault(channel + " " + state, 0L);
  }

  static String markdown(BenchReport.Run run) {
    StringBuilder md = new StringBuilder();
    BenchReport.header(md, run);
    BenchReport.Server herald = run.servers().getFirst();
    md.append("Herald: ").append(herald.version()).append("; ").append(herald.connected()).append(" / ")
        .append(herald.n()).append(" users connected; peak RSS ").append(fmt(herald.peakRssKb() / 1024.0, 0))
        .append(" MiB; machine CPU used by others / stolen ").append(fmt(herald.otherCpuPercent(), 1)).append(" / ")
        .append(fmt(herald.stealPercent(), 1)).append(" %.\n");
    if (herald.error() != null) {
      md.append("\n**Error:** ").append(herald.error()).append('\n');
    }
    Result r = run.delivery();
    md.append("\n**Delivery** (email: create's 201 → the SMTP sink's 250 after DATA; webhook and push: create's 201 → ")
        .append("the receiver or push service has the body; in-app: the create's request → the client's `notification` event)\n\n")
        .append("| phase | stream | offered /s | accepted /s | accepted / refused / skipped | received / expected "
            + "| lost | duplicates | latency p50 / p90 / p99 / max (ms) | from request p99 (ms) "
            + "| create round trip p50 / p99 (ms) | drain after publishing (s) | target met |\n")
        .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Phase p : r.phases()) {
      for (Stream s : p.streams()) {
        md.append("| ").append(p.name()).append(" | ").append(s.channel())
            .append(" | ").append(fmt(s.offeredRate(), 0)).append(" | ").append(fmt(s.acceptedPerSecond(), 1))
            .append(" | ").append(s.accepted()).append(" / ").append(s.refused()).append(" / ").append(s.skipped())
            .append(" | ").append(s.received()).append(" / ").append(s.expected())
            .append(" | ").append(s.lost()).append(" | ").append(s.duplicates() < 0 ? "—" : Long.toString(s.duplicates()))
            .append(" | ").append(fmt(s.latency().p50Ms(), 2)).append(" / ").append(fmt(s.latency().p90Ms(), 2))
            .append(" / **").append(fmt(s.latency().p99Ms(), 2)).append("** / ").append(fmt(s.latency().maxMs(), 1))
            .append(" | ").append(fmt(s.fromRequest().p99Ms(), 2))
            .append(" | ").append(fmt(s.createRoundTrip().p50Ms(), 2)).append(" / ")
            .append(fmt(s.createRoundTrip().p99Ms(), 2))
            .append(" | ").append(fmt(s.drainSeconds(), 2))
            .append(" | ").append(s.meetsTarget() ? "yes" : "no: " + s.shortfall().replace('|', '/'))
            .append(" |\n");
      }
    }
    md.append("\n| phase | Herald / PostgreSQL CPU per create (µs) | per email, webhook or push message (µs) "
            + "| PostgreSQL transactions per create | CPU: Herald / PostgreSQL / clients / publisher (% of a core) "
            + "| machine busy (%) "
            + "| unfinished jobs when publishing ended | after settling |\n")
        .append("|---|---:|---:|---:|---:|---:|---|---|\n");
    for (Phase p : r.phases()) {
      md.append("| ").append(p.name())
          .append(" | ").append(fmt(p.heraldCpuMicrosPerCreate(), 0)).append(" / ").append(fmt(p.databaseCpuMicrosPerCreate(), 0))
          .append(" | ").append(fmt(p.heraldCpuMicrosPerMessage(), 0)).append(" / ").append(fmt(p.databaseCpuMicrosPerMessage(), 0))
          .append(" | ").append(fmt(p.databaseTransactionsPerCreate(), 2))
          .append(" | ").append(fmt(p.heraldCpuPercent(), 0)).append(" / ").append(fmt(p.databaseCpuPercent(), 0))
          .append(" / ").append(fmt(p.clientCpuPercent(), 0)).append(" / ").append(fmt(p.publisherCpuPercent(), 0))
          .append(" | ").append(fmt(p.machineBusyPercent(), 0))
          .append(" | ").append(counts(p.backlogAtEnd())).append(" | ").append(counts(p.backlogAfterSettle()))
          .append(" |\n");
    }
    md.append('\n');
    for (Phase p : r.phases()) {
      for (Stream s : p.streams()) {
        PushService.Checks c = s.sampleChecks();
        if (c != null) {
          md.append("Sample checks of ").append(s.channel()).append(" messages received in ").append(p.name())
              .append(" (VAPID header, decryption, payload id): ").append(c.words()).append(".  \n");
        }
      }
    }
    for (Phase p : r.phases()) {
      md.append("Saturation, ").append(p.name()).append(": ").append(p.saturation()).append(".  \n");
    }
    md.append("Every job finished in the table ").append(r.finishedJobsAfterSeconds() < 0 ? "not within 30 s"
            : fmt(r.finishedJobsAfterSeconds(), 1) + " s")
        .append(" after the last phase settled; jobs of the run then, by channel and state: ")
        .append(counts(r.jobsAtEnd())).append(".  \n")
        .append("Sinks: ").append(r.sinks()).append(".  \n")
        .append("Targets: ").append(r.targets()).append(".\n");
    return md.toString();
  }

  private static String counts(Map<String, Long> byState) {
    if (byState == null) {
      return "not measured";
    }
    if (byState.isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    byState.forEach((k, v) -> parts.add(k + " " + v));
    return String.join(", ", parts);
  }

  static String fmt(double v, int decimals) {
    return BenchReport.fmt(v, decimals);
  }
}
