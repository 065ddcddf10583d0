package dev.herald.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The side-by-side benchmark: for each server in turn (Herald, Socket.IO on Node, netty-socketio)
 * it starts the server, connects N authenticated clients from several {@link LoadClient}
 * processes, lets them idle, publishes unicasts to random users and broadcasts to the tenant
 * through {@code POST /api/events}, and measures the server process through {@code /proc}. Prints
 * a markdown table and writes it with the raw JSON to {@code herald-bench/target/bench-results/}.
 *
 * <p>Phases per server: start → connect (connects/s, CPU per connect) → idle (RSS per connection,
 * idle CPU) → warm-up (unicast and two broadcasts, not reported) → unicast → broadcast → REPORT.
 * Every wait is bounded; the whole run stops itself after {@code --max-minutes}, and every child
 * process is killed on the way out. All traffic stays on 127.0.0.x. See docs/BENCHMARKS.md.
 *
 * <p>{@code --scenario durable} measures Herald's durable notifications instead (issue 4): the same
 * start, connect and idle, then {@code POST /api/notifications} to one random user per request at
 * each rate of {@code --durable-rates} for {@code --durable-seconds} (after a warm-up at a low
 * rate), each received as the Socket.IO event {@code notification}; the embedded PostgreSQL's CPU
 * is measured beside Herald's, and the report is the curve of rate against latency
 * ({@link DurableReport}).
 */
public final class BenchMain {
  static final String EVENT = "bench";
  static final String TENANT = "t0";
  static final int PHASE_WARMUP = 0;
  static final int PHASE_UNICAST = 1;
  static final int PHASE_BROADCAST = 2;
  static final int PHASE_WARMUP_BROADCAST = 3;
  /** The Socket.IO event a durable notification arrives as. */
  static final String NOTIFICATION_EVENT = "notification";
  /** The durable scenario's warm-up rate, or its first rate when that is lower. */
  static final double DURABLE_WARMUP_RATE = 500;
  private static final List<String> ALL_SERVERS = List.of("herald", "socketio", "netty-socketio");
  private static final Set<String> OPTIONS = Set.of("scenario", "servers", "n", "processes", "concurrency", "idle-seconds",
      "warmup-seconds", "unicast-rate", "unicast-seconds", "broadcast-rate", "broadcast-seconds", "settle-seconds",
      "in-flight", "max-minutes", "java-opts", "client-java-opts", "root", "out", "seed", "durable-rates",
      "durable-seconds", "personalise", "email-rate", "webhook-rate", "push-rate", "durable-rate", "delivery-seconds",
      "phases");

  private final Path root;
  private final Path runDir;
  private final boolean durable;
  /** {@code --scenario delivery}: email, webhooks, push and in-app through the delivery engine (issues 12, 13). */
  private final boolean delivery;
  private final DeliveryScenario.Options deliveryOptions;
  /** The delivery scenario of the running server, and its report once run. */
  private DeliveryScenario deliveryScenario;
  private DeliveryReport.Result deliveryResult;
  private final List<String> servers;
  private final int n;
  private final int processes;
  private final int concurrency;
  private final int idleSeconds;
  private final int warmupSeconds;
  private final double unicastRate;
  private final int unicastSeconds;
  private final double broadcastRate;
  private final int broadcastSeconds;
  private final List<Double> durableRates;
  private final int durableSeconds;
  /** Whether the durable scenario puts preferences and templates in play ({@code --personalise on|off}, default on). */
  private final boolean personalised;
  private final int settleSeconds;
  private final int inFlight;
  private final int maxMinutes;
  private final List<String> javaOpts;
  private final List<String> clientJavaOpts;
  private final long seed;
  private final String jwtSecret;
  private final String apiKey;
  private final String commit;
  private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
  private String database = "";

