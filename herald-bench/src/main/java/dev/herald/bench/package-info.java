/**
 * Herald's benchmarks: the load client and the scenarios that measure Herald beside Socket.IO and
 * netty-socketio (docs/BENCHMARKS.md). Filled in by the gateway performance work.
 */
package dev.herald.bench;
