package dev.herald.transport.socketio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.transport.engineio.ProtocolException;
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
 * Socket.IO v5 packet coding ({@link SioCodec}): the packets a client sends (an event, an event
 * that wants an ack, the header of a binary event) and an event the server emits. Decoding parses
 * the JSON into Jackson nodes, which is most of its cost. In the server's package because the codec
 * is package-private (see {@code dev.herald.bench}'s package notes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SioCodecBenchmark {
  private String event;
  private String eventWithAck;
  private String binaryEventHeader;
  private ArrayNode args;

  @Setup
  public void setUp() throws ProtocolException {
    event = "2[\"message\",{\"text\":\"hello\",\"n\":1}]";
    eventWithAck = "217[\"message\",{\"text\":\"hello\",\"n\":1}]";
    binaryEventHeader = "51-[\"upload\",{\"name\":\"a.png\",\"data\":{\"_placeholder\":true,\"num\":0}}]";
    args = JsonNodeFactory.instance.arrayNode().add("notification");
    args.addObject().put("id", "n-17").put("title", "Build passed").put("unread", 3);
    // the inputs must be what the benchmarks claim to measure
    if (!(SioCodec.decode(event) instanceof SioPacket.Event)
        || !(SioCodec.decode(eventWithAck) instanceof SioPacket.Event e && e.id() == 17)
        || !(SioCodec.decode(binaryEventHeader) instanceof SioCodec.Reassembly)) {
      throw new IllegalStateException("benchmark inputs do not decode as expected");
    }
  }

  @Benchmark
  public Object decodeEvent() throws ProtocolException {
    return SioCodec.decode(event);
  }

  @Benchmark
  public Object decodeEventWithAck() throws ProtocolException {
    return SioCodec.decode(eventWithAck);
  }

  /** A BINARY_EVENT header: decoded into a reassembly that waits for its attachment. */
  @Benchmark
  public Object decodeBinaryEventHeader() throws ProtocolException {
    return SioCodec.decode(binaryEventHeader);
  }

  /** An EVENT the server emits to one socket (SioSocket's emit). */
  @Benchmark
  public SioCodec.Encoded encodeEvent() {
    return SioCodec.event("/", null, args);
  }
}