  private BenchMain(Args a) throws IOException {
    this.root = Path.of(a.string("root", ".")).toAbsolutePath().normalize();
    String scenario = a.string("scenario", "gateway");
    if (!scenario.equals("gateway") && !scenario.equals("durable") && !scenario.equals("delivery")) {
      throw new IllegalArgumentException("--scenario must be gateway, durable or delivery, was '" + scenario + "'");
    }
    this.durable = scenario.equals("durable");
    this.delivery = scenario.equals("delivery");
    boolean notifications = durable || delivery;
    this.servers = Arrays.stream(a.string("servers", notifications ? "herald" : String.join(",", ALL_SERVERS)).split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String s : servers) {
      if (!ALL_SERVERS.contains(s)) {
        throw new IllegalArgumentException("--servers: unknown server '" + s + "'; known: " + String.join(",", ALL_SERVERS));
      }
    }
    if (notifications && !servers.equals(List.of("herald"))) {
      throw new IllegalArgumentException("--scenario " + scenario + " runs Herald only (the peers have no durable notifications)");
    }
    this.durableRates = rates(a.string("durable-rates", "1000,2500,5000,7500"));
    this.durableSeconds = a.integer("durable-seconds", 60, 1, 3_600);
    String personalise = a.string("personalise", "on");
    if (!personalise.equals("on") && !personalise.equals("off")) {
      throw new IllegalArgumentException("--personalise must be on or off, was '" + personalise + "'");
    }
    this.personalised = personalise.equals("on");
    this.n = a.integer("n", notifications ? 2_000 : 15_000, 1, 100_000);
    this.processes = a.integer("processes", 3, 1, 20);
    this.concurrency = a.integer("concurrency", 200, 1, 5_000);
    this.idleSeconds = a.integer("idle-seconds", 10, 0, 3_600);
    this.warmupSeconds = a.integer("warmup-seconds", notifications ? 10 : 5, 0, 600);
    this.unicastRate = a.number("unicast-rate", 1_000, 0.1, 1_000_000);
    this.unicastSeconds = a.integer("unicast-seconds", 10, 1, 3_600);
    this.broadcastRate = a.number("broadcast-rate", 1, 0.1, 10_000);
    this.broadcastSeconds = a.integer("broadcast-seconds", 10, 1, 3_600);
    this.settleSeconds = a.integer("settle-seconds", 30, 1, 600);
    this.inFlight = a.integer("in-flight", notifications ? 256 : 64, 1, 10_000);
    this.deliveryOptions = new DeliveryScenario.Options(a.number("email-rate", 1_000, 0.1, 100_000),
        a.number("webhook-rate", 3_000, 0.1, 100_000), a.number("push-rate", 2_000, 0.1, 100_000),
        a.number("durable-rate", 5_000, 0.1, 100_000), a.integer("delivery-seconds", 60, 1, 3_600), warmupSeconds,
        settleSeconds, inFlight, n, DeliveryScenario.phases(a.string("phases", String.join(",", DeliveryScenario.PHASES))));
    this.maxMinutes = a.integer("max-minutes", 30, 1, 24 * 60);
    String envOpts = System.getenv().getOrDefault("HERALD_JAVA_OPTS", "");
    this.javaOpts = split(a.string("java-opts", envOpts));
    this.clientJavaOpts = split(a.string("client-java-opts", "-Xms256m -Xmx1g -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED"));
    this.seed = a.integer("seed", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.jwtSecret = "bench-" + HexFormat.of().formatHex(secret);
    this.apiKey = "bench-key-" + HexFormat.of().formatHex(secret, 0, 8);
    this.commit = commit(root);
    if ((long) n > processes * 18_000L) {
      throw new IllegalArgumentException("--n " + n + " needs more --processes: each holds at most 18,000 sockets (open-file limit 20,000)");
    }
    // Only for a run that starts: its own directory of results, logs and Herald's data.
    String stamp = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = Path.of(a.string("out", root.resolve("herald-bench/target/bench-results").toString()));
    this.runDir = Files.createDirectories(out.resolve(stamp)).toAbsolutePath();
  }

  /** {@code --durable-rates}: publishes per second, comma-separated, one phase each. */
  private static List<Double> rates(String list) {
    List<Double> rates = new ArrayList<>();
    for (String r : list.split(",")) {
      try {
        double rate = Double.parseDouble(r.trim().replace("_", ""));
        if (!(rate >= 0.1 && rate <= 1_000_000)) {
          throw new NumberFormatException();
        }
        rates.add(rate);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--durable-rates: each rate must be a number 0.1-1000000, was '" + r.trim() + "'");
      }
    }
    if (rates.size() > LoadClient.PHASES - 1) {
      throw new IllegalArgumentException("--durable-rates: at most " + (LoadClient.PHASES - 1) + " rates");
    }
    return List.copyOf(rates);
  }

  public static void main(String[] argv) throws Exception {
    BenchMain bench;
    try {
      bench = new BenchMain(new Args(argv, OPTIONS));
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.MINUTES.toMillis(bench.maxMinutes));
        System.err.println("bench: --max-minutes " + bench.maxMinutes + " reached; stopping everything");
        ChildProcesses.killAll();
        Runtime.getRuntime().halt(3);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    String command = System.getenv().getOrDefault("BENCH_COMMAND", "java -cp herald-bench.jar dev.herald.bench.BenchMain " + String.join(" ", argv));
    int code = bench.run(command);
    System.exit(code);
  }

  private int run(String command) throws IOException {
    log("results and logs in " + runDir);
    Map<String, Object> machine = machine();
    log("machine: " + machine.get("summary"));
    List<BenchReport.Server> results = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      results.add(runServer(servers.get(i), i));
    }
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("scenario", durable ? "durable" : delivery ? "delivery" : "gateway");
    parameters.put("n", n);
    parameters.put("processes", processes);
    parameters.put("concurrencyPerProcess", concurrency);
    parameters.put("idleSeconds", idleSeconds);
    parameters.put("warmupSeconds", warmupSeconds);
    parameters.put("unicastRate", unicastRate);
    parameters.put("unicastSeconds", unicastSeconds);
    parameters.put("broadcastRate", broadcastRate);
    parameters.put("broadcastSeconds", broadcastSeconds);
    if (durable) {
      parameters.keySet().removeAll(List.of("unicastRate", "unicastSeconds", "broadcastRate", "broadcastSeconds"));
      parameters.put("durableRates", durableRates);
      parameters.put("durableSeconds", durableSeconds);
      parameters.put("preferencesAndTemplates", personalised);
      parameters.put("durableWarmupRate", Math.min(DURABLE_WARMUP_RATE, durableRates.get(0)));
    }
    if (delivery) {
      parameters.keySet().removeAll(List.of("unicastRate", "unicastSeconds", "broadcastRate", "broadcastSeconds"));
      parameters.put("phases", deliveryOptions.phases());
      parameters.put("emailRate", deliveryOptions.emailRate());
      parameters.put("webhookRate", deliveryOptions.webhookRate());
      parameters.put("pushRate", deliveryOptions.pushRate());
      parameters.put("durableRate", deliveryOptions.durableRate());
      parameters.put("deliverySeconds", deliveryOptions.seconds());
      parameters.put("preferencesAndTemplates", personalised && deliveryOptions.runs("mixed"));
    }
    parameters.put("publishInFlight", inFlight);
    parameters.put("serverJavaOpts", String.join(" ", javaOpts));
    parameters.put("clientJavaOpts", String.join(" ", clientJavaOpts));
    parameters.put("database", database);
    String jvm = "server JVM options: " + (javaOpts.isEmpty() ? "none" : "`" + String.join(" ", javaOpts) + "`");
    parameters.put("summary", delivery
        ? "N=" + n + " connected users over " + processes + " load processes; idle " + idleSeconds + " s; warm-up "
            + warmupSeconds + " s; phases " + deliveryPhases() + ", " + deliveryOptions.seconds()
            + " s each, one recipient per create, at most " + inFlight + " requests in flight per stream; " + jvm
            + "; database: " + (database.isEmpty() ? "not found" : database)
        : durable
        ? "N=" + n + " over " + processes + " load processes; idle " + idleSeconds + " s; warm-up " + warmupSeconds
            + " s at " + BenchReport.fmt(Math.min(DURABLE_WARMUP_RATE, durableRates.get(0)), 0) + "/s; then "
            + String.join(", ", durableRates.stream().map(r -> BenchReport.fmt(r, 0)).toList()) + " notifications/s × "
            + durableSeconds + " s each, one random recipient each, at most " + inFlight + " requests in flight; " + jvm
            + "; database: " + (database.isEmpty() ? "not found" : database)
        : "N=" + n + " over " + processes + " load processes; idle " + idleSeconds + " s; unicast "
            + BenchReport.fmt(unicastRate, 0) + "/s × " + unicastSeconds + " s; broadcast " + BenchReport.fmt(broadcastRate, 1)
            + "/s × " + broadcastSeconds + " s; warm-up " + warmupSeconds + " s; " + jvm);
    BenchReport.Run run = new BenchReport.Run(command, commit, ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        machine, parameters, results, durable ? DurableReport.curve(results.getFirst(), durableSeconds) : null,
        deliveryResult);
    String md = BenchReport.markdown(run);
    Files.writeString(runDir.resolve("results.md"), md);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(runDir.resolve("results.json").toFile(), run);
    System.out.println();
    System.out.println(md);
    System.out.println("written: " + runDir.resolve("results.md") + " and results.json");
    return results.stream().allMatch(r -> r.error() == null) ? 0 : 1;
  }

