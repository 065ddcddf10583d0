package dev.herald.transport.plainws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.testing.TestHerald;
import dev.herald.testing.JsonWsRecorder;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /ws}, the plain JSON WebSocket protocol of seed 002, driven by the JDK's WebSocket client. */
class PlainWebSocketTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  @Test
  void connectionIsWelcomedWithConnectedAndTheAutomaticRooms() {
    try (JsonWsRecorder client = JsonWsRecorder.open(herald, TestHerald.token("ws-welcome", null))) {
      JsonNode welcome = client.next("connected");
      assertThat(welcome.path("userId").asText()).isEqualTo("ws-welcome");
      assertThat(welcome.path("tenantId").asText()).isEqualTo("default");
      assertThat(welcome.path("sessionId").asText()).isNotBlank();
      assertThat(welcome.path("rooms")).extracting(JsonNode::asText)
          .containsExactlyInAnyOrder("user:ws-welcome", "tenant:default");
    }
  }

  @Test
  void pingIsAnsweredWithPongCarryingTheRequestId() {
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, TestHerald.token("ws-ping", null))) {
      client.send("{\"type\":\"ping\",\"requestId\":7}");
      assertThat(client.next("pong").path("requestId").asInt()).isEqualTo(7);
    }
  }

  @Test
  void subscribedChannelReceivesPublishedEventsWithEventRoomDataAndId() throws Exception {
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, TestHerald.token("ws-sub", null, "channel:*"))) {
      client.send("{\"type\":\"subscribe\",\"channels\":[\"orders\"]}");
      JsonNode subscribed = client.next("subscribed");
      assertThat(subscribed.path("rooms")).extracting(JsonNode::asText).containsExactly("channel:orders");

      assertThat(herald.publish("{\"room\":\"channel:orders\",\"event\":\"order.created\",\"data\":{\"id\":42}}")
          .statusCode()).isEqualTo(202);

      JsonNode event = client.nextEvent("order.created");
      assertThat(event.path("room").asText()).isEqualTo("channel:orders");
      assertThat(event.path("data")).isEqualTo(JSON.readTree("{\"id\":42}"));
      assertThat(event.path("id").asText()).isNotBlank();
    }
  }

  @Test
  void eventPublishedToTheUserRoomArrivesWithoutSubscribing() throws Exception {
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, TestHerald.token("ws-direct", null))) {
      herald.publish("{\"room\":\"user:ws-direct\",\"event\":\"task.created\",\"data\":[1,\"two\"]}");
      JsonNode event = client.nextEvent("task.created");
      assertThat(event.path("room").asText()).isEqualTo("user:ws-direct");
      assertThat(event.path("data")).isEqualTo(JSON.readTree("[1,\"two\"]"));
    }
  }

  @Test
  void malformedJsonIsAnsweredWithAnErrorAndTheConnectionStaysUsable() {
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, TestHerald.token("ws-malformed", null))) {
      client.send("{\"type\":\"ping\"");
      assertThat(client.next("error").path("message").asText()).contains("malformed");
      client.send("[1,2,3]");
      assertThat(client.next("error").path("message").asText()).contains("malformed");

      client.send("{\"type\":\"ping\"}");
      client.next("pong");
      assertThat(client.isClosed()).isFalse();
    }
  }

  @Test
  void unknownMessageTypeIsAnsweredWithAnError() {
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, TestHerald.token("ws-unknown", null))) {
      client.send("{\"type\":\"teleport\",\"requestId\":\"r1\"}");
      JsonNode error = client.next("error");
      assertThat(error.path("code").asText()).isEqualTo("unknown_event");
      assertThat(error.path("message").asText()).contains("unknown event").contains("teleport");
      assertThat(error.path("requestId").asText()).isEqualTo("r1");
    }
  }

  @Test
  void refusedRoomIsAnsweredWithForbiddenErrorNamingTheRoom() {
    String token = TestHerald.token("ws-refused", null, "channel:public");
    try (JsonWsRecorder client = JsonWsRecorder.connect(herald, token)) {
      client.send("{\"type\":\"join\",\"room\":\"channel:secret\"}");
      JsonNode error = client.next("error");
      assertThat(error.path("code").asText()).isEqualTo("forbidden");
      assertThat(error.path("room").asText()).isEqualTo("channel:secret");

      client.send("{\"type\":\"join\",\"room\":\"channel:public\"}");
      assertThat(client.next("subscribed").path("rooms")).extracting(JsonNode::asText)
          .containsExactly("channel:public");
    }
  }

  @Test
  void badTokenIsRefusedWith401ProblemBeforeTheUpgrade() throws Exception {
    HttpResponse<?> refused = JsonWsRecorder.refusal(herald, "not-a-jwt");

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("content-type")).contains("application/problem+json");
    JsonNode problem = JSON.readTree(refused.body().toString());
    assertThat(problem.path("status").asInt()).isEqualTo(401);
    assertThat(problem.path("detail").asText()).isEqualTo("malformed token");
  }

  @Test
  void missingTokenIsRefusedWith401() throws Exception {
    HttpResponse<?> refused = JsonWsRecorder.refusal(herald, null);

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(refused.body().toString()).path("detail").asText()).isEqualTo("missing token");
  }

  @Test
  void nodeConfiguredWithAPemPublicKeyAcceptsRs256Tokens() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair rsa = generator.generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(rsa.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder()
        .subject("rsa-user").claim("tid", "acme").expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    jwt.sign(new RSASSASigner(rsa.getPrivate()));

    try (TestHerald rsaNode = TestHerald.start(Map.of("HERALD_JWT_SECRET", "", "HERALD_JWT_PUBLIC_KEY", pem));
        JsonWsRecorder client = JsonWsRecorder.open(rsaNode, jwt.serialize())) {
      JsonNode welcome = client.next("connected");
      assertThat(welcome.path("userId").asText()).isEqualTo("rsa-user");
      assertThat(welcome.path("tenantId").asText()).isEqualTo("acme");
      assertThat(JsonWsRecorder.refusal(rsaNode, TestHerald.token("hs256-user", null)).statusCode())
          .as("an HS256 token where only RS256 is configured").isEqualTo(401);
    }
  }

  @Test
  void floodPastTheRateLimitGetsErrorsThenClose1008WhileAnotherClientKeepsWorking() {
    int burst = 5;
    int maxRefused = 3;
    try (TestHerald limited = TestHerald.start(Map.of(
            "HERALD_RATE_LIMIT_BURST", String.valueOf(burst),
            "HERALD_RATE_LIMIT_PER_SECOND", "0.01",
            "HERALD_RATE_LIMIT_MAX_REFUSED", String.valueOf(maxRefused)));
        JsonWsRecorder flooder = JsonWsRecorder.connect(limited, TestHerald.token("ws-flooder", null));
        JsonWsRecorder bystander = JsonWsRecorder.connect(limited, TestHerald.token("ws-bystander", null))) {
      for (int i = 0; i < burst + maxRefused + 1; i++) {
        flooder.send("{\"type\":\"ping\"}");
      }

      List<String> answers = new ArrayList<>();
      for (int i = 0; i < burst + maxRefused; i++) {
        JsonNode frame = flooder.next();
        answers.add(frame.path("type").asText() + "/" + frame.path("code").asText(""));
      }
      assertThat(answers.subList(0, burst)).containsOnly("pong/");
      assertThat(answers.subList(burst, burst + maxRefused)).containsOnly("error/rate_limited");
      assertThat(flooder.awaitClose()).isEqualTo(1008);

      bystander.send("{\"type\":\"ping\"}");
      bystander.next("pong");
      limited.publish("{\"room\":\"user:ws-bystander\",\"event\":\"still.here\",\"data\":null}");
      bystander.nextEvent("still.here");
    }
  }
}
