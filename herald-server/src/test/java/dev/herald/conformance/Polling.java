package dev.herald.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP long-polling requests to one Engine.IO path ({@code /engine.io/} or {@code /socket.io/}) of
 * the {@link OfficialSuiteServer}, over HTTP/1.1, for the checks beyond the suites. Every request
 * times out after {@link WsRecorder#WAIT}.
 */
final class Polling {
  /** Strict like JSON.parse: text after the value is an error. */
  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final HttpClient http;
  private final String base;

  /** {@code path} is {@code /engine.io/} or {@code /socket.io/}. */
  Polling(String path) {
    this.http = OfficialSuiteServer.http();
    this.base = OfficialSuiteServer.url() + path;
  }

  /** {@code base} plus {@code query}, e.g. {@code ?EIO=4&transport=polling}. */
  URI uri(String query) {
    return URI.create(base + query);
  }

  static String sessionQuery(String sid) {
    return "?EIO=4&transport=polling&sid=" + sid;
  }

  /** The suites' {@code initLongPollingSession()}: a handshake GET, returning the sid. */
  String openSession() {
    HttpResponse<String> r = get("?EIO=4&transport=polling");
    assertThat(r.statusCode()).as("handshake status").isEqualTo(200);
    return openPacket(r.body()).get("sid").asText();
  }

  /** The JSON of an open packet {@code 0{...}}, asserting the leading {@code 0}. */
  static JsonNode openPacket(String packet) {
    assertThat(packet).as("open packet").startsWith("0");
    try {
      return JSON.readTree(packet.substring(1));
    } catch (IOException e) {
      throw new UncheckedIOException("the open packet is not 0 followed by JSON: " + packet, e);
    }
  }

  HttpResponse<String> get(String query) {
    return send("GET", query, null);
  }

  HttpResponse<String> post(String query, String body) {
    return send("POST", query, body);
  }

  /** {@code body} null: no body at all. */
  HttpResponse<String> send(String method, String query, String body) {
    return sendAsync(method, query, body).join();
  }

  CompletableFuture<HttpResponse<String>> sendAsync(String method, String query, String body) {
    return sendAsync(HttpRequest.newBuilder(uri(query)), method, body);
  }

  CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request, String method, String body) {
    request.timeout(WsRecorder.WAIT).method(method, body == null
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
