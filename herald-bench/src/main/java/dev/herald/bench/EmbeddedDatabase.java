package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The embedded PostgreSQL that Herald starts in {@code <HERALD_DATA_DIR>/postgres} when
 * {@code HERALD_DATABASE_URL} is unset, seen from outside. Its postmaster is not a descendant of
 * Herald: {@code pg_ctl} starts it detached and exits, so it belongs to init. It is found through
 * the first line of {@code postmaster.pid} (checked against the postmaster's {@code -D}), measured
 * as a process tree (the postmaster, Herald's pool connections, the WAL writer, checkpointer and
 * the other workers, and whatever they reaped), and stopped if Herald leaves it behind.
 */
final class EmbeddedDatabase {
  private final Path dir;
  private final ProcessHandle postmaster;
  private final String commandLine;

  private EmbeddedDatabase(Path dir, ProcessHandle postmaster, String commandLine) {
    this.dir = dir;
    this.postmaster = postmaster;
    this.commandLine = commandLine;
  }

  /**
   * The live postmaster of {@code dataDir/postgres}, registered with {@link ChildProcesses} so that
   * it ends with the run; null when there is none (Herald uses an external database, or not yet).
   */
  static EmbeddedDatabase find(Path dataDir) {
    Path dir = dataDir.resolve("postgres");
    try {
      List<String> lines = Files.readAllLines(dir.resolve("postmaster.pid"));
      ProcessHandle p = ProcessHandle.of(Long.parseLong(lines.get(0).trim())).orElse(null);
      String cmd = p == null ? "" : ProcStats.commandLine(p.pid());
      if (p == null || !cmd.contains(dir.toString())) {
        return null;
      }
      return new EmbeddedDatabase(dir, ChildProcesses.registerDetached(p), cmd);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  long pid() {
    return postmaster.pid();
  }

  /** The port it listens on: the fourth line of {@code postmaster.pid}; -1 when unreadable. */
  int port() {
    try {
      return Integer.parseInt(Files.readAllLines(dir.resolve("postmaster.pid")).get(3).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** CPU of the whole PostgreSQL process tree since it started; {@link ProcStats.Cpu#GONE} when it is gone. */
  ProcStats.Cpu cpu() {
    return ProcStats.treeCpu(postmaster);
  }

  /**
   * The postmaster's command line: where the settings the embedded server runs with are visible
   * ({@code -F} is {@code fsync=off}; {@code -c synchronous_commit=off} and the others).
   */
  String commandLine() {
    return commandLine;
  }

  /** "PostgreSQL 17" from {@code PG_VERSION}, or "PostgreSQL". */
  String version() {
    try {
      return "PostgreSQL " + Files.readString(dir.resolve("PG_VERSION")).trim();
    } catch (IOException e) {
      return "PostgreSQL";
    }
  }

  /** Stops the postmaster if Herald did not (SIGTERM, SIGKILL after {@code graceMillis}). */
  void stopIfLeft(long graceMillis) {
    ChildProcesses.stop(postmaster, graceMillis);
  }
}
