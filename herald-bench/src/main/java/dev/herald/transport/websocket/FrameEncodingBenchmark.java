package dev.herald.transport.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Server-to-client WebSocket frames ({@link WebSocketFrames}): the heap frame a broadcast encodes
 * once, the pooled direct frame of a message to one connection, and reading a shared frame's text
 * back. {@code bytes} is the message's UTF-8 size: a typical notification and a large one. In the
 * server's package because {@code text(alloc, ...)} is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FrameEncodingBenchmark {
  @Param({"100", "1024"})
  public int bytes;

  private String message;
  private ByteBuf shared;
  private ByteBufAllocator alloc;

  @Setup
  public void setUp() {
    message = jsonOf(bytes);
    shared = WebSocketFrames.sharedText(message);
    alloc = PooledByteBufAllocator.DEFAULT;
    if (!WebSocketFrames.textOf(shared).equals(message)) {
      throw new IllegalStateException("shared frame does not carry its text");
    }
  }

  /** An event as the gateway sends it, {@code length} bytes of ASCII JSON. */
  static String jsonOf(int length) {
    StringBuilder sb = new StringBuilder(length)
        .append("{\"type\":\"event\",\"event\":\"notification\",\"room\":\"news\",\"data\":{\"text\":\"");
    String tail = "\"},\"id\":\"e1-17\"}";
    while (sb.length() < length - tail.length()) {
      sb.append((char) ('a' + sb.length() % 26));
    }
    String json = sb.append(tail).toString();
    if (json.length() != length) {
      throw new IllegalArgumentException("no event JSON of " + length + " bytes");
    }
    return json;
  }

  @Benchmark
  public ByteBuf sharedText() {
    return WebSocketFrames.sharedText(message);
  }

  /** A pooled direct frame, released at once (as the socket does after writing it). */
  @Benchmark
  public int pooledText() {
    ByteBuf frame = WebSocketFrames.text(alloc, message);
    int size = frame.readableBytes();
    frame.release();
    return size;
  }

  @Benchmark
  public String textOf() {
    return WebSocketFrames.textOf(shared);
  }
}
