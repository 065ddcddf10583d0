package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The report of {@code --scenario durable} (issue 4): one point per rate of {@code --durable-rates},
 * end to end from {@code POST /api/notifications} to the recipient's {@code notification} event,
 * the issue's target (p99 under {@value #TARGET_P99_MS} ms, none lost, the rate sustained) checked
 * at each, and where Herald with its PostgreSQL saturates. As values (in {@code results.json}) and
 * as markdown.
 */
final class DurableReport {
  /** The issue's latency bound for p99, publish to receipt. */
  static final double TARGET_P99_MS = 50;
  /** The issue's rate and duration, for the verdict line. */
  static final double ISSUE_RATE = 5_000;
  static final int ISSUE_SECONDS = 60;
  /** A rate counts as sustained when at least this share of it was accepted. */
  private static final double SUSTAINED = 0.98;
  private static final String PREFIX = "rate-";

  private DurableReport() {}

  /**
   * One rate. CPU percentages are of one core over the phase's window (first publish to last
   * delivery); "publisher" is the orchestrator process. {@code shortfall} says why the target was
   * missed (empty when met).
   */
  record Point(String phase, double targetRate, double acceptedPerSecond, long scheduled, long accepted, long failed,
               long skipped, long delivered, long expected, BenchReport.Latency latency,
               BenchReport.Latency postRoundTrip, double heraldCpuMicrosPerNotification,
               double databaseCpuMicrosPerNotification, double heraldCpuPercent, double databaseCpuPercent,
               double clientCpuPercent, double publisherCpuPercent, double machineBusyPercent, boolean meetsTarget,
               String shortfall) {}

  /**
   * The curve: every point, the highest rate that met the target and the lowest that missed it
   * (-1 when there is none), the most notifications accepted per second, both in words, and the
   * verdict on the issue's own parameters.
   */
  record Curve(String target, int secondsPerRate, List<Point> points, double highestRateMeetingTarget,
               double lowestRateMissingTarget, double maxAcceptedPerSecond, String saturation, String issueVerdict) {}

