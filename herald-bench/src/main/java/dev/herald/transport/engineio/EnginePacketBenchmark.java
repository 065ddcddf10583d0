package dev.herald.transport.engineio;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Engine.IO v4 packet coding ({@link EnginePacket}): one WebSocket message as it arrives, an HTTP
 * long-polling body of several packets, and the two ways packets go out. In the server's package
 * because the codec is package-private (see {@code dev.herald.bench}'s package notes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EnginePacketBenchmark {
  /** A Socket.IO EVENT inside an Engine.IO MESSAGE, the commonest packet a client sends. */
  private String message;
  /** A polling body: three messages and a pong, joined by the record separator. */
  private String payload;
  private EnginePacket outgoing;
  private List<EnginePacket> outgoingBatch;

  @Setup
  public void setUp() throws ProtocolException {
    message = "42[\"message\",{\"text\":\"hello\",\"n\":1}]";
    String sep = String.valueOf(EnginePacket.SEPARATOR);
    payload = String.join(sep, message, "42[\"message\",{\"text\":\"again\",\"n\":2}]", "3",
        "421[\"subscribe\",{\"channels\":[\"news\"]}]");
    outgoing = EnginePacket.message("2[\"notification\",{\"id\":\"n-17\",\"title\":\"Build passed\"},\"e1-17\"]");
    outgoingBatch = List.of(outgoing, EnginePacket.of(EnginePacket.Type.PING), outgoing);
    // the inputs must be what the benchmarks claim to measure
    if (EnginePacket.decodePayload(payload).size() != 4 || !EnginePacket.decodeText(message).text().startsWith("2[")) {
      throw new IllegalStateException("benchmark inputs do not decode as expected");
    }
  }

  @Benchmark
  public EnginePacket decodeText() throws ProtocolException {
    return EnginePacket.decodeText(message);
  }

  @Benchmark
  public List<EnginePacket> decodePayload() throws ProtocolException {
    return EnginePacket.decodePayload(payload);
  }

  /** The text of one WebSocket message (EngineSocket's send over WebSocket). */
  @Benchmark
  public String encodeText() {
    return outgoing.encodeText();
  }

  /** A polling response of three packets, built the way EngineSocket's flush builds it. */
  @Benchmark
  public String encodePayload() {
    StringBuilder sb = new StringBuilder();
    boolean first = true;
    for (EnginePacket p : outgoingBatch) {
      if (!first) {
        sb.append(EnginePacket.SEPARATOR);
      }
      first = false;
      p.appendPollingForm(sb);
    }
    return sb.toString();
  }
}
