package dev.herald.transport.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.CloseReason;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@link EngineSocket#send} answers when called from a thread other than the session's loop
 * (issue 11, defect 6: it read a non-volatile state and answered true for packets it then dropped).
 * A real endpoint, driven over HTTP long-polling; the test thread is the other thread.
 */
class EngineSocketThreadsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Vertx vertx;
  private static HttpClient http;
  private static String base;
  private static final LinkedBlockingQueue<EngineSocket> opened = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    // a heartbeat far away: no ping joins the payloads these tests read
    HeraldConfig.Engine engine = new HeraldConfig.Engine(Duration.ofSeconds(25), Duration.ofSeconds(20), 1_000_000,
        Duration.ofSeconds(1), Duration.ofSeconds(10), List.of("*"));
    EngineServer server = new EngineServer(new EngineOptions(engine, 1 << 20), new HeraldMetrics(),
        (socket, handshake) -> opened.add(socket));
    int port = vertx.createHttpServer().requestHandler(server::handle).listen(0).await().actualPort();
    base = "http://localhost:" + port + "/engine.io/?EIO=4&transport=polling";
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    http.close();
    vertx.close().await();
  }

  @Test
  void sendFromAnotherThreadToAnOpenSessionIsAcceptedAndArrivesInOrder() throws Exception {
    Session session = open();

    assertThat(session.socket.send("first")).isTrue();
    assertThat(session.socket.send("second")).isTrue();

    assertThat(session.poll()).isEqualTo("4first\u001e4second");
  }

  /** Issue 11, defect 6: a closing session took the packet (true) and dropped it on its loop. */
  @Test
  void sendFromAnotherThreadToAClosingSessionIsRefused() throws Exception {
    Session session = open();
    session.socket.close(CloseReason.SERVER_CLOSE);
    session.loopHasRun();

    boolean accepted = session.socket.send("too late");

    assertThat(accepted).as("send to a session the server is closing").isFalse();
    assertThat(session.poll()).as("what the client still gets").isEqualTo("1");
  }

  @Test
  void sendFromAnotherThreadToAnEndedSessionIsRefused() throws Exception {
    Session session = open();
    assertThat(session.post("1")).isEqualTo(200);
    session.loopHasRun();

    assertThat(session.socket.send("too late")).isFalse();
    assertThat(session.socket.sendBinary(io.vertx.core.buffer.Buffer.buffer(new byte[] {1}))).isFalse();
  }

  private Session open() throws Exception {
    HttpResponse<String> handshake = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
        HttpResponse.BodyHandlers.ofString());
    String sid = JSON.readTree(handshake.body().substring(1)).get("sid").asText();
    EngineSocket socket = opened.poll(5, TimeUnit.SECONDS);
    assertThat(socket).as("session opened").isNotNull();
    assertThat(socket.id()).isEqualTo(sid);
    return new Session(socket, base + "&sid=" + sid);
  }

  private record Session(EngineSocket socket, String url) {
    /** Returns once the session's loop ran everything this thread handed it before. */
    void loopHasRun() throws InterruptedException {
      CountDownLatch ran = new CountDownLatch(1);
      socket.context().runOnContext(v -> ran.countDown());
      assertThat(ran.await(5, TimeUnit.SECONDS)).as("the session's loop ran").isTrue();
    }

    String poll() throws Exception {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("poll status").isEqualTo(200);
      return r.body();
    }

    int post(String body) throws Exception {
      return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode();
    }
  }
}
