package dev.herald.transport.engineio;

import dev.herald.config.HeraldConfig;

/**
 * Settings of one Engine.IO endpoint.
 *
 * @param engine intervals, payload limit and CORS allow-list
 * @param outboundBufferBytes bytes queued for one client before it counts as not reading
 */
public record EngineOptions(HeraldConfig.Engine engine, int outboundBufferBytes) {}
