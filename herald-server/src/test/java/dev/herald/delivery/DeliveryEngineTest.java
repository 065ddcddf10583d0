package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.bus.LocalBus;
import dev.herald.bus.Publication;
import dev.herald.config.DatabaseUrl;
import dev.herald.config.HeraldConfig;
import dev.herald.ops.HeraldMetrics;
import dev.herald.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine against a real PostgreSQL with a recording channel at the edge: claims, wake-ups by
 * NOTIFY, retries into the dead letter, the unread check, leases of dead processes, and a hanging
 * receiver that does not hold up the others.
 */
class DeliveryEngineTest {
  private final TestDatabase db = TestDatabase.get();
  private String url;
  private Vertx vertx;
  private Pool pool;
  private DeliveryEngine engine;
  private final List<Publication> published = new CopyOnWriteArrayList<>();
  private final HeraldMetrics metrics = new HeraldMetrics();

  /** A channel whose behaviour per target is set by each test; it records every attempt. */
  static final class RecordingChannel implements DeliveryChannel {
    final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    volatile Function<DeliveryJob, Outcome> behaviour = job -> new Outcome.Delivered(job.recipient() + "@example.com", "250 OK");

    @Override
    public String name() {
      return "email";
    }

    @Override
    public String targetKey(DeliveryJob job) {
      return job.recipient();
    }

    @Override
    public Outcome attempt(DeliveryJob job) {
      attempts.computeIfAbsent(job.id().toString(), k -> new AtomicInteger()).incrementAndGet();
      return behaviour.apply(job);
    }

    int attemptsOf(UUID job) {
      AtomicInteger n = attempts.get(job.toString());
      return n == null ? 0 : n.get();
    }
  }

  private final RecordingChannel channel = new RecordingChannel();

  @BeforeEach
  void setUp() {
    url = db.createDatabase();
    vertx = Vertx.vertx();
    DatabaseUrl target = DatabaseUrl.parse(url);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(new PgConnectOptions()
        .setHost(target.host()).setPort(target.port()).setDatabase(target.database()).setUser(target.user())
        .setPassword(target.password() == null ? "" : target.password())).using(vertx).build();
  }

