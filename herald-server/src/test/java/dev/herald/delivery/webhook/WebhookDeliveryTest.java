package dev.herald.delivery.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.herald.delivery.DeliveryJob;
import dev.herald.delivery.Outcome;
import dev.herald.delivery.TargetAddresses;
import dev.herald.store.Database;
import dev.herald.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link WebhookChannel} against real PostgreSQL and a real HTTP receiver (the JDK's server on
 * 127.0.0.1, so the channel allows private targets here).
 */
class WebhookDeliveryTest {
  private static final Duration TIMEOUT = Duration.ofMillis(700);

  /** What the receiver got. */
  record Received(String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }

  private static Vertx vertx;
  private static String databaseUrl;
  private static Database database;
  private static WebhookEndpoints endpoints;
  private static WebhookChannel channel;
  private static HttpServer receiver;
  private static final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  /** Released at the end: the /hang path holds its answer until then. */
  private static final CountDownLatch release = new CountDownLatch(1);

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    databaseUrl = TestDatabase.get().createDatabase();
    database = Database.open(vertx, databaseUrl, null, 2, true);
    endpoints = new WebhookEndpoints(database.pool(), java.time.Clock.systemUTC());
    // the client Herald sends with (Vert.x); NodeWebhookVerifierTest drives the JDK one
    channel = WebhookChannel.over(endpoints, TargetAddresses.of(true), TIMEOUT, vertx, 4);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    receiver.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      received.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body));
      int status = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1).replace("hang", "200"));
      if (path.endsWith("hang")) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (status == 503 || status == 429) {
        exchange.getResponseHeaders().add("Retry-After", "42");
      }
      byte[] answer = ("answered " + status).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, status == 204 ? -1 : answer.length);
      if (status != 204) {
        exchange.getResponseBody().write(answer);
      }
      exchange.close();
    });
    receiver.start();
  }

  @AfterAll
  static void stop() throws Exception {
    release.countDown();
    if (receiver != null) {
      receiver.stop(0);
    }
    if (database != null) {
      database.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (databaseUrl != null) {
      TestDatabase.get().dropDatabase(databaseUrl);
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static WebhookEndpoint create(String tenant, String path) throws Exception {
    return await(endpoints.create(tenant, new NewEndpoint(
        URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + path), null, "test")));
  }

  private static DeliveryJob job(WebhookEndpoint e) {
    UUID notificationId = UUID.randomUUID();
    return new DeliveryJob(UUID.randomUUID(), "webhook", e.tenant(), "alice", notificationId, e.id(),
        "notification.created", null, "", 1, OffsetDateTime.now(),
        new DeliveryJob.Notification(notificationId, "comment", "New comment", "Bob replied", "general", "normal",
            "unread", null, null, false, OffsetDateTime.now(), null, List.of()));
  }

  private static Received next() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a request at the receiver").isNotNull();
    return r;
  }

  @Test
  void aDeliveryArrivesSignedWithTheStoredSecret() throws Exception {
    WebhookEndpoint e = create("acme", "/hooks/204");
    DeliveryJob job = job(e);

    Outcome outcome = channel.attempt(job);

    assertThat(outcome).isEqualTo(new Outcome.Delivered(e.url(), "HTTP 204"));
    Received r = next();
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.header("user-agent")).startsWith("Herald-Webhooks/");
    assertThat(r.header("webhook-id")).isEqualTo("msg_" + job.id());
    long timestamp = Long.parseLong(r.header("webhook-timestamp"));
    assertThat(r.header("webhook-signature")).isEqualTo("v1," + WebhookSignature.sign(e.secret(),
        "msg_" + job.id(), timestamp, r.body().getBytes(StandardCharsets.UTF_8)));
    assertThat(r.body()).contains("\"type\":\"notification.created\"").contains("\"userId\":\"alice\"");
  }

  @Test
  void fourTenFromTheReceiverDisablesTheEndpointInTheDatabase() throws Exception {
    WebhookEndpoint e = create("acme", "/hooks/410");

    Outcome outcome = channel.attempt(job(e));

    assertThat(outcome).isInstanceOf(Outcome.Failed.class);
    next();
    assertThat(TestDatabase.get().scalar(databaseUrl, "select enabled from webhook_endpoint where id = ?", e.id()))
        .isEqualTo(false);
    assertThat((String) TestDatabase.get().scalar(databaseUrl,
        "select disabled_reason from webhook_endpoint where id = ?", e.id())).contains("HTTP 410");
    assertThat(channel.attempt(job(e))).isEqualTo(new Outcome.Skipped(e.url(), "endpoint-disabled"));
  }

  @Test
  void aReceiversRetryAfterIsInTheOutcome() throws Exception {
    WebhookEndpoint e = create("acme", "/hooks/503");

    Outcome outcome = channel.attempt(job(e));

    next();
    assertThat(outcome).isEqualTo(new Outcome.Retry(e.url(), "HTTP 503: answered 503", Duration.ofSeconds(42)));
  }

  @Test
  void aReceiverThatDoesNotAnswerInTimeIsRetried() throws Exception {
    WebhookEndpoint e = create("acme", "/hooks/hang");

    Outcome outcome = channel.attempt(job(e));

    next();
    assertThat(outcome).isEqualTo(new Outcome.Retry(e.url(), "no answer within " + TIMEOUT.toMillis() + " ms", null));
  }

  @Test
  void aReceiverThatIsNotListeningIsRetried() throws Exception {
    int closed;
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closed = socket.getLocalPort();
    }
    WebhookEndpoint e = await(endpoints.create("acme", new NewEndpoint(URI.create("http://127.0.0.1:" + closed + "/x"),
        null, null)));

    Outcome outcome = channel.attempt(job(e));

    assertThat(outcome).isInstanceOf(Outcome.Retry.class);
    assertThat(((Outcome.Retry) outcome).error()).startsWith("cannot connect");
  }

  @Test
  void afterARotationBothTheOldAndTheNewSecretSign() throws Exception {
    WebhookEndpoint before = create("acme", "/hooks/200");
    WebhookEndpoint after = await(endpoints.rotateSecret("acme", before.id()));

    channel.attempt(job(after));

    assertThat(after.secret()).isNotEqualTo(before.secret());
    assertThat(after.previousSecret()).isEqualTo(before.secret());
    assertThat(after.previousSecretUntil()).isAfter(OffsetDateTime.now().plusHours(23));
    Received r = next();
    byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
    long timestamp = Long.parseLong(r.header("webhook-timestamp"));
    assertThat(r.header("webhook-signature").split(" ")).containsExactly(
        "v1," + WebhookSignature.sign(after.secret(), r.header("webhook-id"), timestamp, body),
        "v1," + WebhookSignature.sign(before.secret(), r.header("webhook-id"), timestamp, body));
  }

  @Test
  void anotherTenantsEndpointIsNotFoundNorDeletedNorDisabled() throws Exception {
    WebhookEndpoint e = create("acme", "/hooks/204");

    assertThat(await(endpoints.get("globex", e.id()))).isNull();
    assertThat(await(endpoints.delete("globex", e.id()))).isFalse();
    assertThat(await(endpoints.disable("globex", e.id(), "no"))).isFalse();
    assertThat(await(endpoints.rotateSecret("globex", e.id()))).isNull();
    assertThat(await(endpoints.list("globex"))).extracting(WebhookEndpoint::id).doesNotContain(e.id());
    assertThat(await(endpoints.get("acme", e.id())).enabled()).isTrue();
    assertThat(channel.attempt(new DeliveryJob(UUID.randomUUID(), "webhook", "globex", null, null, e.id(),
        "notification.created", "{}", "", 1, OffsetDateTime.now(), null)))
        .isEqualTo(new Outcome.Skipped(null, "no-endpoint"));
  }

  @Test
  void subscribedEndpointsAreTheTenantsEnabledOnesOfTheEvent() throws Exception {
    String tenant = "subs-" + UUID.randomUUID().toString().substring(0, 8);
    URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/204");
    WebhookEndpoint all = await(endpoints.create(tenant, new NewEndpoint(url, null, null)));
    WebhookEndpoint created = await(endpoints.create(tenant, new NewEndpoint(url, List.of("notification.created"), null)));
    WebhookEndpoint read = await(endpoints.create(tenant, new NewEndpoint(url, List.of("notification.read"), null)));
    WebhookEndpoint disabled = await(endpoints.create(tenant, new NewEndpoint(url, null, null)));
    await(endpoints.disable(tenant, disabled.id(), "test"));
    await(endpoints.create("other-" + tenant, new NewEndpoint(url, null, null)));

    assertThat(await(endpoints.subscribed(tenant, "notification.created"))).extracting(WebhookEndpoint::id)
        .containsExactlyInAnyOrder(all.id(), created.id());
    assertThat(await(endpoints.subscribed(tenant, "notification.read"))).extracting(WebhookEndpoint::id)
        .containsExactlyInAnyOrder(all.id(), read.id());
  }
}
