package dev.herald.delivery.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Vert.x client Herald sends webhooks with, against a Vert.x receiver on loopback. */
class VertxWebhookClientTest {
  private static Vertx vertx;
  private static HttpServer receiver;
  private static final AtomicInteger served = new AtomicInteger();
  private static VertxWebhookClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      switch (req.path()) {
        case "/big" -> req.response().setStatusCode(500).end("x".repeat(200_000));
        case "/slow" -> vertx.setTimer(3_000, t -> req.response().setStatusCode(204).end());
        default -> {
          served.incrementAndGet();
          req.response().setStatusCode(204).end();
        }
      }
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    client = new VertxWebhookClient(vertx, Duration.ofSeconds(2), 32);
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static URI url(String path) {
    return URI.create("http://127.0.0.1:" + receiver.actualPort() + path);
  }

  /**
   * Regression: the answer's handlers were set from a virtual thread's request after the answer's
   * future completed on another task, and a 204 could have ended by then; the client reported an
   * IllegalStateException for a message the receiver had taken, and the engine sent it again (the
   * delivery benchmark counted 171 duplicate webhook-ids in 380,000).
   */
  @Test
  void everyShortAnswerIsReadBackUnderConcurrentLoad() throws Exception {
    int n = 20_000;
    int before = served.get();
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    AtomicInteger ok = new AtomicInteger();
    Semaphore inFlight = new Semaphore(32);
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        inFlight.acquire();
        threads.execute(() -> {
          try {
            var answer = client.post(url("/hook"), Map.of("content-type", "application/json"), "{}".getBytes(),
                Duration.ofSeconds(10));
            if (answer.status() == 204) {
              ok.incrementAndGet();
            }
          } catch (Exception e) {
            failures.merge(e.toString(), 1, Integer::sum);
          } finally {
            inFlight.release();
          }
        });
      }
    }
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isEqualTo(n);
    assertThat(served.get() - before).isEqualTo(n);
  }

  @Test
  void aLargeAnswerIsCutToItsFirstKilobyte() throws Exception {
    var answer = client.post(url("/big"), Map.of(), "{}".getBytes(), Duration.ofSeconds(10));
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).hasSize(JdkWebhookClient.MAX_BODY);
  }

  @Test
  void noAnswerWithinTheTimeoutIsATimeout() {
    assertThatThrownBy(() -> client.post(url("/slow"), Map.of(), "{}".getBytes(), Duration.ofMillis(300)))
        .isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void aRefusedConnectionIsAnIoFailure() throws Exception {
    var closed = vertx.createHttpServer().requestHandler(r -> { }).listen(0, "127.0.0.1").toCompletionStage()
        .toCompletableFuture().get();
    int port = closed.actualPort();
    closed.close().toCompletionStage().toCompletableFuture().get();
    assertThatThrownBy(() -> client.post(URI.create("http://127.0.0.1:" + port + "/"), Map.of(), "{}".getBytes(),
        Duration.ofSeconds(2))).isInstanceOf(java.io.IOException.class);
  }
}
