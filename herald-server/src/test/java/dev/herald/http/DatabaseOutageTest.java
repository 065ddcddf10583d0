package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A database that does not answer is an outage (503 with Retry-After), not a server error, whichever
 * way the PostgreSQL pool reports it. The "database" here is a socket that takes connections and
 * never says a word, like a PostgreSQL that hangs or a network path that drops everything.
 */
class DatabaseOutageTest {
  private final Vertx vertx = Vertx.vertx();
  private final HeraldMetrics metrics = new HeraldMetrics();
  private final HttpClient client = HttpClient.newHttpClient();
  private ServerSocket silent;
  private Pool pool;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    // never accepted: the kernel completes the handshakes into the backlog, nobody reads
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(1).setConnectionTimeout(1).setConnectionTimeoutUnit(TimeUnit.SECONDS))
        .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(silent.getLocalPort())
            .setDatabase("herald").setUser("herald"))
        .using(vertx)
        .build();
    server = vertx.createHttpServer().requestHandler(req -> {
      Future<?> work = switch (req.path()) {
        case "/query" -> pool.query("select 1").execute();
        case "/connection" -> pool.getConnection();
        default -> pool.withTransaction(tx -> tx.query("select 1").execute());
      };
      work.onComplete(ar -> {
        if (ar.failed()) {
          Problem.fail(req.response(), ar.cause(), metrics);
        } else {
          req.response().end("the silent database answered?");
        }
      });
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    client.shutdownNow();
    // first: resets the connections waiting in its backlog, so the pool's pending connect ends
    silent.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Issue 11, defect 6: the outage was detected by a class's simple name containing "Timeout"; the
   * pool's own timeouts are a plain VertxException and a NoStackTraceThrowable, so they were 500s.
   */
  @Test
  void aPoolThatTimesOutWaitingForAConnectionIsAnOutage() throws Exception {
    for (String path : new String[] {"/query", "/connection", "/transaction"}) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(503);
      assertThat(r.headers().firstValue("retry-after")).as(path).isPresent();
      assertThat(r.headers().firstValue("content-type")).as(path).hasValue("application/problem+json");
    }
  }
}
