package dev.herald.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.herald.testing.NodeProject;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 000's presence and typing code with the official {@code socket.io-client} from npm
 * ({@code src/test/node/presence.seed000.mjs}), against a node with presence on and a short grace
 * period. Apart from the main Node suite, whose sockets share tenants and would hear the tenant's
 * presence events.
 */
class NodePresenceClientTest {
  private static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void seed000PresenceAndTypingWorkWithTheOfficialClient() throws Exception {
    NodeProject project = NodeProject.prepare();
    try (TestHerald herald = TestHerald.start(Map.of("HERALD_PRESENCE", "true", "HERALD_PRESENCE_GRACE_MS", "200"))) {
      List<String> command = List.of(project.node().toString(), "--test", "--test-reporter=spec",
          "presence.seed000.mjs");
      NodeProject.Result result = project.run(command, Map.of(
          "HERALD_URL", herald.url(),
          "HERALD_JWT_SECRET", TestHerald.SECRET,
          "HERALD_API_KEY", TestHerald.API_KEY,
          "NO_COLOR", "1"), NODE_TIMEOUT);
      if (result.timedOut()) {
        fail("node --test did not finish within " + NODE_TIMEOUT + " (killed). Output:\n" + result.output());
      }
      assertEquals(0, result.exitCode(), () -> "seed 000 presence with socket.io-client failed. Output:\n"
          + result.output());
    }
  }
}
