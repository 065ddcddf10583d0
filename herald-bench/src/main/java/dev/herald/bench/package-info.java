/**
 * Herald's side-by-side benchmark (docs/BENCHMARKS.md). {@link dev.herald.bench.BenchMain} runs the
 * scenario against Herald, Socket.IO on Node ({@code src/main/node/socketio-peer.mjs}) and
 * {@link dev.herald.bench.NettySocketIoPeer}, driving {@link dev.herald.bench.LoadClient} processes;
 * {@code bench/run} builds everything and starts it.
 */
package dev.herald.bench;
