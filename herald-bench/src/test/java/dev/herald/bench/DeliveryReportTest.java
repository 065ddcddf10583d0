package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the delivery report says a phase saturates, from the counts it was given. */
class DeliveryReportTest {
  private static DeliveryReport.Stream email(double offered, double accepted, long skipped, double p99Ms) {
    BenchReport.Latency latency = new BenchReport.Latency(1000, 10, 20, p99Ms, p99Ms);
    return new DeliveryReport.Stream("email", offered, accepted, 1000, 1000, 0, skipped, 1000, 1000, 0, 0, 0, latency,
        latency, latency, 0.5, DeliveryReport.EMAIL_P99_MS, true, "", null, null);
  }

  @Test
  void jobsNotYetAttemptedAreSendingBehindAndRunningOnesAreResultsWrittenLate() {
    String s = DeliveryReport.saturation(List.of(email(1000, 1000, 0, 100)),
        Map.of("email pending", 1500L, "email running", 1200L, "push running", 7L), 50, 30, 20);
    assertThat(s).contains("email sending fell behind: 1500 jobs not yet attempted")
        .contains("1200 email jobs still running in the table")
        .contains("7 push jobs unfinished")
        .doesNotContain("out of CPU");
  }

  @Test
  void aSlowPublisherIsNotBlamedOnCreates() {
    String s = DeliveryReport.saturation(List.of(email(1000, 900, 0, 100)), Map.of(), 95, 80, 40);
    assertThat(s).contains("publishing fell behind its own schedule").doesNotContain("creates fell behind")
        .endsWith("the machine is out of CPU");
  }

  @Test
  void aPhaseThatKeptUpSaysSo() {
    String s = DeliveryReport.saturation(List.of(email(1000, 1000, 0, 100)), Map.of("email running", 30L), 60, 40, 20);
    assertThat(s).startsWith("kept up with every offered rate");
  }
}
