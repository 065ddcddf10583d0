package dev.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.testing.TestHerald;
import dev.herald.testing.JsonWsRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What keeps one client from hurting the others: connection caps, slow consumers, big frames, bad tokens. */
class ProtectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_PAYLOAD = 10_000;
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of(
        "HERALD_MAX_CONNECTIONS_PER_USER", "2",
        "HERALD_MAX_PAYLOAD_BYTES", String.valueOf(MAX_PAYLOAD)));

  @Test
  void thirdConnectionOfAUserIsClosedWith4429AndTheFirstTwoKeepWorking() {
    String token = TestHerald.token("capped", null);
    try (JsonWsRecorder first = JsonWsRecorder.connect(herald, token);
        JsonWsRecorder second = JsonWsRecorder.connect(herald, token);
        JsonWsRecorder third = JsonWsRecorder.open(herald, token)) {
      assertThat(third.awaitClose()).isEqualTo(4429);
      assertThat(third.queued()).as("no welcome for a refused connection").isZero();

      herald.publish("{\"room\":\"user:capped\",\"event\":\"still.served\",\"data\":1}");
      first.nextEvent("still.served");
      second.nextEvent("still.served");
      second.send("{\"type\":\"ping\"}");
      second.next("pong");
    }
  }

  @Test
  void closingOneConnectionFreesASlotForTheUser() {
    String token = TestHerald.token("slot-freed", null);
    try (TestHerald node = TestHerald.start(Map.of("HERALD_MAX_CONNECTIONS_PER_USER", "2"));
        JsonWsRecorder kept = JsonWsRecorder.connect(node, token)) {
      try (JsonWsRecorder leaving = JsonWsRecorder.connect(node, token)) {
        assertThat(node.sessions()).isEqualTo(2);
      }
      await().atMost(JsonWsRecorder.WAIT).until(() -> node.sessions() == 1);

      try (JsonWsRecorder replacement = JsonWsRecorder.connect(node, token)) {
        replacement.send("{\"type\":\"ping\"}");
        replacement.next("pong");
      }
      kept.send("{\"type\":\"ping\"}");
      kept.next("pong");
    }
  }

  /**
   * Regression: the slow consumer was refused, but its TCP connection (and session) stayed, because
   * Vert.x's WebSocket close waits to flush the close frame behind data the client never reads.
   */
  @Test
  void clientThatNeverReadsIsDisconnectedWhileOthersKeepReceiving() throws Exception {
    try (TestHerald node = TestHerald.start(Map.of("HERALD_OUTBOUND_BUFFER_BYTES", "65536"));
        JsonWsRecorder healthy = JsonWsRecorder.connect(node, TestHerald.token("healthy-reader", null));
        Socket stalled = rawWebSocket(node, TestHerald.token("never-reads", null))) {
      await().atMost(JsonWsRecorder.WAIT).until(() -> node.sessions() == 2);
      String data = "\"" + "x".repeat(8 * 1024) + "\"";
      String item = "{\"room\":\"user:never-reads\",\"event\":\"bulk\",\"data\":" + data + "}";
      String batch = "[" + String.join(",", Collections.nCopies(50, item)) + "]";

      for (int i = 0; i < 40 && node.sessions() == 2; i++) {
        assertThat(node.publish(batch).statusCode()).isEqualTo(202);
      }

      await().atMost(JsonWsRecorder.WAIT).until(() -> node.sessions() == 1);
      assertThat(refusals(node, "slow_consumer")).isPositive();
      assertThat(drainToEnd(stalled)).as("bytes the server had sent before it hung up").isPositive();
      node.publish("{\"room\":\"user:healthy-reader\",\"event\":\"later\",\"data\":1}");
      healthy.nextEvent("later");
    }
  }

  @Test
  void messageOverMaxPayloadClosesThatConnectionOnly() {
    try (JsonWsRecorder bystander = JsonWsRecorder.connect(herald, TestHerald.token("payload-bystander", null));
        JsonWsRecorder offender = JsonWsRecorder.connect(herald, TestHerald.token("payload-offender", null))) {
      offender.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(MAX_PAYLOAD * 2) + "\"}");

      assertThat(offender.awaitClose()).isIn(1009, -1);
      bystander.send("{\"type\":\"ping\"}");
      bystander.next("pong");
    }
  }

  static Stream<Arguments> refusedTokens() throws Exception {
    Instant now = Instant.now();
    JWTClaimsSet valid = new JWTClaimsSet.Builder().subject("mallory")
        .expirationTime(Date.from(now.plusSeconds(3600))).build();
    JWTClaimsSet expired = new JWTClaimsSet.Builder().subject("mallory")
        .issueTime(Date.from(now.minusSeconds(7200))).expirationTime(Date.from(now.minusSeconds(3600))).build();
    JWTClaimsSet noSub = new JWTClaimsSet.Builder().claim("tid", "acme")
        .expirationTime(Date.from(now.plusSeconds(3600))).build();
    return Stream.of(
        Arguments.of("expired", hs256(TestHerald.SECRET, expired), "token expired"),
        Arguments.of("alg none", new PlainJWT(valid).serialize(), "alg none"),
        Arguments.of("signed with another key", hs256("another-secret-another-secret-0123456789", valid),
            "invalid token signature"),
        Arguments.of("malformed", "eyJhbGciOi.not-a-token", "malformed token"),
        Arguments.of("without sub", hs256(TestHerald.SECRET, noSub), "sub"));
  }

  @ParameterizedTest(name = "{0} token is refused with 401")
  @MethodSource("refusedTokens")
  void badTokenIsRefusedOnWsWith401AndAReason(String what, String token, String reason) throws Exception {
    HttpResponse<?> refused = JsonWsRecorder.refusal(herald, token);

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("content-type")).contains("application/problem+json");
    assertThat(JSON.readTree(refused.body().toString()).path("detail").asText()).contains(reason);
  }

  private static String hs256(String secret, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  private static double refusals(TestHerald node, String reason) {
    Matcher m = Pattern.compile("(?m)^herald_refusals_total\\{reason=\"" + reason + "\"} (\\S+)$")
        .matcher(node.get("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** Reads {@code socket} until the server closes it; fails if it stays open for {@link JsonWsRecorder#WAIT}. */
  private static long drainToEnd(Socket socket) throws IOException {
    socket.setSoTimeout((int) JsonWsRecorder.WAIT.toMillis());
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
      }
    } catch (java.net.SocketException reset) {
      // a connection reset is a disconnect too
    }
    return total;
  }

  /**
   * A WebSocket upgraded by hand on a socket with a tiny receive buffer, that is never read after
   * the handshake: the server's writes to it pile up in its outbound buffer.
   */
  private static Socket rawWebSocket(TestHerald node, String token) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 5_000);
    socket.setSoTimeout(10_000);
    String request = "GET /ws?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + node.port() + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the handshake: " + head);
      }
      head.write(b);
    }
    assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
    return socket;
  }
}
