package dev.herald.transport.socketio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.transport.engineio.ProtocolException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes and decodes Socket.IO v5 packets: {@code <type>[<attachments>-][<nsp>,][<id>][<json>]}
 * (socket.io-protocol, "Packet encoding"). Binary payloads are split into a text header with
 * {@code {"_placeholder":true,"num":n}} markers followed by one Engine.IO binary message per
 * attachment. Thread-safe; {@link Reassembly} is not.
 */
final class SioCodec {
  static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  static final int CONNECT = 0;
  static final int DISCONNECT = 1;
  static final int EVENT = 2;
  static final int ACK = 3;
  static final int CONNECT_ERROR = 4;
  static final int BINARY_EVENT = 5;
  static final int BINARY_ACK = 6;
  /** Event names the client library reserves for itself (socket.io-parser's RESERVED_EVENTS). */
  static final Set<String> RESERVED_EVENTS = Set.of(
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

  private SioCodec() {}

  /**
   * A decoded header still waiting for binary attachments, and what it holds meanwhile. Owned by
   * its session's event loop.
   */
  static final class Reassembly {
    final int type;
    final String nsp;
    final Long id;
    final JsonNode data;
    final int expected;
    private final List<byte[]> attachments = new ArrayList<>();
    /** Characters of the header plus bytes of the attachments received so far. */
    private long heldBytes;

    Reassembly(int type, String nsp, Long id, JsonNode data, int expected, int headerLength) {
      this.type = type;
      this.nsp = nsp;
      this.id = id;
      this.data = data;
      this.expected = expected;
      this.heldBytes = headerLength;
    }

    /** Characters of the header plus bytes of the attachments received so far. */
    long heldBytes() {
      return heldBytes;
    }

    /** Adds one attachment; returns the complete packet once all have arrived, else null. */
    SioPacket add(Buffer attachment) throws ProtocolException {
      attachments.add(attachment.getBytes());
      heldBytes += attachment.length();
      if (attachments.size() < expected) {
        return null;
      }
      JsonNode restored = restore(data, attachments);
      return toPacket(type, nsp, id, restored);
    }
  }

  /**
   * Decodes a text packet. Returns a {@link SioPacket}, or a {@link Reassembly} when binary
   * attachments follow.
   */
  static Object decode(String s) throws ProtocolException {
    int n = s.length();
    if (n == 0) {
      throw new ProtocolException("empty packet");
    }
    int type = s.charAt(0) - '0';
    if (type < CONNECT || type > BINARY_ACK) {
      throw new ProtocolException("unknown packet type");
    }
    int i = 1;
    int attachments = 0;
    if (type == BINARY_EVENT || type == BINARY_ACK) {
      int dash = s.indexOf('-', i);
      if (dash < 0 || dash == i || dash - i > 3) {
        throw new ProtocolException("illegal attachments");
      }
      for (int j = i; j < dash; j++) {
        if (!Character.isDigit(s.charAt(j))) {
          throw new ProtocolException("illegal attachments");
        }
      }
      // how many a session may wait for is SioConnection's bound (SioLimits), not the syntax's
      attachments = Integer.parseInt(s.substring(i, dash));
      i = dash + 1;
    }
    String nsp = "/";
    if (i < n && s.charAt(i) == '/') {
      int comma = s.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      nsp = s.substring(i, end);
      i = comma < 0 ? n : comma + 1;
    }
    Long id = null;
    int idStart = i;
    while (i < n && Character.isDigit(s.charAt(i))) {
      i++;
    }
    if (i > idStart) {
      if (i - idStart > 15) {
        throw new ProtocolException("invalid packet id");
      }
      id = Long.parseLong(s.substring(idStart, i));
    }
    JsonNode data = null;
    if (i < n) {
      try {
        data = JSON.readTree(s.substring(i));
      } catch (JsonProcessingException e) {
        throw new ProtocolException("invalid payload");
      }
      if (data == null) {
        throw new ProtocolException("invalid payload");
      }
    }
    if (attachments > 0) {
      return new Reassembly(type, nsp, id, data, attachments, n);
    }
    return toPacket(type, nsp, id, data);
  }

  private static SioPacket toPacket(int type, String nsp, Long id, JsonNode data) throws ProtocolException {
    switch (type) {
      case CONNECT -> {
        if (data != null && !data.isObject()) {
          throw new ProtocolException("invalid CONNECT payload");
        }
        return new SioPacket.Connect(nsp, data);
      }
      case DISCONNECT -> {
        if (data != null) {
          throw new ProtocolException("invalid DISCONNECT payload");
        }
        return new SioPacket.Disconnect(nsp);
      }
      case EVENT, BINARY_EVENT -> {
        if (!(data instanceof ArrayNode args) || args.isEmpty()
            || !(args.get(0).isTextual() || args.get(0).isNumber())
            || args.get(0).isTextual() && RESERVED_EVENTS.contains(args.get(0).asText())) {
          throw new ProtocolException("invalid EVENT payload");
        }
        return new SioPacket.Event(nsp, id, args);
      }
      case ACK, BINARY_ACK -> {
        if (id == null || !(data instanceof ArrayNode args)) {
          throw new ProtocolException("invalid ACK payload");
        }
        return new SioPacket.Ack(nsp, id, args);
      }
      default -> {
        return new SioPacket.ConnectError(nsp, data);
      }
    }
  }

  /** Replaces placeholders with their attachments. */
  private static JsonNode restore(JsonNode node, List<byte[]> attachments) throws ProtocolException {
    if (node instanceof ObjectNode obj) {
      JsonNode ph = obj.get("_placeholder");
      if (ph != null && ph.asBoolean() && obj.has("num")) {
        int num = obj.get("num").asInt(-1);
        if (num < 0 || num >= attachments.size()) {
          throw new ProtocolException("illegal attachment index");
        }
        return BinaryNode.valueOf(attachments.get(num));
      }
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        e.setValue(restore(e.getValue(), attachments));
      }
      return obj;
    }
    if (node instanceof ArrayNode arr) {
      for (int k = 0; k < arr.size(); k++) {
        arr.set(k, restore(arr.get(k), attachments));
      }
    }
    return node;
  }

