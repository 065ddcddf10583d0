package dev.herald.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Node test project {@code herald-server/src/test/node} and the {@code node} that runs it: found
 * on the PATH (Node.js 20+; without it a test fails, it never skips), with {@code npm ci} run first
 * when a dependency of its {@code package.json} is missing from {@code node_modules} (the lock file
 * is committed). Used by the tests that drive Herald with independent Node clients and verifiers.
 */
public final class NodeProject {
  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(3);
  private static final int MIN_NODE_MAJOR = 20;

  private final Path dir;
  private final Path node;

  private NodeProject(Path dir, Path node) {
    this.dir = dir;
    this.node = node;
  }

  /** The project with its dependencies installed; fails the test when Node.js or npm is missing. */
  public static NodeProject prepare() throws Exception {
    Path dir = nodeTestDir();
    Path node = executable("node").orElseGet(() -> fail(
        "Node.js is not on the PATH (" + System.getenv("PATH") + "): the Node tests need node "
            + MIN_NODE_MAJOR + "+ and npm to run the tests in " + dir + "; install Node.js (CI does) instead of "
            + "skipping them"));
    checkNodeVersion(node);
    installDependencies(dir);
    return new NodeProject(dir, node);
  }

  public Path dir() {
    return dir;
  }

  public Path node() {
    return node;
  }

  /** The outcome of a command run to its end (or killed at its timeout). */
  public record Result(int exitCode, boolean timedOut, String output) {}

  /** Runs {@code command} in the project, killing it with its children after {@code timeout}. */
  public Result run(List<String> command, Map<String, String> env, Duration timeout) throws InterruptedException {
    return NodeProject.run(command, dir, env, timeout);
  }

  /**
   * Starts {@code node script} in the project, each line it prints (stdout and stderr merged) echoed
   * into the test's log and handed to {@code onLine}, on a thread of its own. The caller destroys it.
   */
  public Process start(String script, Map<String, String> env, Consumer<String> onLine) {
    ProcessBuilder pb = new ProcessBuilder(node.toString(), script).redirectErrorStream(true).directory(dir.toFile());
    pb.environment().putAll(env);
    Process process;
    try {
      process = pb.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + script, e);
    }
    Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          System.out.println("[node] " + line);
          onLine.accept(line);
        }
      } catch (IOException e) {
        System.out.println("[node] output unreadable: " + e);
      }
    });
    return process;
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
      fail(node + " --version answered '" + v + "'; the Node tests need Node.js " + MIN_NODE_MAJOR + " or newer");
    }
    System.out.println("[node] " + node + " " + v);
  }

  /** {@code npm ci} unless every dependency of package.json is in node_modules already. */
  private static void installDependencies(Path dir) throws Exception {
    JsonNode dependencies = new ObjectMapper().readTree(dir.resolve("package.json").toFile()).path("dependencies");
    boolean missing = false;
    for (Iterator<String> names = dependencies.fieldNames(); names.hasNext(); ) {
      missing |= !Files.isRegularFile(dir.resolve("node_modules").resolve(names.next()).resolve("package.json"));
    }
    if (!missing) {
      return;
    }
    Path npm = executable("npm").orElseGet(() -> fail(
        "npm is not on the PATH, and dependencies are missing from " + dir.resolve("node_modules")
            + ": install Node.js with npm (or run `npm ci` in " + dir + ")"));
    List<String> command = List.of(npm.toString(), "ci", "--no-audit", "--no-fund");
    Result result = run(command, dir, Map.of(), NPM_TIMEOUT);
    if (result.timedOut() || result.exitCode() != 0) {
      fail("`" + String.join(" ", command) + "` in " + dir + (result.timedOut()
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
