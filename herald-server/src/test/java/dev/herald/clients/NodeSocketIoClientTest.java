package dev.herald.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.herald.testing.TestHerald;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives an in-process Herald with the official, unmodified {@code socket.io-client} 4.8 from npm:
 * runs the Node test files of {@code herald-server/src/test/node} ({@code node --test}) against it
 * and fails with their report when any of them fails.
 *
 * <p>Node.js 20+ must be on the PATH (CI installs it); without it this test fails, it never skips.
 * {@code npm ci} runs first when {@code node_modules} is missing (the lock file is committed).
 */
class NodeSocketIoClientTest {
  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);
  private static final int MIN_NODE_MAJOR = 20;

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void officialSocketIoClientPassesTheNodeSuite() throws Exception {
    Path nodeDir = nodeTestDir();
    Path node = executable("node").orElseGet(() -> fail(
        "Node.js is not on the PATH (" + System.getenv("PATH") + "): NodeSocketIoClientTest needs node "
            + MIN_NODE_MAJOR + "+ and npm to run the socket.io-client tests in " + nodeDir
            + "; install Node.js (CI does) instead of skipping this test"));
    checkNodeVersion(node);
    installDependencies(nodeDir);

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
      List<String> command = new ArrayList<>(List.of(node.toString(), "--test", "--test-reporter=spec"));
      command.addAll(testFiles);
      Map<String, String> env = Map.of(
          "HERALD_URL", herald.url(),
          "HERALD_JWT_SECRET", TestHerald.SECRET,
          "HERALD_API_KEY", TestHerald.API_KEY,
          "HERALD_ACK_RETRY_MS", "400",
          "NO_COLOR", "1");
      Result result = run(command, nodeDir, env, NODE_TIMEOUT);
      if (result.timedOut()) {
        fail("node --test did not finish within " + NODE_TIMEOUT + " (killed). Output:\n" + result.output());
      }
      assertEquals(0, result.exitCode(),
          () -> "socket.io-client tests failed: `" + String.join(" ", command) + "` in " + nodeDir
              + " exited with " + result.exitCode() + ". Output:\n" + result.output());
    }
  }

  /** {@code <repo>/herald-server/src/test/node}, found from herald.repo.root or the working directory. */
  private static Path nodeTestDir() {
    List<Path> candidates = new ArrayList<>();
    String root = System.getProperty("herald.repo.root");
    if (root != null && !root.isBlank()) {
      candidates.add(Paths.get(root, "herald-server", "src", "test", "node"));
      candidates.add(Paths.get(root, "src", "test", "node"));
    }
    Path cwd = Paths.get("").toAbsolutePath();
    candidates.add(cwd.resolve(Paths.get("herald-server", "src", "test", "node")));
    candidates.add(cwd.resolve(Paths.get("src", "test", "node")));
    for (Path c : candidates) {
      if (Files.isRegularFile(c.resolve("package.json"))) {
        return c.toAbsolutePath().normalize();
      }
    }
    return fail("cannot find the Node test project (package.json) in any of " + candidates
        + " (system property herald.repo.root=" + root + ")");
  }

  private static void checkNodeVersion(Path node) throws Exception {
    Result version = run(List.of(node.toString(), "--version"), null, Map.of(), Duration.ofSeconds(30));
    String v = version.output().trim();
    int major = -1;
    if (version.exitCode() == 0 && v.startsWith("v")) {
      try {
        major = Integer.parseInt(v.substring(1, v.indexOf('.')));
      } catch (RuntimeException ignored) {
        // reported below
      }
    }
    if (major < MIN_NODE_MAJOR) {
      fail(node + " --version answered '" + v + "'; the socket.io-client tests need Node.js "
          + MIN_NODE_MAJOR + " or newer");
    }
    System.out.println("[node] " + node + " " + v);
  }

  private static void installDependencies(Path nodeDir) throws Exception {
    if (Files.isRegularFile(nodeDir.resolve(Paths.get("node_modules", "socket.io-client", "package.json")))) {
      return;
    }
    Path npm = executable("npm").orElseGet(() -> fail(
        "npm is not on the PATH, and " + nodeDir.resolve("node_modules")
            + " is missing: install Node.js with npm (or run `npm ci` in " + nodeDir + ")"));
    List<String> command = List.of(npm.toString(), "ci", "--no-audit", "--no-fund");
    Result result = run(command, nodeDir, Map.of(), NPM_TIMEOUT);
    if (result.timedOut() || result.exitCode() != 0) {
      fail("`" + String.join(" ", command) + "` in " + nodeDir + (result.timedOut()
          ? " did not finish within " + NPM_TIMEOUT : " exited with " + result.exitCode())
          + ". Output:\n" + result.output());
    }
  }

  /** {@code name} (or name.cmd / name.exe on Windows) from the PATH. */
  private static Optional<Path> executable(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
    List<String> names = windows ? List.of(name + ".exe", name + ".cmd", name) : List.of(name);
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      for (String n : names) {
        Path candidate = Paths.get(dir, n);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  private record Result(int exitCode, boolean timedOut, String output) {}

  /**
   * Runs {@code command}, echoing its output (stdout and stderr merged) into this test's log line
   * by line, and kills it with its children after {@code timeout}.
   */
  private static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout)
      throws InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().putAll(env);
    System.out.println("[node] $ " + String.join(" ", command) + (dir != null ? "   (in " + dir + ")" : ""));
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    try {
      process.getOutputStream().close(); // nothing to type into it
    } catch (IOException ignored) {
      // the process may already be gone; its exit code tells
    }
    StringBuffer output = new StringBuffer();
    Thread reader = Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          output.append(line).append('\n');
          System.out.println("[node] " + line);
        }
      } catch (IOException e) {
        output.append("[output unreadable: ").append(e).append("]\n");
      }
    });
    boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return new Result(finished ? process.exitValue() : -1, !finished, output.toString());
  }
}
