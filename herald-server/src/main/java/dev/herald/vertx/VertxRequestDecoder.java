package dev.herald.vertx;

import io.netty.channel.ChannelHandler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's HTTP/1.x request decoder (an internal class), as a base Herald's own decoder extends to
 * add rules on request heads ({@code dev.herald.http.RequestHeadGuard}); its hooks are Netty's
 * {@code HttpObjectDecoder}'s, which are public API. Part of the adapter: nothing outside this
 * package names a Vert.x internal class.
 */
public abstract class VertxRequestDecoder extends VertxHttpRequestDecoder {
  protected VertxRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /** True when {@code handler} is Vert.x's own request decoder (not one of Herald's). */
  public static boolean isVertxs(ChannelHandler handler) {
    return handler instanceof VertxHttpRequestDecoder && !(handler instanceof VertxRequestDecoder);
  }
}
