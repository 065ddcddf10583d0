package dev.herald.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestHerald;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What one authenticated Socket.IO client may make a node hold with binary packets, against a real
 * node over real sockets: a header announcing attachments, then attachments that never complete it.
 * Each test has a bystander on the same node that must still receive an event published afterwards.
 */
class SocketIoAttachmentLimitsTest {
  private static final int MAX_PAYLOAD = 10_000;
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of("HERALD_MAX_PAYLOAD_BYTES", String.valueOf(MAX_PAYLOAD)));

  /**
   * Issue 11, defect 8: a header could announce up to 64 attachments and the session waited for all
   * of them. At most 10 may be announced, as socket.io-parser's decoder allows by default
   * (docs/PROTOCOL.md, "Errors and limits").
   */
  @Test
  void packetAnnouncingMoreAttachmentsThanAllowedClosesWithMessageTooBig() {
    try (SioWsClient bystander = connect("attachments-bystander");
        SioWsClient hostile = connect("attachments-hostile")) {
      hostile.send(binaryEventHeader(11));

      assertThat(hostile.awaitClose()).isEqualTo(1009);
      assertServed(bystander, "attachments-bystander");
    }
  }

  /**
   * Issue 11, defect 8: every attachment was kept, each up to HERALD_MAX_PAYLOAD_BYTES, so 63 frames
   * of 1 MB under one header held 63 MB. Header and attachments together may not exceed
   * HERALD_MAX_PAYLOAD_BYTES; here two attachments that each fit add up to more.
   */
  @Test
  void attachmentsAddingUpToMoreThanMaxPayloadCloseWithMessageTooBig() {
    try (SioWsClient bystander = connect("bytes-bystander");
        SioWsClient hostile = connect("bytes-hostile")) {
      hostile.send(binaryEventHeader(3));
      hostile.sendAttachment(new byte[MAX_PAYLOAD * 6 / 10]);
      hostile.sendAttachment(new byte[MAX_PAYLOAD * 6 / 10]);

      assertThat(hostile.awaitClose()).isEqualTo(1009);
      assertServed(bystander, "bytes-bystander");
    }
  }

  /** The bounds leave room for what they allow: 10 attachments within the payload limit are reassembled. */
  @Test
  void packetWithinTheBoundsIsReassembledAndAnswered() {
    try (SioWsClient client = connect("attachments-within")) {
      client.send("510-7" + placeholders(10));
      for (int i = 0; i < 10; i++) {
        client.sendAttachment(new byte[MAX_PAYLOAD / 20]);
      }

      assertThat(client.awaitPacket()).as("the ack of the reassembled event").startsWith("37[");
    }
  }

  private static SioWsClient connect(String user) {
    return SioWsClient.connect(herald.wsUrl(), "{\"token\":\"" + TestHerald.token(user, null) + "\"}");
  }

  private static void assertServed(SioWsClient bystander, String user) {
    assertThat(herald.publish("{\"room\":\"user:" + user + "\",\"event\":\"still.served\",\"data\":1}").statusCode())
        .isEqualTo(202);
    assertThat(bystander.awaitEvent("still.served")).contains("still.served");
  }

  /** A BINARY_EVENT header announcing {@code count} attachments, one placeholder for each. */
  private static String binaryEventHeader(int count) {
    return "5" + count + "-" + placeholders(count);
  }

  private static String placeholders(int count) {
    StringBuilder args = new StringBuilder("[\"upload\"");
    for (int i = 0; i < count; i++) {
      args.append(",{\"_placeholder\":true,\"num\":").append(i).append('}');
    }
    return args.append(']').toString();
  }
}
