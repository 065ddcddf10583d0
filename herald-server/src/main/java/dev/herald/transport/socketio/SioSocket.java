package dev.herald.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.gateway.CloseReason;
import dev.herald.transport.engineio.EngineSocket;
import io.vertx.core.buffer.Buffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One client connected to one namespace over one Engine.IO session. Emits events, answers acks,
 * and receives acks for the events it emitted.
 *
 * <p>Threads: owned by the Engine.IO session's event loop; call every method there.
 */
public final class SioSocket {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The answer to one client event that asked for an ack. Sends at most once. */
  public final class Ack {
    private final long id;
    private boolean sent;

    Ack(long id) {
      this.id = id;
    }

    public void send(JsonNode... args) {
      ArrayNode arr = JsonNodeFactory.instance.arrayNode();
      for (JsonNode a : args) {
        arr.add(a);
      }
      sendArgs(arr);
    }

    public void sendArgs(ArrayNode args) {
      if (sent) {
        return;
      }
      sent = true;
      write(SioCodec.ack(nsp, id, args));
    }
  }

  private final SioConnection connection;
  private final String nsp;
  private String sid = newId();
  private String pid;
  private boolean connected;
  private List<Object> heldUntilConnected = new ArrayList<>();
  private long nextAckId;
  /** Callbacks of events emitted with an ack, by ack id; null until the first one. */
  private Map<Long, Consumer<ArrayNode>> pendingAcks;
  private Object attachment;

  SioSocket(SioConnection connection, String nsp) {
    this.connection = connection;
    this.nsp = nsp;
  }

  public String id() {
    return sid;
  }

  /** The recovery id sent to the client, or null when this namespace does not offer recovery. */
  public String pid() {
    return pid;
  }

  public String nsp() {
    return nsp;
  }

  public EngineSocket engine() {
    return connection.engine();
  }

  /** Gives this socket a fresh recovery id, so the client can resume after a dropped transport. */
  public void enableRecovery() {
    pid = newId();
  }

  /** New ids and a new recovery id: a fresh start after a failed resume. */
  public void renew() {
    sid = newId();
    pid = newId();
  }

  /** Resumes an earlier socket: same id and recovery id, so the client sees {@code recovered}. */
  public void restore(String sid, String pid) {
    this.sid = sid;
    this.pid = pid;
  }

  /** The namespace's own state for this socket. */
  @SuppressWarnings("unchecked")
  public <T> T attachment() {
    return (T) attachment;
  }

  public void attach(Object state) {
    this.attachment = state;
  }

  /** Emits {@code event} with {@code args} (binary values as Jackson binary nodes). */
  public void emit(String event, JsonNode... args) {
    write(SioCodec.event(nsp, null, argsOf(event, args)));
  }

  /** Emits {@code event} and calls {@code onAck} with the client's answer. */
  public void emitWithAck(String event, Consumer<ArrayNode> onAck, JsonNode... args) {
    long id = nextAckId++;
    if (pendingAcks == null) {
      pendingAcks = new HashMap<>(4);
    }
    pendingAcks.put(id, onAck);
    write(SioCodec.event(nsp, id, argsOf(event, args)));
  }

  /**
   * Sends an event encoded once for many sockets ({@code frame}: the WebSocket frame of the whole
   * Engine.IO packet); flushed by {@link #flush}. Call on the socket's context. Before the CONNECT
   * answer went out it is held like every other packet.
   */
  public boolean sendShared(io.netty.buffer.ByteBuf frame) {
    if (!connected) {
      if (heldUntilConnected != null) {
        heldUntilConnected.add(frame);
      }
      return true;
    }
    return engine().sendShared(frame);
  }

  /**
   * {@link #sendShared(io.netty.buffer.ByteBuf)}; {@code onWritten} runs on the socket's loop once
   * the packet was written to the client's connection (held packets: once they are).
   */
  public boolean sendShared(io.netty.buffer.ByteBuf frame, Runnable onWritten) {
    if (!connected) {
      if (heldUntilConnected != null) {
        heldUntilConnected.add(new HeldShared(frame, onWritten));
      }
      return true;
    }
    return engine().sendShared(frame, onWritten);
  }

  /**
   * Emits {@code event} with one argument given as JSON text Herald produced (valid by
   * construction), without parsing it again; {@code onWritten} (when not null) runs once the packet
   * was written to the client's connection.
   */
  public void emitRaw(String event, String json, Runnable onWritten) {
    StringBuilder sb = SioCodec.eventPrefix(nsp);
    sb.append('[').append(JsonNodeFactory.instance.textNode(event).toString()).append(',').append(json).append(']');
    String packet = sb.toString();
    if (!connected) {
      if (heldUntilConnected != null) {
        heldUntilConnected.add(new HeldText(packet, onWritten));
      }
      return;
    }
    engine().send(packet, onWritten);
  }

  /** A shared frame held until the CONNECT answer went out, with its write receipt. */
  private record HeldShared(io.netty.buffer.ByteBuf frame, Runnable onWritten) {}

  /** A packet's text held until the CONNECT answer went out, with its write receipt. */
  private record HeldText(String packet, Runnable onWritten) {}

  /** Flushes what {@link #sendShared} wrote. */
  public void flush() {
    engine().flushShared();
  }

  /** Leaves the namespace from the server side (the client sees "io server disconnect"). */
  public void disconnect(boolean closeConnection) {
    engine().send(SioCodec.disconnect(nsp));
    connection.remove(this, "server namespace disconnect");
    if (closeConnection) {
      engine().close(CloseReason.SERVER_CLOSE);
    }
  }

  // ---- called by SioConnection ----

  void markConnected() {
    engine().send(SioCodec.connect(nsp, pid == null
        ? "{\"sid\":\"" + sid + "\"}"
        : "{\"sid\":\"" + sid + "\",\"pid\":\"" + pid + "\"}"));
    connected = true;
    List<Object> held = heldUntilConnected;
    heldUntilConnected = null;
    for (Object o : held) {
      if (o instanceof io.netty.buffer.ByteBuf frame) {
        engine().sendShared(frame);
        engine().flushShared();
      } else if (o instanceof HeldShared h) {
        engine().sendShared(h.frame(), h.onWritten());
        engine().flushShared();
      } else if (o instanceof HeldText h) {
        engine().send(h.packet(), h.onWritten());
      } else {
        writeNow((SioCodec.Encoded) o);
      }
    }
  }

  void onAck(long id, ArrayNode args) {
    Consumer<ArrayNode> callback = pendingAcks == null ? null : pendingAcks.remove(id);
    if (callback != null) {
      callback.accept(args);
    }
  }

  Ack newAck(Long id) {
    return id == null ? null : new Ack(id);
  }

  private void write(SioCodec.Encoded encoded) {
    if (!connected) {
      if (heldUntilConnected != null) {
        heldUntilConnected.add(encoded);
      }
      return;
    }
    writeNow(encoded);
  }

  private void writeNow(SioCodec.Encoded encoded) {
    engine().send(encoded.text());
    for (Buffer b : encoded.attachments()) {
      engine().sendBinary(b);
    }
  }

  private static ArrayNode argsOf(String event, JsonNode... args) {
    ArrayNode arr = JsonNodeFactory.instance.arrayNode(args.length + 1);
    arr.add(event);
    for (JsonNode a : args) {
      arr.add(a);
    }
    return arr;
  }

  private static String newId() {
    byte[] b = new byte[15];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
