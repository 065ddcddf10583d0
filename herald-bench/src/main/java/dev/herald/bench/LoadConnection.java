package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Socket.IO client of a {@link LoadClient}: the only handler of its channel's pipeline, it does
 * the websocket upgrade, parses the server's frames straight from the inbound buffers and speaks
 * Engine.IO / Socket.IO on their bytes. Every field is touched only by the channel's event loop.
 *
 * <p>Bytes are kept between reads (in {@link #pending}) only while the response head or a frame is
 * incomplete; otherwise each read buffer is parsed and released as it is.
 */
final class LoadConnection extends ChannelInboundHandlerAdapter {
  private static final byte HANDSHAKE = 0;
  private static final byte OPEN = 1;
  private static final byte CLOSED = 2;
  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_FRAME = 16 * 1024 * 1024;
  private static final byte[] T_KEY = "\"t\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] K_KEY = "\"k\":".getBytes(StandardCharsets.US_ASCII);

  private final LoadClient client;
  private final LoadClient.ConnectRun run;
  private final int index;
  private Channel channel;
  private ScheduledFuture<?> timer;
  private String wsKey;    // until the upgrade is answered
  private ByteBuf pending; // an incomplete response head or frame
  private byte state = HANDSHAKE;
  private boolean settled;
  private boolean connected;

  LoadConnection(LoadClient client, LoadClient.ConnectRun run, int index) {
    this.client = client;
    this.run = run;
    this.index = index;
  }

  /** Connects from {@code local}; called on {@code loop}, the event loop the channel will live on. */
  void start(Bootstrap template, EventLoop loop, SocketAddress remote, SocketAddress local) {
    timer = loop.schedule(this::onTimeout, client.connectTimeoutMs, TimeUnit.MILLISECONDS);
    template.clone(loop).handler(this).connect(remote, local).addListener(f -> {
      if (!f.isSuccess()) {
        settle(false, "websocket: " + f.cause());
      }
    });
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    wsKey = WsClientFrames.newKey();
    ctx.writeAndFlush(WsClientFrames.upgradeRequest(ctx.alloc(), client.hostAndPort, client.pathAndQuery, wsKey),
        ctx.voidPromise());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    boolean kept = pending != null;
    if (kept) {
      pending.writeBytes(in);
      in.release();
      in = pending;
      pending = null;
    }
    try {
      if (state == HANDSHAKE) {
        readResponseHead(ctx, in);
      }
      if (state == OPEN) {
        readFrames(ctx, in);
      }
    } finally {
      keepRest(ctx, in, kept);
    }
  }

  /** Keeps what is left of {@code in} for the next read, if anything, and releases the rest. */
  private void keepRest(ChannelHandlerContext ctx, ByteBuf in, boolean kept) {
    if (state == CLOSED || !in.isReadable()) {
      in.release();
    } else if (kept) {
      pending = in.discardReadBytes();
    } else {
      pending = ctx.alloc().buffer(Math.max(1024, in.readableBytes() * 2)).writeBytes(in);
      in.release();
    }
  }

  private void readResponseHead(ChannelHandlerContext ctx, ByteBuf in) {
    int end = WsClientFrames.headEnd(in);
    if (end < 0) {
      if (in.readableBytes() > MAX_HEAD) {
        failHandshake(ctx, "no end of the upgrade response within " + MAX_HEAD + " bytes");
      }
      return;
    }
    String head = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
    in.readerIndex(end);
    String problem = WsClientFrames.checkUpgradeResponse(head, wsKey);
    wsKey = null;
    if (problem != null) {
      failHandshake(ctx, problem);
    } else {
      state = OPEN;
    }
  }

  private void failHandshake(ChannelHandlerContext ctx, String why) {
    state = CLOSED;
    settle(false, "websocket: " + why);
    ctx.close();
  }

  /** Handles every complete frame in {@code in}, leaving an incomplete one unread. */
  private void readFrames(ChannelHandlerContext ctx, ByteBuf in) {
    while (state == OPEN) {
      int r = in.readerIndex();
      int available = in.writerIndex() - r;
      if (available < 2) {
        return;
      }
      int b0 = in.getUnsignedByte(r);
      int b1 = in.getUnsignedByte(r + 1);
      int head = 2;
      long len = b1 & 0x7f;
      if (len == 126) {
        if (available < 4) {
          return;
        }
        len = in.getUnsignedShort(r + 2);
        head = 4;
      } else if (len == 127) {
        if (available < 10) {
          return;
        }
        len = in.getLong(r + 2);
        head = 10;
      }
      if ((b1 & 0x80) != 0 || (b0 & 0x70) != 0 || len < 0 || len > MAX_FRAME) {
        protocolError(ctx, "bad frame header " + Integer.toHexString(b0) + " " + Integer.toHexString(b1) + ", length " + len);
        return;
      }
      if (available < head + len) {
        return;
      }
      in.readerIndex(r + head + (int) len);
      onFrame(ctx, b0, in, r + head, (int) len);
    }
  }

  private void onFrame(ChannelHandlerContext ctx, int b0, ByteBuf buf, int off, int len) {
    switch (b0 & 0x0f) {
      case WsClientFrames.OP_TEXT -> {
        if ((b0 & 0x80) == 0) {
          client.error(name() + ": fragmented text frame");
        } else {
          onPacket(ctx, buf, off, off + len);
        }
      }
      case WsClientFrames.OP_CLOSE -> {
        state = CLOSED;
        ctx.writeAndFlush(WsClientFrames.CLOSE_NORMAL.duplicate()).addListener(ChannelFutureListener.CLOSE);
      }
      case WsClientFrames.OP_PING -> ctx.writeAndFlush(WsClientFrames.pong(ctx.alloc(), buf, off, len), ctx.voidPromise());
      case WsClientFrames.OP_BINARY, WsClientFrames.OP_PONG -> { }
      case WsClientFrames.OP_CONTINUATION -> client.error(name() + ": continuation frame (fragmented messages are not expected)");
      default -> client.error(name() + ": unknown websocket opcode " + (b0 & 0x0f));
    }
  }

  /** One Engine.IO packet: the text frame's payload, {@code buf} from {@code off} to {@code end}. */
  private void onPacket(ChannelHandlerContext ctx, ByteBuf buf, int off, int end) {
    if (off == end) {
      return;
    }
    switch (buf.getByte(off)) {
      case '0' -> ctx.writeAndFlush(Unpooled.wrappedBuffer(client.connectFrame(index)), ctx.voidPromise()); // open → CONNECT
      case '2' -> {                                                                                   // ping → pong
        ctx.writeAndFlush(WsClientFrames.EIO_PONG.duplicate(), ctx.voidPromise());
        client.pings.increment();
      }
      case '4' -> onSocketIo(buf, off, end);
      default -> { }                                                                                  // 1 close, 6 noop
    }
  }

  private void onSocketIo(ByteBuf buf, int off, int end) {
    byte type = end - off > 1 ? buf.getByte(off + 1) : (byte) ' ';
    if (type == '2') {
      if (WsClientFrames.startsWith(buf, off, end, client.eventPrefix)) {
        onEvent(buf, off + client.eventPrefix.length, end);
      }
    } else if (type == '0' && !connected) {
      connected = true;
      client.open.incrementAndGet();
      settle(true, null);
    } else if (type == '4') {
      settle(false, "CONNECT_ERROR " + buf.toString(off + 2, end - off - 2, StandardCharsets.UTF_8));
      close();
    } else if (type == '1' && connected) {
      lostConnection();
    }
  }

  /**
   * Reads {@code "t":} and {@code "k":} from the event's argument ({@code from} is just past
   * {@code 42["<event>",}), or from its {@link LoadClient#dataKey} field when it has one. Key
   * matches include both quotes and the colon, so {@code "type":} or {@code "timestamp":} never
   * pass for {@code "t":}, and JSON escapes every quote inside a string, so no string value can
   * hold one either.
   */
  private void onEvent(ByteBuf buf, int from, int end) {
    long now = System.nanoTime();
    int data = client.dataKey == null ? from : WsClientFrames.indexAfter(buf, from, end, client.dataKey);
    long t = data < 0 ? -1 : WsClientFrames.longAfter(buf, data, end, T_KEY);
    long k = data < 0 ? -1 : WsClientFrames.longAfter(buf, data, end, K_KEY);
    if (t < 0 || k < 0 || k >= LoadClient.PHASES) {
      client.error(name() + ": event without \"t\" and \"k\": " + buf.toString(from, Math.min(end - from, 200), StandardCharsets.UTF_8));
      return;
    }
    client.record((int) k, now - t);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = CLOSED;
    if (pending != null) {
      pending.release();
      pending = null;
    }
    if (connected) {
      lostConnection();
    }
    settle(false, "closed before the Socket.IO CONNECT answer");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    client.error(name() + ": " + cause);
    ctx.close();
  }

  private void protocolError(ChannelHandlerContext ctx, String why) {
    client.error(name() + ": " + why);
    state = CLOSED;
    ctx.close();
  }

  private void onTimeout() {
    timer = null;
    settle(false, "no Socket.IO CONNECT answer within " + client.connectTimeoutMs + " ms");
    close();
  }

  /** Closes with a close frame once the websocket is open, at once otherwise. */
  private void close() {
    if (channel == null) {
      return;
    }
    if (state == OPEN) {
      state = CLOSED;
      channel.writeAndFlush(WsClientFrames.CLOSE_NORMAL.duplicate()).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

  private void lostConnection() {
    connected = false;
    client.open.decrementAndGet();
    client.closedAfterConnect.increment();
  }

  private void settle(boolean success, String why) {
    if (settled) {
      return;
    }
    settled = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    run.settled(success, index, why);
  }

  private String name() {
    return "u" + (client.first + index);
  }
}
