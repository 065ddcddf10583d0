package dev.herald.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears the way for the embedded PostgreSQL of a data directory: a server that a killed Herald left
 * running there is stopped, and a {@code postmaster.pid} naming a process that is not that server is
 * set aside. Without this, PostgreSQL refuses to start on the directory ({@code lock file
 * "postmaster.pid" already exists}) while the orphan runs on.
 *
 * <p>A process is signalled only when every check says it is this directory's server:
 * <ol>
 *   <li>no living Herald uses the directory: the embedded library's {@code epg-lock} can be locked
 *       (the kernel releases the lock of a killed JVM);
 *   <li>it is the PID on the first line of the directory's {@code postmaster.pid};
 *   <li>its executable is named {@code postgres} ({@code /proc/<pid>/exe});
 *   <li>it works in this very directory ({@code /proc/<pid>/cwd}: the postmaster changes into its data
 *       directory at start, so the machine's own PostgreSQL, or another data directory's, never
 *       matches).
 * </ol>
 * It is then stopped the way {@code pg_ctl stop -m fast} does (SIGINT: roll back, disconnect, write
 * a shutdown checkpoint), and after {@link #FAST_SHUTDOWN} the way {@code -m immediate} does
 * (SIGQUIT: the next start recovers from the WAL, nothing committed is lost).
 *
 * <p>Linux only ({@code /proc}); elsewhere a live PID in the file stops start-up with a message
 * saying how to check and stop it by hand. Threads: blocking, on a worker thread.
 */
final class OrphanedPostmaster {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanedPostmaster.class);
  /** The lock file the embedded library holds in the data directory while its JVM uses it. */
  static final String LIBRARY_LOCK = "epg-lock";
  static final Duration FAST_SHUTDOWN = Duration.ofSeconds(30);
  static final Duration IMMEDIATE_SHUTDOWN = Duration.ofSeconds(10);

  private OrphanedPostmaster() {}

  /**
   * Makes {@code dataDir} ready for a new server: stops its orphaned server, sets aside a stale pid
   * file. Throws {@link IllegalStateException} when another living Herald uses the directory or a
   * server in it cannot be verified or stopped.
   */
  static void clear(Path dataDir) throws IOException {
    Optional<PostmasterPidFile> file = PostmasterPidFile.read(dataDir);
    if (file.isEmpty()) {
      return;
    }
    long pid = file.get().pid();
    if (!LinuxProcess.running(pid)) {
      return; // PostgreSQL itself takes over a pid file whose process is gone
    }
    ensureNoLivingOwner(dataDir);
    if (!LinuxProcess.available()) {
      throw new IllegalStateException("the embedded PostgreSQL in " + dataDir + " may still be running (pid " + pid
          + " in " + PostmasterPidFile.NAME + ") and this system has no /proc to check it: stop it with pg_ctl -D "
          + dataDir + " stop -m fast, or delete " + PostmasterPidFile.NAME + " if that process is not PostgreSQL");
    }
    if (!LinuxProcess.isPostgresWorkingIn(pid, dataDir)) {
      // a reused PID (the machine restarted, or the server was killed long ago): PostgreSQL would refuse
      // to start while that unrelated process lives, and that process is none of Herald's business
      LOG.warn("{} in {} names pid {}, which is not a PostgreSQL of this directory; setting the stale file aside",
          PostmasterPidFile.NAME, dataDir, pid);
      Files.deleteIfExists(dataDir.resolve(PostmasterPidFile.NAME));
      return;
    }
    LOG.warn("the embedded PostgreSQL of {} (pid {}) outlived the Herald that started it; stopping it", dataDir, pid);
    stop(pid, dataDir);
  }

  /** Refuses a directory whose embedded-server lock a living JVM holds: its server is not an orphan. */
  private static void ensureNoLivingOwner(Path dataDir) throws IOException {
    Path lock = dataDir.resolve(LIBRARY_LOCK);
    try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock held;
      try {
        held = channel.tryLock();
      } catch (OverlappingFileLockException sameJvm) {
        held = null;
      }
      if (held == null) {
        throw new IllegalStateException("the embedded PostgreSQL in " + dataDir + " belongs to another running Herald "
            + "(it holds " + lock + "); stop that one first, or give this one another HERALD_DATA_DIR");
      }
      held.release();
    } catch (NoSuchFileException noLibraryLock) {
      // not started by the embedded library: only the checks on the process itself apply
    }
  }

  private static void stop(long pid, Path dataDir) {
    LinuxProcess.signal(pid, "INT"); // fast shutdown
    if (LinuxProcess.awaitGone(pid, FAST_SHUTDOWN)) {
      return;
    }
    LOG.warn("the orphaned PostgreSQL (pid {}) did not stop within {}; asking for an immediate shutdown", pid, FAST_SHUTDOWN);
    LinuxProcess.signal(pid, "QUIT"); // immediate shutdown: crash recovery at the next start
    if (!LinuxProcess.awaitGone(pid, IMMEDIATE_SHUTDOWN)) {
      throw new IllegalStateException("the orphaned embedded PostgreSQL in " + dataDir + " (pid " + pid
          + ") does not stop; stop it (kill -9 " + pid + ") and start Herald again");
    }
  }
}
