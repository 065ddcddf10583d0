package dev.herald.transport.websocket;

import io.netty.channel.Channel;

/**
 * Opens Herald's {@link WebSocket} handler on a channel of the benchmark's choosing (its constructor
 * is package-private), so benchmarks outside this package drive the server's real write path.
 */
public final class WebSocketFixtures {
  private static final WebSocket.Listener DEAF = new WebSocket.Listener() {
    @Override
    public void onText(WebSocket socket, String text) {
    }

    @Override
    public void onBinary(WebSocket socket, byte[] data) {
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
    }
  };

  private WebSocketFixtures() {}

  /**
   * Adds a WebSocket handler last in {@code channel}'s pipeline, for writing only. It has no Vert.x
   * context and is never {@code open()}ed, so whatever arrives or ends stays queued inside it and no
   * listener is called.
   */
  public static WebSocket attach(Channel channel) {
    WebSocket ws = new WebSocket(channel, null, 1 << 20, DEAF);
    channel.pipeline().addLast(ws);
    return ws;
  }
}
