/**
 * Fan-out between nodes: the {@link dev.herald.bus.Bus} interface and its single-node
 * {@link dev.herald.bus.LocalBus}. A Redis implementation plugs in here for clusters.
 */
package dev.herald.bus;
