package dev.herald.transport.socketio;

import dev.herald.gateway.CloseReason;
import dev.herald.transport.engineio.EngineServer;
import dev.herald.transport.engineio.EngineSocket;
import dev.herald.transport.engineio.ProtocolException;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Socket.IO side of one Engine.IO session: decodes packets, reassembles binary ones within
 * {@link SioLimits}, and routes them to the namespace sockets of this client.
 *
 * <p>Threads: owned by the session's event loop; the Engine.IO session calls every method there,
 * and the timers started here fire there.
 */
final class SioConnection implements EngineSocket.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(SioConnection.class);
  private final EngineSocket engine;
  private final EngineServer.Handshake handshake;
  private final Map<String, Namespace> namespaces;
  private final SioLimits limits;
  private final Map<String, SioSocket> sockets = new HashMap<>(2);
  /** Namespaces whose CONNECT is being decided; null while there are none (most of the time). */
  private Set<String> connecting;
  /** The binary packet whose attachments are arriving; null between packets. */
  private SioCodec.Reassembly reassembly;
  /** Ends a {@link #reassembly} that waits too long for its attachments. */
  private long reassemblyTimer;
  private long connectTimer;
  private boolean closed;

  SioConnection(EngineSocket engine, EngineServer.Handshake handshake, Map<String, Namespace> namespaces,
      long connectTimeoutMillis, SioLimits limits) {
    this.engine = engine;
    this.limits = limits;
    this.handshake = handshake;
    this.namespaces = namespaces;
    // socket.io: a client that joins no namespace within connectTimeout is closed
    this.connectTimer = engine.context().owner().setTimer(connectTimeoutMillis, t -> {
      if (sockets.isEmpty()) {
        engine.close(CloseReason.HANDSHAKE_TIMEOUT);
      }
    });
  }

  EngineSocket engine() {
    return engine;
  }

  @Override
  public void onMessage(String text) {
    try {
      receive(text);
    } catch (Throwable failure) {
      failed(failure);
    }
  }

  @Override
  public void onBinary(Buffer data) {
    try {
      receive(data);
    } catch (Throwable failure) {
      failed(failure);
    }
  }

  @Override
  public void onClose(String reason) {
    closed = true;
    dropReassembly();
    engine.context().owner().cancelTimer(connectTimer);
    for (SioSocket s : sockets.values().toArray(SioSocket[]::new)) {
      try {
        remove(s, reason);
      } catch (Throwable failure) {
        // the other namespaces still hear of the end, or their sockets would stay registered
        LOG.error("Socket.IO session {}: namespace {} failed on disconnect", engine.id(), s.nsp(), failure);
      }
    }
  }

  void remove(SioSocket socket, String reason) {
    if (sockets.remove(socket.nsp(), socket)) {
      namespaces.get(socket.nsp()).onDisconnect(socket, reason);
    }
  }

  private void receive(String text) {
    if (reassembly != null) {
      protocolError("text packet while binary attachments were expected");
      return;
    }
    Object decoded;
    try {
      decoded = SioCodec.decode(text);
    } catch (ProtocolException e) {
      refuse(e.reason());
      return;
    }
    if (decoded instanceof SioCodec.Reassembly r) {
      awaitAttachments(r);
    } else {
      dispatch((SioPacket) decoded);
    }
  }

  private void receive(Buffer data) {
    if (reassembly == null) {
      protocolError("unexpected binary attachment");
      return;
    }
    // Herald's bound (SioLimits): header and attachments together fit in maxPayload
    if (reassembly.heldBytes() + data.length() > limits.maxPacketBytes()) {
      refuse(CloseReason.MESSAGE_TOO_BIG);
      return;
    }
    try {
      SioPacket complete = reassembly.add(data);
      if (complete != null) {
        dropReassembly();
        dispatch(complete);
      }
    } catch (ProtocolException e) {
      refuse(e.reason());
    }
  }

  /**
   * Starts waiting for the attachments of {@code r}. socket.io-parser refuses more than
   * maxAttachments (10) and then waits for them, each up to the payload limit, for as long as the
   * connection lasts; Herald bounds the count the same way, and the bytes and the wait too.
   */
  private void awaitAttachments(SioCodec.Reassembly r) {
    if (r.expected > limits.maxAttachments() || r.heldBytes() > limits.maxPacketBytes()) {
      refuse(CloseReason.MESSAGE_TOO_BIG);
      return;
    }
    reassembly = r;
    reassemblyTimer = engine.context().owner().setTimer(limits.partialPacketTimeout().toMillis(), t -> {
      if (reassembly == r) {
        refuse(CloseReason.PARTIAL_PACKET_TIMEOUT);
      }
    });
  }

  /** Forgets the packet being reassembled (its attachments with it) and stops its timer. */
  private void dropReassembly() {
    if (reassembly != null) {
      reassembly = null;
      engine.context().owner().cancelTimer(reassemblyTimer);
    }
  }

  /** Closes the session with {@code reason}, releasing what a partial packet held at once. */
  private void refuse(CloseReason reason) {
    dropReassembly();
    engine.close(reason);
  }

  private void dispatch(SioPacket packet) {
    String nsp = packet.nsp();
    SioSocket socket = sockets.get(nsp);
    switch (packet) {
      case SioPacket.Connect c when socket == null && (connecting == null || !connecting.contains(nsp)) -> connect(c);
      case SioPacket.Event e when socket != null -> {
        String name = e.args().get(0).asText();
        com.fasterxml.jackson.databind.node.ArrayNode args = e.args().deepCopy();
        args.remove(0);
        namespaces.get(nsp).onEvent(socket, name, args, socket.newAck(e.id()));
      }
      case SioPacket.Ack a when socket != null -> socket.onAck(a.id(), a.args());
      case SioPacket.Disconnect d when socket != null -> remove(socket, "client namespace disconnect");
      default -> protocolError("invalid state for packet " + packet.getClass().getSimpleName());
    }
  }

  private void connect(SioPacket.Connect c) {
    String nsp = c.nsp();
    Namespace namespace = namespaces.get(nsp);
    if (namespace == null) {
      engine.send(SioCodec.connectError(nsp, "Invalid namespace", null));
      return;
    }
    SioSocket socket = new SioSocket(this, nsp);
    if (connecting == null) {
      connecting = new HashSet<>(2);
    }
    connecting.add(nsp);
    com.fasterxml.jackson.databind.JsonNode auth = c.data() == null
        ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : c.data();
    namespace.connect(socket, auth, handshake).onComplete(ar -> {
      connecting.remove(nsp);
      if (connecting.isEmpty()) {
        connecting = null;
      }
      if (closed) {
        if (ar.succeeded()) {
          namespace.onDisconnect(socket, "transport close");
        }
        return;
      }
      if (ar.succeeded()) {
        engine.context().owner().cancelTimer(connectTimer);
        sockets.put(nsp, socket);
        socket.markConnected();
      } else if (ar.cause() instanceof Namespace.ConnectRefused refused) {
        engine.send(SioCodec.connectError(nsp, refused.getMessage(), refused.data()));
      } else {
        engine.send(SioCodec.connectError(nsp, "internal error", null));
      }
    });
  }

  /**
   * What was thrown while this session's packet was handled (a namespace bug, or an Error such as
   * StackOverflowError or OutOfMemoryError) ends this session with 1011 and goes no further: the
   * event loop serves other sessions, and this one must not go on in whatever state the failure
   * left it. Closing first releases what the session held before anything is logged.
   */
  private void failed(Throwable failure) {
    refuse(CloseReason.INTERNAL_ERROR);
    LOG.error("Socket.IO session {} closed with 1011: handling its packet failed", engine.id(), failure);
  }

  /** A packet that breaks the protocol in a way the codec cannot see (the session's state): 1002. */
  private void protocolError(String message) {
    refuse(CloseReason.PROTOCOL_ERROR);
  }
}
