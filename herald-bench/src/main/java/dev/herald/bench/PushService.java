package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Web Push service (RFC 8030) for the delivery scenario's push stream: subscriptions at
 * {@code http://127.0.0.1:<port>/push/<id>}, each with a key pair and auth secret made here
 * ({@link #subscribe}). Every {@code POST} is answered 201 as soon as its body is in, and recorded
 * in {@link Receipts} under the notification id of its {@code Topic} header (Herald sends the id's
 * 32 hex digits); a message without a readable topic counts as one without an id, one to a path
 * that names no subscription is counted apart.
 *
 * <p>A sample of the messages, the first {@value #SAMPLE_FIRST} and then one in
 * {@value #SAMPLE_EVERY}, is checked as a real push service and browser would
 * ({@link PushMessageCheck}): {@code Content-Encoding: aes128gcm}, a {@code TTL}, the VAPID header
 * for this origin and the key Herald publishes, and the body decrypted with the subscription's keys
 * to a payload whose {@code data.notificationId} is the topic's id. Checks never delay the answer:
 * they run after it, in arrival order.
 *
 * <p>Threads: requests are handled on the event loop of the given {@link Vertx}, which alone owns
 * {@link #seen}; the checks run on one platform thread of this service's own
 * ({@code push-service-checks}). The subscriptions are made by the orchestrator before any message
 * arrives and read by both; they, the counters and the failures kept are thread-safe.
 */
final class PushService implements AutoCloseable {
  static final int SAMPLE_FIRST = 50;
  static final int SAMPLE_EVERY = 1_000;
  private static final String PATH = "/push/";
  private static final int FAILURES_KEPT = 5;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Sample checks so far: messages sampled, and of those checked, how many passed and failed. */
  record Checks(long sampled, long passed, long failed) {
    long pending() {
      return sampled - passed - failed;
    }

    Checks minus(Checks earlier) {
      return new Checks(sampled - earlier.sampled, passed - earlier.passed, failed - earlier.failed);
    }

    /** "51 sampled, 51 passed, 0 failed", and how many are not done when some are not. */
    String words() {
      return sampled + " sampled, " + passed + " passed, " + failed + " failed"
          + (pending() > 0 ? ", " + pending() + " not done" : "");
    }
  }

  /**
   * Everything the service saw: messages, distinct notification ids, repeats of an id, messages
   * without a readable {@code Topic}, messages to a path naming no subscription, the sample checks
   * and the first failures' reasons.
   */
  record Totals(long messages, long distinct, long duplicates, long withoutTopic, long unknownSubscription,
                Checks checks, List<String> failures) {}

  /** What one sampled message's check needs, copied off the event loop's request. */
  private record Sample(String path, PushMessageCheck.Subscriber to, String authorization, String contentEncoding,
                        String ttl, UUID topic, byte[] body) {}

  private final HttpServer server;
  private final Receipts receipts = new Receipts();
  private final Map<Integer, PushMessageCheck.Subscriber> subscribers = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final ExecutorService checker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "push-service-checks");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong unknownSubscription = new AtomicLong();
  private final AtomicLong sampled = new AtomicLong();
  private final AtomicLong passed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<String> failures = new ArrayList<>(); // guarded by itself
  /** The VAPID public key subscriptions were made with (null: {@code k} is not compared). */
  private volatile byte[] serverKey;
  /** Messages received so far, owned by the event loop: picks the sample. */
  private long seen;

  private PushService(HttpServer server) {
    this.server = server;
  }

  /** Listens on 127.0.0.1, on a free port. */
  static PushService start(Vertx vertx) throws Exception {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
    PushService service = new PushService(server);
    server.requestHandler(service::handle);
    server.listen().toCompletionStage().toCompletableFuture().get();
    return service;
  }

  /**
   * A new subscription {@code id} with a fresh P-256 key pair and auth secret, as a browser's
   * {@code pushManager.subscribe()} would make; its endpoint is {@link #endpoint}.
   */
  PushMessageCheck.Subscriber subscribe(int id) {
    PushMessageCheck.Subscriber s = PushMessageCheck.Subscriber.generate(random);
    subscribers.put(id, s);
    return s;
  }

  /** The push resource of subscription {@code id}, to register with {@code POST /api/push/subscriptions}. */
  String endpoint(int id) {
    return origin() + PATH + id;
  }

  /** The VAPID public key (base64url) the subscriptions were made with: {@code k} must be it. */
  void expectServerKey(String base64url) {
    serverKey = java.util.Base64.getUrlDecoder().decode(base64url);
  }

  /** RFC 8292 §2: a token's {@code aud} is the origin of the push resource. */
  String origin() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  Receipts receipts() {
    return receipts;
  }

  /** The sample checks so far, those still queued counted as sampled only. */
  Checks checks() {
    return new Checks(sampled.get(), passed.get(), failed.get());
  }

  /**
   * The sample checks once every message sampled until now has been checked (or {@code wait}
   * passed: those left are pending).
   */
  Checks awaitChecks(Duration wait) throws InterruptedException {
    try {
      // one thread, in order: when this runs, everything submitted before it has
      checker.submit(() -> {}).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // reported as pending
    }
    return checks();
  }

  Totals totals() {
    List<String> firstFailures;
    synchronized (failures) {
      firstFailures = List.copyOf(failures);
    }
    return new Totals(receipts.messages(), receipts.distinct(), receipts.duplicates(), receipts.withoutId(),
        unknownSubscription.get(), checks(), firstFailures);
  }

  private void handle(HttpServerRequest req) {
    if (req.method() != HttpMethod.POST) {
      req.response().setStatusCode(405).end();
      return;
    }
    req.body().onComplete(ar -> {
      if (ar.failed()) {
        req.response().setStatusCode(400).end();
        return;
      }
      long now = System.nanoTime();
      UUID topic = topicId(req.getHeader("topic"));
      receipts.record(topic, now);
      PushMessageCheck.Subscriber to = subscriber(req.path());
      if (to == null) {
        unknownSubscription.incrementAndGet();
      }
      if (seen < SAMPLE_FIRST || seen % SAMPLE_EVERY == 0) {
        Sample s = new Sample(req.path(), to, req.getHeader("authorization"), req.getHeader("content-encoding"),
            req.getHeader("ttl"), topic, ar.result().getBytes());
        sampled.incrementAndGet();
        checker.execute(() -> check(s));
      }
      seen++;
      req.response().setStatusCode(201).end();
    });
  }

  private PushMessageCheck.Subscriber subscriber(String path) {
    if (path == null || !path.startsWith(PATH)) {
      return null;
    }
    try {
      return subscribers.get(Integer.parseInt(path.substring(PATH.length())));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** On the checker's thread: one sampled message, as a push service and then the browser would take it. */
  private void check(Sample s) {
    try {
      if (s.to() == null) {
        throw new PushMessageCheck.Failed("no subscription at " + s.path());
      }
      if (!"aes128gcm".equalsIgnoreCase(s.contentEncoding())) {
        throw new PushMessageCheck.Failed("Content-Encoding " + s.contentEncoding() + ", not aes128gcm");
      }
      if (s.ttl() == null || !s.ttl().matches("[0-9]{1,10}")) {
        throw new PushMessageCheck.Failed("TTL " + s.ttl() + ", not a number of seconds (RFC 8030 §5.2)");
      }
      if (s.topic() == null) {
        throw new PushMessageCheck.Failed("no Topic of a notification id");
      }
      PushMessageCheck.vapid(s.authorization(), origin(), serverKey, Instant.now());
      byte[] plaintext = PushMessageCheck.decrypt(s.body(), s.to());
      JsonNode payload;
      try {
        payload = JSON.readTree(plaintext);
      } catch (IOException e) {
        throw new PushMessageCheck.Failed("the decrypted payload is not JSON");
      }
      String id = payload == null ? null : payload.path("data").path("notificationId").asText(null);
      if (!s.topic().toString().equals(id)) {
        throw new PushMessageCheck.Failed("data.notificationId " + id + " is not the topic's " + s.topic());
      }
      passed.incrementAndGet();
    } catch (PushMessageCheck.Failed | RuntimeException e) {
      failed.incrementAndGet();
      synchronized (failures) {
        if (failures.size() < FAILURES_KEPT) {
          failures.add(s.path() + ": " + (e instanceof PushMessageCheck.Failed ? e.getMessage() : e.toString()));
        }
      }
    }
  }

  /** The notification id of a {@code Topic} of 32 hex digits (a UUID without its dashes); null otherwise. */
  static UUID topicId(String topic) {
    if (topic == null || topic.length() != 32 || !topic.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return null;
    }
    try {
      return new UUID(Long.parseUnsignedLong(topic.substring(0, 16), 16), Long.parseUnsignedLong(topic.substring(16), 16));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void close() {
    server.close();
    checker.shutdownNow();
  }
}
