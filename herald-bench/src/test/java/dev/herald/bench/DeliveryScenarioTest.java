package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The delivery scenario's {@code --phases}: a subset, run in the scenario's order. */
class DeliveryScenarioTest {
  @Test
  void phasesRunInTheScenariosOrderWhateverTheOrderGiven() {
    assertThat(DeliveryScenario.phases("push")).containsExactly("push");
    assertThat(DeliveryScenario.phases("mixed, push,email")).containsExactly("email", "push", "mixed");
    assertThat(DeliveryScenario.phases(String.join(",", DeliveryScenario.PHASES)))
        .isEqualTo(List.of("email", "webhook", "push", "mixed"));
  }

  @Test
  void anUnknownPhaseIsRefusedByName() {
    assertThatThrownBy(() -> DeliveryScenario.phases("push,sms")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'sms'").hasMessageContaining("email,webhook,push,mixed");
  }
}
