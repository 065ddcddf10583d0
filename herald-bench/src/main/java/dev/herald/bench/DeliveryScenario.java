package dev.herald.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * {@code --scenario delivery} (issue 12, "Speed"): Herald's delivery engine sending email to an
 * in-process SMTP sink and webhooks to an in-process receiver, both on 127.0.0.1, while the durable
 * scenario's in-app load runs beside them in the last phase. Phases, each {@code seconds} long:
 * {@code email} (creates with {@code deliverVia: ["email"]}), {@code webhook} ({@code ["webhook"]},
 * one endpoint), {@code mixed} (both at their rates and in-app notifications to the connected users
 * at theirs). Every create names one recipient; email recipients {@code e0 … e<users-1>} are in the
 * directory with an address, webhook recipients are {@code w0 …}; neither is connected.
 *
 * <p>Lifecycle: {@link #start} (the sinks, before Herald, whose {@link #heraldEnv} names them),
 * {@link #prepare} (types, directory, endpoint), {@link #run}, then {@link #finishInApp} with the
 * load clients' histogram, and {@link #result}. Threads: driven by the orchestrator's thread; the
 * sinks run on this scenario's own Vert.x event loop.
 */
final class DeliveryScenario implements AutoCloseable {
  static final String EMAIL_TYPE = "bench-email";
  static final String WEBHOOK_TYPE = "bench-webhook";
  /** The load clients' phase numbers: warm-up 0, then one per phase; only the mixed phase has in-app load. */
  static final int PHASE_MIXED = 3;
  /** Settling ends when nothing new arrived for this long (a retry's back-off is longer, and then counts as late). */
  private static final long QUIET_NANOS = Duration.ofSeconds(5).toNanos();
  /** The longest wait, after the last phase, for every job to be finished in the table. */
  private static final Duration FINISH_WAIT = Duration.ofSeconds(30);

  /** The scenario's options: rates per second, phase and warm-up lengths, the publishers' window. */
  record Options(double emailRate, double webhookRate, double durableRate, int seconds, int warmupSeconds,
                 int settleSeconds, int inFlight, int users) {}

  private final Options options;
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
      .setPreferNativeTransport(true));
  private final SmtpSink smtp;
  private final WebhookReceiver hooks;
  private final List<DeliveryReport.Phase> phases = new ArrayList<>();
  private JobBacklog backlog;
  private Map<String, Long> jobsAtEnd;
  /** After the last phase settled, how long until every job was finished in the table (-1: not within the wait). */
  private double settledJobsSeconds = -1;
  /** The mixed phase's in-app stream, completed by {@link #finishInApp}. */
  private PhaseRun.Partial inAppPending;

  private DeliveryScenario(Options options) throws Exception {
    this.options = options;
    this.smtp = SmtpSink.start(vertx);
    this.hooks = WebhookReceiver.start(vertx);
  }

  static DeliveryScenario start(Options options) throws Exception {
    return new DeliveryScenario(options);
  }

  /** Herald's settings for this scenario: the sink as its SMTP server, loopback webhook targets allowed. */
  Map<String, String> heraldEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HERALD_SMTP_URL", "smtp://127.0.0.1:" + smtp.port());
    env.put("HERALD_EMAIL_FROM", "Herald bench <bench@bench.test>");
    env.put("HERALD_ALLOW_PRIVATE_TARGETS", "true");
    return env;
  }

  /**
   * Types that send at once ({@code email.when: always}: the default sends email only to users
   * without a live session), the email recipients in the directory, one webhook endpoint for
   * {@code notification.created}, and a connection to the database for the backlog.
   */
  void prepare(int port, String apiKey, int databasePort) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    call(http, "PUT", base + "/api/types/" + EMAIL_TYPE, apiKey,
        "{\"channels\":[\"inApp\",\"email\"],\"email\":{\"when\":\"always\"}}").join();
    call(http, "PUT", base + "/api/types/" + WEBHOOK_TYPE, apiKey, "{\"channels\":[\"inApp\",\"webhook\"]}").join();
    call(http, "POST", base + "/api/webhooks", apiKey, "{\"url\":\"" + hooks.url()
        + "\",\"events\":[\"notification.created\"],\"description\":\"herald-bench receiver\"}").join();
    Semaphore window = new Semaphore(32);
    List<CompletableFuture<Void>> puts = new ArrayList<>();
    for (int i = 0; i < options.users(); i++) {
      window.acquire();
      puts.add(call(http, "PUT", base + "/api/users/" + emailUser(i), apiKey,
          "{\"email\":\"" + emailUser(i) + "@bench.test\",\"name\":\"Bench " + i + "\"}")
          .whenComplete((v, e) -> window.release()));
    }
    CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).join();
    if (databasePort > 0) {
      backlog = JobBacklog.connect(vertx, databasePort);
    }
  }

  /**
   * The warm-up (not reported) and the three phases. {@code inAppBody} is the durable scenario's
   * create; {@code inAppReceived} reads the load clients' count of a phase's notifications.
   */
  void run(int port, String apiKey, Publisher.Body inAppBody, ServerProcess server, LongSupplier clientCpu,
           java.util.function.IntToLongFunction inAppReceived) throws Exception {
    Publisher.Body email = Publisher.deliveredVia("email", EMAIL_TYPE, seq -> emailUser((int) (seq % options.users())));
    Publisher.Body webhook = Publisher.deliveredVia("webhook", WEBHOOK_TYPE, seq -> "w" + seq % options.users());
    try (Publisher emails = Publisher.notifications("127.0.0.1", port, apiKey, options.inFlight());
         Publisher webhooks = Publisher.notifications("127.0.0.1", port, apiKey, options.inFlight());
         Publisher inApp = Publisher.notifications("127.0.0.1", port, apiKey, options.inFlight())) {
      PhaseRun.Stream emailStream = new PhaseRun.Stream("email", emails, email, smtp.receipts(), DeliveryReport.EMAIL_P99_MS);
      PhaseRun.Stream webhookStream = new PhaseRun.Stream("webhook", webhooks, webhook, hooks.receipts(),
          DeliveryReport.WEBHOOK_P99_MS);
      PhaseRun.Stream inAppStream = new PhaseRun.Stream("in-app", inApp, inAppBody, null, DeliveryReport.IN_APP_P99_MS);
      PhaseRun.Context ctx = new PhaseRun.Context(server, backlog, clientCpu, options.settleSeconds(), QUIET_NANOS);
      if (options.warmupSeconds() > 0) {
        PhaseRun warm = new PhaseRun(ctx, "warmup", 0, options.warmupSeconds(), List.of(
            emailStream.at(Math.min(100, options.emailRate())), webhookStream.at(Math.min(100, options.webhookRate())),
            inAppStream.at(Math.min(BenchMain.DURABLE_WARMUP_RATE, options.durableRate()))), () -> inAppReceived.applyAsLong(0));
        DeliveryReport.Phase w = warm.run().phase();
        log("warm-up: " + w.streams().stream().map(s -> s.channel() + " " + s.received() + "/" + s.expected()).toList());
      }
      phases.add(log(new PhaseRun(ctx, "email", 1, options.seconds(), List.of(emailStream.at(options.emailRate())),
          () -> 0).run().phase()));
      phases.add(log(new PhaseRun(ctx, "webhook", 2, options.seconds(), List.of(webhookStream.at(options.webhookRate())),
          () -> 0).run().phase()));
      PhaseRun.Outcome mixed = new PhaseRun(ctx, "mixed", PHASE_MIXED, options.seconds(), List.of(
          emailStream.at(options.emailRate()), webhookStream.at(options.webhookRate()),
          inAppStream.at(options.durableRate())), () -> inAppReceived.applyAsLong(PHASE_MIXED)).run();
      phases.add(log(mixed.phase()));
      inAppPending = mixed.inApp();
    }
    if (backlog != null) {
      settledJobsSeconds = awaitFinishedJobs();
      jobsAtEnd = backlog.all();
    }
  }

  /**
   * Seconds from now until no job is unfinished (the engine writes results in batches, so a job
   * whose message arrived may still be {@code running} in the table for a while); -1 when some
   * still are after {@link #FINISH_WAIT}.
   */
  private double awaitFinishedJobs() throws Exception {
    long start = System.nanoTime();
    while (!backlog.unfinished().isEmpty()) {
      if (System.nanoTime() - start > FINISH_WAIT.toNanos()) {
        return -1;
      }
      Thread.sleep(100);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** The mixed phase's in-app stream from the load clients' final count and histogram (publish → receipt, µs). */
  void finishInApp(long received, Histogram latencyMicros) {
    if (inAppPending == null) {
      return;
    }
    for (int i = 0; i < phases.size(); i++) {
      DeliveryReport.Phase p = phases.get(i);
      if (p.name().equals("mixed")) {
        List<DeliveryReport.Stream> streams = new ArrayList<>(p.streams());
        streams.replaceAll(s -> s.channel().equals("in-app") ? inAppPending.finish(received, latencyMicros) : s);
        phases.set(i, new DeliveryReport.Phase(p.name(), p.seconds(), streams, p.cpuWindowSeconds(),
            p.heraldCpuMicrosPerCreate(), p.databaseCpuMicrosPerCreate(), p.heraldCpuMicrosPerMessage(),
            p.databaseCpuMicrosPerMessage(), p.databaseTransactionsPerCreate(), p.heraldCpuPercent(), p.databaseCpuPercent(), p.clientCpuPercent(),
            p.publisherCpuPercent(), p.machineBusyPercent(), p.backlogAtEnd(), p.backlogAfterSettle(),
            DeliveryReport.saturation(streams, p.backlogAtEnd(), p.machineBusyPercent(), p.heraldCpuPercent(),
                p.databaseCpuPercent())));
      }
    }
  }

  DeliveryReport.Result result() {
    String targets = "email " + fmt(options.emailRate()) + "/s with commit → accepted by SMTP p99 < "
        + fmt(DeliveryReport.EMAIL_P99_MS) + " ms; webhooks " + fmt(options.webhookRate()) + "/s with commit → received p99 < "
        + fmt(DeliveryReport.WEBHOOK_P99_MS) + " ms; in-app " + fmt(options.durableRate()) + "/s p99 < "
        + fmt(DeliveryReport.IN_APP_P99_MS) + " ms while they run; each for " + options.seconds()
        + " s, nothing lost, at least " + fmt(DeliveryReport.SUSTAINED * 100) + " % of each rate accepted"
        + (options.emailRate() >= 1_000 && options.webhookRate() >= 3_000 && options.durableRate() >= 5_000
            && options.seconds() >= 60 ? " (the issue's parameters)" : " (not the issue's parameters: 1,000, 3,000, 5,000/s for 60 s)");
    String sinks = "SMTP sink " + smtp.receipts().messages() + " messages (" + smtp.receipts().withoutId()
        + " without a notification id); webhook receiver " + hooks.receipts().messages() + " messages ("
        + hooks.receipts().withoutId() + " without data.id, " + hooks.repeatedWebhookIds() + " repeating a webhook-id)";
    return new DeliveryReport.Result(List.copyOf(phases), settledJobsSeconds, jobsAtEnd, targets, sinks);
  }

  static String emailUser(int i) {
    return "e" + i;
  }

  private static CompletableFuture<Void> call(HttpClient http, String method, String url, String apiKey, String body) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .header("authorization", "Bearer " + apiKey).header("content-type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
        .thenAccept(r -> {
          if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
          }
        });
  }

  private static DeliveryReport.Phase log(DeliveryReport.Phase p) {
    log(p.name() + ": " + p.streams().stream().map(s -> s.channel() + " " + s.accepted() + " accepted, "
        + s.received() + "/" + s.expected() + " received, p99 " + fmt(s.latency().p99Ms()) + " ms").toList()
        + "; unfinished jobs when publishing ended " + p.backlogAtEnd());
    return p;
  }

  private static void log(String message) {
    System.err.println("[bench delivery] " + message);
  }

  private static String fmt(double v) {
    return BenchReport.fmt(v, 0);
  }

  @Override
  public void close() {
    if (backlog != null) {
      backlog.close();
    }
    smtp.close();
    hooks.close();
    vertx.close();
  }
}
