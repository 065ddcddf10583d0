/**
 * The real-time gateway: {@link dev.herald.gateway.Session} is one live connection of any transport,
 * {@link dev.herald.gateway.Gateway} keeps rooms (tenant-scoped) and fans publications out to their
 * members, with a bounded event log for resuming clients. Transports live in the subpackages.
 */
package dev.herald.gateway;
