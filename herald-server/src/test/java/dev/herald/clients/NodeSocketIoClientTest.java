package dev.herald.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.herald.testing.NodeProject;
import dev.herald.testing.TestHerald;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives an in-process Herald with the official, unmodified {@code socket.io-client} 4.8 from npm:
 * runs the Node test files of {@code herald-server/src/test/node} ({@code node --test}) against it
 * and fails with their report when any of them fails.
 *
 * <p>Node.js 20+ must be on the PATH (CI installs it); without it this test fails, it never skips
 * ({@link NodeProject} finds it and runs {@code npm ci} when a dependency is missing).
 */
class NodeSocketIoClientTest {
  private static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void officialSocketIoClientPassesTheNodeSuite() throws Exception {
    NodeProject project = NodeProject.prepare();
    Path nodeDir = project.dir();

    List<String> testFiles;
    try (Stream<Path> files = Files.list(nodeDir)) {
      testFiles = files.filter(p -> p.getFileName().toString().endsWith(".test.mjs"))
          .map(p -> p.getFileName().toString()).sorted().toList();
    }
    if (testFiles.isEmpty()) {
      fail("no *.test.mjs files in " + nodeDir);
    }

    // short ack re-sends and scheduler polls, so notifications.test.mjs awaits seconds, not a minute
    try (TestHerald herald = TestHerald.start(Map.of("HERALD_ACK_RETRY_MS", "400", "HERALD_SCHEDULER_POLL_MS", "100"))) {
      // Explicit files rather than the directory: Node 21+ reads the arguments of --test as globs,
      // where a bare directory no longer means "search it"; explicit files work on every version.
      List<String> command = new ArrayList<>(List.of(project.node().toString(), "--test", "--test-reporter=spec"));
      command.addAll(testFiles);
      Map<String, String> env = Map.of(
          "HERALD_URL", herald.url(),
          "HERALD_JWT_SECRET", TestHerald.SECRET,
          "HERALD_API_KEY", TestHerald.API_KEY,
          "HERALD_ACK_RETRY_MS", "400",
          "NO_COLOR", "1");
      NodeProject.Result result = project.run(command, env, NODE_TIMEOUT);
      if (result.timedOut()) {
        fail("node --test did not finish within " + NODE_TIMEOUT + " (killed). Output:\n" + result.output());
      }
      assertEquals(0, result.exitCode(),
          () -> "socket.io-client tests failed: `" + String.join(" ", command) + "` in " + nodeDir
              + " exited with " + result.exitCode() + ". Output:\n" + result.output());
    }
  }
}
