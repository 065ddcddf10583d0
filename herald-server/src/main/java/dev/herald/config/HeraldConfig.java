package dev.herald.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Herald's whole configuration, read once at start from environment variables and never changed
 * afterwards. Every setting is validated here, before anything starts: each record's constructor
 * checks its fields, and {@link #fromEnv} reads on past a bad value so that one
 * {@link ConfigException} names every bad setting at once, each with its value and the fix.
 *
 * @param port HTTP, WebSocket and SSE port ({@code HERALD_PORT})
 * @param host address to bind ({@code HERALD_HOST})
 * @param nodeName name printed at the start of every log line and reported by /health
 * @param dataDir where generated credentials (and, later, embedded state) live
 * @param auth token and API key settings
 * @param engine Engine.IO transport settings
 * @param limits protections applied to every connection
 * @param recovery the window within which a dropped client gets what it missed
 * @param drainTimeout how long SIGTERM waits for clients to leave before exiting
 * @param databaseUrl external PostgreSQL ({@code HERALD_DATABASE_URL}, see {@link DatabaseUrl}); null: embedded
 * @param redisUrl Redis for multi-node fan-out ({@code HERALD_REDIS_URL}); null: single node
 * @param eventLoops event-loop threads serving connections ({@code HERALD_EVENT_LOOPS})
 * @param notifications durable-notification settings
 * @param delivery email, webhook and push delivery settings
 */
public record HeraldConfig(
    int port,
    String host,
    String nodeName,
    Path dataDir,
    Auth auth,
    Engine engine,
    Limits limits,
    Recovery recovery,
    Duration drainTimeout,
    String databaseUrl,
    String redisUrl,
    int eventLoops,
    Notify notifications,
    Delivery delivery,
    PresenceConfig presence) {

  /** JWT and API key settings. Secrets left null here are generated into the data directory. */
  public record Auth(
      String jwtSecret,
      String jwtPublicKeyPem,
      String jwksUrl,
      List<String> apiKeys,
      String roomHookUrl,
      Duration roomHookCacheTtl) {
    public Auth {
      apiKeys = List.copyOf(apiKeys);
      Problems p = new Problems();
      AuthChecks.jwtSecret(p, jwtSecret);
      AuthChecks.publicKey(p, jwtPublicKeyPem);
      p.httpUrl("HERALD_JWT_JWKS_URL", jwksUrl, "https://auth.example/.well-known/jwks.json");
      AuthChecks.apiKeys(p, apiKeys);
      p.httpUrl("HERALD_ROOM_HOOK_URL", roomHookUrl, "https://app.example/herald/rooms");
      p.notNegative("HERALD_ROOM_HOOK_CACHE_MS", roomHookCacheTtl.toMillis());
      p.throwIfAny();
    }

    /** A copy with the generated development credentials filled in where none were configured. */
    public Auth withDefaults(String generatedSecret, String generatedKey) {
      boolean noVerifier = jwtSecret == null && jwtPublicKeyPem == null && jwksUrl == null;
      return new Auth(noVerifier ? generatedSecret : jwtSecret, jwtPublicKeyPem, jwksUrl,
          apiKeys.isEmpty() ? List.of(generatedKey) : apiKeys, roomHookUrl, roomHookCacheTtl);
    }
  }

  /**
   * Engine.IO settings, named as in the Engine.IO server's options.
   *
   * @param corsOrigins allowed browser origins; {@code *} allows any
   */
  public record Engine(
      Duration pingInterval,
      Duration pingTimeout,
      int maxPayload,
      Duration connectTimeout,
      Duration upgradeTimeout,
      List<String> corsOrigins) {
    public Engine {
      corsOrigins = List.copyOf(corsOrigins);
      Problems p = new Problems();
      p.positive("HERALD_PING_INTERVAL_MS", pingInterval.toMillis());
      p.positive("HERALD_PING_TIMEOUT_MS", pingTimeout.toMillis());
      p.positive("HERALD_MAX_PAYLOAD_BYTES", maxPayload);
      p.positive("HERALD_CONNECT_TIMEOUT_MS", connectTimeout.toMillis());
      p.positive("HERALD_UPGRADE_TIMEOUT_MS", upgradeTimeout.toMillis());
      p.throwIfAny();
    }

    public boolean allowsOrigin(String origin) {
      return origin == null || corsOrigins.contains("*") || corsOrigins.contains(origin);
    }
  }

  /**
   * Protections for every connection.
   *
   * @param messagesPerSecond inbound token-bucket refill rate per connection
   * @param burst inbound token-bucket size per connection
   * @param maxRefusedInARow refused inbound messages in a row after which the client is disconnected
   * @param maxConnectionsPerUser live connections one user may hold on this node
   * @param outboundBufferBytes bytes queued for a client that does not read before it is disconnected
   * @param maxHttpBodyBytes largest accepted HTTP request body
   * @param maxEventBytes largest accepted event data (serialized JSON)
   * @param headerTimeout how long an HTTP request head may take from its first byte to its last
   *     ({@code HERALD_HEADER_TIMEOUT_MS}); past it the request is answered 408 and the connection closed
   */
  public record Limits(
      double messagesPerSecond,
      int burst,
      int maxRefusedInARow,
      int maxConnectionsPerUser,
      int outboundBufferBytes,
      int maxHttpBodyBytes,
      int maxEventBytes,
      Duration headerTimeout) {
    public Limits {
      Problems p = new Problems();
      p.positive("HERALD_RATE_LIMIT_PER_SECOND", messagesPerSecond);
      p.positive("HERALD_RATE_LIMIT_BURST", burst);
      p.positive("HERALD_RATE_LIMIT_MAX_REFUSED", maxRefusedInARow);
      p.positive("HERALD_MAX_CONNECTIONS_PER_USER", maxConnectionsPerUser);
      p.positive("HERALD_OUTBOUND_BUFFER_BYTES", outboundBufferBytes);
      p.positive("HERALD_MAX_HTTP_BODY_BYTES", maxHttpBodyBytes);
      p.positive("HERALD_MAX_EVENT_BYTES", maxEventBytes);
      p.positive("HERALD_HEADER_TIMEOUT_MS", headerTimeout.toMillis());
      p.throwIfAny();
    }
  }

  /**
   * Presence (contract part 2, "Presence and typing").
   *
   * @param enabled whether sessions make presence and typing: {@code user:online},
   *     {@code user:offline}, {@code presence:update}, {@code typing:*} ({@code HERALD_PRESENCE},
   *     default true)
   * @param grace how long after a user's last session closed {@code user:offline} waits for a new
   *     one ({@code HERALD_PRESENCE_GRACE_MS}, default 5000: a page reload does not flap)
   * @param roomKinds the kinds of room ({@code document} of {@code document:42}) that announce
   *     {@code presence:joined}/{@code presence:left} and answer {@code presence:who}
   *     ({@code HERALD_PRESENCE_ROOM_KINDS}, comma-separated); null: every kind but {@code user},
   *     {@code tenant} and {@code channel}
   * @param tenantLimit above this many users online on a node, a tenant hears no tenant-wide
   *     {@code user:online}/{@code user:offline}/{@code presence:updated}; clients follow the users they
   *     show with {@code presence:subscribe} ({@code HERALD_PRESENCE_TENANT_LIMIT}, default 1000)
   * @param coalesce the window presence announcements wait in, so that a user's online and offline
   *     inside one cancel out ({@code HERALD_PRESENCE_COALESCE_MS}, default 250; 0: at once)
   */
  public record PresenceConfig(boolean enabled, Duration grace, java.util.Set<String> roomKinds, int tenantLimit,
      Duration coalesce) {
    public PresenceConfig {
      Problems p = new Problems();
      p.range("HERALD_PRESENCE_GRACE_MS", grace.toMillis(), 0, 600_000, "");
      p.range("HERALD_PRESENCE_TENANT_LIMIT", tenantLimit, 0, 10_000_000, "");
      p.range("HERALD_PRESENCE_COALESCE_MS", coalesce.toMillis(), 0, 60_000, "");
      p.throwIfAny();
    }
  }

  /**
   * How long and how much a node keeps so that dropped clients can resume.
   *
   * @param maxBytes characters of event data kept at most ({@code HERALD_RECOVERY_MAX_BYTES})
   */
  public record Recovery(Duration window, int maxEvents, long maxBytes) {
    public Recovery {
      Problems p = new Problems();
      p.positive("HERALD_RECOVERY_WINDOW_MS", window.toMillis());
      p.positive("HERALD_RECOVERY_MAX_EVENTS", maxEvents);
      p.positive("HERALD_RECOVERY_MAX_BYTES", maxBytes);
      p.throwIfAny();
    }
  }

  /**
   * Durable notifications.
   *
   * @param ackRetryInterval how long a notification that requires an ack waits before a re-send
   * @param ackMaxRetries re-sends of an unacknowledged notification before Herald gives up on it
   * @param schedulerPoll how often scheduled notifications are checked for being due
   * @param databasePoolSize connections in the PostgreSQL pool
   * @param synchronousCommit whether a create waits for its commit to reach the disk
   *     ({@code HERALD_DATABASE_SYNCHRONOUS_COMMIT}, default true); false answers sooner but a crash
   *     of PostgreSQL or of the machine may lose the last moment of accepted notifications
   * @param criticalTypes notification types the operator marks critical ({@code HERALD_CRITICAL_TYPES},
   *     entries {@code type} or {@code type:email+push}): they reach in-app despite opt-outs, like
   *     priority urgent, and override opt-outs and quiet hours for the delivery channels listed
   */
  public record Notify(Duration ackRetryInterval, int ackMaxRetries, Duration schedulerPoll, int databasePoolSize,
      boolean synchronousCommit, Map<String, java.util.Set<String>> criticalTypes) {
    public Notify(Duration ackRetryInterval, int ackMaxRetries, Duration schedulerPoll, int databasePoolSize,
        boolean synchronousCommit) {
      this(ackRetryInterval, ackMaxRetries, schedulerPoll, databasePoolSize, synchronousCommit, Map.of());
    }

    public Notify {
      criticalTypes = Map.copyOf(criticalTypes);
      Problems p = new Problems();
      p.positive("HERALD_ACK_RETRY_MS", ackRetryInterval.toMillis());
      p.range("HERALD_ACK_MAX_RETRIES", ackMaxRetries, 0, 100, "");
      p.positive("HERALD_SCHEDULER_POLL_MS", schedulerPoll.toMillis());
      p.range("HERALD_DATABASE_POOL_SIZE", databasePoolSize, 1, 200, "");
      p.throwIfAny();
    }
  }

  /**
   * Delivery beyond the tab: the job engine, email, webhooks and Web Push.
   *
   * @param smtpUrl {@code smtp://user:pass@host:587} (STARTTLS when offered; {@code ?starttls=required}),
   *     {@code smtps://…} for implicit TLS ({@code HERALD_SMTP_URL}); user and password percent-encoded;
   *     {@code ?trust=*} accepts a test server's self-signed certificate; null: email jobs end {@code skipped: no-transport}
   * @param emailFrom the sender ({@code HERALD_EMAIL_FROM}, {@code Herald <noreply@example.com>})
   * @param publicUrl the base of links in messages ({@code HERALD_PUBLIC_URL}); null: {@code http://localhost:<port>}
   * @param allowPrivateTargets whether push and webhook targets may be loopback, private or link-local
   *     addresses ({@code HERALD_ALLOW_PRIVATE_TARGETS}, default false: refused, against SSRF)
   * @param retryDelays the delays between attempts, each with ±20 % jitter ({@code HERALD_DELIVERY_RETRY_DELAYS},
   *     default {@code 1s,5s,30s,5m}); after the last one the job fails into the dead letter
   * @param concurrency attempts running at once on this node ({@code HERALD_DELIVERY_CONCURRENCY})
   * @param perTarget attempts running at once per receiver: SMTP server, webhook endpoint, push service
   *     ({@code HERALD_DELIVERY_TARGET_CONCURRENCY})
   * @param lease how long a claimed job belongs to this node before another may take it, should this
   *     one die ({@code HERALD_DELIVERY_LEASE_MS}); this node takes its own back at once when it restarts
   * @param webhookTimeout how long a webhook receiver may take to answer ({@code HERALD_WEBHOOK_TIMEOUT_MS})
   * @param smtpTimeout connect, read and write timeout of SMTP ({@code HERALD_SMTP_TIMEOUT_MS})
   * @param signingSecret the key that signs links in messages, such as one-click unsubscribe
   *     ({@code HERALD_SIGNING_SECRET}, at least 32 characters); null: one generated once into the data
   *     directory, so links in sent messages keep working across restarts
   * @param vapidPublicKey the VAPID public key that push services check messages against
   *     ({@code HERALD_VAPID_PUBLIC_KEY}, base64url of the 65-byte uncompressed P-256 point, npm
   *     {@code web-push}'s format); null with {@code vapidPrivateKey}: a pair generated once into the
   *     data directory, so the browsers' subscriptions stay valid across restarts
   * @param vapidPrivateKey its private key ({@code HERALD_VAPID_PRIVATE_KEY}, base64url of the 32-byte
   *     scalar); set both or neither
   * @param vapidSubject the contact push services may write to ({@code HERALD_VAPID_SUBJECT},
   *     {@code mailto:} or {@code https:}, RFC 8292 §2.1; default {@code mailto:herald@localhost})
   */
  public record Delivery(String smtpUrl, String emailFrom, String publicUrl, boolean allowPrivateTargets,
      List<Duration> retryDelays, int concurrency, int perTarget, Duration lease, Duration webhookTimeout,
      Duration smtpTimeout, String signingSecret, String vapidPublicKey, String vapidPrivateKey,
      String vapidSubject) {
    /** The VAPID subject when {@code HERALD_VAPID_SUBJECT} is not set. */
    public static final String DEFAULT_VAPID_SUBJECT = "mailto:herald@localhost";

    public Delivery(String smtpUrl, String emailFrom, String publicUrl, boolean allowPrivateTargets,
        List<Duration> retryDelays, int concurrency, int perTarget, Duration lease, Duration webhookTimeout,
        Duration smtpTimeout) {
      this(smtpUrl, emailFrom, publicUrl, allowPrivateTargets, retryDelays, concurrency, perTarget, lease,
          webhookTimeout, smtpTimeout, null);
    }

    public Delivery(String smtpUrl, String emailFrom, String publicUrl, boolean allowPrivateTargets,
        List<Duration> retryDelays, int concurrency, int perTarget, Duration lease, Duration webhookTimeout,
        Duration smtpTimeout, String signingSecret) {
      this(smtpUrl, emailFrom, publicUrl, allowPrivateTargets, retryDelays, concurrency, perTarget, lease,
          webhookTimeout, smtpTimeout, signingSecret, null, null, DEFAULT_VAPID_SUBJECT);
    }

    public Delivery {
      retryDelays = List.copyOf(retryDelays);
      Problems p = new Problems();
      if (smtpUrl != null && !smtpUrl.matches("smtps?://[^/\\s]+.*")) {
        p.add("HERALD_SMTP_URL must look like smtp://user:pass@host:587 (smtps:// for implicit TLS), was '"
            + DatabaseUrl.redact(smtpUrl) + "'");
      }
      if (emailFrom == null || !emailFrom.matches("[^@\\s<>]+@[^@\\s<>]+|[^<>]*<[^@\\s<>]+@[^@\\s<>]+>")) {
        p.add("HERALD_EMAIL_FROM must be an address, alone or as Name <address>, was '" + emailFrom + "'");
      }
      p.httpUrl("HERALD_PUBLIC_URL", publicUrl, "https://notify.example.com");
      if (retryDelays.isEmpty() || retryDelays.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
        p.add("HERALD_DELIVERY_RETRY_DELAYS must list positive durations such as 1s,5s,30s,5m, was " + retryDelays);
      }
      p.range("HERALD_DELIVERY_CONCURRENCY", concurrency, 1, 10_000, "");
      p.range("HERALD_DELIVERY_TARGET_CONCURRENCY", perTarget, 1, 10_000, "");
      p.positive("HERALD_DELIVERY_LEASE_MS", lease.toMillis());
      p.positive("HERALD_WEBHOOK_TIMEOUT_MS", webhookTimeout.toMillis());
      p.positive("HERALD_SMTP_TIMEOUT_MS", smtpTimeout.toMillis());
      if (signingSecret != null && signingSecret.length() < 32) {
        p.add("HERALD_SIGNING_SECRET must be at least 32 characters (it signs links in messages), was "
            + signingSecret.length() + "; generate one with: openssl rand -base64 32");
      }
      // a lease must outlast the longest attempt (a wait of up to 2 s for the receiver's slot, then the
      // receiver's timeout), or a job still running here would be claimed again: twice at once
      Duration longest = (webhookTimeout.compareTo(smtpTimeout) > 0 ? webhookTimeout : smtpTimeout).plusSeconds(3);
      if (lease.compareTo(longest) < 0) {
        p.add("HERALD_DELIVERY_LEASE_MS must be at least the longer of HERALD_WEBHOOK_TIMEOUT_MS and "
            + "HERALD_SMTP_TIMEOUT_MS plus 3000 (" + longest.toMillis() + "), was " + lease.toMillis()
            + ": a shorter lease lets another claim take a job that is still running");
      }
      P256Keys.checkVapid(p, vapidPublicKey, vapidPrivateKey, vapidSubject);
      p.throwIfAny();
    }

    /** The defaults, as a fresh machine gets them. */
    public static Delivery defaults() {
      return delivery(new EnvReader(Map.of(), new Problems()));
    }

    public Delivery withSmtpUrl(String url) {
      return new Delivery(url, emailFrom, publicUrl, allowPrivateTargets, retryDelays, concurrency, perTarget, lease,
          webhookTimeout, smtpTimeout, signingSecret, vapidPublicKey, vapidPrivateKey, vapidSubject);
    }

    public Delivery withAllowPrivateTargets(boolean allow) {
      return new Delivery(smtpUrl, emailFrom, publicUrl, allow, retryDelays, concurrency, perTarget, lease,
          webhookTimeout, smtpTimeout, signingSecret, vapidPublicKey, vapidPrivateKey, vapidSubject);
    }

    public Delivery withRetryDelays(List<Duration> delays) {
      return new Delivery(smtpUrl, emailFrom, publicUrl, allowPrivateTargets, delays, concurrency, perTarget, lease,
          webhookTimeout, smtpTimeout, signingSecret, vapidPublicKey, vapidPrivateKey, vapidSubject);
    }
  }

  public HeraldConfig {
    Problems p = new Problems();
    p.range("HERALD_PORT", port, 0, 65535, " (0 picks a free port)");
    p.range("HERALD_EVENT_LOOPS", eventLoops, 1, 1024, " (the default is one per CPU core)");
    if (nodeName == null || nodeName.isEmpty() || nodeName.length() > 100 || nodeName.chars().anyMatch(Character::isISOControl)) {
      p.add("HERALD_NODE_NAME must be 1-100 characters without control characters (it starts every log line), was '"
          + (nodeName == null ? "" : nodeName.replaceAll("\\p{Cntrl}", "?")) + "'");
    }
    p.notNegative("HERALD_DRAIN_TIMEOUT_MS", drainTimeout.toMillis());
    if (databaseUrl != null) {
      // checked here with the rest; store parses it again when it connects
      p.section(() -> DatabaseUrl.parse(databaseUrl), () -> null);
    }
    if (redisUrl != null && !redisUrl.matches("rediss?://[^/\\s]+.*")) {
      p.add("HERALD_REDIS_URL must look like redis://[:password@]host:6379 (rediss:// for TLS), was '"
          + DatabaseUrl.redact(redisUrl) + "'");
    }
    p.throwIfAny();
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(recovery, "recovery");
    Objects.requireNonNull(notifications, "notifications");
    Objects.requireNonNull(delivery, "delivery");
  }

  /**
   * Reads the configuration from environment variables; unset ones take their defaults. Throws one
   * {@link ConfigException} naming every bad setting.
   */
  public static HeraldConfig fromEnv(Map<String, String> env) {
    Problems problems = new Problems();
    EnvReader r = new EnvReader(env, problems);
    EnvReader none = new EnvReader(Map.of(), problems);
    // a refused section is replaced by its defaults, so that the sections after it are checked too
    Auth auth = problems.section(() -> auth(r), () -> auth(none));
    Engine engine = problems.section(() -> engine(r), () -> engine(none));
    Limits limits = problems.section(() -> limits(r), () -> limits(none));
    Recovery recovery = problems.section(() -> recovery(r), () -> recovery(none));
    Notify notify = problems.section(() -> notify(r), () -> notify(none));
    Delivery delivery = problems.section(() -> delivery(r), () -> delivery(none));
    PresenceConfig presence = problems.section(() -> presence(r), () -> presence(none));
    HeraldConfig config = problems.section(() -> new HeraldConfig(
        r.integer("HERALD_PORT", 8080),
        r.string("HERALD_HOST", "0.0.0.0"),
        r.string("HERALD_NODE_NAME", "herald-1"),
        Path.of(r.string("HERALD_DATA_DIR", "./herald-data")),
        auth, engine, limits, recovery,
        r.millis("HERALD_DRAIN_TIMEOUT_MS", 10_000),
        r.string("HERALD_DATABASE_URL", null),
        r.string("HERALD_REDIS_URL", null),
        r.integer("HERALD_EVENT_LOOPS", Runtime.getRuntime().availableProcessors()),
        notify, delivery, presence), () -> null);
    problems.throwIfAny();
    return config;
  }

  private static Auth auth(EnvReader r) {
    return new Auth(
        r.string("HERALD_JWT_SECRET", null),
        r.string("HERALD_JWT_PUBLIC_KEY", null),
        r.string("HERALD_JWT_JWKS_URL", null),
        r.list("HERALD_API_KEYS"),
        r.string("HERALD_ROOM_HOOK_URL", null),
        r.millis("HERALD_ROOM_HOOK_CACHE_MS", 30_000));
  }

  private static Engine engine(EnvReader r) {
    List<String> origins = r.list("HERALD_CORS_ORIGINS");
    return new Engine(
        r.millis("HERALD_PING_INTERVAL_MS", 25_000),
        r.millis("HERALD_PING_TIMEOUT_MS", 20_000),
        r.integer("HERALD_MAX_PAYLOAD_BYTES", 1_000_000),
        r.millis("HERALD_CONNECT_TIMEOUT_MS", 45_000),
        r.millis("HERALD_UPGRADE_TIMEOUT_MS", 10_000),
        origins.isEmpty() ? List.of("*") : origins);
  }

  private static Limits limits(EnvReader r) {
    return new Limits(
        r.decimal("HERALD_RATE_LIMIT_PER_SECOND", 50),
        r.integer("HERALD_RATE_LIMIT_BURST", 100),
        r.integer("HERALD_RATE_LIMIT_MAX_REFUSED", 20),
        r.integer("HERALD_MAX_CONNECTIONS_PER_USER", 100),
        r.integer("HERALD_OUTBOUND_BUFFER_BYTES", 1 << 20),
        r.integer("HERALD_MAX_HTTP_BODY_BYTES", 1 << 20),
        r.integer("HERALD_MAX_EVENT_BYTES", 64 * 1024),
        r.millis("HERALD_HEADER_TIMEOUT_MS", 10_000));
  }

  private static PresenceConfig presence(EnvReader r) {
    List<String> kinds = r.list("HERALD_PRESENCE_ROOM_KINDS");
    return new PresenceConfig(r.bool("HERALD_PRESENCE", true), r.millis("HERALD_PRESENCE_GRACE_MS", 5_000),
        kinds.isEmpty() ? null : java.util.Set.copyOf(kinds), r.integer("HERALD_PRESENCE_TENANT_LIMIT", 1_000),
        r.millis("HERALD_PRESENCE_COALESCE_MS", 250));
  }

  private static Recovery recovery(EnvReader r) {
    return new Recovery(
        r.millis("HERALD_RECOVERY_WINDOW_MS", 120_000),
        r.integer("HERALD_RECOVERY_MAX_EVENTS", 10_000),
        r.integer("HERALD_RECOVERY_MAX_BYTES", 1 << 20));
  }

  private static Notify notify(EnvReader r) {
    return new Notify(
        r.millis("HERALD_ACK_RETRY_MS", 5_000),
        r.integer("HERALD_ACK_MAX_RETRIES", 3),
        r.millis("HERALD_SCHEDULER_POLL_MS", 1_000),
        r.integer("HERALD_DATABASE_POOL_SIZE", 8),
        r.bool("HERALD_DATABASE_SYNCHRONOUS_COMMIT", true),
        criticalTypes(r.list("HERALD_CRITICAL_TYPES"), r.problems()));
  }

  private static Delivery delivery(EnvReader r) {
    return new Delivery(
        r.string("HERALD_SMTP_URL", null),
        r.string("HERALD_EMAIL_FROM", "Herald <noreply@example.com>"),
        r.string("HERALD_PUBLIC_URL", null),
        r.bool("HERALD_ALLOW_PRIVATE_TARGETS", false),
        durations("HERALD_DELIVERY_RETRY_DELAYS", r.string("HERALD_DELIVERY_RETRY_DELAYS", "1s,5s,30s,5m"), r.problems()),
        r.integer("HERALD_DELIVERY_CONCURRENCY", 256),
        r.integer("HERALD_DELIVERY_TARGET_CONCURRENCY", 32),
        r.millis("HERALD_DELIVERY_LEASE_MS", 120_000),
        r.millis("HERALD_WEBHOOK_TIMEOUT_MS", 15_000),
        r.millis("HERALD_SMTP_TIMEOUT_MS", 30_000),
        r.string("HERALD_SIGNING_SECRET", null),
        r.string("HERALD_VAPID_PUBLIC_KEY", null),
        r.string("HERALD_VAPID_PRIVATE_KEY", null),
        r.string("HERALD_VAPID_SUBJECT", Delivery.DEFAULT_VAPID_SUBJECT));
  }

  /** {@code 1s,5s,30s,5m} or {@code 200ms,400ms} (units ms, s, m, h); bad entries go to {@code problems}. */
  static List<Duration> durations(String name, String value, Problems problems) {
    List<Duration> out = new java.util.ArrayList<>();
    for (String part : value.split(",")) {
      var m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(part.trim());
      if (!m.matches()) {
        problems.add(name + ": '" + part.trim() + "' is not a duration; write a number and a unit (ms, s, m, h), "
            + "such as 1s,5s,30s,5m");
        continue;
      }
      long n = Long.parseLong(m.group(1));
      out.add(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
    }
    return out.isEmpty() ? List.of(Duration.ofSeconds(1)) : out;
  }

  /** The defaults, as a fresh machine gets them. */
  public static HeraldConfig defaults() {
    return fromEnv(Map.of());
  }

  public HeraldConfig withPort(int newPort) {
    return new HeraldConfig(newPort, host, nodeName, dataDir, auth, engine, limits, recovery,
        drainTimeout, databaseUrl, redisUrl, eventLoops, notifications, delivery, presence);
  }

  public HeraldConfig withAuth(Auth newAuth) {
    return new HeraldConfig(port, host, nodeName, dataDir, newAuth, engine, limits, recovery,
        drainTimeout, databaseUrl, redisUrl, eventLoops, notifications, delivery, presence);
  }

  public HeraldConfig withEngine(Engine newEngine) {
    return new HeraldConfig(port, host, nodeName, dataDir, auth, newEngine, limits, recovery,
        drainTimeout, databaseUrl, redisUrl, eventLoops, notifications, delivery, presence);
  }

  public HeraldConfig withLimits(Limits newLimits) {
    return new HeraldConfig(port, host, nodeName, dataDir, auth, engine, newLimits, recovery,
        drainTimeout, databaseUrl, redisUrl, eventLoops, notifications, delivery, presence);
  }

  public HeraldConfig withDataDir(Path newDataDir) {
    return new HeraldConfig(port, host, nodeName, newDataDir, auth, engine, limits, recovery,
        drainTimeout, databaseUrl, redisUrl, eventLoops, notifications, delivery, presence);
  }

  public HeraldConfig withDelivery(Delivery newDelivery) {
    return new HeraldConfig(port, host, nodeName, dataDir, auth, engine, limits, recovery,
        drainTimeout, databaseUrl, redisUrl, eventLoops, notifications, newDelivery, presence);
  }

  public HeraldConfig withDatabaseUrl(String newUrl) {
    return new HeraldConfig(port, host, nodeName, dataDir, auth, engine, limits, recovery,
        drainTimeout, newUrl, redisUrl, eventLoops, notifications, delivery, presence);
  }

  /** {@code type} or {@code type:email+push} entries of {@code HERALD_CRITICAL_TYPES}; bad ones go to {@code problems}. */
  static Map<String, java.util.Set<String>> criticalTypes(List<String> entries, Problems problems) {
    Map<String, java.util.Set<String>> out = new java.util.LinkedHashMap<>();
    for (String entry : entries) {
      // a type may hold colons itself: only a last part made of delivery channels lists them
      int colon = entry.lastIndexOf(':');
      if (colon >= 0 && !entry.substring(colon + 1).matches("(email|push)(\\+(email|push))*")) {
        colon = -1;
      }
      String type = colon < 0 ? entry : entry.substring(0, colon);
      if (!type.matches("[A-Za-z0-9_.:\\-]{1,100}")) {
        problems.add("HERALD_CRITICAL_TYPES: '" + entry + "' does not start with a notification type "
            + "(1-100 letters, digits and _ . : -); write type or type:email+push");
        continue;
      }
      java.util.Set<String> bypass = new java.util.TreeSet<>();
      if (colon >= 0) {
        bypass.addAll(java.util.Arrays.asList(entry.substring(colon + 1).split("\\+")));
      }
      out.put(type, java.util.Set.copyOf(bypass));
    }
    return out;
  }
}
