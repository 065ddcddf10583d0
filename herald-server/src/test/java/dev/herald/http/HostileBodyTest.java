package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request bodies and commands built to make Herald do or say too much: duplicate JSON keys (issue
 * 11, defect 11), a hundred thousand unknown fields and room names meant to be echoed back (issue 11,
 * defect 12). Each is refused with a bounded answer while a {@code /ws} bystander is still served.
 */
class HostileBodyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int UNKNOWN_FIELDS = 100_000;
  private static final int ANSWER_BOUND = 8 * 1024;

  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of("HERALD_MAX_HTTP_BODY_BYTES", "4000000"));

  static Stream<Arguments> duplicateKeys() {
    String room = "\"room\":\"user:bystander-11\"";
    return Stream.of(
        arguments("event", "{" + room + ",\"event\":\"dup\",\"event\":\"dup2\",\"data\":{}}"),
        arguments("room", "{\"room\":\"user:elsewhere\"," + room + ",\"event\":\"dup\",\"data\":{}}"),
        arguments("inside data", "{" + room + ",\"event\":\"dup\",\"data\":{\"a\":1,\"a\":2}}"),
        arguments("second item", "[{" + room + ",\"event\":\"ok\"},{" + room + ",\"event\":\"dup\",\"event\":\"x\"}]"));
  }

  /**
   * Issue 11, defect 11: {@code /api/events} took duplicate keys, the last one winning, where every
   * other body refuses them: one rule for every body.
   */
  @ParameterizedTest(name = "duplicate {0}")
  @MethodSource("duplicateKeys")
  void eventBodyWithADuplicateKeyIsRefused400AndPublishesNothing(String where, String body) throws IOException {
    try (JsonWsRecorder bystander = JsonWsRecorder.connect(herald, TestHerald.token("bystander-11", null))) {
      HttpResponse<String> r = herald.publish(body);

      assertThat(r.statusCode()).as("answer %s", r.body()).isEqualTo(400);
      assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
      assertThat(JSON.readTree(r.body()).path("detail").asText()).contains("Duplicate field");
      herald.publish("{\"room\":\"user:bystander-11\",\"event\":\"after\",\"data\":{}}");
      bystander.nextEvent("after");
    }
  }

  /**
   * Issue 11, defect 12: a 400 for 100,000 unknown fields answered 4 MB listing every one. The
   * problem lists a bounded number and counts the rest; each field name is abbreviated.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"POST /api/notifications", "PUT /api/notifications/preferences"})
  void refusalOfAHundredThousandUnknownFieldsIsBoundedAndCountsWhatItDoesNotList(String route)
      throws IOException {
    // the first name as long as Jackson reads one (50,000 characters), echoed in the summary
    StringBuilder body = new StringBuilder("{\"" + "n".repeat(40_000) + "\":0");
    for (int i = 0; i < UNKNOWN_FIELDS; i++) {
      body.append(",\"u").append(i).append("\":0");
    }
    body.append('}');
    String[] methodAndPath = route.split(" ");
    String bearer = route.startsWith("POST") ? TestHerald.API_KEY : TestHerald.token("unknown-fields", null);
    try (JsonWsRecorder bystander = JsonWsRecorder.connect(herald, TestHerald.token("bystander-12a", null))) {
      HttpResponse<String> r = herald.call(methodAndPath[0], methodAndPath[1], bearer, body.toString());

      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body().length()).as("characters in the answer").isLessThan(ANSWER_BOUND);
      JsonNode problem = JSON.readTree(r.body());
      JsonNode errors = problem.path("errors");
      assertThat(errors.size()).isBetween(1, 20);
      assertThat(described(problem)).as("errors listed + counted").isGreaterThanOrEqualTo(UNKNOWN_FIELDS);
      herald.publish("{\"room\":\"user:bystander-12a\",\"event\":\"after\",\"data\":{}}");
      bystander.nextEvent("after");
    }
  }

  /**
   * How many errors {@code problem} accounts for: those listed, those counted in
   * {@code errorsNotListed}, and those an entry counts ("99990 more unknown fields").
   */
  private static int described(JsonNode problem) {
    int described = problem.path("errors").size() + problem.path("errorsNotListed").asInt();
    for (JsonNode e : problem.path("errors")) {
      Matcher more = Pattern.compile("^(\\d+) more").matcher(e.path("message").asText());
      if (more.find()) {
        described += Integer.parseInt(more.group(1));
      }
    }
    return described;
  }

  /**
   * Issue 11, defect 12: a refused room join echoed the room name in its reason. The reason
   * abbreviates it (the longest valid name is 200 characters).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"team:", "user:"})
  void refusedJoinAbbreviatesTheRoomInItsReason(String prefix) {
    String room = prefix + "r".repeat(200 - prefix.length());
    try (JsonWsRecorder bystander = JsonWsRecorder.connect(herald, TestHerald.token("bystander-12b", null));
        JsonWsRecorder joiner = JsonWsRecorder.connect(herald, TestHerald.token("joiner-12b", null))) {
      joiner.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");

      String reason = joiner.next("error").path("message").asText();
      assertThat(reason).doesNotContain(room).contains(prefix + "rrrr").hasSizeLessThan(120);
      herald.publish("{\"room\":\"user:bystander-12b\",\"event\":\"after\",\"data\":{}}");
      bystander.nextEvent("after");
    }
  }
}
