package dev.herald.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.validation.InvalidRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TypeDefinitionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TypeDefinition parse(String json) throws Exception {
    return TypeDefinition.parse(JSON.readTree(json));
  }

  @Test
  void theContractsExampleParsesAndReadsBackTheSame() throws Exception {
    String example = "{\"channels\":[\"inApp\",\"push\",\"email\",\"webhook\"],\"push\":{\"when\":\"always\"},"
        + "\"email\":{\"when\":\"unread\",\"after\":\"PT15M\"},\"digest\":{\"window\":\"PT1H\",\"maxItems\":50},"
        + "\"throttle\":{\"max\":10,\"per\":\"PT1H\"},\"critical\":false}";
    TypeDefinition t = parse(example);
    assertThat(t.timing("email")).isEqualTo(new TypeDefinition.Timing("unread", Duration.ofMinutes(15)));
    assertThat(t.digest()).isEqualTo(new TypeDefinition.Digest(Duration.ofHours(1), 50));
    assertThat(t.toJson()).isEqualTo(JSON.readTree(example));
    assertThat(parse(t.toJson().toString())).isEqualTo(t);
  }

  @Test
  void emailAndPushWithoutAWhenGoAlways() throws Exception {
    assertThat(parse("{\"channels\":[\"email\"]}").timing("email")).isEqualTo(TypeDefinition.Timing.ALWAYS);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "{}|channels",
      "{\"channels\":[]}|channels",
      "{\"channels\":[\"sms\"]}|channels[0]",
      "{\"channels\":[\"email\",\"email\"]}|channels[1]",
      "{\"channels\":[\"email\"],\"email\":{\"when\":\"sometimes\"}}|email.when",
      "{\"channels\":[\"email\"],\"email\":{\"when\":\"unread\"}}|email.after",
      "{\"channels\":[\"email\"],\"email\":{\"when\":\"always\",\"after\":\"PT1M\"}}|email.after",
      "{\"channels\":[\"email\"],\"email\":{\"when\":\"unread\",\"after\":\"PT0S\"}}|email.after",
      "{\"channels\":[\"email\"],\"email\":{\"when\":\"unread\",\"after\":\"P8D\"}}|email.after",
      "{\"channels\":[\"email\"],\"email\":{\"when\":\"unread\",\"after\":\"15 minutes\"}}|email.after",
      "{\"channels\":[\"push\"],\"push\":{\"when\":\"always\",\"colour\":\"red\"}}|push.colour",
      "{\"channels\":[\"push\"],\"digest\":{\"window\":\"PT30S\",\"maxItems\":5}}|digest.window",
      "{\"channels\":[\"push\"],\"digest\":{\"window\":\"PT1H\",\"maxItems\":501}}|digest.maxItems",
      "{\"channels\":[\"push\"],\"throttle\":{\"max\":0,\"per\":\"PT1H\"}}|throttle.max",
      "{\"channels\":[\"push\"],\"throttle\":{\"max\":3,\"per\":\"soon\"}}|throttle.per",
      "{\"channels\":[\"push\"],\"critical\":\"yes\"}|critical",
      "{\"channels\":[\"push\"],\"priority\":\"high\"}|priority",
  })
  void aBadDefinitionIsRefusedWith422NamingTheField(String body, String field) {
    assertThatThrownBy(() -> parse(body)).isInstanceOfSatisfying(InvalidRequest.class, e -> {
      assertThat(e.status()).isEqualTo(422);
      assertThat(e.errors()).extracting(InvalidRequest.FieldError::field).contains(field);
    });
  }

  @Test
  void aBodyThatIsNotAnObjectIs400() {
    assertThatThrownBy(() -> parse("[]")).isInstanceOfSatisfying(InvalidRequest.class,
        e -> assertThat(e.status()).isEqualTo(400));
  }
}
