package dev.herald.transport.websocket;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;

/**
 * Limits of the WebSocket connections of one endpoint, built once and shared by all of them.
 *
 * @param maxMessageBytes largest message (and frame) a client may send; more closes with 1009
 * @param outboundBufferBytes bytes queued for a client before it counts as not reading
 */
public record WebSocketSettings(int maxMessageBytes, int outboundBufferBytes) {
  public WebSocketSettings {
    if (maxMessageBytes < 1) {
      throw new IllegalArgumentException("maxMessageBytes must be positive, was " + maxMessageBytes);
    }
    if (outboundBufferBytes < 1) {
      throw new IllegalArgumentException("outboundBufferBytes must be positive, was " + outboundBufferBytes);
    }
  }

  WebSocketDecoderConfig decoderConfig() {
    // RFC 6455 5.3: clients mask every frame; no extension is negotiated, so RSV bits must be 0
    return WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(maxMessageBytes)
        .expectMaskedFrames(true)
        .allowMaskMismatch(false)
        .allowExtensions(false)
        .closeOnProtocolViolation(false)
        .withUTF8Validator(false)
        .build();
  }

  WriteBufferWaterMark waterMark() {
    return new WriteBufferWaterMark(outboundBufferBytes / 2, outboundBufferBytes);
  }
}
