package dev.herald.store;

import dev.herald.config.DatabaseUrl;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's PostgreSQL: the server at {@code HERALD_DATABASE_URL}, or an embedded PostgreSQL 17
 * started in {@code <data dir>/postgres} whose data survives restarts. {@link #open} migrates the
 * schema with Flyway (the migrations under {@code db/migration}) and opens the reactive pool that
 * everything else uses; nothing at runtime blocks an event loop on the database.
 *
 * <p>Threads: {@link #open} and {@link #close} block and run on a worker thread.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final Pool pool;
  private final EmbeddedPostgres embedded;
  private final String description;

  private Database(Pool pool, EmbeddedPostgres embedded, String description) {
    this.pool = pool;
    this.embedded = embedded;
    this.description = description;
  }

  /**
   * Connects to {@code url} ({@code postgresql://user:pass@host:port/db}), or starts the embedded
   * server in {@code dataDir} when it is null; migrates; opens a pool of {@code poolSize} whose
   * sessions wait for their commits to reach the disk when {@code synchronousCommit}.
   */
  public static Database open(Vertx vertx, String url, Path dataDir, int poolSize, boolean synchronousCommit) {
    EmbeddedPostgres embedded = null;
    DatabaseUrl target;
    if (url == null) {
      embedded = startEmbedded(dataDir.resolve("postgres"));
      target = new DatabaseUrl("127.0.0.1", embedded.getPort(), "postgres", "postgres", null);
    } else {
      target = DatabaseUrl.parse(url);
    }
    try {
      migrate(target);
      PgConnectOptions connect = new PgConnectOptions()
          .setHost(target.host()).setPort(target.port()).setDatabase(target.database())
          .setUser(target.user()).setPassword(target.password() == null ? "" : target.password())
          .setCachePreparedStatements(true)
          .setPreparedStatementCacheMaxSize(256)
          .setPipeliningLimit(256)
          // a run-time parameter of each of Herald's sessions, whatever the server's default
          .addProperty("synchronous_commit", synchronousCommit ? "on" : "off")
          .setReconnectAttempts(0);
      Pool pool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(poolSize).setMaxWaitQueueSize(10_000)
              .setConnectionTimeout(5).setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS))
          .connectingTo(connect)
          .using(vertx)
          .build();
      String description = (embedded != null ? "embedded PostgreSQL in " + dataDir.resolve("postgres") + ", port "
          : "PostgreSQL at ") + target;
      LOG.info("database: {}", description);
      return new Database(pool, embedded, description);
    } catch (RuntimeException e) {
      closeQuietly(embedded);
      throw e;
    }
  }

  public Pool pool() {
    return pool;
  }

  /** Where the data lives, for logs and /health. */
  public String description() {
    return description;
  }

  public boolean embedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    try {
      pool.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("closing the database pool: {}", e.toString());
    }
    closeQuietly(embedded);
  }

  private static EmbeddedPostgres startEmbedded(Path dir) {
    try {
      Files.createDirectories(dir.getParent());
      return EmbeddedPostgres.builder()
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
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage()
          + " (set HERALD_DATABASE_URL to use an external server instead)", e);
    }
  }

  private static void migrate(DatabaseUrl target) {
    Flyway.configure()
        .dataSource(target.jdbcUrl(), target.user(), target.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  private static void closeQuietly(EmbeddedPostgres embedded) {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        LOG.warn("stopping the embedded PostgreSQL: {}", e.toString());
      }
    }
  }
}
