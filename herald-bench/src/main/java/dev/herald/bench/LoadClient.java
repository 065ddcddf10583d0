package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One load-generating process: thousands of Socket.IO clients speaking Engine.IO v4 / Socket.IO v5
 * over raw websockets, each authenticated as {@code u<i>} of tenant {@code t0}, recording the
 * latency of every bench event it receives.
 *
 * <p>Wire, per connection: {@code GET <path>?EIO=4&transport=websocket}; on the server's open
 * packet {@code 0{...}} it sends {@code 40{"token":"<jwt>"}} and counts as connected on the
 * {@code 40} answer ({@code 44} is a refusal); every ping {@code 2} is answered {@code 3}; an event
 * {@code 42["<event>",{"t":<nanoTime at publish>,"k":<phase>},...]} is counted under its phase and
 * its latency, {@code System.nanoTime() - t} (CLOCK_MONOTONIC, shared by every process of the
 * machine), goes into that phase's histogram in microseconds. With {@code --data-field data} the
 * numbers are read from that field of the event's argument instead: a durable notification arrives
 * as {@code 42["notification",{"id":…,"type":…,"title":…,…,"data":{"k": 5, "t": 123},…}]}.
 *
 * <p>Implementation, built to spend as little CPU as possible per received message: raw Netty
 * (native epoll when it loads, NIO otherwise), {@code TCP_NODELAY}, and one handler per channel,
 * {@link LoadConnection}, with no codec in the pipeline: it writes the HTTP/1.1 upgrade request
 * itself, checks the {@code 101} and {@code Sec-WebSocket-Accept}, parses the server's (unmasked)
 * frames straight from the read buffers, and reads {@code "t":} and {@code "k":} from the bytes of
 * an event without making a String of it. Client frames are masked; the constant ones (the pong
 * {@code 3}, a close) are encoded once, and so is each connection's CONNECT packet, signed with
 * {@link BenchToken} before the connect phase so that signing is not part of the measured rate.
 *
 * <p>Control, one line per command on stdin, one answer line on stdout (logs go to stderr):
 * {@code CONNECT} → {@code CONNECTED <ok> <failed> <elapsedMs>}; {@code COUNTS} →
 * {@code COUNTS <open> <received phase 0> … <phase 15>}; {@code REPORT} → {@code REPORT <json>};
 * {@code QUIT} or end of input → exits. The process also exits by itself after
 * {@code --max-seconds}.
 *
 * <p>Threads: the main thread reads commands. Connection {@code i} lives on event loop number
 * {@code i mod --event-loops} (one by default) and binds to {@code --local} address number
 * {@code i mod} their count; its state is touched only by its event loop. Counters and histogram
 * recorders are thread-safe.
 */
public final class LoadClient {
  static final int PHASES = 16;
  private static final Set<String> OPTIONS = Set.of("url", "path", "first", "count", "local", "secret",
      "tenant", "event", "data-field", "concurrency", "max-seconds", "event-loops", "connect-timeout-ms");

  final String hostAndPort;
  final String pathAndQuery;
  final int first;
  final int connectTimeoutMs;
  final byte[] eventPrefix;
  /** {@code "<field>":} when "t" and "k" are in that field of the event's argument, else null. */
  final byte[] dataKey;
  final AtomicInteger open = new AtomicInteger();
  final LongAdder pings = new LongAdder();
  final LongAdder closedAfterConnect = new LongAdder();

  private final InetSocketAddress remote;
  private final InetSocketAddress[] locals;
  private final int count;
  private final int concurrency;
  private final byte[][] connectFrames;
  private final EventLoop[] loops;
  private final Bootstrap template;

  private final LongAdder errors = new LongAdder();
  private final LongAdder[] received = new LongAdder[PHASES];
  private final Recorder[] latencyMicros = new Recorder[PHASES];
  private final Histogram[] latencyTotals = new Histogram[PHASES];

