package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request heads a well-behaved client never sends, from outside over raw sockets: conflicting
 * framing (issue 11, defect 10) and a head that never ends (issue 11, defect 12). Each attack is
 * refused and its connection closed while a {@code /ws} bystander is still served.
 */
class RequestHeadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int HEADER_TIMEOUT_MS = 1_000;

  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of(
      "HERALD_HEADER_TIMEOUT_MS", String.valueOf(HEADER_TIMEOUT_MS)));

  /**
   * Issue 11, defect 10: {@code Content-Length} beside {@code Transfer-Encoding: chunked} was taken
   * as chunked and the connection kept, so a request hidden in the "body" ran next (request
   * smuggling behind a proxy that frames by Content-Length). RFC 9112 6.1: reject, close.
   */
  @Test
  void contentLengthBesideChunkedIsRefused400AndTheConnectionClosedBeforeAnythingElseOnIt() throws IOException {
    try (JsonWsRecorder bystander = JsonWsRecorder.connect(herald, TestHerald.token("bystander-10", null));
        RawConnection attacker = new RawConnection(herald.port())) {
      String event = "{\"room\":\"user:bystander-10\",\"event\":\"smuggled\",\"data\":{}}";
      String smuggled = "POST /api/events HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + TestHerald.API_KEY
          + "\r\nContent-Type: application/json\r\nContent-Length: "
          + event.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + event;
      RawConnection.Response r = attacker.exchange("GET /health HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled);

      assertThat(r.status()).as("status of %s", r).isEqualTo(400);
      assertThat(r.header("content-type")).isEqualTo("application/problem+json");
      assertThat(r.header("connection")).isEqualTo("close");
      JsonNode problem = JSON.readTree(r.body());
      assertThat(problem.path("detail").asText()).contains("Content-Length").contains("Transfer-Encoding");
      assertThat(attacker.closedByServer()).as("connection closed after the refusal").isTrue();
      herald.publish("{\"room\":\"user:bystander-10\",\"event\":\"after\",\"data\":{}}");
      bystander.nextEvent("after");
    }
  }

  /**
   * A head Netty cannot read (a space inside a field name) is answered like every other refusal,
   * as problem+json (Vert.x's own answer was a bare 400, or a silent close for other causes).
   */
  @Test
  void unreadableRequestHeadIsAnswered400AndTheConnectionClosed() {
    try (RawConnection client = new RawConnection(herald.port())) {
      RawConnection.Response r = client.exchange("GET /health HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n");

      assertThat(r.status()).as("status of %s", r).isEqualTo(400);
      assertThat(r.header("content-type")).isEqualTo("application/problem+json");
      assertThat(client.closedByServer()).as("connection closed after the refusal").isTrue();
    }
  }

  /**
   * Issue 11, defect 12: a connection sending its request head a byte at a time was held forever.
   * The head must be complete within {@code HERALD_HEADER_TIMEOUT_MS} of its first byte.
   */
  @Test
  void requestHeadTricklingInIsAnswered408AndClosedAfterTheHeaderTimeout() throws IOException {
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try (JsonWsRecorder bystander = JsonWsRecorder.connect(herald, TestHerald.token("bystander-12", null));
        RawConnection attacker = new RawConnection(herald.port())) {
      String head = "GET /health HTTP/1.1\r\nHost: h\r\nX-Slow: " + "s".repeat(200) + "\r\n\r\n";
      AtomicInteger sent = new AtomicInteger();
      // one byte every 50 ms: the head would take 12 s; a failed write (connection closed) ends it
      trickle.scheduleWithFixedDelay(() -> attacker.write(head.substring(sent.get(), sent.incrementAndGet())),
          0, 50, TimeUnit.MILLISECONDS);

      RawConnection.Response r = attacker.read();

      assertThat(r.status()).as("status of %s", r).isEqualTo(408);
      assertThat(r.header("content-type")).isEqualTo("application/problem+json");
      assertThat(attacker.closedByServer()).as("connection closed after the 408").isTrue();
      assertThat(sent.get()).as("bytes of the head sent before the answer").isLessThan(head.length());
      herald.publish("{\"room\":\"user:bystander-12\",\"event\":\"after\",\"data\":{}}");
      bystander.nextEvent("after");
    } finally {
      trickle.shutdownNow();
    }
  }

  /**
   * Issue 11, defect 12: the header timeout runs from a head's first byte, not from the previous
   * answer, so a keep-alive connection may stay idle between requests for longer than it.
   */
  @Test
  void keepAliveConnectionIdleLongerThanTheHeaderTimeoutStillServesItsNextRequest() {
    try (RawConnection idle = new RawConnection(herald.port())) {
      assertThat(idle.exchange("GET /health HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(200);
      // a head left unfinished on a connection opened later is refused after the header timeout,
      // so by then the first connection has been idle for longer than that
      try (RawConnection unfinished = new RawConnection(herald.port())) {
        assertThat(unfinished.exchange("GET /health HTTP/1.1\r\nHost: h\r\n").status()).isEqualTo(408);
      }

      assertThat(idle.exchange("GET /health HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(200);
    }
  }
}
