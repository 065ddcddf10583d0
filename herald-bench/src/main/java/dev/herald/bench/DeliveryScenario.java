package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * {@code --scenario delivery} (issues 12 and 13, "Speed"): Herald's delivery engine sending email to
 * an in-process SMTP sink, webhooks to an in-process receiver and Web Push to an in-process push
 * service, all on 127.0.0.1, while the durable scenario's in-app load runs beside email and webhooks
 * in the last phase. Phases, each {@code seconds} long, those of {@link Options#phases} in this
 * order: {@code email} (creates with {@code deliverVia: ["email"]}), {@code webhook}
 * ({@code ["webhook"]}, one endpoint), {@code push} ({@code ["push"]}, one subscription per
 * recipient), {@code mixed} (email and webhooks at their rates and in-app notifications to the
 * connected users at theirs; push stays out, so issue 12's mixed figures stay comparable). Every
 * create names one recipient; email recipients {@code e0 … e<users-1>} are in the directory with an
 * address, webhook recipients are {@code w0 …}, push recipients {@code p0 …} each subscribed once;
 * none is connected.
 *
 * <p>Lifecycle: {@link #start} (the sinks, before Herald, whose {@link #heraldEnv} names them),
 * {@link #prepare} (types, directory, endpoint, subscriptions: what the phases need), {@link #run},
 * then {@link #finishInApp} with the load clients' histogram, and {@link #result}. Threads: driven
 * by the orchestrator's thread; the sinks run on this scenario's own Vert.x event loop, the push
 * service's sample checks on a thread of its own.
 */
final class DeliveryScenario implements AutoCloseable {
  static final String EMAIL_TYPE = "bench-email";
  static final String WEBHOOK_TYPE = "bench-webhook";
  static final String PUSH_TYPE = "bench-push";
  /** Every phase, in the order they run. */
  static final List<String> PHASES = List.of("email", "webhook", "push", "mixed");
  /**
   * The load clients' phase numbers: warm-up 0, then 1 + the phase's place in {@link #PHASES},
   * whether it runs or not; only the mixed phase has in-app load.
   */
  static final int PHASE_MIXED = 1 + PHASES.indexOf("mixed");
  /** Settling ends when nothing new arrived for this long (a retry's back-off is longer, and then counts as late). */
  private static final long QUIET_NANOS = Duration.ofSeconds(5).toNanos();
  /** The longest wait, after the last phase, for every job to be finished in the table. */
  private static final Duration FINISH_WAIT = Duration.ofSeconds(30);

  /** Seconds to wait, after a phase settled, for the push service's sample checks still queued. */
  private static final Duration CHECKS_WAIT = Duration.ofSeconds(30);

  /**
   * The scenario's options: rates per second, phase and warm-up lengths, the publishers' window,
   * the recipients per channel, and which phases run (a subset of {@link #PHASES}, in its order).
   */
  record Options(double emailRate, double webhookRate, double pushRate, double durableRate, int seconds,
                 int warmupSeconds, int settleSeconds, int inFlight, int users, List<String> phases) {
    boolean runs(String phase) {
      return phases.contains(phase);
    }
  }

  /**
   * {@code --phases}: names of {@link #PHASES}, comma-separated, run in {@link #PHASES}' order
   * whatever the order given.
   */
  static List<String> phases(String list) {
    List<String> named = new ArrayList<>();
    for (String p : list.split(",")) {
      String name = p.trim();
      if (!PHASES.contains(name)) {
        throw new IllegalArgumentException("--phases: unknown phase '" + name + "'; known: " + String.join(",", PHASES));
      }
      named.add(name);
    }
    return PHASES.stream().filter(named::contains).toList();
  }

  private final Options options;
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
      .setPreferNativeTransport(true));
  private final SmtpSink smtp;
  private final WebhookReceiver hooks;
  private final PushService push;
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
    this.push = PushService.start(vertx);
  }

  static DeliveryScenario start(Options options) throws Exception {
    return new DeliveryScenario(options);
  }

  /** Herald's settings for this scenario: the sink as its SMTP server, loopback webhook and push targets allowed. */
  Map<String, String> heraldEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HERALD_SMTP_URL", "smtp://127.0.0.1:" + smtp.port());
    env.put("HERALD_EMAIL_FROM", "Herald bench <bench@bench.test>");
    env.put("HERALD_ALLOW_PRIVATE_TARGETS", "true");
    return env;
  }

  /**
   * What the phases that run need: for email, a type that sends at once ({@code email.when:
   * always}: the default sends email only to users without a live session) and the recipients in
   * the directory; for webhooks, a type and one endpoint for {@code notification.created}; for
   * push, a type that sends at once and one subscription per recipient ({@link #preparePush}). The
   * mixed phase needs email's and webhooks'. Then a connection to the database for the backlog.
   * {@code jwtSecret} signs the push recipients' user tokens (tenant {@link BenchMain#TENANT}, the
   * API key's).
   */
  void prepare(int port, String apiKey, String jwtSecret, int databasePort) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    List<String> prepared = new ArrayList<>();
    if (options.runs("email") || options.runs("mixed")) {
      call(http, "PUT", base + "/api/types/" + EMAIL_TYPE, apiKey,
          "{\"channels\":[\"inApp\",\"email\"],\"email\":{\"when\":\"always\"}}").join();
      Semaphore window = new Semaphore(32);
      List<CompletableFuture<String>> puts = new ArrayList<>();
      for (int i = 0; i < options.users(); i++) {
        window.acquire();
        puts.add(call(http, "PUT", base + "/api/users/" + emailUser(i), apiKey,
            "{\"email\":\"" + emailUser(i) + "@bench.test\",\"name\":\"Bench " + i + "\"}")
            .whenComplete((v, e) -> window.release()));
      }
      CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).join();
      prepared.add("type " + EMAIL_TYPE + ", " + options.users() + " directory users");
    }
    if (options.runs("webhook") || options.runs("mixed")) {
      call(http, "PUT", base + "/api/types/" + WEBHOOK_TYPE, apiKey, "{\"channels\":[\"inApp\",\"webhook\"]}").join();
      call(http, "POST", base + "/api/webhooks", apiKey, "{\"url\":\"" + hooks.url()
          + "\",\"events\":[\"notification.created\"],\"description\":\"herald-bench receiver\"}").join();
      prepared.add("type " + WEBHOOK_TYPE + ", 1 webhook endpoint");
    }
    if (options.runs("push")) {
      preparePush(http, base, apiKey, jwtSecret);
      prepared.add("type " + PUSH_TYPE + ", " + options.users() + " push subscriptions");
    }
    log("prepared: " + String.join("; ", prepared));
    if (databasePort > 0) {
      backlog = JobBacklog.connect(vertx, databasePort);
    }
  }

  /**
   * The type {@code bench-push} ({@code push.when: always}), the VAPID public key Herald publishes
   * (the push service checks every sampled message's {@code k} against it, as a real one checks
   * the key a subscription was made with), and for each push recipient {@code p<i>} a subscription
   * made as a browser would: a fresh P-256 key pair and auth secret, registered with the user's own
   * token at {@code POST /api/push/subscriptions} with the endpoint {@code /push/<i>} of the
   * service.
   */
  private void preparePush(HttpClient http, String base, String apiKey, String jwtSecret) throws Exception {
    call(http, "PUT", base + "/api/types/" + PUSH_TYPE, apiKey,
        "{\"channels\":[\"inApp\",\"push\"],\"push\":{\"when\":\"always\"}}").join();
    String anyUser = BenchToken.sign(jwtSecret, pushUser(0), BenchMain.TENANT, Duration.ofHours(1));
    String key = new ObjectMapper().readTree(call(http, "GET", base + "/api/push/vapid-public-key", anyUser, null).join())
        .path("publicKey").asText();
    push.expectServerKey(key);
    Semaphore window = new Semaphore(32);
    List<CompletableFuture<String>> posts = new ArrayList<>();
    for (int i = 0; i < options.users(); i++) {
      PushMessageCheck.Subscriber s = push.subscribe(i);
      String token = BenchToken.sign(jwtSecret, pushUser(i), BenchMain.TENANT, Duration.ofHours(1));
      window.acquire();
      posts.add(call(http, "POST", base + "/api/push/subscriptions", token, "{\"endpoint\":\"" + push.endpoint(i)
          + "\",\"expirationTime\":null,\"keys\":{\"p256dh\":\"" + s.p256dh() + "\",\"auth\":\"" + s.authSecret()
          + "\"}}").whenComplete((v, e) -> window.release()));
    }
    CompletableFuture.allOf(posts.toArray(new CompletableFuture[0])).join();
  }

  /**
   * The warm-up (not reported; the streams of the phases that run, at low rates) and the phases.
   * {@code inAppBody} is the durable scenario's create; {@code inAppReceived} reads the load
   * clients' count of a phase's notifications.
   */
  void run(int port, String apiKey, Publisher.Body inAppBody, ServerProcess server, LongSupplier clientCpu,
           java.util.function.IntToLongFunction inAppReceived) throws Exception {
    Publisher.Body email = Publisher.deliveredVia("email", EMAIL_TYPE, seq -> emailUser((int) (seq % options.users())));
    Publisher.Body webhook = Publisher.deliveredVia("webhook", WEBHOOK_TYPE, seq -> "w" + seq % options.users());
    Publisher.Body pushed = Publisher.deliveredVia("push", PUSH_TYPE, seq -> pushUser((int) (seq % options.users())));
    boolean mixedRuns = options.runs("mixed");
    try (Publisher emails = Publisher.notifications("127.0.0.1", port, apiKey, options.inFlight());
         Publisher webhooks = Publisher.notifications("127.0.0.1", port, apiKey, options.inFlight());
         Publisher pushes = Publisher.notifications("127.0.0.1", port, apiKey, options.inFlight());
         Publisher inApp = Publisher.notifications("127.0.0.1", port, apiKey, options.inFlight())) {
      PhaseRun.Stream emailStream = new PhaseRun.Stream("email", emails, email, smtp.receipts(), DeliveryReport.EMAIL_P99_MS);
      PhaseRun.Stream webhookStream = new PhaseRun.Stream("webhook", webhooks, webhook, hooks.receipts(),
          DeliveryReport.WEBHOOK_P99_MS);
      PhaseRun.Stream pushStream = new PhaseRun.Stream("push", pushes, pushed, push.receipts(), DeliveryReport.PUSH_P99_MS,
          () -> push.awaitChecks(CHECKS_WAIT));
      PhaseRun.Stream inAppStream = new PhaseRun.Stream("in-app", inApp, inAppBody, null, DeliveryReport.IN_APP_P99_MS);
      PhaseRun.Context ctx = new PhaseRun.Context(server, backlog, clientCpu, options.settleSeconds(), QUIET_NANOS);
      if (options.warmupSeconds() > 0) {
        List<PhaseRun.Offered> warmStreams = new ArrayList<>();
        if (options.runs("email") || mixedRuns) {
          warmStreams.add(emailStream.at(Math.min(100, options.emailRate())));
        }
        if (options.runs("webhook") || mixedRuns) {
          warmStreams.add(webhookStream.at(Math.min(100, options.webhookRate())));
        }
        if (options.runs("push")) {
          warmStreams.add(pushStream.at(Math.min(100, options.pushRate())));
        }
        if (mixedRuns) {
          warmStreams.add(inAppStream.at(Math.min(BenchMain.DURABLE_WARMUP_RATE, options.durableRate())));
        }
        DeliveryReport.Phase w = new PhaseRun(ctx, "warmup", 0, options.warmupSeconds(), warmStreams,
            () -> inAppReceived.applyAsLong(0)).run().phase();
        log("warm-up: " + w.streams().stream().map(s -> s.channel() + " " + s.received() + "/" + s.expected()
            + (s.sampleChecks() == null ? "" : " (sample checks: " + s.sampleChecks().words() + ")")).toList());
      }
      for (String name : options.phases()) {
        int k = 1 + PHASES.indexOf(name);
        List<PhaseRun.Offered> streams = switch (name) {
          case "email" -> List.of(emailStream.at(options.emailRate()));
          case "webhook" -> List.of(webhookStream.at(options.webhookRate()));
          case "push" -> List.of(pushStream.at(options.pushRate()));
          case "mixed" -> List.of(emailStream.at(options.emailRate()), webhookStream.at(options.webhookRate()),
              inAppStream.at(options.durableRate()));
          default -> throw new IllegalStateException("no phase " + name);
        };
        PhaseRun.Outcome outcome = new PhaseRun(ctx, name, k, options.seconds(), streams,
            () -> inAppReceived.applyAsLong(k)).run();
        phases.add(log(outcome.phase()));
        if (outcome.inApp() != null) {
          inAppPending = outcome.inApp();
        }
      }
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

  /**
   * The report: every phase, the targets of the phases that ran in words, the sinks' totals, and
   * (when the push phase ran) the push service's, once its sample checks are done.
   */
  DeliveryReport.Result result() {
    List<String> targets = new ArrayList<>();
    boolean issueParameters = options.seconds() >= 60;
    if (options.runs("email") || options.runs("mixed")) {
      targets.add("email " + fmt(options.emailRate()) + "/s with commit → accepted by SMTP p99 < "
          + fmt(DeliveryReport.EMAIL_P99_MS) + " ms");
      issueParameters &= options.emailRate() >= 1_000;
    }
    if (options.runs("webhook") || options.runs("mixed")) {
      targets.add("webhooks " + fmt(options.webhookRate()) + "/s with commit → received p99 < "
          + fmt(DeliveryReport.WEBHOOK_P99_MS) + " ms");
      issueParameters &= options.webhookRate() >= 3_000;
    }
    if (options.runs("push")) {
      targets.add("push " + fmt(options.pushRate()) + "/s with commit → received by the push service p99 < "
          + fmt(DeliveryReport.PUSH_P99_MS) + " ms, every sample check passed");
      issueParameters &= options.pushRate() >= 2_000;
    }
    if (options.runs("mixed")) {
      targets.add("in-app " + fmt(options.durableRate()) + "/s p99 < " + fmt(DeliveryReport.IN_APP_P99_MS)
          + " ms while email and webhooks run");
      issueParameters &= options.durableRate() >= 5_000;
    }
    String words = String.join("; ", targets) + "; each for " + options.seconds() + " s, nothing lost, at least "
        + fmt(DeliveryReport.SUSTAINED * 100) + " % of each rate accepted"
        + (issueParameters ? " (the issues' parameters)"
            : " (not the issues' parameters: email 1,000, webhooks 3,000, push 2,000, in-app 5,000/s for 60 s)");
    List<String> sinks = new ArrayList<>();
    if (options.runs("email") || options.runs("mixed")) {
      sinks.add("SMTP sink " + smtp.receipts().messages() + " messages (" + smtp.receipts().withoutId()
          + " without a notification id)");
    }
    if (options.runs("webhook") || options.runs("mixed")) {
      sinks.add("webhook receiver " + hooks.receipts().messages() + " messages (" + hooks.receipts().withoutId()
          + " without data.id, " + hooks.repeatedWebhookIds() + " repeating a webhook-id)");
    }
    PushService.Totals pushTotals = null;
    if (options.runs("push")) {
      try {
        push.awaitChecks(CHECKS_WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the totals then count the checks left as not done
      }
      pushTotals = push.totals();
      sinks.add("push service " + pushTotals.messages() + " messages (" + pushTotals.withoutTopic() + " without a topic, "
          + pushTotals.unknownSubscription() + " to no subscription, " + pushTotals.duplicates()
          + " repeating a topic); sample checks (VAPID, decryption, payload id), warm-up included: "
          + pushTotals.checks().words()
          + (pushTotals.failures().isEmpty() ? "" : "; first failures: " + String.join(" / ", pushTotals.failures())));
    }
    return new DeliveryReport.Result(List.copyOf(phases), settledJobsSeconds, jobsAtEnd, words, String.join("; ", sinks),
        pushTotals);
  }

  static String emailUser(int i) {
    return "e" + i;
  }

  static String pushUser(int i) {
    return "p" + i;
  }

  /** {@code method url} with {@code bearer} (an API key or a user token) and a JSON body (null: none); the answer's body. */
  private static CompletableFuture<String> call(HttpClient http, String method, String url, String bearer, String body) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .header("authorization", "Bearer " + bearer).header("content-type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> {
          if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
          }
          return r.body();
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
    push.close();
    vertx.close();
  }
}