  /** The phase name of {@code rate}: {@code rate-5000}. */
  static String phaseName(double rate) {
    return PREFIX + (rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate));
  }

  static Curve curve(BenchReport.Server herald, int secondsPerRate) {
    List<Point> points = new ArrayList<>();
    for (BenchReport.Phase p : herald.phases() == null ? List.<BenchReport.Phase>of() : herald.phases()) {
      if (p.name().startsWith(PREFIX)) {
        points.add(point(p));
      }
    }
    double highest = points.stream().filter(Point::meetsTarget).mapToDouble(Point::targetRate).max().orElse(-1);
    double lowestMiss = points.stream().filter(p -> !p.meetsTarget()).mapToDouble(Point::targetRate).min().orElse(-1);
    double maxAccepted = points.stream().mapToDouble(Point::acceptedPerSecond).max().orElse(0);
    String target = "p99 < " + fmt(TARGET_P99_MS, 0) + " ms publish → receipt, delivered = expected, no failed or skipped"
        + " request, at least " + fmt(SUSTAINED * 100, 0) + " % of the rate accepted";
    return new Curve(target, secondsPerRate, points, highest, lowestMiss, maxAccepted, saturation(points, maxAccepted),
        issueVerdict(herald, points, secondsPerRate));
  }

  private static Point point(BenchReport.Phase p) {
    double window = p.cpuWindowSeconds();
    List<String> why = new ArrayList<>();
    if (p.failedPosts() > 0) {
      why.add(p.failedPosts() + " failed");
    }
    if (p.skipped() > 0) {
      why.add(p.skipped() + " skipped (all requests in flight)");
    }
    if (p.expected() == 0) {
      why.add("nothing accepted");
    } else if (p.delivered() < p.expected()) {
      why.add((p.expected() - p.delivered()) + " of " + p.expected() + " not delivered");
    }
    if (p.delivered() > 0 && p.latency().p99Ms() >= TARGET_P99_MS) {
      why.add("p99 " + fmt(p.latency().p99Ms(), 1) + " ms");
    }
    if (p.acceptedRate() < SUSTAINED * p.targetRate()) {
      why.add("accepted " + fmt(p.acceptedRate(), 0) + "/s");
    }
    return new Point(p.name(), p.targetRate(), p.acceptedRate(), p.scheduled(), p.accepted(), p.failedPosts(),
        p.skipped(), p.delivered(), p.expected(), p.latency(), p.postRoundTrip(), p.cpuMicrosPerPublish(),
        p.databaseCpuMicrosPerPublish(), percent(p.serverCpuSeconds(), window), percent(p.databaseCpuSeconds(), window),
        percent(p.clientCpuSeconds(), window), percent(p.orchestratorCpuSeconds(), window), p.machineBusyPercent(),
        why.isEmpty(), String.join(", ", why));
  }

  /** Which rates met the target and which missed it and why, in the order measured, and the most accepted. */
  private static String saturation(List<Point> points, double maxAccepted) {
    if (points.isEmpty()) {
      return "no rate was measured";
    }
    List<String> met = new ArrayList<>();
    List<String> missed = new ArrayList<>();
    for (Point p : points) {
      if (p.meetsTarget()) {
        met.add(fmt(p.targetRate(), 0) + "/s");
      } else {
        missed.add(fmt(p.targetRate(), 0) + "/s (" + p.shortfall() + "; machine " + fmt(p.machineBusyPercent(), 0)
            + " % busy)");
      }
    }
    return "target met at " + (met.isEmpty() ? "no rate" : String.join(", ", met)) + "; missed at "
        + (missed.isEmpty() ? "no rate (not saturated within the rates measured)" : String.join(", ", missed))
        + "; at most " + fmt(maxAccepted, 0) + " notifications/s accepted";
  }

  private static String issueVerdict(BenchReport.Server herald, List<Point> points, int secondsPerRate) {
    String target = "issue 4 (" + fmt(ISSUE_RATE, 0) + "/s for " + ISSUE_SECONDS + " s, p99 < " + fmt(TARGET_P99_MS, 0)
        + " ms, none lost, 2,000 users)";
    Point at = points.stream().filter(p -> p.targetRate() == ISSUE_RATE).findFirst().orElse(null);
    if (at == null || secondsPerRate < ISSUE_SECONDS || herald.connected() < 2_000) {
      return target + ": not measured with its parameters (a " + fmt(ISSUE_RATE, 0) + "/s rate, --durable-seconds "
          + ISSUE_SECONDS + " and 2,000 connected users are needed)";
    }
    return target + ": " + (at.meetsTarget() ? "met" : "NOT met (" + at.shortfall() + ")");
  }

  static String markdown(BenchReport.Run run) {
    StringBuilder md = new StringBuilder();
    BenchReport.header(md, run);
    List<BenchReport.Server> s = run.servers();
    md.append("| |");
    s.forEach(x -> md.append(' ').append(x.name()).append(" |"));
    md.append("\n|---|");
    s.forEach(x -> md.append("---:|"));
    md.append('\n');
    BenchReport.row(md, s, "version", BenchReport.Server::version);
    BenchReport.row(md, s, "connected / N", x -> x.connected() + " / " + x.n()
        + (x.connectFailed() > 0 ? " (" + x.connectFailed() + " failed)" : ""));
    BenchReport.row(md, s, "connects/s", x -> fmt(x.connectsPerSecond(), 0));
    BenchReport.row(md, s, "RSS before → after idle (MiB)", x -> fmt(x.rssBaselineKb() / 1024.0, 0) + " → "
        + fmt(x.rssAfterIdleKb() / 1024.0, 0));
    BenchReport.row(md, s, "server CPU while idle (% of a core)", x -> fmt(x.idleCpuPercent(), 1));
    BenchReport.row(md, s, "peak RSS (MiB)", x -> fmt(x.peakRssKb() / 1024.0, 0));
    BenchReport.row(md, s, "machine CPU used by others / stolen (%)", x -> fmt(x.otherCpuPercent(), 1) + " / "
        + fmt(x.stealPercent(), 1));
    if (s.stream().anyMatch(x -> x.error() != null)) {
      BenchReport.row(md, s, "error", x -> x.error() == null ? "" : x.error().replace('|', '/'));
    }
    BenchReport.Phase warmup = s.getFirst().phase("warmup");
    if (warmup != null) {
      md.append("\nWarm-up (not in the curve): ").append(warmup.accepted()).append(" accepted at ")
          .append(fmt(warmup.targetRate(), 0)).append("/s, ").append(warmup.delivered()).append(" / ")
          .append(warmup.expected()).append(" delivered, p99 ").append(fmt(warmup.latency().p99Ms(), 2)).append(" ms.\n");
    }
    Curve c = run.durable();
    md.append("\n**Durable notifications, rate → latency** (`POST /api/notifications` → the recipient's Socket.IO ")
        .append("`notification` event; one recipient per notification; ").append(c.secondsPerRate())
        .append(" s per rate; CPU in % of one core)\n\n")
        .append("| target /s | accepted /s | accepted / failed / skipped | delivered / expected "
            + "| latency p50 / p90 / p99 / max (ms) | POST round trip p50 / p99 (ms) "
            + "| Herald CPU per notification (µs) | PostgreSQL CPU per notification (µs) "
            + "| CPU: Herald / PostgreSQL / clients / publisher (%) | machine busy (%) | target met |\n")
        .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Point p : c.points()) {
      md.append("| ").append(fmt(p.targetRate(), 0))
          .append(" | ").append(fmt(p.acceptedPerSecond(), 1))
          .append(" | ").append(p.accepted()).append(" / ").append(p.failed()).append(" / ").append(p.skipped())
          .append(" | ").append(p.delivered()).append(" / ").append(p.expected())
          .append(" | ").append(fmt(p.latency().p50Ms(), 2)).append(" / ").append(fmt(p.latency().p90Ms(), 2))
          .append(" / **").append(fmt(p.latency().p99Ms(), 2)).append("** / ").append(fmt(p.latency().maxMs(), 1))
          .append(" | ").append(fmt(p.postRoundTrip().p50Ms(), 2)).append(" / ").append(fmt(p.postRoundTrip().p99Ms(), 2))
          .append(" | ").append(fmt(p.heraldCpuMicrosPerNotification(), 0))
          .append(" | ").append(fmt(p.databaseCpuMicrosPerNotification(), 0))
          .append(" | ").append(fmt(p.heraldCpuPercent(), 0)).append(" / ").append(fmt(p.databaseCpuPercent(), 0))
          .append(" / ").append(fmt(p.clientCpuPercent(), 0)).append(" / ").append(fmt(p.publisherCpuPercent(), 0))
          .append(" | ").append(fmt(p.machineBusyPercent(), 0))
          .append(" | ").append(p.meetsTarget() ? "yes" : "no: " + p.shortfall().replace('|', '/'))
          .append(" |\n");
    }
    md.append("\nTarget at each rate: ").append(c.target()).append(".  \n")
        .append("Saturation: ").append(c.saturation()).append(".  \n")
        .append("Verdict for ").append(c.issueVerdict()).append(".\n");
    return md.toString();
  }

  private static double percent(double cpuSeconds, double windowSeconds) {
    return cpuSeconds < 0 || windowSeconds <= 0 ? -1 : 100 * cpuSeconds / windowSeconds;
  }

  private static String fmt(double v, int decimals) {
    return BenchReport.fmt(v, decimals);
  }
}
