package dev.herald.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.auth.Identity;
import dev.herald.bus.Inbox;
import dev.herald.bus.LocalBus;
import dev.herald.bus.Publication;
import dev.herald.config.HeraldConfig;
import dev.herald.transport.websocket.WebSocket;
import dev.herald.transport.websocket.WebSocketFixtures;
import dev.herald.transport.websocket.WebSocketFrames;
import dev.herald.ops.HeraldMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The user-space cost of delivering one event to one WebSocket connection when a room of
 * {@code sessions} members on one event loop receives it: the frame is encoded once per event and
 * every member writes a {@code retainedDuplicate()} of it without flushing, then each is flushed
 * once. Every invocation makes {@value #DELIVERIES} deliveries ({@code DELIVERIES / sessions}
 * events), so the score is nanoseconds per delivery whatever the room size.
 *
 * <ul>
 *   <li>{@link #sharedFrameWrites}: the floor, Netty alone: {@code ctx.write(frame.retainedDuplicate())}
 *       to every connection, then {@code ctx.flush()} to every one.
 *   <li>{@link #gateway}: Herald's own code for the same event, the real one: a publication on the
 *       {@link LocalBus}, {@link Gateway}'s dispatch (event log, room lookup, grouping by loop), the
 *       delivery-latency timer, {@link LoopFlusher}, and per member what the {@code /ws} session does
 *       (writability check, message counter, {@link WebSocket#writeShared}, {@link WebSocket#flush}).
 * </ul>
 *
 * <p>What stands in for the socket is {@code sink}: {@code handler} ends the pipeline in a handler
 * that counts and releases each frame and swallows the flush, so everything measured is above the
 * transport; {@code outboundBuffer} lets frames go through the channel's {@code ChannelOutboundBuffer}
 * into an {@link EmbeddedChannel}'s write, which counts and releases them, as a socket would after
 * sending (EmbeddedChannel adds a check of its task queues and clock per flush). Neither copies the
 * heap frame into a direct buffer nor makes the {@code writev} system call a real epoll channel
 * makes, where most of a delivery's CPU presumably goes (docs/BENCHMARKS.md).
 *
 * <p>Threads: one, the benchmark's, playing the event loop (EmbeddedChannel's loop is always "in
 * the loop"); the fake {@link Context} queues LoopFlusher's flush task and the benchmark runs it as
 * the loop would after the deliveries.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FanOutBenchmark {
  /** Deliveries per invocation; a multiple of every {@link #sessions}. */
  static final int DELIVERIES = 10_000;
  private static final String TENANT = "acme";
  private static final List<String> ROOMS = List.of("news");
  private static final String DATA = "{\"id\":\"n-17\",\"title\":\"Build passed\",\"url\":\"/builds/17\",\"unread\":3}";

  /** Members of the room, all on one event loop. */
  @Param({"100", "1000", "10000"})
  public int sessions;

  /** What receives the frames in place of the socket: see the class notes. */
  @Param({"handler", "outboundBuffer"})
  public String sink;

  private final Delivered delivered = new Delivered();
  private HeraldMetrics metrics;
  private LoopContext loop;
  private LocalBus bus;
  private Gateway gateway;
  private SocketStandIn[] channels;
  /** The WebSocket handler's context in each channel: where writeShared writes. */
  private ChannelHandlerContext[] writers;
  /** The /ws frame of a typical event, for {@link #sharedFrameWrites}. */
  private String frameText;
  /** Deliveries the benchmark methods made; each must have reached the sink. */
  private long expected;

  /** Frames and bytes that reached the sink, over all channels. */
  static final class Delivered {
    long frames;
    long bytes;

    void add(Object msg) {
      ByteBuf frame = (ByteBuf) msg;
      frames++;
      bytes += frame.readableBytes();
      frame.release();
    }
  }

  /** A connection whose transport write counts and releases what the outbound buffer holds. */
  static final class SocketStandIn extends EmbeddedChannel {
    private final Delivered delivered;

    SocketStandIn(Delivered delivered) {
      this.delivered = delivered;
    }

    @Override
    protected void handleOutboundMessage(Object msg) {
      // doWrite retained msg for this call and releases it again once it returns
      delivered.add(msg);
    }
  }

  /** First outbound handler after the head: takes every write, flushes nothing further. */
  @ChannelHandler.Sharable
  static final class CountingSink extends ChannelOutboundHandlerAdapter {
    private final Delivered delivered;

    CountingSink(Delivered delivered) {
      this.delivered = delivered;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      delivered.add(msg);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
    }
  }

  /** One event loop's context as LoopFlusher sees it: runOnContext queues, {@link #runTasks} runs. */
  static final class LoopContext {
    final Context context;
    private final List<Handler<Void>> tasks = new ArrayList<>();

    @SuppressWarnings("unchecked")
    LoopContext() {
      context = (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
          (proxy, method, args) -> switch (method.getName()) {
            case "runOnContext" -> {
              tasks.add((Handler<Void>) args[0]);
              yield null;
            }
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "bench event loop";
            default -> throw new UnsupportedOperationException(method.getName());
          });
    }

    void runTasks() {
      for (int i = 0; i < tasks.size(); i++) {
        tasks.get(i).handle(null);
      }
      tasks.clear();
    }
  }

  /**
   * A {@code /ws} member: the delivery path of PlainWebSocketEndpoint's session, without its
   * heartbeat and request handling. Where that session would close a member that cannot take an
   * event (a slow consumer), this one fails the benchmark: every delivery must reach the sink.
   */
  static final class WsMember implements Session {
    /** Key of the /ws encoding, shared by all members as the endpoint's constant is. */
    static final Object ENCODING = new Object();
    private final String id;
    private final Context context;
    private final WebSocket ws;
    private final HeraldMetrics metrics;
    /** Owned by the loop. */
    private boolean unflushed;
    private volatile boolean closed;

    WsMember(String id, Context context, WebSocket ws, HeraldMetrics metrics) {
      this.id = id;
      this.context = context;
      this.ws = ws;
      this.metrics = metrics;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Identity identity() {
      return new Identity(id, TENANT, List.of(), List.of(), null);
    }

    @Override
    public void replay(Inbox.Missed notification) {
      throw new UnsupportedOperationException("no replays in a fan-out benchmark");
    }

    @Override
    public String transport() {
      return "ws";
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public boolean deliver(RoomEvent event) {
      if (closed || !ws.isWritable()) {
        throw new IllegalStateException("member " + id + " cannot take the event: closed or not writable");
      }
      metrics.messageOut("ws");
      ByteBuf frame = event.encoded(ENCODING, e -> {
        String text = encode(e, e.rooms().get(0));
        lastFrameText = text;
        return WebSocketFrames.sharedText(text);
      });
      ws.writeShared(frame);
      unflushed = true;
      return true;
    }

    @Override
    public void flush() {
      if (unflushed) {
        unflushed = false;
        ws.flush();
      }
    }

    @Override
    public void close(CloseReason reason) {
      closed = true;
    }

    /** The /ws event format (PlainWebSocketEndpoint's encode). */
    static String encode(RoomEvent e, String room) {
      return "{\"type\":\"event\",\"event\":" + JsonNodeFactory.instance.textNode(e.event())
          + ",\"room\":" + JsonNodeFactory.instance.textNode(room)
          + ",\"data\":" + e.dataJson()
          + ",\"id\":\"" + e.offset() + "\",\"timestamp\":" + e.timestampMillis() + "}";
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    if (DELIVERIES % sessions != 0) {
      throw new IllegalArgumentException("sessions must divide " + DELIVERIES + ", was " + sessions);
    }
    metrics = new HeraldMetrics();
    loop = new LoopContext();
    bus = new LocalBus(metrics);
    gateway = new Gateway(bus, Inbox.NONE, metrics, HeraldConfig.defaults());
    channels = new SocketStandIn[sessions];
    writers = new ChannelHandlerContext[sessions];
    CountingSink counting = new CountingSink(delivered);
    for (int i = 0; i < sessions; i++) {
      SocketStandIn channel = new SocketStandIn(delivered);
      switch (sink) {
        case "handler" -> channel.pipeline().addFirst(counting);
        case "outboundBuffer" -> { }
        default -> throw new IllegalArgumentException("sink must be handler or outboundBuffer, was " + sink);
      }
      WebSocket ws = WebSocketFixtures.attach(channel);
      channels[i] = channel;
      writers[i] = channel.pipeline().context(ws);
      WsMember member = new WsMember("s" + i, loop.context, ws, metrics);
      check(gateway.register(member) && gateway.joinAuthorized(member, ROOMS.get(0)), "member " + i + " joined");
    }

    // one event each way, checked: every member got the whole frame
    fanOut();
    check(delivered.frames == sessions, "gateway fan-out");
    frameText = lastFrameText;
    writeShared(WebSocketFrames.sharedText(frameText));
    check(delivered.frames == 2L * sessions, "shared frame writes");
    delivered.frames = 0;
    delivered.bytes = 0;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    check(delivered.frames == expected, "deliveries: " + delivered.frames + " of " + expected + " reached the sink");
    for (SocketStandIn channel : channels) {
      channel.finishAndReleaseAll();
    }
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("benchmark self-check failed: " + what);
    }
  }

  /** The last /ws frame a member encoded, for {@link #sharedFrameWrites} to write the same bytes. */
  private static volatile String lastFrameText;

  /** A publication through the bus into Gateway.dispatch, then the loop running what it was given. */
  private void fanOut() {
    bus.publish(Publication.event(TENANT, ROOMS, "notification", DATA));
    // the gateway submitted one task to the (only) loop; here the benchmark thread is the loop
    loop.runTasks();
  }

  private void writeShared(ByteBuf frame) {
    for (ChannelHandlerContext ctx : writers) {
      ctx.write(frame.retainedDuplicate(), ctx.voidPromise());
    }
    for (ChannelHandlerContext ctx : writers) {
      ctx.flush();
    }
  }

  @Benchmark
  @OperationsPerInvocation(DELIVERIES)
  public void gateway() {
    for (int n = DELIVERIES / sessions; n > 0; n--) {
      fanOut();
    }
    expected += DELIVERIES;
  }

  @Benchmark
  @OperationsPerInvocation(DELIVERIES)
  public void sharedFrameWrites() {
    for (int n = DELIVERIES / sessions; n > 0; n--) {
      writeShared(WebSocketFrames.sharedText(frameText));
    }
    expected += DELIVERIES;
  }
}
