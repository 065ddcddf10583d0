/**
 * Operating Herald: {@link dev.herald.ops.HeraldMetrics} (Prometheus text at {@code /metrics}) and the
 * health and readiness answers at {@code /health}.
 */
package dev.herald.ops;
