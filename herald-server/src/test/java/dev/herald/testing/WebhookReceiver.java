package dev.herald.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver for fault tests: the JDK's HTTP server on 127.0.0.1, answering every POST
 * with {@link #status} after a random delay between {@link #minDelayMs} and {@link #maxDelayMs}, or
 * never ({@link #hang}) until {@link #stop}. It counts requests per {@code webhook-id} and how many
 * of one id were in flight at once, and can be stopped (connection refused) and started again on
 * the same port, keeping its counts.
 *
 * <p>Threads: {@link #start}/{@link #stop} from the test; requests on virtual threads; the settings
 * are volatile and the counts thread-safe.
 */
public final class WebhookReceiver implements AutoCloseable {
  public volatile int status = 204;
  public volatile int minDelayMs;
  public volatile int maxDelayMs;
  public volatile boolean hang;

  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  /** webhook-ids that were received again while an earlier request of theirs was still in flight. */
  private final Set<String> overlapping = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final int port;
  /** Guarded by this. */
  private HttpServer server;
  /** Guarded by this; counted down by {@link #stop}: hanging requests end with the server. */
  private CountDownLatch stopped;
  private ExecutorService executor;

  private WebhookReceiver(int port) {
    this.port = port;
  }

  /** A receiver listening on a free port. */
  public static WebhookReceiver listening() throws IOException {
    WebhookReceiver r = notListening();
    r.start();
    return r;
  }

  /** A receiver that owns a free port but does not listen yet (connections are refused). */
  public static WebhookReceiver notListening() throws IOException {
    int free;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      free = s.getLocalPort();
    }
    return new WebhookReceiver(free);
  }

  /** Listens (again) on this receiver's port. */
  public synchronized void start() throws IOException {
    if (server != null) {
      return;
    }
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 200);
    executor = Executors.newVirtualThreadPerTaskExecutor();
    s.setExecutor(executor);
    CountDownLatch end = new CountDownLatch(1);
    s.createContext("/", exchange -> handle(exchange, end));
    s.start();
    stopped = end;
    server = s;
  }

  /** Stops listening: connections are refused; hanging requests are dropped. */
  public synchronized void stop() {
    if (server != null) {
      stopped.countDown();
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Requests received, duplicates included. */
  public int requests() {
    return requests.get();
  }

  /** Requests being answered (or held) right now. */
  public int open() {
    return open.get();
  }

  /** Distinct webhook-ids received. */
  public Set<String> ids() {
    return Set.copyOf(received.keySet());
  }

  /** Requests beyond the first of each webhook-id. */
  public int duplicates() {
    return requests.get() - received.size();
  }

  /** webhook-ids of which two requests were in flight at once. */
  public Set<String> overlapping() {
    return Set.copyOf(overlapping);
  }

  private void handle(HttpExchange exchange, CountDownLatch end) throws IOException {
    String id = exchange.getRequestHeaders().getFirst("webhook-id");
    String key = id == null ? "(none)" : id;
    exchange.getRequestBody().readAllBytes();
    requests.incrementAndGet();
    open.incrementAndGet();
    received.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    if (inFlight.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
      overlapping.add(key);
    }
    try {
      if (hang) {
        end.await();
        return;
      }
      int min = minDelayMs;
      int max = maxDelayMs;
      if (max > 0) {
        // the receiver's own work, not synchronisation: a random delay spreads the answers
        Thread.sleep(ThreadLocalRandom.current().nextInt(min, max + 1));
      }
      int answer = status;
      exchange.sendResponseHeaders(answer, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException senderGone) {
      // the sender died or gave up: nothing to answer
    } finally {
      inFlight.get(key).decrementAndGet();
      open.decrementAndGet();
      exchange.close();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
