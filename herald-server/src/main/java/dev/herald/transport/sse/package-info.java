/**
 * {@code /api/stream}: Server-Sent Events with resume by {@code Last-Event-ID}. Entry point:
 * {@link dev.herald.transport.sse.SseEndpoint}.
 */
package dev.herald.transport.sse;
