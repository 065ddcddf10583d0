package dev.herald.transport.websocket;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import dev.herald.vertx.VertxInternals;
import io.vertx.core.Context;

/**
 * Takes WebSocket upgrade requests off Vert.x's HTTP/1.1 pipeline. {@link #install} adds a small
 * handler in front of Vert.x's own on every HTTP/1.x connection; an upgrade request whose path the
 * {@link Router} claims never reaches Vert.x: its {@link Route} receives an {@link UpgradeRequest}
 * and accepts it (the HTTP handlers leave the pipeline, a {@link WebSocket} takes their place) or
 * refuses it with an HTTP answer. Everything else passes through untouched.
 */
public final class WebSocketUpgrades {
  /** Handles one claimed upgrade request; called on the connection's event loop, in its context. */
  public interface Route {
    void upgrade(UpgradeRequest request);
  }

  /** Picks the route of an upgrade request, or null to leave the request to Vert.x. */
  public interface Router {
    Route route(UpgradeRequest request);
  }

  private WebSocketUpgrades() {}

  /**
   * Installs the interception on a new Vert.x connection; use as (or from) the server's
   * {@code connectionHandler}. HTTP/2 connections are left alone (no WebSocket over HTTP/2 here).
   */
  public static void install(HttpConnection connection, Router router) {
    ChannelPipeline pipeline = VertxInternals.pipelineOf(connection);
    if (pipeline != null) {
      if (pipeline.get("httpDecoder") != null && pipeline.get("handler") != null) {
        pipeline.addBefore("handler", "herald-upgrade", new Interceptor(router, VertxInternals.contextOf(connection)));
      }
    }
  }

  /** One per HTTP/1.x connection until it upgrades. Owned by the connection's event loop. */
  static final class Interceptor extends ChannelInboundHandlerAdapter {
    private final Router router;
    private final Context context;
    /** True from a claimed request's head to its end: its content is not Vert.x's either. */
    private boolean swallowing;

    Interceptor(Router router, Context context) {
      this.router = router;
      this.context = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest req && isUpgrade(req)) {
        UpgradeRequest upgrade = new UpgradeRequest(ctx, context, req);
        // a target that does not decode is left to Vert.x: the route table answers it 400, in the
        // error format of the route the path belongs to
        Route route = upgrade.targetDecodes() ? router.route(upgrade) : null;
        if (route != null) {
          swallowing = !(msg instanceof LastHttpContent);
          ReferenceCountUtil.release(msg);
          // nothing more is read until the route accepts (the frames that follow are the socket's)
          ctx.channel().config().setAutoRead(false);
          UpgradeRequest.HandshakeRefusal refusal = upgrade.handshakeRefusal();
          if (refusal != null) {
            upgrade.refuse(refusal);
          } else {
            VertxInternals.dispatch(context, upgrade, route::upgrade);
          }
          return;
        }
      }
      if (swallowing && msg instanceof HttpContent) {
        swallowing = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        return;
      }
      ctx.fireChannelRead(msg);
    }

    private static boolean isUpgrade(HttpRequest req) {
      String upgrade = req.headers().get(HttpHeaderNames.UPGRADE);
      return upgrade != null && upgrade.equalsIgnoreCase("websocket") && req.method() == HttpMethod.GET;
    }
  }
}
