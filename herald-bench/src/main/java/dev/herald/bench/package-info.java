/**
 * Herald's side-by-side benchmark (docs/BENCHMARKS.md). {@link dev.herald.bench.BenchMain} runs the
 * scenario against Herald, Socket.IO on Node ({@code src/main/node/socketio-peer.mjs}) and
 * {@link dev.herald.bench.NettySocketIoPeer}, driving {@link dev.herald.bench.LoadClient} processes;
 * {@code bench/run} builds everything and starts it. With {@code --scenario durable} it measures
 * Herald's durable notifications instead, against the embedded PostgreSQL Herald starts
 * ({@link dev.herald.bench.EmbeddedDatabase}), and reports the rate/latency curve
 * ({@link dev.herald.bench.DurableReport}). With {@code --scenario delivery} it measures the delivery
 * engine (issues 12 and 13): {@link dev.herald.bench.DeliveryScenario} runs an SMTP sink
 * ({@link dev.herald.bench.SmtpSink}), a webhook receiver ({@link dev.herald.bench.WebhookReceiver})
 * and a Web Push service ({@link dev.herald.bench.PushService}, which checks a sample of what it
 * receives with {@link dev.herald.bench.PushMessageCheck}) in this process, one
 * {@link dev.herald.bench.PhaseRun} per phase, and reports through
 * {@link dev.herald.bench.DeliveryReport}.
 *
 * <p>The module also holds the JMH microbenchmarks ({@code bench/jmh}): the packet codecs and the
 * fan-out path, measured on the server's own classes. Those classes are package-private, so each
 * benchmark sits in the package of the code it measures ({@code dev.herald.gateway},
 * {@code dev.herald.transport.engineio}, {@code .socketio}, {@code .websocket}); on the class path a
 * package split across two jars is one package. The split packages get no {@code package-info}
 * here: it would shadow the server's own in the shaded jar.
 */
package dev.herald.bench;
