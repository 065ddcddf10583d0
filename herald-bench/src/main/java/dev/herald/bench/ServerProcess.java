package dev.herald.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A server under test, started as its own process with stdout and stderr in a log file, and
 * measured through {@code /proc}: the process started is the server itself (no shell in between),
 * so its pid is the one whose CPU and memory count. Herald also starts an embedded PostgreSQL in its
 * data directory, a detached process tree measured on its own ({@link #database()}).
 */
final class ServerProcess implements AutoCloseable {
  /**
   * How to start one server: the websocket port and the port of its {@code POST /api/events};
   * {@code dataDir} is Herald's {@code HERALD_DATA_DIR} (null for the peers).
   */
  record Spec(String name, List<String> command, Map<String, String> env, Path workDir, int port, int apiPort,
              String version, Path dataDir) {}

  private final Spec spec;
  private final Process process;
  private EmbeddedDatabase database;

  ServerProcess(Spec spec, Path log) throws IOException {
    this.spec = spec;
    ProcessBuilder pb = new ProcessBuilder(spec.command())
        .directory(spec.workDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(spec.env());
    this.process = ChildProcesses.register(pb.start());
  }

  Spec spec() {
    return spec;
  }

  long pid() {
    return process.pid();
  }

  /**
   * Waits until both ports accept TCP connections; fails early when the process exits. Herald
   * listens only after its database is up and migrated, so it is looked for then.
   */
  void awaitListening(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int port : List.of(spec.port(), spec.apiPort())) {
      while (!accepts(port)) {
        if (!process.isAlive()) {
          throw new IOException(spec.name() + " exited with code " + process.exitValue() + " before listening; see its log");
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(spec.name() + " did not listen on 127.0.0.1:" + port + " within " + timeout.toSeconds() + " s");
        }
        Thread.sleep(100);
      }
    }
    if (spec.dataDir() != null) {
      database = EmbeddedDatabase.find(spec.dataDir());
    }
  }

  /** The embedded PostgreSQL the server started, or null (a peer, or an external database). */
  EmbeddedDatabase database() {
    return database;
  }

  /** CPU of the embedded database's process tree; {@link ProcStats.Cpu#GONE} when there is none. */
  ProcStats.Cpu databaseCpu() {
    return database == null ? ProcStats.Cpu.GONE : database.cpu();
  }

  /**
   * Everything the server made the machine do since it started, in ticks: its own CPU, its
   * children's (the embedded database's {@code initdb} and {@code pg_ctl}) and the database's.
   */
  long allCpuTicks() {
    ProcStats.Cpu own = ProcStats.treeCpu(process.toHandle());
    ProcStats.Cpu db = databaseCpu();
    return Math.max(0, own.total()) + Math.max(0, db.total());
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long cpuTicks() {
    return ProcStats.cpuTicks(process.pid());
  }

  ProcStats.Cpu cpu() {
    return ProcStats.cpu(process.pid());
  }

  long rssKb() {
    return ProcStats.memoryKb(process.pid(), "VmRSS");
  }

  long peakRssKb() {
    return ProcStats.memoryKb(process.pid(), "VmHWM");
  }

  /** Stops the server (SIGTERM, SIGKILL after 15 s), then its database if the server left it running. */
  @Override
  public void close() {
    ChildProcesses.stop(process, 15_000);
    if (database != null) {
      database.stopIfLeft(10_000);
    }
  }
}
