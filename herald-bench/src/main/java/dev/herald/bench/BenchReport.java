package dev.herald.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/** The results of a run, as values (written as JSON) and as the markdown table of docs/BENCHMARKS.md. */
final class BenchReport {
  private BenchReport() {}

  /** A latency distribution in milliseconds. */
  record Latency(long count, double p50Ms, double p90Ms, double p99Ms, double maxMs) {
    static Latency ofMicros(Histogram h) {
      return new Latency(h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
          h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3);
    }
  }

  /**
   * One publishing phase. {@code seconds} is the publishing time; the server CPU counts over
   * {@code cpuWindowSeconds}, from the first publish to the last delivery seen. The "net of idle"
   * figure first takes away what the server burnt while idle (heartbeats) over the same window.
   * Over the same window: the server's embedded PostgreSQL (its whole process tree; -1 when there
   * is none), the orchestrator (mostly the publisher) and the machine's busy share of all CPUs.
   */
  record Phase(String name, double targetRate, double seconds, long scheduled, long accepted, long failedPosts,
               long skipped, long expected, long delivered, Latency latency, Latency postRoundTrip,
               double cpuWindowSeconds, double serverCpuSeconds, double serverUserCpuSeconds,
               double serverSystemCpuSeconds, double cpuMicrosPerDelivery, double cpuMicrosPerDeliveryNetOfIdle,
               double cpuMicrosPerPublish, double clientCpuSeconds, double databaseCpuSeconds,
               double databaseCpuMicrosPerPublish, double orchestratorCpuSeconds, double machineBusyPercent,
               String firstError) {
    double achievedRate() {
      return seconds > 0 ? (scheduled - skipped) / seconds : 0;
    }

    /** Accepted publishes per second of publishing time. */
    double acceptedRate() {
      return seconds > 0 ? accepted / seconds : 0;
    }
  }

  /** Everything measured for one server; {@code error} says why a run stopped early. */
  record Server(String name, String version, int n, int connected, int connectFailed, double connectSeconds,
                double connectsPerSecond, double connectCpuMicrosPerConnection, long rssBaselineKb,
                long rssAfterConnectKb, long rssAfterIdleKb, double rssKbPerConnection, double idleCpuPercent,
                long pings, long closedAfterConnect, long clientErrors, List<Phase> phases, long peakRssKb,
                double otherCpuPercent, double stealPercent, String error) {
    Phase phase(String phaseName) {
      return phases == null ? null : phases.stream().filter(p -> p.name().equals(phaseName)).findFirst().orElse(null);
    }
  }

  /**
   * A whole run; {@code durable} is the curve of the durable scenario, {@code delivery} the report
   * of the delivery scenario, each null (left out) otherwise.
   */
  record Run(String command, String commit, String date, Map<String, Object> machine,
             Map<String, Object> parameters, List<Server> servers,
             @JsonInclude(JsonInclude.Include.NON_NULL) DurableReport.Curve durable,
             @JsonInclude(JsonInclude.Include.NON_NULL) DeliveryReport.Result delivery) {}

  static String markdown(Run run) {
    if (run.durable() != null) {
      return DurableReport.markdown(run);
    }
    if (run.delivery() != null) {
      return DeliveryReport.markdown(run);
    }
    StringBuilder md = new StringBuilder();
    header(md, run);
    List<Server> s = run.servers();
    md.append("| |");
    s.forEach(x -> md.append(' ').append(x.name()).append(" |"));
    md.append("\n|---|");
    s.forEach(x -> md.append("---:|"));
    md.append('\n');
    row(md, s, "version", Server::version);
    row(md, s, "connected / N", x -> x.connected() + " / " + x.n()
        + (x.connectFailed() > 0 ? " (" + x.connectFailed() + " failed)" : ""));
    row(md, s, "connects/s", x -> fmt(x.connectsPerSecond(), 0));
    row(md, s, "server CPU per connect (µs)", x -> fmt(x.connectCpuMicrosPerConnection(), 0));
    row(md, s, "RSS before → after idle (MiB)", x -> fmt(x.rssBaselineKb() / 1024.0, 0) + " → " + fmt(x.rssAfterIdleKb() / 1024.0, 0));
    row(md, s, "**RSS per idle connection (KiB)**", x -> "**" + fmt(x.rssKbPerConnection(), 1) + "**");
    row(md, s, "server CPU while idle (% of a core)", x -> fmt(x.idleCpuPercent(), 1));
    row(md, s, "pings answered by clients", x -> Long.toString(x.pings()));
    for (String phase : List.of("unicast", "broadcast")) {
      row(md, s, phase + ": publishes/s (target)", x -> ph(x, phase, p -> fmt(p.achievedRate(), 1) + " (" + fmt(p.targetRate(), 1) + ")"));
      row(md, s, phase + ": **delivered / expected**", x -> ph(x, phase, p -> p.delivered() + " / " + p.expected()
          + " (" + fmt(p.expected() == 0 ? 0 : 100.0 * p.delivered() / p.expected(), 2) + " %)"));
      row(md, s, phase + ": **latency p50 / p90 / p99 / max (ms)**", x -> ph(x, phase, p -> fmt(p.latency().p50Ms(), 2) + " / "
          + fmt(p.latency().p90Ms(), 2) + " / " + fmt(p.latency().p99Ms(), 2) + " / " + fmt(p.latency().maxMs(), 1)));
      row(md, s, phase + ": **server CPU per delivered message (µs)** (net of idle)", x -> ph(x, phase,
          p -> "**" + fmt(p.cpuMicrosPerDelivery(), 1) + "** (" + fmt(p.cpuMicrosPerDeliveryNetOfIdle(), 1) + ")"));
      if (phase.equals("unicast")) {
        row(md, s, phase + ": server CPU per publish (µs)", x -> ph(x, phase, p -> fmt(p.cpuMicrosPerPublish(), 1)));
      }
      row(md, s, phase + ": POST round trip p50 / p99 (ms)", x -> ph(x, phase, p -> fmt(p.postRoundTrip().p50Ms(), 2)
          + " / " + fmt(p.postRoundTrip().p99Ms(), 2)));
    }
    row(md, s, "peak RSS (MiB)", x -> fmt(x.peakRssKb() / 1024.0, 0));
    row(md, s, "machine CPU used by others / stolen (%)", x -> fmt(x.otherCpuPercent(), 1) + " / " + fmt(x.stealPercent(), 1));
    if (s.stream().anyMatch(x -> x.error() != null)) {
      row(md, s, "error", x -> x.error() == null ? "" : x.error().replace('|', '/'));
    }
    return md.toString();
  }

  /** Command, commit, machine and parameters, one line each. */
  static void header(StringBuilder md, Run run) {
    md.append("Command: `").append(run.command()).append("`  \n")
        .append("Commit: `").append(run.commit()).append("`, date: ").append(run.date()).append("  \n")
        .append("Machine: ").append(run.machine().get("summary")).append("  \n")
        .append("Parameters: ").append(run.parameters().get("summary")).append("\n\n");
  }

  private static String ph(Server x, String name, Function<Phase, String> f) {
    Phase p = x.phase(name);
    return p == null ? "—" : f.apply(p);
  }

  static void row(StringBuilder md, List<Server> servers, String label, Function<Server, String> value) {
    md.append("| ").append(label).append(" |");
    for (Server x : servers) {
      String v;
      try {
        v = value.apply(x);
      } catch (RuntimeException e) {
        v = "—";
      }
      md.append(' ').append(v).append(" |");
    }
    md.append('\n');
  }

  static String fmt(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v) || v < 0) {
      return "—";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }
}
