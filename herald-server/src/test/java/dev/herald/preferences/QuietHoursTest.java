package dev.herald.preferences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class QuietHoursTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final QuietHours NIGHT = new QuietHours(LocalTime.of(22, 0), LocalTime.of(7, 0), BERLIN);

  @Test
  void aWindowAcrossMidnightHoldsTheLateEveningAndTheEarlyMorning() {
    // 2026-07-01, Berlin is UTC+2
    assertThat(NIGHT.contains(Instant.parse("2026-07-01T19:59:00Z"))).isFalse(); // 21:59
    assertThat(NIGHT.contains(Instant.parse("2026-07-01T20:00:00Z"))).isTrue(); // 22:00
    assertThat(NIGHT.contains(Instant.parse("2026-07-01T22:30:00Z"))).isTrue(); // 00:30
    assertThat(NIGHT.contains(Instant.parse("2026-07-02T04:59:00Z"))).isTrue(); // 06:59
    assertThat(NIGHT.contains(Instant.parse("2026-07-02T05:00:00Z"))).isFalse(); // 07:00
  }

  @Test
  void whatIsHeldInTheEveningIsReleasedAtSevenTheNextMorning() {
    assertThat(NIGHT.releaseAt(Instant.parse("2026-07-01T21:30:00Z"))) // 23:30
        .isEqualTo(Instant.parse("2026-07-02T05:00:00Z"));
    assertThat(NIGHT.releaseAt(Instant.parse("2026-07-02T01:00:00Z"))) // 03:00
        .isEqualTo(Instant.parse("2026-07-02T05:00:00Z"));
    Instant afternoon = Instant.parse("2026-07-02T13:00:00Z");
    assertThat(NIGHT.releaseAt(afternoon)).isEqualTo(afternoon);
  }

  @Test
  void theWindowFollowsTheWallClockAcrossDaylightSavingChanges() {
    // spring: 2026-03-29 02:00 CET -> 03:00 CEST; 22:00 CET is 21:00Z, 07:00 CEST is 05:00Z (8 hours)
    Instant springEvening = Instant.parse("2026-03-28T21:30:00Z");
    assertThat(NIGHT.contains(springEvening)).isTrue();
    assertThat(NIGHT.releaseAt(springEvening)).isEqualTo(Instant.parse("2026-03-29T05:00:00Z"));
    // autumn: 2026-10-25 03:00 CEST -> 02:00 CET; 07:00 CET is 06:00Z (10 hours after 22:00 CEST)
    Instant autumnEvening = Instant.parse("2026-10-24T20:30:00Z");
    assertThat(NIGHT.releaseAt(autumnEvening)).isEqualTo(Instant.parse("2026-10-25T06:00:00Z"));
    assertThat(NIGHT.contains(Instant.parse("2026-10-25T05:30:00Z"))).isTrue(); // 06:30 CET
  }

  @Test
  void aDaytimeWindowAndAnEndInTheSpringGapResolveToRealInstants() {
    QuietHours lunch = new QuietHours(LocalTime.of(12, 0), LocalTime.of(13, 0), ZoneId.of("America/New_York"));
    assertThat(lunch.contains(Instant.parse("2026-07-01T16:30:00Z"))).isTrue(); // 12:30 EDT
    assertThat(lunch.contains(Instant.parse("2026-07-01T17:00:00Z"))).isFalse(); // 13:00 EDT
    QuietHours gap = new QuietHours(LocalTime.of(1, 0), LocalTime.of(2, 30), BERLIN);
    // 02:30 does not exist on 2026-03-29 in Berlin: the window ends at 03:30 CEST (01:30Z)
    assertThat(gap.releaseAt(Instant.parse("2026-03-29T00:30:00Z"))).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
  }

  @Test
  void aDocumentsQuietHoursAreReadAndAnEmptyWindowIsRefused() throws Exception {
    QuietHours q = QuietHours.of(new ObjectMapper().readTree(
        "{\"start\":\"22:00\",\"end\":\"07:00\",\"timezone\":\"Europe/Berlin\"}"));
    assertThat(q).isEqualTo(NIGHT);
    assertThat(QuietHours.of(null)).isNull();
    assertThatThrownBy(() -> new QuietHours(LocalTime.NOON, LocalTime.NOON, BERLIN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
