/**
 * {@code /api/stream}: Server-Sent Events with resume by {@code Last-Event-ID}. Entry point:
 * {@link dev.herald.gateway.sse.SseEndpoint}.
 */
package dev.herald.gateway.sse;