  /** The delivery phases that run, with their rates: "email 1,000/s, push 2,000/s". */
  private String deliveryPhases() {
    DeliveryScenario.Options o = deliveryOptions;
    return String.join(", ", o.phases().stream().map(p -> switch (p) {
      case "email" -> "email " + BenchReport.fmt(o.emailRate(), 0) + "/s";
      case "webhook" -> "webhook " + BenchReport.fmt(o.webhookRate(), 0) + "/s";
      case "push" -> "push " + BenchReport.fmt(o.pushRate(), 0) + "/s";
      case "mixed" -> "mixed (email and webhook at their rates, in-app " + BenchReport.fmt(o.durableRate(), 0) + "/s)";
      default -> p;
    }).toList());
  }

  /** One server from start to stop; failures end its run early and are reported in its column. */
  private BenchReport.Server runServer(String name, int index) {
    Measurement m = new Measurement(name);
    ServerProcess server = null;
    List<LoadProcess> loads = new ArrayList<>();
    ProcStats.MachineCpu machine0 = ProcStats.MachineCpu.read();
    long self0 = ProcStats.cpuTicks(ProcessHandle.current().pid());
    try {
      int port = freePortPair();
      if (delivery) {
        deliveryScenario = DeliveryScenario.start(deliveryOptions);
      }
      ServerProcess.Spec spec = spec(name, port);
      log(name + ": starting on 127.0.0.1:" + port + (spec.apiPort() != port ? " (API on " + spec.apiPort() + ")" : "")
          + ": " + String.join(" ", spec.command()));
      m.version = spec.version();
      server = new ServerProcess(spec, runDir.resolve(name + ".log"));
      server.awaitListening(Duration.ofSeconds(60));
      if (server.database() != null) {
        EmbeddedDatabase db = server.database();
        database = db.version() + " embedded, pid " + db.pid() + ": `" + db.commandLine() + "`";
        log(name + ": " + database);
      } else if (durable || delivery) {
        log(name + ": no embedded PostgreSQL found (HERALD_DATABASE_URL set?): the database's CPU is not measured");
      }
      for (int p = 0; p < processes; p++) {
        loads.add(startLoad(name, index, p, port));
      }
      for (LoadProcess l : loads) {
        l.await("READY", Duration.ofSeconds(120));
      }
      Thread.sleep(1_000);
      m.rssBaseline = server.rssKb();
      measure(m, server, loads);
    } catch (Exception e) {
      m.error = e.getMessage() == null ? e.toString() : e.getMessage();
      log(name + ": FAILED: " + m.error);
    } finally {
      if (server != null) {
        m.peakRss = server.peakRssKb();
      }
      // Whatever else ran on the machine meanwhile (other processes, the hypervisor's steal) is
      // noise in every number above: measure it.
      ProcStats.MachineCpu machine1 = ProcStats.MachineCpu.read();
      long ours = ProcStats.cpuTicks(ProcessHandle.current().pid()) - self0
          + (server == null ? 0 : server.allCpuTicks()) + clientCpu(loads);
      long window = machine1.total() - machine0.total();
      if (window > 0) {
        m.otherCpuPercent = Math.max(0, 100.0 * (machine1.busy() - machine0.busy() - ours) / window);
        m.stealPercent = 100.0 * (machine1.steal() - machine0.steal()) / window;
      }
      loads.forEach(LoadProcess::close);
      if (deliveryScenario != null) {
        // before the server: its database connection ends before Herald stops PostgreSQL
        deliveryResult = deliveryScenario.result();
        deliveryScenario.close();
      }
      if (server != null) {
        server.close();
      }
    }
    return m.result(n);
  }

