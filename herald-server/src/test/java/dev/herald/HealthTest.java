package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /health}: liveness and readiness for load balancers and operators. */
class HealthTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Issue 11, defect 6: {@code /health} was built by string concatenation, so a quote or a backslash
   * in {@code HERALD_NODE_NAME} made it invalid JSON.
   */
  @Test
  void healthIsValidJsonWhateverTheNodeIsCalled() throws Exception {
    String name = "eu \"west\" \\ 1";
    try (TestHerald node = TestHerald.start(Map.of("HERALD_NODE_NAME", name))) {
      HttpResponse<String> health = node.get("/health");

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.headers().firstValue("content-type")).hasValue("application/json");
      JsonNode body = JSON.readTree(health.body());
      assertThat(body.get("node").asText()).isEqualTo(name);
      assertThat(body.get("status").asText()).isEqualTo("UP");
      assertThat(body.get("ready").asBoolean()).isTrue();
      assertThat(body.get("connections").asInt()).isZero();
      assertThat(body.get("database").asText()).isEqualTo("external");
    }
  }
}
