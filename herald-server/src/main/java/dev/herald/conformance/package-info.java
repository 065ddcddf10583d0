/**
 * {@code herald conformance}: the applications the official Engine.IO v4 and Socket.IO v5 protocol
 * test suites run against. Entry point: {@link dev.herald.conformance.ConformanceServer}.
 */
package dev.herald.conformance;
