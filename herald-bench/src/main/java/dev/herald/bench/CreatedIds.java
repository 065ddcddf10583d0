package dev.herald.bench;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * The notifications one stream of one phase created, as {@link Publisher.Answers}: each create's
 * id (from its 201 answer {@code {"requestId":…,"ids":["<id>"],…}}, one recipient per create), when
 * its request was made and when its answer arrived; then, against what a sink received, the
 * latencies and the count of those never received.
 *
 * <p>Threads: filled on the publisher's event loop, read by the orchestrator after the publisher's
 * run returned; the map is thread-safe.
 */
final class CreatedIds implements Publisher.Answers {
  private static final String IDS = "\"ids\":[\"";
  private static final int UUID_LENGTH = 36;

  /** id → {sent, answered}, System.nanoTime(). */
  private final Map<UUID, long[]> created = new ConcurrentHashMap<>();

  @Override
  public void accepted(long sentNanos, long answeredNanos, Buffer body) {
    String answer = body.toString(StandardCharsets.UTF_8);
    int at = answer.indexOf(IDS);
    if (at >= 0 && answer.length() >= at + IDS.length() + UUID_LENGTH) {
      String id = answer.substring(at + IDS.length(), at + IDS.length() + UUID_LENGTH);
      created.put(UUID.fromString(id), new long[] {sentNanos, answeredNanos});
    }
  }

  int size() {
    return created.size();
  }

  /**
   * What {@code receipts} holds of these notifications: how many arrived, how many arrived before
   * their create's answer did (latency from the answer then counts as 0), and the latencies from
   * the answer (the commit, as the service sees it) and from the request, in µs.
   */
  Matched match(Receipts receipts) {
    Histogram fromAnswer = new Histogram(3);
    Histogram fromRequest = new Histogram(3);
    long received = 0;
    long early = 0;
    long lastReceipt = Long.MIN_VALUE;
    for (Map.Entry<UUID, long[]> e : created.entrySet()) {
      long at = receipts.receivedAt(e.getKey());
      if (at == -1) {
        continue;
      }
      received++;
      lastReceipt = Math.max(lastReceipt, at);
      long afterAnswer = at - e.getValue()[1];
      if (afterAnswer < 0) {
        early++;
      }
      fromAnswer.recordValue(Math.max(0, afterAnswer) / 1_000);
      fromRequest.recordValue(Math.max(0, at - e.getValue()[0]) / 1_000);
    }
    return new Matched(received, early, fromAnswer, fromRequest, lastReceipt);
  }

  /** {@code lastReceiptNanos}: when the last of them arrived (Long.MIN_VALUE: none did). */
  record Matched(long received, long beforeAnswer, Histogram fromAnswerMicros, Histogram fromRequestMicros,
                 long lastReceiptNanos) {}
}
