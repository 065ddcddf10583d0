package dev.herald.conformance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The JavaScript runtime the official suites run in (Node.js with node-fetch and the {@code ws}
 * package, under mocha), reduced to what they use, so that a port takes the same steps with the
 * same outcomes. One thread, the test's, runs the test between {@code await}s. Whatever happens
 * meanwhile (a response, a WebSocket event, a timer) becomes a task in one queue, in arrival
 * order, and tasks run only while the test awaits, one at a time, with the listeners registered
 * at that moment: an event nobody listens for is lost, as with {@code addEventListener}. A promise
 * is a {@link CompletableFuture} completed by such a task, so what depends on it runs before the
 * next task, like a microtask.
 *
 * <p>Mocha's timeout bounds the whole test ({@link #await} fails once it has passed), and an
 * {@code error} event without a listener fails it, as the uncaught exception Node raises for it
 * does.
 *
 * <p>Threads: {@link #await}, {@link #fetch}, {@link #sleep} and the sockets' methods on the test
 * thread only; the HTTP client's and the timer's threads only {@link #post} tasks.
 */
final class SuiteRuntime implements AutoCloseable {
  /** A node-fetch response whose body was read: {@code response.status}, {@code await response.text()}. */
  record Response(int status, String text) {}

  /**
   * A failure mocha reports on its own (the test's timeout, an uncaught error), which no
   * {@code try/catch} in a test catches: ports rethrow it from their catch blocks.
   */
  static final class MochaFailure extends AssertionError {
    MochaFailure(String message) {
      super(message);
    }
  }

  private final HttpClient http;
  private final long deadlineNanos;
  private final Duration timeout;
  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "suite-timers");
    t.setDaemon(true);
    return t;
  });
  /** Test thread only. */
  private final List<SuiteWebSocket> sockets = new ArrayList<>();

  /** {@code timeout}: the test's mocha timeout (2 s by default, {@code this.timeout(5000)} in "heartbeat"). */
  SuiteRuntime(HttpClient http, Duration timeout) {
    this.http = http;
    this.timeout = timeout;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
  }

  /** Queues a task from any thread. */
  void post(Runnable task) {
    tasks.add(task);
  }

  /**
   * {@code await promise}: runs queued tasks until the promise settles, then returns its value or
   * throws what rejected it (unwrapped). Fails when the mocha timeout passes first.
   */
  <T> T await(CompletableFuture<T> promise) {
    while (!promise.isDone()) {
      long left = deadlineNanos - System.nanoTime();
      Runnable task;
      try {
        task = left <= 0 ? null : tasks.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (task == null) {
        throw new MochaFailure("Timeout of " + timeout.toMillis() + "ms exceeded (mocha's timeout for this test)");
      }
      task.run();
    }
    try {
      return promise.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("rejected: " + e.getCause(), e.getCause());
    }
  }

  /** {@code Promise.all(promises)}: every value in order, or the first rejection. */
  @SafeVarargs
  final <T> CompletableFuture<List<T>> all(CompletableFuture<T>... promises) {
    CompletableFuture<List<T>> all = new CompletableFuture<>();
    for (CompletableFuture<T> p : promises) {
      p.whenComplete((v, failure) -> {
        if (failure != null) {
          all.completeExceptionally(failure);
        } else if (java.util.Arrays.stream(promises).allMatch(f -> f.isDone() && !f.isCompletedExceptionally())) {
          all.complete(java.util.Arrays.stream(promises).map(CompletableFuture::join).toList());
        }
      });
    }
    return all;
  }

  /** The suites' {@code sleep(delay)}: a promise a timer resolves after {@code millis}. */
  CompletableFuture<Void> sleep(long millis) {
    CompletableFuture<Void> promise = new CompletableFuture<>();
    timers.schedule(() -> post(() -> promise.complete(null)), millis, TimeUnit.MILLISECONDS);
    return promise;
  }

  /** {@code fetch(url)}. */
  CompletableFuture<Response> fetch(String url) {
    return fetch(url, "GET", null);
  }

  /**
   * {@code fetch(url, {method, body})}: settles when the whole answer is in; rejected when the
   * request fails (node-fetch "throws when the request is closed abnormally"). A null {@code body}
   * sends none (Content-Length 0 for POST and PUT, as node-fetch).
   */
  CompletableFuture<Response> fetch(String url, String method, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
        .method(method.toUpperCase(java.util.Locale.ROOT), body == null
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    CompletableFuture<Response> promise = new CompletableFuture<>();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, failure) -> post(() -> {
      if (failure != null) {
        promise.completeExceptionally(failure instanceof CompletionException c ? c.getCause() : failure);
      } else {
        promise.complete(new Response(r.statusCode(), r.body()));
      }
    }));
    return promise;
  }

  /** {@code new WebSocket(url)}: starts the opening handshake and returns at once. */
  SuiteWebSocket webSocket(String url) {
    SuiteWebSocket socket = SuiteWebSocket.connect(this, http, URI.create(url));
    sockets.add(socket);
    return socket;
  }

  /** Drops every socket the test left open and discards what is still queued. */
  @Override
  public void close() {
    sockets.forEach(SuiteWebSocket::abort);
    timers.shutdownNow();
    tasks.clear();
  }
}
