package dev.herald.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;

/**
 * Publishes at a fixed rate, one request per publish, over keep-alive connections with at most
 * {@code maxInFlight} requests outstanding: a publish that finds them all busy is skipped and
 * counted, so a slow server cannot make the rate drift. Two kinds: {@link #events} posts bench
 * events to {@code POST /api/events} (answered 202), {@link #notifications} posts durable
 * notifications to {@code POST /api/notifications} (answered 201 after the commit). Either carries
 * {@code {"t": System.nanoTime() when the request is made, "k": phase}} as its data.
 *
 * <p>Threads: a run lives on one Vert.x event loop (native epoll when it loads, as the load
 * clients'); its counters are owned by that loop.
 */
final class Publisher implements AutoCloseable {
  /** What one run did; {@code postMicros} is the request round trip (publish → 202 or 201). */
  record Result(long scheduled, long sent, long accepted, long failed, long skipped, double seconds,
                Histogram postMicros, String firstError) {}

  /**
   * Told of every accepted publish, on the publisher's event loop: when the request was made, when
   * its answer arrived ({@code System.nanoTime()} both) and the answer's body.
   */
  @FunctionalInterface
  interface Answers {
    Answers NONE = (sentNanos, answeredNanos, body) -> {};

    void accepted(long sentNanos, long answeredNanos, io.vertx.core.buffer.Buffer body);
  }

  /** The request body of publish number {@code seq} of {@code phase}, made at {@code nanoTime}. */
  @FunctionalInterface
  interface Body {
    String of(long seq, long nanoTime, int phase);
  }

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setPreferNativeTransport(true));
  private final HttpClient client;
  private final String host;
  private final int port;
  private final String authorization;
  private final String uri;
  private final int okStatus;
  private final int maxInFlight;

  private Publisher(String host, int port, String apiKey, String uri, int okStatus, int maxInFlight) {
    this.host = host;
    this.port = port;
    this.authorization = "Bearer " + apiKey;
    this.uri = uri;
    this.okStatus = okStatus;
    this.maxInFlight = maxInFlight;
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(5_000),
        new PoolOptions().setHttp1MaxSize(maxInFlight));
  }

  /** Publishes through {@code POST /api/events}, expecting 202. */
  static Publisher events(String host, int port, String apiKey, int maxInFlight) {
    return new Publisher(host, port, apiKey, "/api/events", 202, maxInFlight);
  }

  /** Publishes through {@code POST /api/notifications}, expecting 201. */
  static Publisher notifications(String host, int port, String apiKey, int maxInFlight) {
    return new Publisher(host, port, apiKey, "/api/notifications", 201, maxInFlight);
  }

  /** One event {@code event} with data {@code {"t","k"}} to the room {@code roomOf(seq)}. */
  static Body event(String event, LongFunction<String> roomOf) {
    return (seq, t, phase) -> "{\"room\":\"" + roomOf.apply(seq) + "\",\"event\":\"" + event
        + "\",\"data\":{\"t\":" + t + ",\"k\":" + phase + "}}";
  }

  /**
   * One notification of {@code type}, title "b", data {@code {"t","k"}}, to the one user
   * {@code recipientOf(seq)}; with {@code templated}, rendered from the template named {@code type}.
   */
  static Body notification(String type, LongFunction<String> recipientOf, boolean templated) {
    String template = templated ? ",\"template\":\"" + type + "\"" : "";
    return (seq, t, phase) -> "{\"type\":\"" + type + "\",\"recipients\":[\"" + recipientOf.apply(seq)
        + "\"],\"title\":\"b\"" + template + ",\"data\":{\"t\":" + t + ",\"k\":" + phase + "}}";
  }

  /**
   * One notification of {@code type} to the one user {@code recipientOf(seq)}, sent through
   * {@code channel} beside in-app ({@code "deliverVia":[channel]}), data {@code {"t","k"}}.
   */
  static Body deliveredVia(String channel, String type, LongFunction<String> recipientOf) {
    return (seq, t, phase) -> "{\"type\":\"" + type + "\",\"recipients\":[\"" + recipientOf.apply(seq)
        + "\"],\"title\":\"b\",\"message\":\"bench\",\"deliverVia\":[\"" + channel + "\"],\"data\":{\"t\":" + t
        + ",\"k\":" + phase + "}}";
  }

  /** Publishes {@code rate × duration} requests made by {@code body}; blocks until every answer is in. */
  Result run(int phase, double rate, Duration duration, Body body) throws Exception {
    return run(phase, rate, duration, body, Answers.NONE);
  }

  /** The same, telling {@code answers} of each accepted publish (the created ids are in its body). */
  Result run(int phase, double rate, Duration duration, Body body, Answers answers) throws Exception {
    long total = Math.max(1, Math.round(rate * duration.toMillis() / 1000.0));
    CompletableFuture<Result> done = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> new Run(phase, rate, total, body, answers, done).start());
    return done.get(duration.toMillis() + 120_000, TimeUnit.MILLISECONDS);
  }

  private final class Run {
    private final int phase;
    private final double rate;
    private final long total;
    private final Body body;
    private final Answers answers;
    private final CompletableFuture<Result> done;
    private final Histogram postMicros = new Histogram(3);
    private long start;
    private long lastIssue;
    private long timer = -1;
    private long issued;
    private long inFlight;
    private long accepted;
    private long failed;
    private long skipped;
    private String firstError;

    Run(int phase, double rate, long total, Body body, Answers answers, CompletableFuture<Result> done) {
      this.phase = phase;
      this.rate = rate;
      this.total = total;
      this.body = body;
      this.answers = answers;
      this.done = done;
    }

    void start() {
      start = System.nanoTime();
      tick();
      if (issued < total) {
        timer = vertx.setPeriodic(1, t -> tick());
      }
    }

    private void tick() {
      double elapsed = (System.nanoTime() - start) / 1e9;
      long due = Math.min(total, (long) (elapsed * rate) + 1);
      while (issued < due) {
        long seq = issued++;
        if (inFlight >= maxInFlight) {
          skipped++;
        } else {
          send(seq);
        }
      }
      if (issued == total && lastIssue == 0) {
        if (timer >= 0) {
          vertx.cancelTimer(timer);
        }
        lastIssue = System.nanoTime();
        finishIfDone();
      }
    }

    private void send(long seq) {
      inFlight++;
      long t = System.nanoTime();
      String json = body.of(seq, t, phase);
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
          .setURI(uri).putHeader("authorization", authorization)
          .putHeader("content-type", "application/json");
      client.request(options)
          .compose(req -> req.send(json))
          .compose(resp -> resp.body().map(b -> {
            if (resp.statusCode() != okStatus) {
              return resp.statusCode() + " " + b;
            }
            answers.accepted(t, System.nanoTime(), b);
            return null;
          }))
          .onComplete(ar -> {
            inFlight--;
            postMicros.recordValue(Math.max(0, (System.nanoTime() - t) / 1_000));
            String error = ar.succeeded() ? ar.result() : ar.cause().toString();
            if (error == null) {
              accepted++;
            } else {
              failed++;
              if (firstError == null) {
                firstError = error;
              }
            }
            finishIfDone();
          });
    }

    private void finishIfDone() {
      if (issued == total && inFlight == 0 && !done.isDone()) {
        // n publishes at rate r cover n / r seconds: the time to the last one plus one interval.
        double seconds = (lastIssue - start) / 1e9 + 1 / rate;
        done.complete(new Result(total, total - skipped, accepted, failed, skipped, seconds, postMicros, firstError));
      }
    }
  }

  @Override
  public void close() {
    vertx.close();
  }
}
