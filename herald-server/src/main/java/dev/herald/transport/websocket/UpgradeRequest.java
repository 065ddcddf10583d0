package dev.herald.transport.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A WebSocket upgrade request claimed by a {@link WebSocketUpgrades.Route}, waiting to be accepted
 * or refused (exactly once). Until then the connection reads nothing more.
 *
 * <p>Threads: {@link #accept} and {@link #refuse} run on the connection's event loop (they hop
 * there when called elsewhere, and {@link #accept} must be called there); the getters anywhere.
 */
public final class UpgradeRequest {
  /** RFC 6455 1.3: the GUID appended to the client's key before hashing. */
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final Map<WebSocketSettings, Derived> DERIVED = new ConcurrentHashMap<>();

  private record Derived(WebSocketDecoderConfig decoder, WriteBufferWaterMark waterMark) {}

  private final ChannelHandlerContext ctx;
  private final Context context;
  private final HttpRequest request;
  private QueryStringDecoder query;
  private boolean settled;

  UpgradeRequest(ChannelHandlerContext ctx, Context context, HttpRequest request) {
    this.ctx = ctx;
    this.context = context;
    this.request = request;
  }

  /** The path of the request URI, without the query. */
  public String path() {
    return query().path();
  }

  /** The first value of query parameter {@code name}, or null. */
  public String param(String name) {
    List<String> values = query().parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The raw query string (after {@code ?}), or null when the URI has none. */
  public String rawQuery() {
    String uri = request.uri();
    int q = uri.indexOf('?');
    return q < 0 ? null : uri.substring(q + 1);
  }

  /** Every query parameter, in a new case-insensitive map. */
  public MultiMap params() {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    query().parameters().forEach(map::add);
    return map;
  }

  /** The request header {@code name}, or null. */
  public String header(String name) {
    return request.headers().get(name);
  }

  /** The client's IP address as text, or null. */
  public String remoteAddress() {
    return ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
        ? a.getAddress().getHostAddress() : null;
  }

  /** The Vert.x context of the connection's event loop. */
  public Context context() {
    return context;
  }

  /**
   * Completes the handshake (RFC 6455 4.2.2): the HTTP handlers leave the pipeline, a frame decoder
   * and the returned {@link WebSocket} take their place, and the 101 answer goes out. Call on the
   * connection's event loop. If the client is already gone, the listener hears
   * {@link WebSocket.Listener#onClose} right after this returns.
   */
  public WebSocket accept(WebSocketSettings settings, WebSocket.Listener listener) {
    Channel channel = ctx.channel();
    if (!channel.eventLoop().inEventLoop()) {
      throw new IllegalStateException("accept must be called on the connection's event loop");
    }
    settle();
    Derived derived = DERIVED.computeIfAbsent(settings, s -> new Derived(s.decoderConfig(), s.waterMark()));
    WebSocket ws = new WebSocket(channel, context, settings.maxMessageBytes(), listener);
    ChannelPipeline pipeline = channel.pipeline();
    List<String> names = pipeline.names();
    for (String name : names.subList(names.indexOf("httpDecoder") + 1, names.size())) {
      if (pipeline.context(name) != null) {
        pipeline.remove(name);
      }
    }
    pipeline.addAfter("httpDecoder", "ws-decoder", new WebSocket13FrameDecoder(derived.decoder()));
    pipeline.addAfter("ws-decoder", "ws", ws);
    channel.config().setWriteBufferWaterMark(derived.waterMark());
    channel.writeAndFlush(Unpooled.wrappedBuffer(switchingProtocols(header("sec-websocket-key"))), channel.voidPromise());
    // bytes the HTTP decoder still holds (frames sent right behind the request) go to the frame decoder
    pipeline.remove("httpDecoder");
    channel.config().setAutoRead(true);
    // the caller gets the socket before any frame: those already here wait for this task
    channel.eventLoop().execute(ws::open);
    return ws;
  }

  /**
   * Answers the request with an HTTP error ({@code status}, {@code body} of {@code contentType},
   * {@code headers} as name-value pairs) and closes the connection.
   */
  public void refuse(int status, String contentType, String body, String... headers) {
    if (!ctx.executor().inEventLoop()) {
      ctx.executor().execute(() -> refuse(status, contentType, body, headers));
      return;
    }
    settle();
    ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      resp.headers().set(headers[i], headers[i + 1]);
    }
    // closed from here, past Vert.x's handler, which never saw this request
    ctx.writeAndFlush(resp).addListener(done -> ctx.close());
  }

  /**
   * The HTTP answer refusing an opening handshake: its status, a plain-text {@code body} and extra
   * response headers (name to value).
   */
  record HandshakeRefusal(int status, String body, Map<String, String> headers) {}

  /**
   * RFC 6455 4.2.1: "If the server, while reading the handshake, finds that the client did not send
   * a handshake that matches the description below [...] the server MUST stop processing the
   * client's handshake and return an HTTP response with an appropriate error code (such as 400 Bad
   * Request)." Returns that answer, or null when the handshake is valid.
   */
  HandshakeRefusal handshakeRefusal() {
    if (!"13".equals(header("sec-websocket-version"))) {
      // RFC 6455 4.4: "If the server doesn't support the requested version, it MUST respond with a
      // |Sec-WebSocket-Version| header field [...] containing all versions it is willing to use."
      return new HandshakeRefusal(426, "WebSocket version 13 is required", Map.of("sec-websocket-version", "13"));
    }
    // 4.2.1 item 5: "A |Sec-WebSocket-Key| header field with a base64-encoded value that, when
    // decoded, is 16 bytes in length."
    String key = header("sec-websocket-key");
    if (key == null || !validKey(key.trim())) {
      return new HandshakeRefusal(400, "Sec-WebSocket-Key must be 16 random bytes in base64", Map.of());
    }
    // 4.2.1 item 4: "A |Connection| header field that includes the token "Upgrade""
    String connection = header("connection");
    if (connection == null || !connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade")) {
      return new HandshakeRefusal(400, "Connection must include Upgrade", Map.of());
    }
    return null;
  }

  /** Answers with {@code refusal} and closes the connection. */
  void refuse(HandshakeRefusal refusal) {
    String[] headers = refusal.headers().entrySet().stream()
        .flatMap(h -> java.util.stream.Stream.of(h.getKey(), h.getValue())).toArray(String[]::new);
    refuse(refusal.status(), "text/plain; charset=utf-8", refusal.body() + "\n", headers);
  }

  /**
   * RFC 3986 2.1: whether every percent-encoding in the target is "%" HEXDIG HEXDIG, so that
   * {@link #path} and {@link #param} can decode it (they throw {@code IllegalArgumentException}
   * on a request for which this is false).
   */
  boolean targetDecodes() {
    try {
      query().path();
      query().parameters();
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void settle() {
    if (settled) {
      throw new IllegalStateException("upgrade request already answered");
    }
    settled = true;
  }

  private QueryStringDecoder query() {
    if (query == null) {
      query = new QueryStringDecoder(request.uri());
    }
    return query;
  }

  private static boolean validKey(String key) {
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] switchingProtocols(String key) {
    String accept;
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
      accept = Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
    return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }
}
