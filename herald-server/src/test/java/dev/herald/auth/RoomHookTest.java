package dev.herald.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.herald.testing.TestHerald;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's authorization hook, as a real HTTP endpoint the node calls. */
class RoomHookTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static HttpServer hook;
  private static final List<JsonNode> asked = new CopyOnWriteArrayList<>();
  private static TestHerald herald;

  @BeforeAll
  static void start() throws Exception {
    hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext("/authorize", exchange -> {
      JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      asked.add(body);
      boolean allow = body.get("room").asText().startsWith("project:open");
      exchange.sendResponseHeaders(allow ? 204 : 403, -1);
      exchange.close();
    });
    hook.start();
    herald = TestHerald.start(Map.of(
        "HERALD_ROOM_HOOK_URL", "http://127.0.0.1:" + hook.getAddress().getPort() + "/authorize",
        "HERALD_ROOM_HOOK_CACHE_MS", "60000"));
  }

  @AfterAll
  static void stop() {
    herald.close();
    hook.stop(0);
  }

  @Test
  void hookAllowsAndRefusesAndIsAskedOncePerRoomWhileCached() throws Exception {
    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(herald.wsUrl() + "/ws?token=" + TestHerald.token("hook-user", "acme")),
            new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                frames.add(data.toString());
                webSocket.request(1);
                return null;
              }
            }).get(10, TimeUnit.SECONDS);
    assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("\"connected\"");

    ws.sendText("{\"type\":\"join\",\"room\":\"project:open-1\"}", true);
    assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("\"subscribed\"").contains("project:open-1");
    ws.sendText("{\"type\":\"join\",\"room\":\"project:secret\"}", true);
    assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("\"error\"").contains("forbidden").contains("project:secret");
    ws.sendText("{\"type\":\"leave\",\"room\":\"project:open-1\"}", true);
    assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("\"unsubscribed\"");
    ws.sendText("{\"type\":\"join\",\"room\":\"project:open-1\"}", true);
    assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("\"subscribed\"");

    assertThat(asked).extracting(j -> j.get("room").asText())
        .containsExactly("project:open-1", "project:secret");
    assertThat(asked.get(0).get("user").asText()).isEqualTo("hook-user");
    assertThat(asked.get(0).get("tenant").asText()).isEqualTo("acme");

    assertThat(herald.publish("{\"tenant\":\"acme\",\"room\":\"project:open-1\",\"event\":\"p\",\"data\":{\"n\":1}}")
        .statusCode()).isEqualTo(202);
    assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("\"event\":\"p\"").contains("{\"n\":1}");
    ws.abort();
  }

  @Test
  void reservedRoomsOfOtherUsersAreRefusedWithoutAskingTheHook() throws Exception {
    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(herald.wsUrl() + "/ws?token=" + TestHerald.token("nosy", "acme")),
            new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                frames.add(data.toString());
                webSocket.request(1);
                return null;
              }
            }).get(10, TimeUnit.SECONDS);
    assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("\"connected\"");
    int before = asked.size();
    ws.sendText("{\"type\":\"join\",\"room\":\"user:someone-else\"}", true);
    assertThat(frames.poll(10, TimeUnit.SECONDS)).contains("forbidden").contains("reserved");
    assertThat(asked).hasSize(before);
    ws.abort();
  }
}