  private void measure(Measurement m, ServerProcess server, List<LoadProcess> loads) throws Exception {
    String name = server.spec().name();
    // Connect: all load processes at once, each with its bounded number of handshakes in flight.
    long cpu0 = server.cpuTicks();
    long t0 = System.nanoTime();
    for (LoadProcess l : loads) {
      l.send("CONNECT");
    }
    for (LoadProcess l : loads) {
      String[] f = l.await("CONNECTED", Duration.ofSeconds(120 + n / 50)).split(" ");
      m.connected += Integer.parseInt(f[1]);
      m.connectFailed += Integer.parseInt(f[2]);
    }
    m.connectSeconds = (System.nanoTime() - t0) / 1e9;
    long cpu1 = server.cpuTicks();
    m.connectCpuMicros = micros(cpu1 - cpu0) / Math.max(1, m.connected);
    m.rssAfterConnect = server.rssKb();
    log(name + ": " + m.connected + " connected (" + m.connectFailed + " failed) in "
        + BenchReport.fmt(m.connectSeconds, 1) + " s: " + BenchReport.fmt(m.connected / m.connectSeconds, 0) + "/s");

    // Idle: the clients only answer heartbeats.
    Thread.sleep(idleSeconds * 1000L);
    long cpu2 = server.cpuTicks();
    m.rssAfterIdle = server.rssKb();
    m.idleCpuPercent = idleSeconds == 0 ? 0 : 100.0 * (cpu2 - cpu1) / ProcStats.TICKS_PER_SECOND / idleSeconds;
    log(name + ": idle: RSS " + m.rssBaseline / 1024 + " → " + m.rssAfterIdle / 1024 + " MiB, CPU "
        + BenchReport.fmt(m.idleCpuPercent, 1) + " %");

    if (delivery) {
      publishDeliveries(server, loads);
    } else if (durable) {
      publishNotifications(m, server, loads);
    } else {
      publishEvents(m, server, loads);
    }

    // Final counts and latency histograms from every load process.
    ObjectMapper json = new ObjectMapper();
    Map<Integer, Histogram> latency = new LinkedHashMap<>();
    Map<Integer, Long> delivered = new LinkedHashMap<>();
    for (LoadProcess l : loads) {
      l.send("REPORT");
      JsonNode r = json.readTree(l.await("REPORT", Duration.ofSeconds(60)).substring("REPORT ".length()));
      m.pings += r.path("pings").asLong();
      m.closedAfterConnect += r.path("closedAfterConnect").asLong();
      m.clientErrors += r.path("errors").asLong();
      r.path("phases").properties().forEach(e -> {
        int k = Integer.parseInt(e.getKey());
        delivered.merge(k, e.getValue().path("received").asLong(), Long::sum);
        latency.computeIfAbsent(k, x -> new Histogram(3)).add(HistogramCodec.decode(e.getValue().path("latencyMicros").asText()));
      });
    }
    m.finishPhases(delivered, latency);
    if (delivery) {
      deliveryScenario.finishInApp(delivered.getOrDefault(DeliveryScenario.PHASE_MIXED, 0L),
          latency.get(DeliveryScenario.PHASE_MIXED));
    }
  }

