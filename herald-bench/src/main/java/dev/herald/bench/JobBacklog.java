package dev.herald.bench;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Herald's delivery queue seen from its embedded PostgreSQL (user and database {@code postgres} on
 * 127.0.0.1, as Herald's own {@code store.Database} connects): how many jobs are not finished yet,
 * by channel and state, read from the table itself because the API pages jobs and counts none.
 * The states counted are V7's unfinished ones ({@code held}, {@code pending}, {@code running},
 * {@code retrying}); their partial indexes answer the query.
 *
 * <p>Threads: one connection, used from the orchestrator's thread, one query at a time.
 */
final class JobBacklog implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String UNFINISHED = "select delivery_channel, state, count(*) from delivery_job "
      + "where state in ('held', 'pending', 'running', 'retrying') group by 1, 2";
  private static final String ALL = "select delivery_channel, state, count(*) from delivery_job group by 1, 2";

  private final PgConnection connection;

  private JobBacklog(PgConnection connection) {
    this.connection = connection;
  }

  static JobBacklog connect(Vertx vertx, int port) throws Exception {
    PgConnectOptions options = new PgConnectOptions().setHost("127.0.0.1").setPort(port).setDatabase("postgres")
        .setUser("postgres");
    return new JobBacklog(PgConnection.connect(vertx, options).toCompletionStage().toCompletableFuture()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Unfinished jobs, {@code "email pending" → 120}; empty when none. */
  Map<String, Long> unfinished() throws Exception {
    return count(UNFINISHED);
  }

  /**
   * Transactions PostgreSQL ended in this database so far (committed and rolled back), from
   * {@code pg_stat_database}: its counters lag by up to a second, which is noise over a phase.
   */
  long transactions() throws Exception {
    for (Row r : connection.query("select xact_commit + xact_rollback from pg_stat_database "
        + "where datname = current_database()").execute().toCompletionStage().toCompletableFuture()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      return r.getLong(0);
    }
    return -1;
  }

  /** Every job of the run by channel and state, finished or not. */
  Map<String, Long> all() throws Exception {
    return count(ALL);
  }

  private Map<String, Long> count(String sql) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    for (Row r : connection.query(sql).execute().toCompletionStage().toCompletableFuture()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      out.put(r.getString(0) + " " + r.getString(1), r.getLong(2));
    }
    return out;
  }

  @Override
  public void close() {
    connection.close();
  }
}
