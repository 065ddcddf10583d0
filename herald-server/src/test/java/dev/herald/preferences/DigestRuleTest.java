package dev.herald.preferences;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.types.TypeDefinition;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a digest opened by an item goes out, and which digest gathers it. */
class DigestRuleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static JsonNode doc(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void dailyGoesAtTheNextNineInTheUsersZone() throws Exception {
    JsonNode user = doc("{\"digest\": {\"orders\": \"daily\"}}");
    // 07:30 in Berlin (winter, UTC+1): today at 09:00
    DigestRule before = DigestRule.preference(user, null, "order.shipped", "orders", BERLIN,
        Instant.parse("2026-01-15T06:30:00Z"));
    assertThat(before.dueAt()).isEqualTo(Instant.parse("2026-01-15T08:00:00Z"));
    assertThat(before.key()).isEqualTo("channel:orders");
    assertThat(before.rule()).isEqualTo("digest:daily");
    assertThat(before.template()).isEqualTo("order.shipped.digest");
    // 09:00 exactly and after: tomorrow
    assertThat(DigestRule.preference(user, null, "t", "orders", BERLIN, Instant.parse("2026-01-15T08:00:00Z")).dueAt())
        .isEqualTo(Instant.parse("2026-01-16T08:00:00Z"));
    // across the spring-forward night the wall clock still says 09:00 (UTC+2 from 29 March)
    assertThat(DigestRule.preference(user, null, "t", "orders", BERLIN, Instant.parse("2026-03-28T20:00:00Z")).dueAt())
        .isEqualTo(Instant.parse("2026-03-29T07:00:00Z"));
  }

  @Test
  void hourlyGoesAtTheNextFullHourOfTheZone() throws Exception {
    JsonNode user = doc("{\"digest\": {\"orders\": \"hourly\"}}");
    assertThat(DigestRule.preference(user, null, "t", "orders", null, Instant.parse("2026-01-15T06:30:00Z")).dueAt())
        .isEqualTo(Instant.parse("2026-01-15T07:00:00Z"));
    // India is UTC+05:30: its full hours fall on the half hour in UTC
    assertThat(DigestRule.preference(user, null, "t", "orders", ZoneId.of("Asia/Kolkata"),
        Instant.parse("2026-01-15T06:40:00Z")).dueAt()).isEqualTo(Instant.parse("2026-01-15T07:30:00Z"));
  }

  @Test
  void theUsersChoiceComesBeforeTheTenantsAndOffOrAnotherChannelMeansNone() throws Exception {
    JsonNode tenant = doc("{\"digest\": {\"orders\": \"daily\", \"billing\": \"hourly\"}}");
    Instant at = Instant.parse("2026-01-15T06:30:00Z");
    assertThat(DigestRule.preference(doc("{\"digest\": {\"orders\": \"off\"}}"), tenant, "t", "orders", null, at)).isNull();
    assertThat(DigestRule.preference(null, tenant, "t", "billing", null, at).rule()).isEqualTo("tenant:digest:hourly");
    assertThat(DigestRule.preference(doc("{}"), null, "t", "orders", null, at)).isNull();
    assertThat(DigestRule.preference(doc("{\"digest\": {\"orders\": \"daily\"}}"), null, "t", null, null, at)).isNull();
  }

  @Test
  void aTypesWindowOpensAtTheFirstItem() {
    TypeDefinition type = new TypeDefinition(List.of("inApp", "email"), null, null,
        new TypeDefinition.Digest(Duration.ofMinutes(30), 7), null, false);
    DigestRule rule = DigestRule.ofType("comment", type, Instant.parse("2026-01-15T06:30:00Z"));
    assertThat(rule.dueAt()).isEqualTo(Instant.parse("2026-01-15T07:00:00Z"));
    assertThat(rule.maxItems()).isEqualTo(7);
    assertThat(rule.key()).isEqualTo("type:comment");
    assertThat(DigestRule.ofType("x", new TypeDefinition(List.of("inApp"), null, null, null, null, false),
        Instant.EPOCH)).isNull();
  }

  @Test
  void theZoneIsTheQuietHoursOnesThenTheDirectorysThenTheTenantsQuietHours() throws Exception {
    JsonNode quiet = doc("{\"quietHours\": {\"start\": \"22:00\", \"end\": \"07:00\", \"timezone\": \"Asia/Tokyo\"}}");
    JsonNode tenant = doc("{\"quietHours\": {\"start\": \"22:00\", \"end\": \"07:00\", \"timezone\": \"America/Lima\"}}");
    assertThat(DigestRule.zone(quiet, "Europe/Berlin", tenant)).isEqualTo(ZoneId.of("Asia/Tokyo"));
    assertThat(DigestRule.zone(doc("{}"), "Europe/Berlin", tenant)).isEqualTo(BERLIN);
    assertThat(DigestRule.zone(null, "Not/AZone", tenant)).isEqualTo(ZoneId.of("America/Lima"));
    assertThat(DigestRule.zone(null, null, null)).isNull();
  }
}
