package dev.herald.delivery;

import dev.herald.config.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LISTEN herald_delivery} on a session of its own (pgjdbc; the pool's sessions come and go):
 * V7's triggers {@code NOTIFY} when jobs are inserted or become pending again, at the commit that
 * made them, and each notification wakes the engine at once. When the session breaks it is opened
 * again after a second, and the engine is woken (what was notified meanwhile is found by its claim).
 *
 * <p>Threads: one virtual thread of its own, from {@link #start} until {@link #close}.
 */
final class Wakeups implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Wakeups.class);
  static final String CHANNEL = "herald_delivery";

  private final DatabaseUrl database;
  private final Runnable wake;
  private volatile boolean closed;
  /** Written by the listening thread, closed by {@link #close} to end a blocked wait. */
  private volatile Connection connection;
  private Thread thread;

  Wakeups(DatabaseUrl database, Runnable wake) {
    this.database = database;
    this.wake = wake;
  }

  void start() {
    thread = Thread.ofVirtual().name("herald-delivery-listen").start(this::listen);
  }

  private void listen() {
    while (!closed) {
      try (Connection c = open()) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        // what was committed before LISTEN took effect is found by the claim this causes
        wake.run();
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          var notifications = pg.getNotifications(10_000);
          if (notifications != null && notifications.length > 0) {
            wake.run();
          }
        }
      } catch (SQLException e) {
        if (!closed) {
          LOG.warn("delivery wake-ups: the LISTEN session broke ({}); reopening in 1 s", e.toString());
          pause();
        }
      }
    }
  }

  private Connection open() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", database.user());
    if (database.password() != null) {
      props.setProperty("password", database.password());
    }
    props.setProperty("ApplicationName", "herald-delivery-listen");
    props.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(database.jdbcUrl(), props);
  }

  private void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing ends the blocked wait; nothing else to do with a failure here
      }
    }
    if (thread != null) {
      thread.interrupt();
    }
  }
}
