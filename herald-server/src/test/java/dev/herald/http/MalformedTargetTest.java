package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request targets whose percent-encoding does not decode, sent from outside over raw sockets (issue
 * 11, defect 9: such requests got no answer, held the connection until the idle timeout and logged a
 * stack trace each). Each is answered 400 in its route's own error format, nothing above DEBUG is
 * logged, and a {@code /ws} bystander is still served.
 */
class MalformedTargetTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ENGINE_IO_BAD_REQUEST = "{\"code\":3,\"message\":\"Bad request\"}";
  private static final String UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  /** How a route says "bad request". */
  enum Format {
    PROBLEM_JSON, ENGINE_IO
  }

  static Stream<Arguments> malformed() {
    String user = "Authorization: Bearer " + TestHerald.token("attacker-9", null) + "\r\n";
    return Stream.of(
        arguments("SSE token", "GET /api/stream?token=%ZZ HTTP/1.1\r\nHost: h\r\n\r\n", Format.PROBLEM_JSON),
        arguments("Engine.IO polling, no login",
            "GET /socket.io/?EIO=4&transport=polling&x=%ZZ HTTP/1.1\r\nHost: h\r\n\r\n", Format.ENGINE_IO),
        arguments("API query, logged in",
            "GET /api/notifications?page=% HTTP/1.1\r\nHost: h\r\n" + user + "\r\n", Format.PROBLEM_JSON),
        arguments("/ws upgrade", "GET /ws?token=%ZZ HTTP/1.1\r\nHost: h\r\n" + UPGRADE + "\r\n", Format.PROBLEM_JSON),
        arguments("Engine.IO websocket upgrade",
            "GET /socket.io/?EIO=4&transport=websocket&x=%ZZ HTTP/1.1\r\nHost: h\r\n" + UPGRADE + "\r\n",
            Format.ENGINE_IO));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void undecodableTargetIsAnswered400InItsRouteFormatAndLogsNothingAboveDebug(String name, String request,
      Format format) throws IOException {
    try (JsonWsRecorder bystander = JsonWsRecorder.connect(herald, TestHerald.token("bystander-9", null));
        CapturedLogs logs = CapturedLogs.start();
        RawConnection attacker = new RawConnection(herald.port())) {
      RawConnection.Response r = attacker.exchange(request);

      assertThat(r.status()).as("status of %s", r).isEqualTo(400);
      if (format == Format.ENGINE_IO) {
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo(ENGINE_IO_BAD_REQUEST);
      } else {
        assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.path("status").asInt()).isEqualTo(400);
        assertThat(problem.path("detail").asText()).contains("percent-encoding");
      }
      herald.publish("{\"room\":\"user:bystander-9\",\"event\":\"after\",\"data\":{}}");
      bystander.nextEvent("after");
      assertThat(logs.above(Level.DEBUG)).as("log events above DEBUG").isEmpty();
    }
  }
}
