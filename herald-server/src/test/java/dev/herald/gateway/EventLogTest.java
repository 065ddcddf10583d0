package dev.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.bus.Publication;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventLogTest {
  private static Publication pub(String event) {
    return Publication.event("t", List.of("r"), event, "null");
  }

  @Test
  void eventsAfterAnOffsetComeBackInOrder() {
    EventLog log = new EventLog("e1", 10, 60_000);
    RoomEvent first = log.append(pub("a"), 0);
    log.append(pub("b"), 0);
    log.append(pub("c"), 0);
    long from = log.idOf(first.offset()).orElseThrow();
    assertThat(log.after(from, 0).orElseThrow()).extracting(RoomEvent::event).containsExactly("b", "c");
  }

  @Test
  void positionOlderThanTheRetainedEventsIsLost() {
    EventLog log = new EventLog("e1", 2, 60_000);
    RoomEvent first = log.append(pub("a"), 0);
    log.append(pub("b"), 0);
    log.append(pub("c"), 0);
    log.append(pub("d"), 0);
    assertThat(log.after(log.idOf(first.offset()).orElseThrow(), 0)).isEmpty();
  }

  @Test
  void oldestEventsAreDroppedOnceTheirDataExceedsTheSizeBound() {
    EventLog log = new EventLog("e1", 100, 60_000, 10);
    RoomEvent first = log.append(Publication.event("t", List.of("r"), "a", "\"1234\""), 0);
    RoomEvent second = log.append(Publication.event("t", List.of("r"), "b", "\"5678\""), 0);
    // 6 + 6 characters > 10: the first is gone, the second kept
    log.append(Publication.event("t", List.of("r"), "c", "1"), 0);
    assertThat(log.after(log.idOf(first.offset()).orElseThrow() - 1, 0)).isEmpty();
    assertThat(log.after(log.idOf(second.offset()).orElseThrow() - 1, 0).orElseThrow())
        .extracting(RoomEvent::event).containsExactly("b", "c");
  }

  @Test
  void eventsOlderThanTheWindowAreDropped() {
    EventLog log = new EventLog("e1", 100, 1_000);
    RoomEvent first = log.append(pub("a"), 0);
    log.append(pub("b"), 500);
    assertThat(log.after(log.idOf(first.offset()).orElseThrow() - 1, 2_000)).isEmpty();
  }

  @Test
  void offsetsOfAnotherEpochAreNotRecognised() {
    EventLog log = new EventLog("e1", 10, 60_000);
    log.append(pub("a"), 0);
    assertThat(log.idOf("e0-1")).isEmpty();
    assertThat(log.idOf("e1-99")).isEmpty();
    assertThat(log.idOf("e1-x")).isEmpty();
    assertThat(log.idOf("e1-1")).contains(1L);
  }
}