  /**
   * The delivery scenario (issues 12 and 13): email, webhook and push creates, and in the mixed
   * phase the durable scenario's in-app creates (with preferences and templates unless
   * {@code --personalise off}) beside email and webhooks; see {@link DeliveryScenario}.
   */
  private void publishDeliveries(ServerProcess server, List<LoadProcess> loads) throws Exception {
    int port = server.spec().apiPort();
    if (personalised && deliveryOptions.runs("mixed")) {
      personalise(port);
    }
    deliveryScenario.prepare(port, apiKey, jwtSecret, server.database() == null ? -1 : server.database().port());
    SplittableRandom random = new SplittableRandom(seed);
    Publisher.Body randomUser = Publisher.notification(EVENT, seq -> "u" + random.nextInt(n), personalised);
    deliveryScenario.run(port, apiKey, randomUser, server, () -> clientCpu(loads), k -> {
      try {
        return counts(loads)[1 + k];
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  /** The gateway scenario: unicasts to random users, then broadcasts to the tenant, through {@code POST /api/events}. */
  private void publishEvents(Measurement m, ServerProcess server, List<LoadProcess> loads) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    Publisher.Body randomUser = Publisher.event(EVENT, seq -> "user:u" + random.nextInt(n));
    Publisher.Body tenant = Publisher.event(EVENT, seq -> "tenant:" + TENANT);
    try (Publisher publisher = Publisher.events("127.0.0.1", server.spec().apiPort(), apiKey, inFlight)) {
      if (warmupSeconds > 0) {
        m.phases.add(phase("warmup", PHASE_WARMUP, unicastRate, warmupSeconds, randomUser, false, publisher, server, loads));
        m.phases.add(phase("warmup-broadcast", PHASE_WARMUP_BROADCAST, 1, 2, tenant, true, publisher, server, loads));
      }
      m.phases.add(phase("unicast", PHASE_UNICAST, unicastRate, unicastSeconds, randomUser, false, publisher, server, loads));
      m.phases.add(phase("broadcast", PHASE_BROADCAST, broadcastRate, broadcastSeconds, tenant, true, publisher, server, loads));
    }
  }

  /**
   * The durable scenario: one notification per {@code POST /api/notifications} to a random user
   * {@code u0 … u<n-1>}, a warm-up at a low rate, then each of {@code --durable-rates} (phase
   * {@code 1 + i}) for {@code --durable-seconds}, in the order given (lowest first makes the curve).
   */
  private void publishNotifications(Measurement m, ServerProcess server, List<LoadProcess> loads) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    if (personalised) {
      personalise(server.spec().apiPort());
    }
    Publisher.Body randomUser = Publisher.notification(EVENT, seq -> "u" + random.nextInt(n), personalised);
    try (Publisher publisher = Publisher.notifications("127.0.0.1", server.spec().apiPort(), apiKey, inFlight)) {
      if (warmupSeconds > 0) {
        double rate = Math.min(DURABLE_WARMUP_RATE, durableRates.getFirst());
        m.phases.add(phase("warmup", PHASE_WARMUP, rate, warmupSeconds, randomUser, false, publisher, server, loads));
      }
      for (int i = 0; i < durableRates.size(); i++) {
        double rate = durableRates.get(i);
        m.phases.add(phase(DurableReport.phaseName(rate), 1 + i, rate, durableSeconds, randomUser, false, publisher,
            server, loads));
      }
    }
  }

  /**
   * Puts preferences and templates in play (issue 5): the tenant's default document, a preference
   * document with a locale and quiet hours for every fourth user, and the notification's template in
   * a default and a German version; every create then resolves preferences and renders per recipient.
   */
  private void personalise(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    call(http, "PUT", base + "/api/tenant/preferences", apiKey,
        "{\"channels\":{\"marketing\":{\"inApp\":false}},\"locale\":\"en\"}");
    call(http, "POST", base + "/api/templates", apiKey, "{\"name\":\"" + EVENT + "\",\"deliveryChannel\":\"inApp\","
        + "\"title\":\"Update {{k}} for you\",\"message\":\"Sent at {{t}}\"}");
    call(http, "POST", base + "/api/templates", apiKey, "{\"name\":\"" + EVENT + "\",\"deliveryChannel\":\"inApp\","
        + "\"locale\":\"de\",\"title\":\"Neuigkeit {{k}} für dich\",\"message\":\"Gesendet um {{t}}\"}");
    for (int u = 0; u < n; u += 4) {
      String token = BenchToken.sign(jwtSecret, "u" + u, TENANT, Duration.ofHours(1));
      call(http, "PUT", base + "/api/notifications/preferences", token, "{\"locale\":\"de-AT\",\"channels\":{\"orders\":"
          + "{\"email\":false}},\"quietHours\":{\"start\":\"23:00\",\"end\":\"06:00\",\"timezone\":\"Europe/Vienna\"}}");
    }
    log("personalised: tenant defaults, 2 templates, preferences for " + ((n + 3) / 4) + " users");
  }

  private static void call(HttpClient http, String method, String url, String bearer, String body)
      throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("authorization", "Bearer " + bearer).header("content-type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  /**
   * Publishes one phase and waits for its deliveries: until all expected arrived, or nothing new
   * arrived for three seconds, or {@code --settle-seconds} passed. The server's CPU (and its
   * database's, the orchestrator's and the machine's) counts from the first publish to the last
   * time a delivery was seen arriving.
   */
  private PhaseRun phase(String name, int k, double rate, int seconds, Publisher.Body body, boolean broadcast,
                         Publisher publisher, ServerProcess server, List<LoadProcess> loads) throws Exception {
    long[] before = counts(loads);
    long open = before[0];
    long start = System.nanoTime();
    CpuSnapshot cpuStart = CpuSnapshot.take(server);
    long clientCpuStart = clientCpu(loads);
    Publisher.Result published = publisher.run(k, rate, Duration.ofSeconds(seconds), body);
    long expected = published.accepted() * (broadcast ? open : 1);
    long seen = -1;
    CpuSnapshot cpuAtLastDelivery = CpuSnapshot.take(server);
    long lastProgress = System.nanoTime();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settleSeconds);
    while (true) {
      long got = counts(loads)[1 + k];
      CpuSnapshot cpu = CpuSnapshot.take(server);
      if (got != seen) {
        seen = got;
        cpuAtLastDelivery = cpu;
        lastProgress = System.nanoTime();
      }
      if (got >= expected || System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(3)
          || System.nanoTime() > deadline || !server.isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    long clientCpu = clientCpu(loads) - clientCpuStart;
    log(server.spec().name() + ": " + name + ": " + published.accepted() + "/" + published.scheduled() + " accepted ("
        + published.skipped() + " skipped, " + published.failed() + " failed), " + seen + "/" + expected + " delivered"
        + (published.firstError() != null ? "; first error: " + published.firstError() : ""));
    if (!server.isAlive()) {
      throw new IOException(server.spec().name() + " died during " + name);
    }
    return new PhaseRun(name, k, rate, published, expected, (lastProgress - start) / 1e9,
        cpuAtLastDelivery.server().minus(cpuStart.server()), clientCpu,
        cpuAtLastDelivery.database().total() < 0 || cpuStart.database().total() < 0 ? null
            : cpuAtLastDelivery.database().minus(cpuStart.database()),
        cpuAtLastDelivery.orchestrator() - cpuStart.orchestrator(), cpuAtLastDelivery.machine().minus(cpuStart.machine()));
  }

  /** [open connections, received per phase 0 … PHASES - 1], summed over the load processes. */
  private static long[] counts(List<LoadProcess> loads) throws IOException {
    long[] sum = new long[1 + LoadClient.PHASES];
    for (LoadProcess l : loads) {
      l.send("COUNTS");
    }
    for (LoadProcess l : loads) {
      String[] f = l.await("COUNTS", Duration.ofSeconds(30)).split(" ");
      for (int i = 0; i < sum.length; i++) {
        sum[i] += Long.parseLong(f[1 + i]);
      }
    }
    return sum;
  }

  private static long clientCpu(List<LoadProcess> loads) {
    return loads.stream().mapToLong(l -> Math.max(0, ProcStats.cpuTicks(l.pid()))).sum();
  }

  private LoadProcess startLoad(String server, int serverIndex, int p, int port) throws IOException {
    int first = (int) ((long) n * p / processes);
    int count = (int) ((long) n * (p + 1) / processes) - first;
    // Four source addresses per process, different for each server: ample ephemeral ports, and no
    // collision with the previous server's connections still in TIME_WAIT.
    List<String> locals = new ArrayList<>();
    for (int j = 0; j < 4; j++) {
      locals.add("127.0.0." + (2 + (serverIndex % 3) * 80 + p * 4 + j));
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(clientJavaOpts);
    cmd.addAll(List.of("-cp", benchJar().toString(), LoadClient.class.getName(),
        "--url", "ws://127.0.0.1:" + port, "--path", "/socket.io/", "--first", Integer.toString(first),
        "--count", Integer.toString(count), "--local", String.join(",", locals), "--secret", jwtSecret,
        "--tenant", TENANT, "--concurrency", Integer.toString(concurrency),
        "--max-seconds", Integer.toString(maxMinutes * 60)));
    cmd.addAll(durable || delivery ? List.of("--event", NOTIFICATION_EVENT, "--data-field", "data") : List.of("--event", EVENT));
    return new LoadProcess(server + "-load-" + p, cmd, runDir.resolve(server + "-load-" + p + ".log"));
  }

  private ServerProcess.Spec spec(String name, int port) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    List<String> cmd = new ArrayList<>();
    return switch (name) {
      case "herald" -> {
        Path jar = root.resolve("herald-server/target/herald.jar");
        requireFile(jar, "build it: ./mvnw -pl herald-server -am package -DskipTests (bench/run does)");
        env.put("HERALD_PORT", Integer.toString(port));
        env.put("HERALD_HOST", "127.0.0.1");
        env.put("HERALD_JWT_SECRET", jwtSecret);
        env.put("HERALD_API_KEYS", TENANT + ":" + apiKey);
        // A new directory of this run: the embedded PostgreSQL starts with an empty database.
        Path dataDir = Files.createDirectory(runDir.resolve("herald-data"));
        env.put("HERALD_DATA_DIR", dataDir.toString());
        env.put("HERALD_MAX_CONNECTIONS_PER_USER", "100000");
        // the peers announce no presence: the gateway, durable and delivery scenarios compare
        // without it (its own scenario is issue 14's; HERALD_PRESENCE in the environment wins)
        env.put("HERALD_PRESENCE", System.getenv().getOrDefault("HERALD_PRESENCE", "false"));
        if (deliveryScenario != null) {
          env.putAll(deliveryScenario.heraldEnv());
        }
        cmd.add(java.toString());
        cmd.addAll(javaOpts);
        cmd.addAll(List.of("-jar", jar.toString()));
        yield new ServerProcess.Spec(name, cmd, env, root, port, port, "herald " + commit(root, "herald-server", "pom.xml")
            + " on Java " + Runtime.version().feature(), dataDir);
      }
      case "socketio" -> {
        Path dir = root.resolve("herald-bench/src/main/node");
        requireFile(dir.resolve("node_modules/socket.io/package.json"), "run npm ci in " + dir + " (bench/run does)");
        env.put("PORT", Integer.toString(port));
        env.put("HOST", "127.0.0.1");
        env.put("JWT_SECRET", jwtSecret);
        env.put("API_KEY", apiKey);
        cmd.addAll(List.of("node", "socketio-peer.mjs"));
        String version = new ObjectMapper().readTree(dir.resolve("node_modules/socket.io/package.json").toFile()).path("version").asText();
        yield new ServerProcess.Spec(name, cmd, env, dir, port, port, "socket.io " + version + " on Node " + nodeVersion(), null);
      }
      case "netty-socketio" -> {
        env.put("PORT", Integer.toString(port));
        env.put("API_PORT", Integer.toString(port + 1));
        env.put("HOST", "127.0.0.1");
        env.put("JWT_SECRET", jwtSecret);
        env.put("API_KEY", apiKey);
        cmd.add(java.toString());
        cmd.addAll(javaOpts);
        cmd.addAll(List.of("-cp", benchJar().toString(), NettySocketIoPeer.class.getName()));
        yield new ServerProcess.Spec(name, cmd, env, root, port, port + 1,
            "netty-socketio " + nettySocketIoVersion() + " on Java " + Runtime.version().feature(), null);
      }
      default -> throw new IllegalArgumentException("unknown server " + name);
    };
  }

  private Path benchJar() throws IOException {
    Path jar = root.resolve("herald-bench/target/herald-bench.jar");
    requireFile(jar, "build it: ./mvnw -pl herald-bench -am package -DskipTests (bench/run does)");
    return jar;
  }

  private static void requireFile(Path p, String fix) throws IOException {
    if (!Files.exists(p)) {
      throw new IOException(p + " is missing; " + fix);
    }
  }

  /** A port p on 127.0.0.1 with p + 1 also free (netty-socketio's API listens there). */
  private static int freePortPair() throws IOException {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    for (int attempt = 0; attempt < 50; attempt++) {
      int p;
      try (ServerSocket s = new ServerSocket(0, 1, lo)) {
        p = s.getLocalPort();
      }
      if (p >= 65_535) {
        continue;
      }
      try (ServerSocket a = new ServerSocket(p, 1, lo); ServerSocket b = new ServerSocket(p + 1, 1, lo)) {
        return p;
      } catch (IOException busy) {
        // try another
      }
    }
    throw new IOException("no two adjacent free ports on 127.0.0.1");
  }

  /** The short HEAD commit, marked when tracked files under {@code paths} (all when none) have local changes. */
  private static String commit(Path root, String... paths) {
    String head = exec(List.of("git", "-C", root.toString(), "rev-parse", "--short", "HEAD"));
    List<String> status = new ArrayList<>(List.of("git", "-C", root.toString(), "status", "--porcelain", "--untracked-files=no", "--"));
    status.addAll(List.of(paths));
    String dirty = exec(status);
    return head.isEmpty() ? "unknown" : head + (dirty.isEmpty() ? "" : " (with uncommitted changes)");
  }

  private static String nodeVersion() {
    return exec(List.of("node", "--version"));
  }

  private static String nettySocketIoVersion() {
    try (InputStream in = BenchMain.class.getResourceAsStream("/META-INF/maven/com.corundumstudio.socketio/netty-socketio/pom.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "2.0.x");
    } catch (IOException e) {
      return "2.0.x";
    }
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("cpuModel", firstMatch(Path.of("/proc/cpuinfo"), "model name"));
    String memTotal = firstMatch(Path.of("/proc/meminfo"), "MemTotal");
    long memKb = memTotal.isEmpty() ? 0 : Long.parseLong(memTotal.replace("kB", "").trim());
    m.put("memoryGiB", Math.round(memKb / 1024.0 / 1024.0));
    m.put("kernel", read(Path.of("/proc/sys/kernel/osrelease")));
    m.put("loadAverageAtStart", read(Path.of("/proc/loadavg")));
    m.put("java", Runtime.version().toString());
    m.put("node", nodeVersion());
    m.put("summary", m.get("cpus") + " CPUs (" + m.get("cpuModel") + "), " + m.get("memoryGiB") + " GiB, Linux "
        + m.get("kernel") + ", Java " + m.get("java") + ", Node " + m.get("node") + "; load average at start "
        + String.join(" ", Arrays.asList(((String) m.get("loadAverageAtStart")).split(" ")).subList(0, 3)));
    return m;
  }

  private static String firstMatch(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "";
  }

  private static String read(Path p) {
    try {
      return Files.readString(p).trim();
    } catch (IOException e) {
      return "";
    }
  }

  private static String exec(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static List<String> split(String opts) {
    return Arrays.stream(opts.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  private static double seconds(long ticks) {
    return ticks / (double) ProcStats.TICKS_PER_SECOND;
  }

  private static double micros(long ticks) {
    return ticks * 1e6 / ProcStats.TICKS_PER_SECOND;
  }

  private static void log(String message) {
    System.err.println("[bench " + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + message);
  }

  /**
   * A published phase waiting for its delivery counts and latencies from the final REPORT. CPU is
   * over the phase's window; {@code databaseCpu} is null when the server runs no embedded database.
   */
  private record PhaseRun(String name, int k, double rate, Publisher.Result published, long expected,
                          double cpuWindowSeconds, ProcStats.Cpu serverCpu, long clientCpuTicks,
                          ProcStats.Cpu databaseCpu, long orchestratorCpuTicks, ProcStats.MachineCpu machineCpu) {}

  /** CPU counters read together: the server, its embedded database, this process and the machine. */
  private record CpuSnapshot(ProcStats.Cpu server, ProcStats.Cpu database, long orchestrator, ProcStats.MachineCpu machine) {
    static CpuSnapshot take(ServerProcess server) {
      return new CpuSnapshot(server.cpu(), server.databaseCpu(), ProcStats.cpuTicks(ProcessHandle.current().pid()),
          ProcStats.MachineCpu.read());
    }
  }

  /** What is known about one server while its run goes on. */
  private static final class Measurement {
    final String name;
    final List<PhaseRun> phases = new ArrayList<>();
    List<BenchReport.Phase> finished = List.of();
    String version = "";
    String error;
    int connected;
    int connectFailed;
    double connectSeconds;
    double connectCpuMicros = -1;
    long rssBaseline = -1;
    long rssAfterConnect = -1;
    long rssAfterIdle = -1;
    double idleCpuPercent = -1;
    long pings;
    long closedAfterConnect;
    long clientErrors;
    long peakRss = -1;
    double otherCpuPercent = -1;
    double stealPercent = -1;

    Measurement(String name) {
      this.name = name;
    }

    void finishPhases(Map<Integer, Long> delivered, Map<Integer, Histogram> latency) {
      List<BenchReport.Phase> out = new ArrayList<>();
      for (PhaseRun p : phases) {
        long got = delivered.getOrDefault(p.k(), 0L);
        Histogram h = latency.getOrDefault(p.k(), new Histogram(3));
        double cpuMicros = micros(p.serverCpu().total());
        double idleMicros = Math.max(0, idleCpuPercent) / 100 * p.cpuWindowSeconds() * 1e6;
        Publisher.Result r = p.published();
        out.add(new BenchReport.Phase(p.name(), p.rate(), r.seconds(), r.scheduled(), r.accepted(), r.failed(),
            r.skipped(), p.expected(), got, BenchReport.Latency.ofMicros(h), BenchReport.Latency.ofMicros(r.postMicros()),
            p.cpuWindowSeconds(), seconds(p.serverCpu().total()), seconds(p.serverCpu().user()),
            seconds(p.serverCpu().system()), got == 0 ? -1 : cpuMicros / got,
            got == 0 ? -1 : Math.max(0, cpuMicros - idleMicros) / got,
            r.accepted() == 0 ? -1 : cpuMicros / r.accepted(), seconds(p.clientCpuTicks()),
            p.databaseCpu() == null ? -1 : seconds(p.databaseCpu().total()),
            p.databaseCpu() == null || r.accepted() == 0 ? -1 : micros(p.databaseCpu().total()) / r.accepted(),
            seconds(p.orchestratorCpuTicks()), p.machineCpu().busyPercent(), r.firstError()));
      }
      finished = out;
    }

    BenchReport.Server result(int n) {
      double perConnection = connected == 0 || rssAfterIdle < 0 ? -1 : (rssAfterIdle - rssBaseline) / (double) connected;
      return new BenchReport.Server(name, version, n, connected, connectFailed, connectSeconds,
          connectSeconds > 0 ? connected / connectSeconds : -1, connectCpuMicros, rssBaseline, rssAfterConnect,
          rssAfterIdle, perConnection, idleCpuPercent, pings, closedAfterConnect, clientErrors, finished, peakRss,
          otherCpuPercent, stealPercent, error);
    }
  }
}
