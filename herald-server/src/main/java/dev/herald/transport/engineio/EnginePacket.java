package dev.herald.transport.engineio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.config.HeraldConfig;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Engine.IO v4 packets and their encoding (engine.io-protocol, "Packet encoding" and "Payload
 * encoding"). A text packet is its type digit followed by its data; over HTTP long-polling, packets
 * of one payload are joined by the record separator {@code \x1e} and binary messages travel as
 * {@code b} followed by base64.
 */
record EnginePacket(Type type, String text, Buffer binary) {
  /** Packet types with their wire digits. */
  enum Type {
    OPEN('0'), CLOSE('1'), PING('2'), PONG('3'), MESSAGE('4'), UPGRADE('5'), NOOP('6');

    final char digit;

    Type(char digit) {
      this.digit = digit;
    }

    static Type of(char c) {
      return c >= '0' && c <= '6' ? values()[c - '0'] : null;
    }
  }

  static final char SEPARATOR = '\u001e';

  /**
   * The open packet of a handshake: {@code 0} and the session's settings as JSON (EIO v4,
   * "Handshake"); {@code canUpgrade} lists {@code websocket} among the upgrades.
   */
  static String open(String sid, HeraldConfig.Engine engine, boolean canUpgrade) {
    ObjectNode open = JsonNodeFactory.instance.objectNode();
    open.put("sid", sid);
    ArrayNode upgrades = open.putArray("upgrades");
    if (canUpgrade) {
      upgrades.add("websocket");
    }
    open.put("pingInterval", engine.pingInterval().toMillis());
    open.put("pingTimeout", engine.pingTimeout().toMillis());
    open.put("maxPayload", engine.maxPayload());
    return Type.OPEN.digit + open.toString();
  }

  static EnginePacket of(Type type) {
    return new EnginePacket(type, "", null);
  }

  static EnginePacket message(String text) {
    return new EnginePacket(Type.MESSAGE, text, null);
  }

  static EnginePacket binaryMessage(Buffer data) {
    return new EnginePacket(Type.MESSAGE, null, data);
  }

  boolean isBinary() {
    return binary != null;
  }

  /** The text form of a non-binary packet: type digit plus data. */
  String encodeText() {
    return type.digit + text;
  }

  /**
   * Decodes one text packet.
   *
   * @throws ProtocolException for an empty string or an unknown type digit
   */
  static EnginePacket decodeText(String s) throws ProtocolException {
    if (s.isEmpty()) {
      throw new ProtocolException("empty packet");
    }
    Type type = Type.of(s.charAt(0));
    if (type == null) {
      throw new ProtocolException("unknown packet type '" + s.charAt(0) + "'");
    }
    return new EnginePacket(type, s.substring(1), null);
  }

  /** The packet of a text Herald encoded itself (its type digit is known to be valid). */
  static EnginePacket decodeTextUnchecked(String s) {
    return new EnginePacket(Type.of(s.charAt(0)), s.substring(1), null);
  }

  /** Decodes an HTTP long-polling payload into its packets, in order. */
  static List<EnginePacket> decodePayload(String payload) throws ProtocolException {
    List<EnginePacket> packets = new ArrayList<>();
    int start = 0;
    while (start <= payload.length()) {
      int end = payload.indexOf(SEPARATOR, start);
      if (end < 0) {
        end = payload.length();
      }
      String part = payload.substring(start, end);
      if (!part.isEmpty() && part.charAt(0) == 'b') {
        try {
          packets.add(binaryMessage(Buffer.buffer(Base64.getDecoder().decode(part.substring(1)))));
        } catch (IllegalArgumentException e) {
          throw new ProtocolException("invalid base64 in binary packet");
        }
      } else {
        packets.add(decodeText(part));
      }
      start = end + 1;
    }
    return packets;
  }

  /** Appends the polling form of this packet (text, or {@code b}+base64 for binary) to {@code out}. */
  void appendPollingForm(StringBuilder out) {
    if (binary != null) {
      out.append('b').append(Base64.getEncoder().encodeToString(binary.getBytes()));
    } else {
      out.append(type.digit).append(text);
    }
  }

  /** Bytes this packet occupies in an outbound buffer, for the slow-client bound. */
  int weight() {
    return binary != null ? binary.length() : text.length() + 1;
  }
}
