/**
 * The adapter to Vert.x's internal API ({@code io.vertx.core.internal}, {@code ...impl}), which carries
 * no compatibility promise: {@link dev.herald.vertx.VertxInternals} (contexts, event loops, a
 * connection's pipeline) and {@link dev.herald.vertx.VertxRequestDecoder} (the request decoder
 * Herald extends). Nothing outside this package names an internal class; {@code ArchitectureTest}
 * checks it. A leaf used by the transports, the gateway, {@code http} and the composition root.
 */
package dev.herald.vertx;
