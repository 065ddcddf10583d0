/**
 * {@link dev.herald.vertx.VertxInternals}: the adapter that keeps Vert.x's internal API in one
 * class. A leaf used by the transports, the gateway and the composition root.
 */
package dev.herald.vertx;