  /** An encoded packet: its text header and the binary attachments that follow it. */
  record Encoded(String text, List<Buffer> attachments) {}

  /** Encodes an EVENT (or BINARY_EVENT when {@code args} hold binary values). */
  static Encoded event(String nsp, Long id, ArrayNode args) {
    return encode(EVENT, BINARY_EVENT, nsp, id, args);
  }

  /** Encodes an ACK (or BINARY_ACK). */
  static Encoded ack(String nsp, long id, ArrayNode args) {
    return encode(ACK, BINARY_ACK, nsp, id, args);
  }

  static String connect(String nsp, String json) {
    return header(CONNECT, 0, nsp, null).append(json).toString();
  }

  static String connectError(String nsp, String message, JsonNode data) {
    ObjectNode err = JsonNodeFactory.instance.objectNode().put("message", message);
    if (data != null) {
      err.set("data", data);
    }
    return header(CONNECT_ERROR, 0, nsp, null).append(err).toString();
  }

  static String disconnect(String nsp) {
    return header(DISCONNECT, 0, nsp, null).toString();
  }

  /** The start of an EVENT packet for {@code nsp} up to the JSON array: {@code 2/nsp,}. */
  static StringBuilder eventPrefix(String nsp) {
    return header(EVENT, 0, nsp, null);
  }

  private static Encoded encode(int textType, int binaryType, String nsp, Long id, ArrayNode args) {
    List<Buffer> attachments = new ArrayList<>();
    JsonNode deconstructed = deconstruct(args, attachments);
    int type = attachments.isEmpty() ? textType : binaryType;
    StringBuilder sb = header(type, attachments.size(), nsp, id);
    sb.append(deconstructed.toString());
    return new Encoded(sb.toString(), attachments);
  }

  private static StringBuilder header(int type, int attachments, String nsp, Long id) {
    StringBuilder sb = new StringBuilder(64).append((char) ('0' + type));
    if (attachments > 0) {
      sb.append(attachments).append('-');
    }
    if (!"/".equals(nsp)) {
      sb.append(nsp).append(',');
    }
    if (id != null) {
      sb.append(id);
    }
    return sb;
  }

  private static JsonNode deconstruct(JsonNode node, List<Buffer> attachments) {
    if (node instanceof BinaryNode bin) {
      ObjectNode ph = JsonNodeFactory.instance.objectNode();
      ph.put("_placeholder", true).put("num", attachments.size());
      attachments.add(Buffer.buffer(bin.binaryValue()));
      return ph;
    }
    if (node instanceof ContainerNode<?> && hasBinary(node)) {
      if (node instanceof ArrayNode arr) {
        ArrayNode copy = JsonNodeFactory.instance.arrayNode(arr.size());
        for (JsonNode child : arr) {
          copy.add(deconstruct(child, attachments));
        }
        return copy;
      }
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        copy.set(e.getKey(), deconstruct(e.getValue(), attachments));
      }
      return copy;
    }
    return node;
  }

  private static boolean hasBinary(JsonNode node) {
    if (node.isBinary()) {
      return true;
    }
    for (JsonNode child : node) {
      if (hasBinary(child)) {
        return true;
      }
    }
    return false;
  }
}
