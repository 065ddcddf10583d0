package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * machine), goes into that phase's histogram in microseconds.
 *
 * <p>Control, one line per command on stdin, one answer line on stdout (logs go to stderr):
 * {@code CONNECT} → {@code CONNECTED <ok> <failed> <elapsedMs>}; {@code COUNTS} →
 * {@code COUNTS <open> <received phase 0> … <phase 7>}; {@code REPORT} → {@code REPORT <json>};
 * {@code QUIT} or end of input → exits. The process also exits by itself after
 * {@code --max-seconds}.
 *
 * <p>Threads: each connection lives on one of {@code --event-loops} Vert.x contexts and its state
 * is touched only there; counters and histogram recorders are thread-safe.
 */
public final class LoadClient {
  static final int PHASES = 8;
  private static final Set<String> OPTIONS = Set.of("url", "path", "first", "count", "local", "secret",
      "tenant", "event", "concurrency", "max-seconds", "event-loops", "connect-timeout-ms");

  private final String host;
  private final int port;
  private final String uri;
  private final int first;
  private final int count;
  private final int concurrency;
  private final int connectTimeoutMs;
  private final String eventPrefix;
  private final String[] connectPackets;
  private final Vertx vertx;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<Context> contexts = new ArrayList<>();

  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder pings = new LongAdder();
  private final LongAdder closedAfterConnect = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder[] received = new LongAdder[PHASES];
  private final Recorder[] latencyMicros = new Recorder[PHASES];
  private final Histogram[] latencyTotals = new Histogram[PHASES];

  private LoadClient(Args args) {
    URI url = URI.create(args.string("url", "ws://127.0.0.1:8080"));
    this.host = url.getHost();
    this.port = url.getPort();
    this.uri = args.string("path", "/socket.io/") + "?EIO=4&transport=websocket";
    this.first = args.integer("first", 0, 0, Integer.MAX_VALUE);
    this.count = args.integer("count", 1000, 1, 100_000);
    this.concurrency = args.integer("concurrency", 200, 1, 10_000);
    this.connectTimeoutMs = args.integer("connect-timeout-ms", 30_000, 100, 600_000);
    this.eventPrefix = "42[\"" + args.string("event", "bench") + "\",";
    String secret = args.string("secret", null);
    if (secret == null) {
      throw new IllegalArgumentException("--secret (the servers' HS256 JWT secret) is required");
    }
    String tenant = args.string("tenant", "t0");
    // Tokens are signed before CONNECT so that signing is not part of the measured connect rate.
    this.connectPackets = new String[count];
    for (int i = 0; i < count; i++) {
      connectPackets[i] = "40{\"token\":\"" + BenchToken.sign(secret, "u" + (first + i), tenant, Duration.ofDays(1)) + "\"}";
    }
    for (int k = 0; k < PHASES; k++) {
      received[k] = new LongAdder();
      latencyMicros[k] = new Recorder(3);
      latencyTotals[k] = new Histogram(3);
    }
    int loops = args.integer("event-loops", 1, 1, 64);
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setWorkerPoolSize(1));
    for (int i = 0; i < loops; i++) {
      contexts.add(vertx.getOrCreateContext());
    }
    for (String local : args.string("local", "127.0.0.1").split(",")) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
          .setLocalAddress(local.trim())
          .setMaxConnections(count + 1_000)
          .setConnectTimeout(connectTimeoutMs)
          .setTcpNoDelay(true)
          .setIdleTimeout(0)));
    }
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

  /** One CONNECT command: hands out connection indexes and counts outcomes. */
  private final class ConnectRun {
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger settled = new AtomicInteger();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    void startNext() {
      int i = next.getAndIncrement();
      if (i < count) {
        contexts.get(i % contexts.size()).runOnContext(v -> new Connection(this, i).open());
      }
    }

    void settled(boolean success) {
      (success ? ok : failed).incrementAndGet();
      if (settled.incrementAndGet() == count) {
        done.complete(null);
      } else {
        startNext();
      }
    }
  }

  /** One Socket.IO client; all of its state is owned by its context's event loop. */
  private final class Connection {
    private final ConnectRun run;
    private final int index;
    private ClientWebSocket ws;
    private boolean settled;
    private boolean connected;
    private long timer = -1;

    Connection(ConnectRun run, int index) {
      this.run = run;
      this.index = index;
    }

    void open() {
      ws = clients.get(index % clients.size()).webSocket();
      ws.textMessageHandler(this::onText);
      ws.closeHandler(v -> onClose());
      ws.exceptionHandler(e -> {
        errors.increment();
        if (errors.sum() <= 5) {
          System.err.println("load client: u" + (first + index) + ": " + e);
        }
      });
      timer = vertx.setTimer(connectTimeoutMs, t -> {
        timer = -1;
        settle(false, "no Socket.IO CONNECT answer within " + connectTimeoutMs + " ms");
        ws.close();
      });
      ws.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI(uri))
          .onFailure(e -> settle(false, "websocket: " + e));
    }

    private void onText(String s) {
      if (s.isEmpty()) {
        return;
      }
      switch (s.charAt(0)) {
        case '0' -> ws.writeTextMessage(connectPackets[index]);           // EIO open → SIO CONNECT with auth
        case '2' -> {                                                     // EIO ping → pong
          ws.writeTextMessage("3");
          pings.increment();
        }
        case '4' -> onSocketIo(s);
        default -> { }                                                    // 1 close, 6 noop
      }
    }

    private void onSocketIo(String s) {
      char type = s.length() > 1 ? s.charAt(1) : ' ';
      if (type == '2') {
        if (s.startsWith(eventPrefix)) {
          onEvent(s);
        }
      } else if (type == '0' && !connected) {
        connected = true;
        open.incrementAndGet();
        settle(true, null);
      } else if (type == '4') {
        settle(false, "CONNECT_ERROR " + s.substring(2));
        ws.close();
      } else if (type == '1' && connected) {
        connected = false;
        open.decrementAndGet();
        closedAfterConnect.increment();
      }
    }

    private void onEvent(String s) {
      long now = System.nanoTime();
      int from = eventPrefix.length();
      long t = longAfter(s, "\"t\":", from);
      long k = longAfter(s, "\"k\":", from);
      if (t < 0 || k < 0 || k >= PHASES) {
        errors.increment();
        return;
      }
      received[(int) k].increment();
      latencyMicros[(int) k].recordValue(Math.max(0, (now - t) / 1_000));
    }

    private void onClose() {
      if (connected) {
        connected = false;
        open.decrementAndGet();
        closedAfterConnect.increment();
      }
      settle(false, "closed before the Socket.IO CONNECT answer");
    }

    private void settle(boolean success, String why) {
      if (settled) {
        return;
      }
      settled = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      if (!success && run.failed.get() < 5) {
        System.err.println("load client: u" + (first + index) + " failed: " + why);
      }
      run.settled(success);
    }
  }

  /** The non-negative integer that follows {@code key} in {@code s}, or -1. */
  static long longAfter(String s, String key, int from) {
    int i = s.indexOf(key, from);
    if (i < 0) {
      return -1;
    }
    i += key.length();
    long v = 0;
    int digits = 0;
    for (; i < s.length(); i++, digits++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      v = v * 10 + (c - '0');
    }
    return digits == 0 ? -1 : v;
  }
}
