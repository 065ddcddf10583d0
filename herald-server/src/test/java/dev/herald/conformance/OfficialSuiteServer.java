package dev.herald.conformance;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpClient;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The server the ported suites and their neighbours run against: {@code herald conformance} (the
 * suites' applications on {@code /engine.io/} and {@code /socket.io/}) on a free port, started once
 * for the test run and stopped at its end. Every class that uses it is annotated
 * {@code @ExtendWith(OfficialSuiteServer.class)} and reads {@link #url()}.
 *
 * <p>It is started on one Vert.x context, outside any verticle, so all its connections share that
 * context's event loop ({@link #context()}); {@code EngineIoBeyondTheSuitesTest} relies on that.
 */
final class OfficialSuiteServer implements BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(OfficialSuiteServer.class);
  private static volatile Running running;

  /** The started server, closed with the test run's root store. */
  private record Running(Vertx vertx, Context context, int port, HttpClient http) implements AutoCloseable {
    @Override
    public void close() {
      http.close();
      vertx.close().await();
    }
  }

  @Override
  public void beforeAll(ExtensionContext extension) {
    running = extension.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Running.class, k -> {
      Vertx vertx = Vertx.vertx(ConformanceServer.vertxOptions());
      Context context = vertx.getOrCreateContext();
      Promise<HttpServer> started = Promise.promise();
      // listening from the context binds the server, and every connection it accepts, to its loop
      context.runOnContext(v -> ConformanceServer.start(vertx, 0).onComplete(started));
      int port = started.future().await().actualPort();
      // one thread runs the client's callbacks, in the order its selector read the connections, so
      // events of different connections reach a test in the order they arrived, as in Node
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .executor(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "suite-http-client");
            t.setDaemon(true);
            return t;
          })).build();
      Running server = new Running(vertx, context, port, http);
      warmUp(server);
      return server;
    }, Running.class);
  }

  /**
   * Socket.IO connections through CONNECT and an echoed event, over long-polling, before any test,
   * until one completes within a heartbeat: the suites run against a server that is already
   * running, and the first CONNECT a fresh JVM handles (classes loaded, code interpreted) can take
   * longer than the suites' pingInterval, which a suite reads as a ping arriving before the CONNECT
   * answer.
   */
  private static void warmUp(Running server) {
    String base = "http://localhost:" + server.port() + "/socket.io/?EIO=4&transport=polling";
    try {
      String answers = "";
      for (int attempt = 0; attempt < 5 && !answers.contains("message-back"); attempt++) {
        String open = send(server, "GET", base, null);
        String sid = SuiteJson.parse(open.substring(1)).get("sid").asText();
        send(server, "POST", base + "&sid=" + sid, "40\u001e42[\"message\",\"warm\"]");
        answers = send(server, "GET", base + "&sid=" + sid, null);
        send(server, "POST", base + "&sid=" + sid, "1");
      }
      if (!answers.contains("message-back")) {
        throw new IllegalStateException("the conformance server did not echo the warm-up event: " + answers);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String send(Running server, String method, String url, String body)
      throws java.io.IOException, InterruptedException {
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
        .timeout(java.time.Duration.ofSeconds(10))
        .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(body))
        .build();
    return server.http().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  /** {@code http://localhost:PORT}, the suites' {@code URL}. */
  static String url() {
    return "http://localhost:" + running.port();
  }

  /** {@code ws://localhost:PORT}, the suites' {@code WS_URL}. */
  static String wsUrl() {
    return url().replace("http", "ws");
  }

  static int port() {
    return running.port();
  }

  /** One HTTP/1.1 client for every test (node-fetch speaks HTTP/1.1), its callbacks on one thread. */
  static HttpClient http() {
    return running.http();
  }

  /** The context whose event loop serves every connection. */
  static Context context() {
    return running.context();
  }
}
