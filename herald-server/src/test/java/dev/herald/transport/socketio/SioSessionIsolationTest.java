package dev.herald.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One Socket.IO session cannot take its event loop, or the sessions sharing it, down with it: a
 * packet left unfinished is dropped after a while, and a handler that fails closes only its own
 * session. Real Engine.IO and Socket.IO layers on a single event loop ({@link SioTestNode}), real
 * WebSocket clients, and a bystander on that loop that must still receive an event afterwards.
 */
class SioSessionIsolationTest {
  private static final Duration PARTIAL_PACKET_TIMEOUT = Duration.ofMillis(300);
  private static SioTestNode node;

  @BeforeAll
  static void start() {
    node = SioTestNode.start(new SioLimits(8, 100_000, PARTIAL_PACKET_TIMEOUT));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /**
   * Issue 11, defect 8: a header whose attachments never all came was kept as long as the session
   * lived. It may wait {@code partialPacketTimeout} for its last attachment, then the session closes
   * with 4001.
   */
  @Test
  void packetLeftUnfinishedClosesTheSessionAfterThePartialPacketTimeout() {
    try (SioWsClient bystander = SioWsClient.connect(node.wsUrl(), "{}");
        SioWsClient hostile = SioWsClient.connect(node.wsUrl(), "{}")) {
      hostile.send("52-[\"upload\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
      hostile.sendAttachment(new byte[1_000]);

      assertThat(hostile.awaitClose()).isEqualTo(4001);
      node.publish("still.served");
      bystander.awaitEvent("still.served");
    }
  }
}
