package dev.herald.testing;

import dev.herald.HeraldServer;
import dev.herald.config.HeraldConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Herald node inside the test process, on a free port, with a known JWT secret and API keys.
 * Settings are overridden by environment-variable names, exactly as an operator would set them.
 */
public final class TestHerald implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";
  /** A global API key (acts in every tenant). */
  public static final String API_KEY = "test-api-key-global-0123456789";
  /** An API key bound to tenant {@code acme}. */
  public static final String ACME_KEY = "test-api-key-acme-0123456789";

  private final Map<String, String> env;
  private final HttpClient http = HttpClient.newHttpClient();
  private HeraldServer server;
  private Path dataDir;
  /** The database made for this node, dropped on close; null when the test brought its own. */
  private String ownDatabase;

  private TestHerald(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /**
   * A node for a whole test class, started before its first test and closed after its last:
   * {@code @RegisterExtension static final TestHerald herald = TestHerald.perClass(Map.of(…));}
   */
  public static TestHerald perClass(Map<String, String> env) {
    return new TestHerald(env);
  }

  /** {@link #perClass(Map)} with the defaults. */
  public static TestHerald perClass() {
    return perClass(Map.of());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    boot(java.time.Clock.systemUTC(), null);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** Starts a node with the defaults. */
  public static TestHerald start() {
    return start(Map.of());
  }

  /** Starts a node; {@code env} overrides settings by their HERALD_* names. */
  public static TestHerald start(Map<String, String> env) {
    return start(env, java.time.Clock.systemUTC());
  }

  /** Starts a node whose quiet hours and held deliveries follow {@code clock}. */
  public static TestHerald start(Map<String, String> env, java.time.Clock clock) {
    TestHerald herald = new TestHerald(env);
    herald.boot(clock, null);
    return herald;
  }

  /**
   * Starts a node whose timers (ack re-sends, release polls) run only when the test moves
   * {@code scheduler}, on {@code scheduler}'s clock.
   */
  public static TestHerald start(Map<String, String> env, MovableClock clock, ManualScheduler scheduler) {
    TestHerald herald = new TestHerald(env);
    herald.boot(clock, scheduler);
    return herald;
  }

  private void boot(java.time.Clock clock, dev.herald.time.Scheduler scheduler) {
    try {
      dataDir = Files.createTempDirectory("herald-test");
      Map<String, String> all = new HashMap<>();
      all.put("HERALD_PORT", "0");
      all.put("HERALD_HOST", "127.0.0.1");
      all.put("HERALD_DATA_DIR", dataDir.toString());
      all.put("HERALD_JWT_SECRET", SECRET);
      all.put("HERALD_API_KEYS", API_KEY + ",acme:" + ACME_KEY);
      all.put("HERALD_DRAIN_TIMEOUT_MS", "2000");
      all.putAll(env);
      if (!all.containsKey("HERALD_DATABASE_URL")) {
        ownDatabase = TestDatabase.get().createDatabase();
        all.put("HERALD_DATABASE_URL", ownDatabase);
      }
      server = HeraldServer.start(HeraldConfig.fromEnv(all), clock, scheduler)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test server did not start", e);
    }
  }

  public HeraldServer server() {
    return server;
  }

  public int port() {
    return server.port();
  }

  /** The first column of the first row of {@code sql} in this node's own database, or null. */
  public Object queryDatabase(String sql, Object... params) {
    if (ownDatabase == null) {
      throw new IllegalStateException("this node was started with a database of the test's own");
    }
    return TestDatabase.get().scalar(ownDatabase, sql, params);
  }

  /** {@code http://127.0.0.1:<port>} */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** {@code ws://127.0.0.1:<port>} */
  public String wsUrl() {
    return "ws://127.0.0.1:" + port();
  }

  /** A valid token for {@code sub} in tenant {@code tid} (null: default) allowed to join {@code rooms}. */
  public static String token(String sub, String tid, String... rooms) {
    return HeraldServer.signToken(SECRET, sub, tid, List.of(rooms), Duration.ofHours(1));
  }

  /** A valid token for {@code sub} in tenant {@code tid} (null: default) with a {@code locale} claim. */
  public static String tokenWithLocale(String sub, String tid, String locale) {
    try {
      var claims = new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(sub).claim("locale", locale)
          .expirationTime(java.util.Date.from(java.time.Instant.now().plus(Duration.ofHours(1))));
      if (tid != null) {
        claims.claim("tid", tid);
      }
      var jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
          claims.build());
      jwt.sign(new com.nimbusds.jose.crypto.MACSigner(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code method} {@code path} with {@code bearer} (null: none) and a JSON {@code body} (null: none). */
  public HttpResponse<String> call(String method, String path, String bearer, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    if (bearer != null) {
      b.header("authorization", "Bearer " + bearer);
    }
    return send(b.build());
  }

  /** POSTs {@code json} to /api/events with the global key. */
  public HttpResponse<String> publish(String json) {
    return post("/api/events", API_KEY, json);
  }

  /** POSTs {@code json} to {@code path} with {@code bearer} (null: none). */
  public HttpResponse<String> post(String path, String bearer, String json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (bearer != null) {
      b.header("authorization", "Bearer " + bearer);
    }
    return send(b.build());
  }

  /** GETs {@code path}. */
  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url() + path)).GET().build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Number of registered gateway sessions. */
  public int sessions() {
    return server.gateway().sessionCount();
  }

  @Override
  public void close() {
    // the client's keep-alive connections first, so the server has none to wait for
    http.shutdownNow();
    try {
      if (server != null) {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      // the test is over; a slow close must not fail it
    }
    if (ownDatabase != null) {
      TestDatabase.get().dropDatabase(ownDatabase);
    }
    if (dataDir == null) {
      return;
    }
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temporary directory
    }
  }
}
