package dev.herald.transport.socketio;

import dev.herald.config.HeraldConfig;
import java.time.Duration;

/**
 * Herald's bounds on a binary Socket.IO packet while its attachments arrive. socket.io-parser bounds
 * only their count: a header may announce attachments that never come, each up to the payload
 * limit, so a session could hold that many payloads for as long as it stays connected. Here a
 * partial packet is bounded in count, bytes and time (docs/PROTOCOL.md, "Errors and limits").
 *
 * @param maxAttachments attachments one packet may announce
 * @param maxPacketBytes header characters plus attachment bytes of one packet, the whole of what a
 *     session holds while it waits for attachments ({@code HERALD_MAX_PAYLOAD_BYTES})
 * @param partialPacketTimeout how long a header may wait for its last attachment
 */
record SioLimits(int maxAttachments, int maxPacketBytes, Duration partialPacketTimeout) {
  /** Attachments per packet: socket.io-parser's default too (4.2.7, Decoder option maxAttachments). */
  static final int MAX_ATTACHMENTS = 10;
  /** A client sends a header's attachments right behind it; ten seconds carry 1 MB at 100 kB/s. */
  static final Duration PARTIAL_PACKET_TIMEOUT = Duration.ofSeconds(10);

  SioLimits {
    if (maxAttachments < 1) {
      throw new IllegalArgumentException("maxAttachments must be positive, was " + maxAttachments);
    }
    if (maxPacketBytes < 1) {
      throw new IllegalArgumentException("maxPacketBytes must be positive, was " + maxPacketBytes);
    }
    if (partialPacketTimeout.isNegative() || partialPacketTimeout.isZero()) {
      throw new IllegalArgumentException("partialPacketTimeout must be positive, was " + partialPacketTimeout);
    }
  }

  /** The limits of an endpoint configured with {@code engine}: packets up to its maxPayload. */
  static SioLimits of(HeraldConfig.Engine engine) {
    return new SioLimits(MAX_ATTACHMENTS, engine.maxPayload(), PARTIAL_PACKET_TIMEOUT);
  }
}
