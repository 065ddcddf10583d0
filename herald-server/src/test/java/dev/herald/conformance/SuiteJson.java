package dev.herald.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.Map;

/** The suites' {@code JSON.parse} and the chai assertions they make on its results. */
final class SuiteJson {
  /** Strict like JSON.parse: text after the value is an error. */
  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private SuiteJson() {}

  /** {@code JSON.parse(text)}: fails the test (a SyntaxError) unless {@code text} is one JSON value. */
  static JsonNode parse(String text) {
    try {
      JsonNode value = JSON.readTree(text);
      if (value == null || value.isMissingNode()) {
        throw new AssertionError("SyntaxError: Unexpected end of JSON input: '" + text + "'");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new AssertionError("SyntaxError: " + e.getOriginalMessage() + " in '" + text + "'", e);
    }
  }

  /** A JSON number, for {@code expect(value.x).to.eql(300)}. */
  static JsonNode number(int n) {
    return IntNode.valueOf(n);
  }

  /** {@code expect(value).to.have.all.keys(...)}: an object with exactly these keys. */
  static void assertAllKeys(JsonNode value, String... keys) {
    assertThat(value.isObject()).as("%s is an object", value).isTrue();
    assertThat(value.properties()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder(keys);
  }
}
