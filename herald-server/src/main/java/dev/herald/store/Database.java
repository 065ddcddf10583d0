package dev.herald.store;

import dev.herald.config.DatabaseUrl;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's PostgreSQL: the server at {@code HERALD_DATABASE_URL}, or an embedded PostgreSQL 17
 * started in {@code <data dir>/postgres} whose data survives restarts, {@code kill -9} included
 * ({@link EmbeddedServer}). {@link #open} migrates the
 * schema with Flyway (the migrations under {@code db/migration}) and opens the reactive pool that
 * everything else uses; nothing at runtime blocks an event loop on the database.
 *
 * <p>Threads: {@link #open} and {@link #close} block and run on a worker thread.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final Pool pool;
  /** The delivery engine's: commits without waiting for the WAL flush. */
  private final Pool queuePool;
  private static final int QUEUE_POOL_SIZE = 4;
  /** The embedded server, held for as long as the pool runs (its watchdog with it); null when external. */
  private final EmbeddedServer embedded;
  private final String description;
  private final DatabaseUrl target;

  private Database(Pool pool, Pool queuePool, EmbeddedServer embedded, String description, DatabaseUrl target) {
    this.pool = pool;
    this.queuePool = queuePool;
    this.target = target;
    this.embedded = embedded;
    this.description = description;
  }

  /**
   * Connects to {@code url} ({@code postgresql://user:pass@host:port/db}), or starts the embedded
   * server in {@code dataDir} when it is null; migrates; opens a pool of {@code poolSize} whose
   * sessions wait for their commits to reach the disk when {@code synchronousCommit}.
   */
  public static Database open(Vertx vertx, String url, Path dataDir, int poolSize, boolean synchronousCommit) {
    EmbeddedServer embedded = null;
    DatabaseUrl target;
    if (url == null) {
      embedded = startEmbedded(dataDir.resolve("postgres"));
      target = new DatabaseUrl("127.0.0.1", embedded.port(), "postgres", "postgres", null);
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
      // the delivery engine's claims and results: losing the last ones to a crash of PostgreSQL only
      // runs those jobs again (at least once, as after any crash), so their commits need not wait
      // for the WAL flush; a pool of their own also keeps them out of the create path's queue
      Pool queuePool = PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(QUEUE_POOL_SIZE).setMaxWaitQueueSize(10_000)
              .setConnectionTimeout(5).setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS))
          .connectingTo(new PgConnectOptions(connect).addProperty("synchronous_commit", "off"))
          .using(vertx)
          .build();
      String description = (embedded != null ? "embedded PostgreSQL in " + dataDir.resolve("postgres") + ", port "
          : "PostgreSQL at ") + target;
      LOG.info("database: {}", description);
      return new Database(pool, queuePool, embedded, description, target);
    } catch (RuntimeException e) {
      closeQuietly(embedded);
      throw e;
    }
  }

  public Pool pool() {
    return pool;
  }

  /**
   * The delivery engine's pool: claims and the ends of attempts, committed without waiting for the
   * WAL flush (a crash of PostgreSQL may run the last few jobs again, never lose one).
   */
  public Pool queuePool() {
    return queuePool;
  }

  /**
   * Where the server is, for the few connections that live outside the pool (the delivery
   * engine's {@code LISTEN}, which needs a session of its own for as long as Herald runs).
   */
  public DatabaseUrl target() {
    return target;
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
      queuePool.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("closing the database pool: {}", e.toString());
    }
    closeQuietly(embedded);
  }

  private static EmbeddedServer startEmbedded(Path dir) {
    try {
      return EmbeddedServer.start(dir);
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

  private static void closeQuietly(EmbeddedServer embedded) {
    if (embedded != null) {
      embedded.close();
    }
  }
}
