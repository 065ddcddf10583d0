package dev.herald.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL server of a test run: the machine's own when {@code HERALD_TEST_DATABASE_URL} is
 * set ({@code postgresql://user[:password]@host:port/db}, a user that may create databases), else
 * one embedded PostgreSQL 17 started once per test JVM. Every {@link TestHerald} gets a database of
 * its own, copied from a template that Herald's migrations already ran on, and dropped afterwards.
 */
public final class TestDatabase {
  private static final String TEMPLATE = "herald_template";
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static TestDatabase instance;

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final String adminDb;
  private final String prefix = "herald_t" + ProcessHandle.current().pid() + "_";

  private TestDatabase(String host, int port, String user, String password, String adminDb) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.adminDb = adminDb;
  }

  /** The run's server, started (and its template migrated) on first use. */
  public static synchronized TestDatabase get() {
    if (instance == null) {
      String url = System.getenv("HERALD_TEST_DATABASE_URL");
      instance = url == null || url.isBlank() ? embedded() : external(url);
      instance.prepareTemplate();
    }
    return instance;
  }

  /** Whether the tests run against an external server ({@code HERALD_TEST_DATABASE_URL}). */
  public static boolean isExternal() {
    String url = System.getenv("HERALD_TEST_DATABASE_URL");
    return url != null && !url.isBlank();
  }

  /** Creates a fresh, migrated database; its {@code postgresql://} URL. */
  public String createDatabase() {
    String name = prefix + COUNTER.incrementAndGet();
    execute("create database " + name + " template " + TEMPLATE);
    return url(name);
  }

  /** Drops a database made by {@link #createDatabase}, whoever is still connected. */
  public void dropDatabase(String url) {
    String name = URI.create(url).getPath().substring(1);
    if (name.startsWith(prefix)) {
      execute("drop database if exists " + name + " with (force)");
    }
  }

  /** The first column of the first row of {@code sql} in the database at {@code url}, or null. */
  public Object scalar(String url, String sql, Object... params) {
    String name = URI.create(url).getPath().substring(1);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + name, user, password);
        var st = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        st.setObject(i + 1, params[i]);
      }
      try (var rs = st.executeQuery()) {
        return rs.next() ? rs.getObject(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("test database: " + sql + ": " + e.getMessage(), e);
    }
  }

  public String url(String database) {
    return "postgresql://" + user + (password == null ? "" : ":" + password) + "@" + host + ":" + port + "/" + database;
  }

  private void prepareTemplate() {
    execute("drop database if exists " + TEMPLATE + "_" + ProcessHandle.current().pid() + " with (force)");
    // one template per server; rebuilt each run so that it always holds the current migrations
    if (exists(TEMPLATE)) {
      execute("alter database " + TEMPLATE + " is_template false");
      execute("drop database " + TEMPLATE + " with (force)");
    }
    execute("create database " + TEMPLATE);
    Flyway.configure()
        .dataSource("jdbc:postgresql://" + host + ":" + port + "/" + TEMPLATE, user, password)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  private boolean exists(String db) {
    try (Connection c = admin(); Statement s = c.createStatement();
        var rs = s.executeQuery("select 1 from pg_database where datname = '" + db + "'")) {
      return rs.next();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void execute(String sql) {
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test database: " + sql + ": " + e.getMessage(), e);
    }
  }

  private Connection admin() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + adminDb, user, password);
  }

  private static TestDatabase embedded() {
    try {
      Path dir = Files.createTempDirectory("herald-test-pg");
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setDataDirectory(dir)
          .setCleanDataDirectory(true)
          .setServerConfig("max_connections", "300")
          .setServerConfig("fsync", "off")
          .setServerConfig("synchronous_commit", "off")
          .start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException ignored) {
          // the JVM is ending
        }
      }));
      return new TestDatabase("127.0.0.1", pg.getPort(), "postgres", null, "postgres");
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL for tests", e);
    }
  }

  private static TestDatabase external(String url) {
    URI uri = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
    String user = "postgres";
    String password = null;
    if (uri.getUserInfo() != null) {
      String[] parts = uri.getUserInfo().split(":", 2);
      user = parts[0];
      password = parts.length > 1 ? parts[1] : null;
    }
    String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    return new TestDatabase(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, password, db);
  }
}