  private void start(String node, String delays) {
    LocalBus bus = new LocalBus(metrics);
    bus.subscribe(published::add);
    HeraldConfig.Delivery config = HeraldConfig.Delivery.defaults()
        .withRetryDelays(java.util.Arrays.stream(delays.split(",")).map(d -> d.endsWith("ms")
        ? Duration.ofMillis(Long.parseLong(d.substring(0, d.length() - 2))) : Duration.ofSeconds(Long.parseLong(d.substring(0, d.length() - 1)))).toList());
    engine = new DeliveryEngine(pool, DatabaseUrl.parse(url), bus, metrics, config, node, Clock.systemUTC(),
        List.of(channel));
    engine.start();
  }

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
    pool.close();
    vertx.close();
    db.dropDatabase(url);
  }

  private UUID notification(String recipient) {
    UUID id = UUID.randomUUID();
    db.scalar(url, "insert into notification (id, tenant_id, recipient, seq, type, title, message, channel, priority, "
        + "status, request_id, released_at) values (?, 'acme', ?, 1, 'order.shipped', 'Shipped', 'On its way', 'orders', "
        + "'medium', 'pending', ?, now()) returning id", id, recipient, UUID.randomUUID());
    return id;
  }

  private UUID job(UUID notification, String recipient, String condition) {
    UUID id = UUID.randomUUID();
    db.scalar(url, "insert into delivery_job (id, notification_id, tenant_id, recipient, delivery_channel, state, run_at, "
        + "locale, condition) values (?, ?, 'acme', ?, 'email', 'pending', now(), '', ?) returning id",
        id, notification, recipient, condition);
    return id;
  }

  private Object state(UUID job) {
    return db.scalar(url, "select state from delivery_job where id = ?", job);
  }

  private long logRows(UUID job) {
    return (Long) db.scalar(url, "select count(*) from delivery_log where job_id = ?", job);
  }

  @Test
  void aJobInsertedWhileTheEngineIdlesIsDeliveredRecordedAndAnnounced() {
    start("node-a", "1s");
    // the engine is idle now: it waits up to 30 s unless the insert's NOTIFY wakes it
    await().atMost(Duration.ofSeconds(5)).until(() -> engine.running() == 0);
    UUID n = notification("u1");
    UUID job = job(n, "u1", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(state(job)));
    assertThat(channel.attemptsOf(job)).isEqualTo(1);
    assertThat(logRows(job)).isEqualTo(1);
    assertThat(db.scalar(url, "select target from delivery_job where id = ?", job)).isEqualTo("u1@example.com");
    assertThat(db.scalar(url, "select array_to_string(delivered_via, ',') from notification where id = ?", n))
        .isEqualTo("email");
    await().atMost(Duration.ofSeconds(5)).until(() -> published.stream().anyMatch(p ->
        p.rooms().contains("user:u1") && "notificationStatus".equals(p.event()) && p.dataJson().contains("\"delivered\"")
            && p.dataJson().contains("\"channel\":\"email\"")));
  }

  @Test
  void aPassingFailureIsRetriedAndDeliveredOnTheNextAttempt() {
    channel.behaviour = job -> channel.attemptsOf(job.id()) == 1 ? new Outcome.Retry("x", "451 4.3.0 try later", null)
        : new Outcome.Delivered("x", "250 OK");
    start("node-a", "100ms,200ms");
    UUID job = job(notification("u2"), "u2", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(state(job)));
    assertThat(channel.attemptsOf(job)).isEqualTo(2);
    assertThat(logRows(job)).isEqualTo(2);
    assertThat(db.scalar(url, "select string_agg(status || ':' || coalesce(error, ''), ',' order by id) from delivery_log "
        + "where job_id = ?", job)).isEqualTo("retrying:451 4.3.0 try later,delivered:");
  }

  @Test
  void aFailureThatOutlastsEveryDelayEndsInTheDeadLetter() {
    channel.behaviour = job -> new Outcome.Retry("x", "HTTP 503", null);
    start("node-a", "50ms,50ms");
    UUID job = job(notification("u3"), "u3", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(state(job)));
    assertThat(channel.attemptsOf(job)).isEqualTo(3);
    assertThat(db.scalar(url, "select reason || '/' || last_error || '/' || attempts from delivery_job where id = ?", job))
        .isEqualTo("retries-exhausted/HTTP 503/3");
    await().atMost(Duration.ofSeconds(5)).until(() -> published.stream().anyMatch(p -> p.dataJson().contains("\"failed\"")));
  }

  @Test
  void aPermanentRefusalFailsAtOnceWithTheReceiversReply() {
    channel.behaviour = job -> new Outcome.Failed("x@example.com", "550 5.1.1 no such user");
    start("node-a", "50ms");
    UUID job = job(notification("u4"), "u4", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(state(job)));
    assertThat(channel.attemptsOf(job)).isEqualTo(1);
    assertThat(db.scalar(url, "select last_error from delivery_job where id = ?", job)).isEqualTo("550 5.1.1 no such user");
  }

  @Test
  void anUnreadOnlyJobOfAReadNotificationIsSkippedWithoutSending() {
    start("node-a", "1s");
    UUID n = notification("u5");
    db.scalar(url, "update notification set read_at = now(), status = 'read' where id = ? returning id", n);
    UUID job = job(n, "u5", "unread");
    await().atMost(Duration.ofSeconds(10)).until(() -> "skipped".equals(state(job)));
    assertThat(db.scalar(url, "select reason from delivery_job where id = ?", job)).isEqualTo("read");
    assertThat(channel.attemptsOf(job)).isZero();
  }

  @Test
  void jobsLeftRunningByADeadProcessRunAgain() {
    UUID mine = job(notification("u6"), "u6", null);
    UUID theirs = job(notification("u7"), "u7", null);
    // node-a died while running `mine`; node-b died with a lease that has run out
    db.scalar(url, "update delivery_job set state = 'running', leased_by = 'node-a', lease_until = now() + interval '1 hour', "
        + "attempts = 1 where id = ? returning id", mine);
    db.scalar(url, "update delivery_job set state = 'running', leased_by = 'node-b', lease_until = now() - interval '1 second', "
        + "attempts = 1 where id = ? returning id", theirs);
    start("node-a", "1s");
    await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(state(mine)) && "delivered".equals(state(theirs)));
    assertThat(db.scalar(url, "select attempts from delivery_job where id = ?", mine)).isEqualTo(2);
  }

  @Test
  void aHangingReceiverDoesNotHoldUpTheOthers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger inSlow = new AtomicInteger();
    AtomicInteger mostInSlow = new AtomicInteger();
    channel.behaviour = job -> {
      if (job.recipient().equals("slow")) {
        mostInSlow.accumulateAndGet(inSlow.incrementAndGet(), Math::max);
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          inSlow.decrementAndGet();
        }
      }
      return new Outcome.Delivered(job.recipient(), "250 OK");
    };
    start("node-a", "1s");
    UUID n = notification("slow");
    for (int i = 0; i < 40; i++) {
      job(n, "slow", null);
    }
    List<UUID> fast = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fast.add(job(notification("fast" + i), "fast" + i, null));
    }
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> fast.stream().allMatch(j -> "delivered".equals(state(j))));
      // the slow receiver holds its own slots, no more
      assertThat(mostInSlow.get()).isEqualTo(HeraldConfig.Delivery.defaults().perTarget());
    } finally {
      release.countDown();
    }
    await().atMost(Duration.ofSeconds(20)).until(() ->
        (Long) db.scalar(url, "select count(*) from delivery_job where recipient = 'slow' and state = 'delivered'") == 40);
  }
}
