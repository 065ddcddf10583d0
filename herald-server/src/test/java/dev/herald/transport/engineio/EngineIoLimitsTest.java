package dev.herald.transport.engineio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Engine.IO limits on Herald's own /socket.io/ endpoint: payload size, origins, connect timeout. */
class EngineIoLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestHerald herald;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    herald = TestHerald.start(Map.of(
        "HERALD_MAX_PAYLOAD_BYTES", "10000",
        "HERALD_CORS_ORIGINS", "https://app.example",
        "HERALD_CONNECT_TIMEOUT_MS", "500"));
  }

  @AfterAll
  static void stop() {
    herald.close();
  }

  private String handshake() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create(herald.url() + "/socket.io/?EIO=4&transport=polling")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body().substring(1)).get("sid").asText();
  }

  private HttpResponse<String> post(String sid, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(herald.url() + "/socket.io/?EIO=4&transport=polling&sid=" + sid))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void pollingPostOverMaxPayloadIsRefusedWith413AndOtherSessionsKeepWorking() throws Exception {
    String big = handshake();
    String other = handshake();
    assertThat(post(big, "4" + "x".repeat(20_000)).statusCode()).isEqualTo(413);
    String token = TestHerald.token("limits-user", null);
    assertThat(post(other, "40{\"token\":\"" + token + "\"}").statusCode()).isEqualTo(200);
    HttpResponse<String> poll = http.send(HttpRequest.newBuilder(
        URI.create(herald.url() + "/socket.io/?EIO=4&transport=polling&sid=" + other)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(poll.body()).startsWith("40{\"sid\":");
  }

  @Test
  void websocketMessageOverMaxPayloadClosesThatConnectionOnly() throws Exception {
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        frames.add(data.toString());
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        closed.complete(code);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        closed.complete(-1);
      }
    };
    WebSocket ws = http.newWebSocketBuilder()
        .buildAsync(URI.create(herald.wsUrl() + "/socket.io/?EIO=4&transport=websocket"), listener)
        .get(10, TimeUnit.SECONDS);
    assertThat(frames.poll(10, TimeUnit.SECONDS)).startsWith("0{");
    ws.sendText("4" + "x".repeat(20_000), true);
    assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
    handshake();
  }

  @Test
  void disallowedOriginIsForbiddenAndAllowedOriginGetsCorsHeaders() throws Exception {
    HttpResponse<String> evil = http.send(HttpRequest.newBuilder(
        URI.create(herald.url() + "/socket.io/?EIO=4&transport=polling")).header("origin", "https://evil.example").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(evil.statusCode()).isEqualTo(403);
    HttpResponse<String> good = http.send(HttpRequest.newBuilder(
        URI.create(herald.url() + "/socket.io/?EIO=4&transport=polling")).header("origin", "https://app.example").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(good.headers().firstValue("access-control-allow-origin")).contains("https://app.example");
  }

  @Test
  void sessionWithoutSocketIoConnectIsClosedAfterTheConnectTimeout() throws Exception {
    String sid = handshake();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create(herald.url() + "/socket.io/?EIO=4&transport=polling&sid=" + sid)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(400);
    });
  }
}
