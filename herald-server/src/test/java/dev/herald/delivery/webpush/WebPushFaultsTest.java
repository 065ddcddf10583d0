package dev.herald.delivery.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.config.P256Keys;
import dev.herald.testing.TestHerald;
import dev.herald.testing.WebhookReceiver;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, Web Push "Bad input and faults", against push services on 127.0.0.1 that answer what a
 * test scripts ({@link PushService}; decryption is {@link WebPushEndToEndTest}'s, these check that
 * each request is {@code aes128gcm} with a VAPID header of the node's key): a push service that
 * hangs delays neither email, webhooks nor another push service; 429 is retried no sooner than its
 * {@code Retry-After}; 5xx is retried; 413 is sent again without the body, and fails (keeping the
 * subscription) when that is refused too; 404 and 410
 * remove it. (Another user's subscription is not found: {@code PushApiTest}.)
 */
class WebPushFaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** The node of the answer tests; each test has its own push service (its own gate) and user. */
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass(Map.of("HERALD_ALLOW_PRIVATE_TARGETS", "true",
      "HERALD_DELIVERY_RETRY_DELAYS", "100ms,200ms"));

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    // the services first: hanging requests end, so a node of the test's own closes at once
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private PushService service() throws IOException {
    PushService s = new PushService();
    closing.add(0, s);
    return s;
  }

  /** A browser's subscription of {@code user} at {@code service}: a fresh P-256 key and auth secret. */
  private static String subscribe(TestHerald node, String user, PushService service) throws Exception {
    String key = P256Keys.base64url(P256Keys.raw((ECPublicKey) P256Keys.generate().getPublic()));
    byte[] auth = new byte[16];
    new SecureRandom().nextBytes(auth);
    HttpResponse<String> r = node.call("POST", "/api/push/subscriptions", TestHerald.token(user, "acme"),
        "{\"endpoint\":\"" + service.url() + "/push/" + UUID.randomUUID() + "\",\"expirationTime\":null,"
            + "\"keys\":{\"p256dh\":\"" + key + "\",\"auth\":\"" + P256Keys.base64url(auth) + "\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("id").asText();
  }

  private static List<String> subscriptions(String user) throws Exception {
    HttpResponse<String> r = herald.call("GET", "/api/push/subscriptions", TestHerald.token(user, "acme"), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    JSON.readTree(r.body()).get("subscriptions").forEach(s -> ids.add(s.get("id").asText()));
    return ids;
  }

  /** A push-only notification to {@code user}: the id of its push job. */
  private static String pushJob(String user) throws Exception {
    HttpResponse<String> r = herald.post("/api/notifications", TestHerald.ACME_KEY, "{\"type\":\"push.faults\","
        + "\"recipients\":[\"" + user + "\"],\"title\":\"Faults\",\"message\":\"What went wrong, at length\","
        + "\"deliverVia\":[\"push\"]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String notification = JSON.readTree(r.body()).at("/ids/0").asText();
    JsonNode jobs = JSON.readTree(herald.call("GET", "/api/deliveries?channel=push&notificationId=" + notification,
        TestHerald.ACME_KEY, null).body()).get("deliveries");
    assertThat(jobs).hasSize(1);
    return jobs.get(0).get("id").asText();
  }

  /** {@code GET /api/deliveries/{id}} once the job has reached {@code status}. */
  private static JsonNode ended(String id, String status) throws Exception {
    return await().atMost(WAIT).until(() -> JSON.readTree(herald.call("GET", "/api/deliveries/" + id,
        TestHerald.ACME_KEY, null).body()), job -> job.path("status").asText().equals(status));
  }

  private static long count(TestHerald node, String where, Object... params) {
    return (Long) node.queryDatabase("select count(*) from delivery_job where " + where, params);
  }

  /** Every request the service got was encrypted aes128gcm and authorised by VAPID with the node's key. */
  private static void assertWellFormed(TestHerald node, PushService service) throws Exception {
    String key = JSON.readTree(node.call("GET", "/api/push/vapid-public-key", TestHerald.token("any", "acme"), null)
        .body()).get("publicKey").asText();
    assertThat(service.requests).isNotEmpty().allSatisfy(r -> {
      assertThat(r.encoding()).isEqualTo("aes128gcm");
      assertThat(r.vapidKey()).as("Authorization: vapid t=<jwt>, k=<key>").isEqualTo(key);
      assertThat(r.bodyBytes()).isPositive();
    });
  }

  @Test
  void aHangingPushServiceDelaysNeitherEmailNorWebhooksNorAnotherPushService() throws Exception {
    int smtpPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      smtpPort = s.getLocalPort();
    }
    GreenMail greenMail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    greenMail.start();
    closing.add(greenMail::stop);
    // the push timeout is the webhooks' (HERALD_WEBHOOK_TIMEOUT_MS): long beside an email or a webhook
    TestHerald node = TestHerald.start(Map.of("HERALD_ALLOW_PRIVATE_TARGETS", "true",
        "HERALD_SMTP_URL", "smtp://127.0.0.1:" + smtpPort, "HERALD_WEBHOOK_TIMEOUT_MS", "10000"));
    closing.add(node);
    PushService hanging = service();
    hanging.hang = true;
    PushService healthy = service();
    WebhookReceiver hooks = WebhookReceiver.listening();
    closing.add(0, hooks);
    HttpResponse<String> endpoint = node.post("/api/webhooks", TestHerald.ACME_KEY,
        "{\"url\":\"" + hooks.url("/hooks") + "\"}");
    assertThat(endpoint.statusCode()).as(endpoint.body()).isEqualTo(201);
    String endpointId = JSON.readTree(endpoint.body()).get("id").asText();
    List<String> users = List.of("hang-a", "hang-b0", "hang-b1", "hang-b2", "hang-b3", "hang-b4");
    for (int i = 0; i < 3; i++) {
      subscribe(node, "hang-a", hanging); // user A: three browsers, all behind the hanging service
    }
    for (String other : users.subList(1, users.size())) {
      subscribe(node, other, healthy);
    }

    String recipients = String.join(",", users.stream()
        .map(u -> "{\"id\":\"" + u + "\",\"email\":\"" + u + "@example.org\"}").toList());
    HttpResponse<String> created = node.post("/api/notifications", TestHerald.ACME_KEY, "{\"type\":\"faults\","
        + "\"title\":\"Faults\",\"recipients\":[" + recipients + "],\"deliverVia\":[\"push\",\"email\",\"webhook\"]}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    // every email, webhook and other push arrives while the hanging service holds A's three pushes
    // (the first delivery of each notification adds a notification.delivered event: counted apart)
    await().atMost(WAIT).until(() -> count(node, "delivery_channel = 'email' and state = 'delivered'") == 6
        && count(node, "endpoint_id = ?::uuid and event = 'notification.created' and state = 'delivered'",
            endpointId) == 6
        && count(node, "delivery_channel = 'push' and recipient <> 'hang-a' and state = 'delivered'") == 5
        && hanging.held.get() == 3);
    // and not one of A's push attempts has ended yet: nothing waited for them
    assertThat(count(node, "delivery_channel = 'push' and recipient = 'hang-a'")).isEqualTo(3);
    assertThat((Long) node.queryDatabase("select count(*) from delivery_log l join delivery_job j on j.id = l.job_id "
        + "where j.delivery_channel = 'push' and j.recipient = 'hang-a'")).isZero();
    List<String> mailedTo = new ArrayList<>();
    for (MimeMessage m : greenMail.getReceivedMessages()) {
      mailedTo.add(m.getAllRecipients()[0].toString());
    }
    assertThat(mailedTo).containsExactlyInAnyOrderElementsOf(users.stream().map(u -> u + "@example.org").toList());
    assertThat(healthy.requests).hasSize(5);

    // A's pushes end at the push timeout, as retries; none was delivered
    await().atMost(WAIT).until(() -> (Long) node.queryDatabase("select count(distinct l.job_id) from delivery_log l "
        + "join delivery_job j on j.id = l.job_id where j.recipient = 'hang-a' and j.delivery_channel = 'push' "
        + "and l.status = 'retrying' and l.error = 'no answer within 10000 ms'") == 3);
    assertThat(count(node, "delivery_channel = 'push' and recipient = 'hang-a' and state = 'delivered'")).isZero();
    assertWellFormed(node, hanging);
    assertWellFormed(node, healthy);
  }

  @Test
  void a429IsRetriedNoSoonerThanItsRetryAfterAndThenDelivered() throws Exception {
    PushService service = service();
    service.answers.add(new Answer(429, "1"));
    subscribe(herald, "push-429", service);

    String id = pushJob("push-429");
    JsonNode job = ended(id, "delivered");

    assertThat(job.get("attemptCount").asInt()).isEqualTo(2);
    assertThat(job.get("attempts")).extracting(a -> a.get("status").asText()).containsExactly("retrying", "delivered");
    assertThat(job.at("/attempts/0/error").asText()).startsWith("HTTP 429");
    assertThat(service.requests).hasSize(2);
    // the retry was set for a second after the 429 was answered, and the second attempt began no sooner
    // (the node's clock, PostgreSQL's and the service's are this machine's)
    Instant answered429 = service.requests.get(0).answered().truncatedTo(ChronoUnit.MICROS);
    Instant retryAt = ((Timestamp) herald.queryDatabase("select run_at from delivery_job where id = ?::uuid", id))
        .toInstant();
    Instant deliveredLogged = ((Timestamp) herald.queryDatabase("select created_at from delivery_log "
        + "where job_id = ?::uuid and status = 'delivered'", id)).toInstant();
    assertThat(retryAt).isAfterOrEqualTo(answered429.plusSeconds(1));
    assertThat(service.requests.get(1).received()).isAfterOrEqualTo(retryAt);
    assertThat(deliveredLogged).isAfterOrEqualTo(retryAt);
    assertWellFormed(herald, service);
  }

  @Test
  void a500IsRetriedAndThenDelivered() throws Exception {
    PushService service = service();
    service.answers.add(new Answer(500, null));
    subscribe(herald, "push-500", service);

    JsonNode job = ended(pushJob("push-500"), "delivered");

    assertThat(job.get("attempts")).extracting(a -> a.get("status").asText()).containsExactly("retrying", "delivered");
    assertThat(job.at("/attempts/0/error").asText()).startsWith("HTTP 500");
    assertThat(service.requests).extracting(Request::status).containsExactly(500, 201);
    assertWellFormed(herald, service);
  }

  @Test
  void a413IsAnsweredByTheSamePushWithoutItsBodyAndFailsWhenThatIsRefusedToo() throws Exception {
    PushService service = service();
    service.answers.add(new Answer(413, null));
    subscribe(herald, "push-413", service);

    JsonNode job = ended(pushJob("push-413"), "delivered");

    // one attempt of two requests: the whole payload, then one without its body
    assertThat(job.get("attempts")).extracting(a -> a.get("status").asText()).containsExactly("delivered");
    assertThat(service.requests).extracting(Request::status).containsExactly(413, 201);
    assertThat(service.requests.get(1).bodyBytes()).isLessThan(service.requests.get(0).bodyBytes());
    assertWellFormed(herald, service);

    PushService strict = service();
    strict.answers.add(new Answer(413, null));
    strict.answers.add(new Answer(413, null));
    String subscription = subscribe(herald, "push-413-again", strict);
    JsonNode failed = ended(pushJob("push-413-again"), "failed");
    assertThat(failed.get("reason").asText()).isEqualTo("rejected");
    assertThat(failed.get("lastError").asText()).startsWith("HTTP 413");
    assertThat(strict.requests).hasSize(2);
    assertThat(subscriptions("push-413-again")).containsExactly(subscription);
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {404, 410})
  void aSubscriptionThePushServiceDoesNotKnowIsRemovedAndTheJobSkipped(int status) throws Exception {
    PushService service = service();
    service.answers.add(new Answer(status, null));
    String user = "push-" + status;
    String gone = subscribe(herald, user, service);
    assertThat(subscriptions(user)).containsExactly(gone);

    JsonNode job = ended(pushJob(user), "skipped");

    assertThat(job.get("reason").asText()).isEqualTo("subscription-gone");
    assertThat(service.requests).hasSize(1);
    await().atMost(WAIT).until(() -> subscriptions(user), List::isEmpty);
    assertThat(herald.queryDatabase("select count(*) from push_subscription where id = ?::uuid", gone)).isEqualTo(0L);
    assertWellFormed(herald, service);
  }

  /** What the service answers a request with: a status and a {@code Retry-After} (null: none). */
  record Answer(int status, String retryAfter) {}

  /** A request as the service saw it: when it came and was answered (null: held), and its headers. */
  record Request(Instant received, Instant answered, int status, String encoding, String vapidKey, int bodyBytes) {}

  /**
   * A push service: the JDK's HTTP server on 127.0.0.1 answering each POST with the next of
   * {@link #answers}, then 201; or, when {@link #hang}, holding every request until {@link #close}.
   */
  static final class PushService implements AutoCloseable {
    private static final Pattern VAPID = Pattern.compile("vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=([\\w-]+)");
    final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger held = new AtomicInteger();
    volatile boolean hang;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final HttpServer server;

    PushService() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/push/", this::handle);
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        Instant received = Instant.now();
        int bytes = exchange.getRequestBody().readAllBytes().length;
        String encoding = exchange.getRequestHeaders().getFirst("content-encoding");
        Matcher vapid = VAPID.matcher(String.valueOf(exchange.getRequestHeaders().getFirst("authorization")));
        String key = vapid.matches() ? vapid.group(1) : null;
        if (hang) {
          requests.add(new Request(received, null, 0, encoding, key, bytes));
          held.incrementAndGet();
          closed.await();
          return;
        }
        Answer answer = answers.poll();
        int status = answer == null ? 201 : answer.status();
        if (answer != null && answer.retryAfter() != null) {
          exchange.getResponseHeaders().set("retry-after", answer.retryAfter());
        }
        requests.add(new Request(received, Instant.now(), status, encoding, key, bytes));
        exchange.sendResponseHeaders(status, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      closed.countDown();
      server.stop(0);
    }
  }
}
