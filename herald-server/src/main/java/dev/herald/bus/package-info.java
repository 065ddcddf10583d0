/**
 * Fan-out between the domain and the gateway, and between nodes: {@link dev.herald.bus.Bus} with its
 * single-node {@link dev.herald.bus.LocalBus}; {@link dev.herald.bus.Publication} is what travels.
 * {@code notify} and the API publish after their commit; the gateway subscribes and delivers to
 * its sessions. A Redis implementation plugs in here for clusters.
 */
package dev.herald.bus;
