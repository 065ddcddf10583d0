package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker of one receiver on a clock the test moves, and its slots. */
class TargetGatesTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final TargetGates gates = new TargetGates(2, now::get);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void fiveFailuresInARowOpenTheBreakerForFiveSeconds() {
    TargetGates.Gate gate = gates.of("smtp mail:25");
    for (int i = 0; i < TargetGates.FAILURES_TO_OPEN - 1; i++) {
      gate.failed();
      assertThat(gate.waitNow()).isZero();
    }
    gate.failed();
    assertThat(gate.waitNow()).isEqualTo(Duration.ofSeconds(5));
    advance(Duration.ofSeconds(3));
    assertThat(gate.waitNow()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void afterTheCoolDownOneTrialGoesAndItsFailureDoublesTheNext() {
    TargetGates.Gate gate = gates.of("webhook e1");
    for (int i = 0; i < TargetGates.FAILURES_TO_OPEN; i++) {
      gate.failed();
    }
    advance(Duration.ofSeconds(5));
    assertThat(gate.waitNow()).as("the trial").isZero();
    assertThat(gate.waitNow()).as("others while the trial is out").isPositive();
    gate.failed();
    assertThat(gate.waitNow()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aSuccessClosesTheBreakerAndResetsTheCoolDown() {
    TargetGates.Gate gate = gates.of("webhook e2");
    for (int i = 0; i < TargetGates.FAILURES_TO_OPEN; i++) {
      gate.failed();
    }
    advance(Duration.ofSeconds(5));
    assertThat(gate.waitNow()).isZero();
    gate.succeeded();
    assertThat(gate.open()).isFalse();
    for (int i = 0; i < TargetGates.FAILURES_TO_OPEN; i++) {
      gate.failed();
    }
    assertThat(gate.waitNow()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theCoolDownStopsGrowingAtFiveMinutes() {
    TargetGates.Gate gate = gates.of("webhook e3");
    for (int i = 0; i < TargetGates.FAILURES_TO_OPEN; i++) {
      gate.failed();
    }
    for (int round = 0; round < 10; round++) {
      advance(gate.waitNow());
      assertThat(gate.waitNow()).isZero();
      gate.failed();
    }
    assertThat(gate.waitNow()).isEqualTo(TargetGates.MAX_COOL_DOWN);
  }

  @Test
  void eachReceiverHasItsOwnSlots() {
    TargetGates.Gate a = gates.of("webhook a");
    assertThat(a.slots.tryAcquire()).isTrue();
    assertThat(a.slots.tryAcquire()).isTrue();
    assertThat(a.slots.tryAcquire()).isFalse();
    assertThat(gates.of("webhook b").slots.tryAcquire()).isTrue();
    assertThat(gates.of("webhook a")).isSameAs(a);
  }

  @Test
  void aGateMadeWithItsOwnSlotCountKeepsIt() {
    TargetGates gates = new TargetGates(2, () -> 0L);
    assertThat(gates.of("push https://fcm.googleapis.com", 256).slots.availablePermits()).isEqualTo(256);
    // the count is the gate's: asking again with another count finds the same gate
    assertThat(gates.of("push https://fcm.googleapis.com", 3).slots.availablePermits()).isEqualTo(256);
    assertThat(gates.of("webhook https://hooks.example").slots.availablePermits()).isEqualTo(2);
  }
}