  private LoadClient(Args args) {
    URI url = URI.create(args.string("url", "ws://127.0.0.1:8080"));
    this.remote = new InetSocketAddress(url.getHost(), url.getPort());
    this.hostAndPort = url.getHost() + ":" + url.getPort();
    this.pathAndQuery = args.string("path", "/socket.io/") + "?EIO=4&transport=websocket";
    this.first = args.integer("first", 0, 0, Integer.MAX_VALUE);
    this.count = args.integer("count", 1000, 1, 100_000);
    this.concurrency = args.integer("concurrency", 200, 1, 10_000);
    this.connectTimeoutMs = args.integer("connect-timeout-ms", 30_000, 100, 600_000);
    this.eventPrefix = ("42[\"" + args.string("event", "bench") + "\",").getBytes(StandardCharsets.UTF_8);
    String dataField = args.string("data-field", null);
    this.dataKey = dataField == null ? null : ("\"" + dataField + "\":").getBytes(StandardCharsets.UTF_8);
    String secret = args.string("secret", null);
    if (secret == null) {
      throw new IllegalArgumentException("--secret (the servers' HS256 JWT secret) is required");
    }
    this.connectFrames = signConnectFrames(secret, args.string("tenant", "t0"));
    for (int k = 0; k < PHASES; k++) {
      received[k] = new LongAdder();
      latencyMicros[k] = new Recorder(3);
      latencyTotals[k] = new Histogram(3);
    }
    this.locals = localAddresses(args.string("local", "127.0.0.1"));
    int loopCount = args.integer("event-loops", 1, 1, 64);
    // The leak detector samples one buffer in 128 with a stack trace: a cost per read for nothing here.
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(loopCount, new DefaultThreadFactory("load", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.loops = new EventLoop[loopCount];
    int i = 0;
    for (EventExecutor e : group) {
      loops[i++] = (EventLoop) e;
    }
    this.template = new Bootstrap()
        .group(group)
        .channelFactory(epoll ? EpollSocketChannel::new : NioSocketChannel::new)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs);
    System.err.println("load client: " + count + " clients on " + loopCount + " event loop(s), "
        + (epoll ? "epoll" : "NIO (epoll unavailable: " + Epoll.unavailabilityCause() + ")"));
  }

  /** Each connection's {@code 40{"token":"<jwt>"}} as a complete masked frame, signed now. */
  private byte[][] signConnectFrames(String secret, String tenant) {
    byte[][] frames = new byte[count][];
    for (int i = 0; i < count; i++) {
      String token = BenchToken.sign(secret, "u" + (first + i), tenant, Duration.ofDays(1));
      frames[i] = WsClientFrames.textFrame(("40{\"token\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8));
    }
    return frames;
  }

  private static InetSocketAddress[] localAddresses(String list) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String local : list.split(",")) {
      out.add(new InetSocketAddress(local.trim(), 0));
    }
    return out.toArray(InetSocketAddress[]::new);
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv, OPTIONS);
    int maxSeconds = args.integer("max-seconds", 900, 1, 86_400);
    Thread deadline = new Thread(() -> {
      try {
        Thread.sleep(maxSeconds * 1000L);
        System.err.println("load client: --max-seconds " + maxSeconds + " reached, exiting");
        Runtime.getRuntime().halt(4);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "load-deadline");
    deadline.setDaemon(true);
    deadline.start();
    LoadClient client = new LoadClient(args);
    System.out.println("READY " + client.count);
    System.out.flush();
    client.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    Runtime.getRuntime().halt(0);
  }

  private void serve(BufferedReader in) throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      switch (line.trim()) {
        case "CONNECT" -> answer(connectAll());
        case "COUNTS" -> answer(counts());
        case "REPORT" -> answer("REPORT " + new ObjectMapper().writeValueAsString(report()));
        case "QUIT" -> {
          return;
        }
        case "" -> { }
        default -> System.err.println("load client: unknown command '" + line + "'");
      }
    }
  }

  private static void answer(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** Opens every connection, at most {@code concurrency} handshakes at a time; blocks until all settled. */
  private String connectAll() {
    long start = System.nanoTime();
    ConnectRun run = new ConnectRun();
    for (int i = 0; i < Math.min(concurrency, count); i++) {
      run.startNext();
    }
    try {
      run.done.get(connectTimeoutMs + (long) count * 20 + 60_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      System.err.println("load client: connect phase did not finish: " + e);
    }
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    return "CONNECTED " + run.ok.get() + " " + run.failed.get() + " " + elapsedMs;
  }

  private String counts() {
    StringBuilder sb = new StringBuilder("COUNTS ").append(open.get());
    for (LongAdder r : received) {
      sb.append(' ').append(r.sum());
    }
    return sb.toString();
  }

  private Map<String, Object> report() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("open", open.get());
    r.put("pings", pings.sum());
    r.put("closedAfterConnect", closedAfterConnect.sum());
    r.put("errors", errors.sum());
    Map<String, Object> phases = new LinkedHashMap<>();
    for (int k = 0; k < PHASES; k++) {
      synchronized (latencyTotals[k]) {
        latencyTotals[k].add(latencyMicros[k].getIntervalHistogram());
        if (received[k].sum() > 0) {
          phases.put(String.valueOf(k), Map.of("received", received[k].sum(),
              "latencyMicros", HistogramCodec.encode(latencyTotals[k])));
        }
      }
    }
    r.put("phases", phases);
    return r;
  }

  /** The complete masked frame of connection {@code index}'s Socket.IO CONNECT. */
  byte[] connectFrame(int index) {
    return connectFrames[index];
  }

  /** Counts an event of {@code phase} received {@code latencyNanos} after its publication. */
  void record(int phase, long latencyNanos) {
    received[phase].increment();
    latencyMicros[phase].recordValue(Math.max(0, latencyNanos / 1_000));
  }

  /** Counts an error; the first five are logged. */
  void error(String what) {
    errors.increment();
    if (errors.sum() <= 5) {
      System.err.println("load client: " + what);
    }
  }

  /** One CONNECT command: hands out connection indexes and counts outcomes. */
  final class ConnectRun {
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger settled = new AtomicInteger();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    void startNext() {
      int i = next.getAndIncrement();
      if (i < count) {
        EventLoop loop = loops[i % loops.length];
        InetSocketAddress local = locals[i % locals.length];
        loop.execute(() -> new LoadConnection(LoadClient.this, this, i).start(template, loop, remote, local));
      }
    }

    /** Connection {@code index} succeeded or failed ({@code why}); the next one starts. */
    void settled(boolean success, int index, String why) {
      if (!success && failed.get() < 5) {
        System.err.println("load client: u" + (first + index) + " failed: " + why);
      }
      (success ? ok : failed).incrementAndGet();
      if (settled.incrementAndGet() == count) {
        done.complete(null);
      } else {
        startNext();
      }
    }
  }
}
