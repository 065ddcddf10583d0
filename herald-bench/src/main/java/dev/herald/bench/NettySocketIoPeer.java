package dev.herald.bench;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.namespace.Namespace;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.MACVerifier;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * The netty-socketio 2.0 peer of the benchmark, with the contract's conventions: the HS256 token
 * in the CONNECT auth ({@code {token}}), rooms {@code user:<sub>} and {@code tenant:<tid>}, and
 * {@code POST /api/events} ({@code {room|rooms, event, data}} or an array, API key as bearer,
 * answer 202 {@code {accepted}}).
 *
 * <p>netty-socketio owns its port and has no hook for other HTTP routes, so the API is served by
 * the JDK's {@code com.sun.net.httpserver} on {@code API_PORT} (default {@code PORT + 1}) in the
 * same process. Env: {@code PORT}, {@code API_PORT}, {@code HOST} (127.0.0.1), {@code JWT_SECRET},
 * {@code API_KEY}. Everything else is netty-socketio's default (ping 25 s, worker threads 2 × cores).
 */
public final class NettySocketIoPeer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NettySocketIoPeer() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> env = System.getenv();
    int port = Integer.parseInt(env.getOrDefault("PORT", "3002"));
    int apiPort = Integer.parseInt(env.getOrDefault("API_PORT", String.valueOf(port + 1)));
    String host = env.getOrDefault("HOST", "127.0.0.1");
    MACVerifier verifier = BenchToken.verifier(required(env, "JWT_SECRET"));
    String apiKey = required(env, "API_KEY");

    Configuration config = new Configuration();
    config.setHostname(host);
    config.setPort(port);
    SocketIOServer io = new SocketIOServer(config);
    // netty-socketio 2.0 connects the default namespace (and fires its connect listeners) at the
    // Engine.IO handshake, before the client's CONNECT arrives; the CONNECT's auth data reaches the
    // auth-token listeners only. So the check and the joins happen here: a refused token answers
    // CONNECT_ERROR and joins nothing. (A CONNECT without auth data is accepted by netty-socketio
    // without calling these listeners; such a client is in no room and receives nothing.)
    io.getNamespace(Namespace.DEFAULT_NAME).addAuthTokenListener((authData, client) -> {
      Object token = authData instanceof Map<?, ?> m ? m.get("token") : null;
      BenchToken.Claims claims = BenchToken.verify(verifier, token);
      if (claims == null) {
        return new AuthTokenResult(false, Map.of("message", "unauthorized"));
      }
      client.joinRooms(Set.of("user:" + claims.sub(), "tenant:" + claims.tid()));
      return AuthTokenResult.AuthTokenResultSuccess;
    });
    io.start();

    HttpServer api = HttpServer.create(new InetSocketAddress(host, apiPort), 1024);
    api.setExecutor(Executors.newFixedThreadPool(2));
    api.createContext("/api/events", exchange -> publish(io, apiKey, exchange));
    api.start();
    System.out.println("netty-socketio peer listening on http://" + host + ":" + port + " (API on port " + apiPort + ")");
  }

  private static void publish(SocketIOServer io, String apiKey, HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (!"POST".equals(exchange.getRequestMethod())) {
        reply(exchange, 405, "{\"error\":\"use POST\"}");
        return;
      }
      if (!("Bearer " + apiKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        reply(exchange, 401, "{\"error\":\"unauthorized\"}");
        return;
      }
      Object parsed;
      try {
        parsed = JSON.readValue(body, Object.class);
      } catch (JsonProcessingException e) {
        reply(exchange, 400, "{\"error\":\"malformed JSON\"}");
        return;
      }
      List<?> events = parsed instanceof List<?> l ? l : List.of(parsed);
      for (Object e : events) {
        if (!(e instanceof Map<?, ?> m) || !(m.get("event") instanceof String) || rooms(m).isEmpty()) {
          reply(exchange, 400, "{\"error\":\"room and event are required\"}");
          return;
        }
      }
      for (Object e : events) {
        Map<?, ?> m = (Map<?, ?>) e;
        io.getRoomOperations(rooms(m).toArray(String[]::new)).sendEvent((String) m.get("event"), m.get("data"));
      }
      reply(exchange, 202, "{\"accepted\":" + events.size() + "}");
    }
  }

  private static List<String> rooms(Map<?, ?> event) {
    if (event.get("rooms") instanceof List<?> rooms) {
      return rooms.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return event.get("room") instanceof String room ? List.of(room) : List.of();
  }

  private static void reply(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return v;
  }
}
