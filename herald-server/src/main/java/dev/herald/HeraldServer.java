package dev.herald;

import dev.herald.api.NotificationsApi;
import dev.herald.notify.Notifications;
import dev.herald.store.Database;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.api.EventsApi;
import dev.herald.api.ServiceApi;
import dev.herald.api.TemplatesApi;
import dev.herald.api.TypesApi;
import dev.herald.bus.Online;
import dev.herald.api.PresenceApi;
import dev.herald.api.UsersApi;
import dev.herald.delivery.email.UnsubscribeTokens;
import dev.herald.gateway.ClientCommands;
import dev.herald.time.Scheduler;
import dev.herald.time.VertxScheduler;
import dev.herald.vertx.VertxInternals;
import dev.herald.http.RequestHeadGuard;
import dev.herald.http.Routes;
import dev.herald.auth.ApiKeys;
import dev.herald.auth.RoomAuthorizer;
import dev.herald.auth.TokenVerifier;
import dev.herald.bus.Bus;
import dev.herald.bus.LocalBus;
import dev.herald.gateway.Presence;
import dev.herald.presence.LastSeenStore;
import dev.herald.config.DevCredentials;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.CloseReason;
import dev.herald.gateway.Gateway;
import dev.herald.transport.engineio.EngineOptions;
import dev.herald.transport.engineio.EngineServer;
import dev.herald.transport.socketio.HeraldNamespace;
import dev.herald.transport.socketio.Namespace;
import dev.herald.transport.socketio.SocketIoServer;
import dev.herald.transport.sse.SseEndpoint;
import dev.herald.transport.websocket.UpgradeRequest;
import dev.herald.transport.websocket.WebSocketUpgrades;
import dev.herald.transport.plainws.PlainWebSocketEndpoint;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Herald node: the HTTP server on one port with the Socket.IO, WebSocket and SSE gateway, the
 * HTTP API and the ops endpoints, wired from a {@link HeraldConfig}. {@link #start} returns once the
 * port is bound; {@link #drain} ends it the way SIGTERM does.
 */
public final class HeraldServer {
  private static final Logger LOG = LoggerFactory.getLogger(HeraldServer.class);

  private final HeraldConfig config;
  private final Vertx vertx;
  private final HeraldMetrics metrics;
  private final Gateway gateway;
  private final EngineServer socketIo;
  private final PlainWebSocketEndpoint ws;
  private final SseEndpoint sse;
  private final EventsApi events;
  private final Database database;
  private final Notifications notifications;
  private final NotificationsApi notificationsApi;
  private final TemplatesApi templatesApi;
  private final TypesApi typesApi;
  private final ServiceApi serviceApi;
  private final UsersApi usersApi;
  private final PresenceApi presenceApi;
  private final DeliveryWiring delivery;
  private final HeraldNamespace app;
  private final Bus bus;
  private final Routes routes;
  private final RequestHeadGuard headGuard;
  private final LastSeenStore lastSeen;
  /** One HTTP server per event loop, all on the same port (Vert.x spreads connections over them). */
  private final List<HttpServer> http = new java.util.ArrayList<>();

  private HeraldServer(HeraldConfig config, Vertx vertx, Database database, java.time.Clock clock,
      Scheduler scheduler) {
    this.config = config;
    this.vertx = vertx;
    this.database = database;
    this.metrics = new HeraldMetrics();
    HeraldConfig.Auth auth = config.auth();
    TokenVerifier verifier = new TokenVerifier(auth.jwtSecret(), auth.jwtPublicKeyPem(), auth.jwksUrl());
    ApiKeys apiKeys = new ApiKeys(auth.apiKeys());
    RoomAuthorizer authorizer = new RoomAuthorizer(vertx, auth.roomHookUrl(), auth.roomHookCacheTtl());
    // domain and gateway meet only at the bus: notifications go out on it, client requests come in
    // through the inbox the domain implements
    this.bus = new LocalBus(metrics);
    // the domain asks the gateway who is online (a type's when: offline); the gateway needs the
    // domain's inbox first, so the answer is bound once the gateway exists
    Online.Deferred online = new Online.Deferred();
    Scheduler timers = scheduler != null ? scheduler : new VertxScheduler(vertx);
    this.notifications = new Notifications(database.pool(), bus, metrics, config.notifications(), clock,
        timers, online, DeliveryWiring.SENDERS);
    // presence lives in the gateway; when users were last seen is kept in PostgreSQL
    this.lastSeen = new LastSeenStore(database.pool(), timers);
    this.gateway = new Gateway(bus, notifications.inbox(), metrics, config, config.presence().enabled()
        ? new Presence(bus, timers, config.presence().grace(), lastSeen, clock, metrics,
            config.presence().roomKinds(), config.presence().tenantLimit(), config.presence().coalesce())
        : Presence.off(bus, metrics));
    online.bind(gateway);
    ClientCommands commands = new ClientCommands(gateway, notifications.inbox(), authorizer, metrics);
    this.app = new HeraldNamespace(vertx, gateway, commands, verifier, metrics, config);
    Map<String, Namespace> namespaces = Map.of("/", app, "/events", app);
    this.socketIo = new EngineServer(new EngineOptions(config.engine(), config.limits().outboundBufferBytes()),
        metrics, new SocketIoServer(namespaces, config.engine()));
    this.ws = new PlainWebSocketEndpoint(vertx, gateway, commands, verifier, metrics, config);
    this.sse = new SseEndpoint(vertx, gateway, commands, verifier, metrics, config);
    this.events = new EventsApi(bus, apiKeys, metrics, config.limits());
    this.notificationsApi = new NotificationsApi(vertx, notifications.creator(), notifications.users(),
        notifications.preferences(), apiKeys, verifier, metrics, config.limits());
    this.templatesApi = new TemplatesApi(notifications.templates(), apiKeys, metrics, config.limits());
    this.typesApi = new TypesApi(notifications.types(), apiKeys, metrics, config.limits());
    this.serviceApi = new ServiceApi(notifications.operator(), notifications.preferences(), apiKeys, metrics,
        config.limits());
    this.usersApi = new UsersApi(notifications.directory(), apiKeys, metrics, config.limits());
    this.presenceApi = new PresenceApi(vertx, gateway.presence(), lastSeen, apiKeys, verifier, metrics);
    this.delivery = new DeliveryWiring(config, vertx, database, notifications, bus, apiKeys, metrics, clock,
        this::publicUrl, verifier);
    metrics.gauge("herald_sessions", "Registered gateway sessions on this node", gateway::sessionCount);
    this.routes = routes();
    this.headGuard = new RequestHeadGuard(metrics, config.limits().headerTimeout());
  }

  /**
   * Starts a node: fills in generated development credentials where none are configured, binds the
   * port and completes with the running server.
   */
  public static Future<HeraldServer> start(HeraldConfig configured) {
    return start(configured, java.time.Clock.systemUTC());
  }

  /**
   * Starts a node whose quiet hours and held deliveries follow {@code clock} (tests move it);
   * everything else runs on real time.
   */
  public static Future<HeraldServer> start(HeraldConfig configured, java.time.Clock clock) {
    return start(configured, clock, null);
  }

  /**
   * Starts a node whose timers (ack re-sends, release polls) run on {@code scheduler} (null: Vert.x
   * timers), so that a test moves time instead of waiting for it.
   */
  public static Future<HeraldServer> start(HeraldConfig configured, java.time.Clock clock, Scheduler scheduler) {
    HeraldConfig config = configured;
    if (configured.auth().apiKeys().isEmpty()
        || configured.auth().jwtSecret() == null && configured.auth().jwtPublicKeyPem() == null
        && configured.auth().jwksUrl() == null) {
      DevCredentials dev = DevCredentials.loadOrCreate(configured.dataDir());
      config = configured.withAuth(configured.auth().withDefaults(dev.jwtSecret(), dev.apiKey()));
    }
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions()
        .setEventLoopPoolSize(config.eventLoops())
        .setPreferNativeTransport(true));
    HeraldConfig settled = config;
    // a promise of no context: it completes even after Vert.x is closed on a failed start
    io.vertx.core.Promise<HeraldServer> started = io.vertx.core.Promise.promise();
    // PostgreSQL first (embedded start and migrations block, so on a worker): no port before storage
    vertx.executeBlocking(() -> Database.open(vertx, settled.databaseUrl(), settled.dataDir(),
            settled.notifications().databasePoolSize(), settled.notifications().synchronousCommit()), false)
        .onComplete(opened -> {
          if (opened.failed()) {
            LOG.error("storage did not start: {}", opened.cause().toString(), opened.cause());
            started.fail(opened.cause());
            vertx.close();
            return;
          }
          Database database = opened.result();
          HeraldServer server;
          try {
            server = new HeraldServer(settled, vertx, database, clock, scheduler);
          } catch (RuntimeException e) {
            started.fail(e);
            vertx.executeBlocking(() -> {
              database.close();
              return null;
            }).onComplete(v -> vertx.close());
            return;
          }
          server.listen().onComplete(ar -> {
            if (ar.succeeded()) {
              server.startBackgroundWork();
              started.complete(server);
            } else {
              started.fail(ar.cause());
              server.closeStorage();
            }
          });
        });
    return started.future();
  }

  private void startBackgroundWork() {
    notifications.start();
    delivery.start();
  }

  /** The base of links in messages: {@code HERALD_PUBLIC_URL}, else this node on localhost. */
  private String publicUrl() {
    String configured = config.delivery().publicUrl();
    return configured != null ? configured : "http://localhost:" + (http.isEmpty() ? config.port() : port());
  }

  private Future<HeraldServer> listen() {
    HttpServerOptions options = new HttpServerOptions()
        .setPort(config.port())
        .setHost(config.host())
        .setTcpNoDelay(true)
        // WebSockets run on Herald's own handler (transport.websocket), uncompressed like Socket.IO's
        // default: no per-connection deflate state
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        // no h2c: its upgrade handler would stand between the HTTP decoder and the WebSocket takeover
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout((int) (config.engine().pingInterval().plus(config.engine().pingTimeout())
            .plusSeconds(30).toSeconds()))
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    // Vert.x shares one port among servers of the same port; -1 means "one random port, shared"
    options.setPort(config.port() == 0 ? -1 : config.port());
    List<Future<HttpServer>> servers = new java.util.ArrayList<>();
    for (int i = 0; i < config.eventLoops(); i++) {
      servers.add(listenOn(options));
    }
    return Future.all(servers).map(v -> this);
  }

  /** Starts one HTTP server on a new event-loop context. */
  private Future<HttpServer> listenOn(HttpServerOptions options) {
    io.vertx.core.Promise<HttpServer> listening = io.vertx.core.Promise.promise();
    io.vertx.core.Context context = VertxInternals.newEventLoopContext(vertx);
    context.runOnContext(v -> {
      HttpServer server = vertx.createHttpServer(options)
          .connectionHandler(conn -> {
            headGuard.install(conn, options);
            WebSocketUpgrades.install(conn, this::upgradeRoute);
          })
          .invalidRequestHandler(headGuard::answerInvalid)
          .requestHandler(routes::dispatch);
      server.listen().onSuccess(http::add).onComplete(listening);
    });
    return listening.future();
  }

  private WebSocketUpgrades.Route upgradeRoute(UpgradeRequest req) {
    String path = req.path();
    if (path.startsWith("/socket.io/") && "websocket".equals(req.param("transport"))) {
      return socketIo::upgrade;
    }
    return path.equals("/ws") ? ws::upgrade : null;
  }

  /** Every HTTP route of the node, one line each (WebSocket upgrades are {@link #upgradeRoute}). */
  private Routes routes() {
    Set<HttpMethod> getPutPatch = Set.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.PATCH);
    return new Routes()
        .prefix("/socket.io/", socketIo::handle, socketIo::badRequest)
        .add(HttpMethod.GET, "/ws", ws::handle)
        .add(HttpMethod.GET, "/api/stream", sse::handle)
        .add(HttpMethod.POST, "/api/events", events::handle)
        .add(HttpMethod.POST, "/api/notifications", notificationsApi::create)
        .add(HttpMethod.GET, "/api/notifications", notificationsApi::list)
        .add(HttpMethod.GET, "/api/notifications/unread-count", notificationsApi::unreadCount)
        .add(HttpMethod.PUT, "/api/notifications/read-all", notificationsApi::readAll)
        .add(getPutPatch, "/api/notifications/preferences", (req, p) -> notificationsApi.preferences(req))
        .add(HttpMethod.GET, "/api/notifications/{id}", notificationsApi::one)
        .add(HttpMethod.DELETE, "/api/notifications/{id}", notificationsApi::delete)
        .add(HttpMethod.PUT, "/api/notifications/{id}/read", notificationsApi::read)
        .add(HttpMethod.PUT, "/api/notifications/{id}/seen", notificationsApi::seen)
        .add(HttpMethod.PUT, "/api/notifications/{id}/archive", notificationsApi::archive)
        .add(HttpMethod.PUT, "/api/notifications/{id}/unarchive", notificationsApi::unarchive)
        .add(HttpMethod.POST, "/api/templates", templatesApi::create)
        .add(HttpMethod.GET, "/api/templates", templatesApi::list)
        .add(HttpMethod.GET, "/api/templates/{id}", templatesApi::get)
        .add(HttpMethod.PUT, "/api/templates/{id}", templatesApi::update)
        .add(HttpMethod.DELETE, "/api/templates/{id}", templatesApi::delete)
        .add(HttpMethod.GET, "/api/templates/{id}/versions", templatesApi::versions)
        .add(HttpMethod.GET, "/api/templates/{id}/versions/{version}", templatesApi::version)
        .add(HttpMethod.POST, "/api/templates/{id}/preview", templatesApi::preview)
        .add(HttpMethod.GET, "/api/types", typesApi::list)
        .add(HttpMethod.GET, "/api/types/{type}", typesApi::get)
        .add(HttpMethod.PUT, "/api/types/{type}", typesApi::put)
        .add(HttpMethod.DELETE, "/api/types/{type}", typesApi::delete)
        .add(HttpMethod.PUT, "/api/users/{userId}", usersApi::put)
        .add(HttpMethod.GET, "/api/users/{userId}", usersApi::get)
        .add(HttpMethod.GET, "/api/presence", presenceApi::room)
        .add(HttpMethod.GET, "/api/presence/{userId}", presenceApi::user)
        .add(HttpMethod.DELETE, "/api/users/{userId}", usersApi::delete)
        .add(HttpMethod.GET, "/api/users/{userId}/export", usersApi::export)
        .add(HttpMethod.POST, "/api/webhooks", delivery.webhooks::create)
        .add(HttpMethod.GET, "/api/webhooks", delivery.webhooks::list)
        .add(HttpMethod.GET, "/api/webhooks/{id}", delivery.webhooks::get)
        .add(HttpMethod.DELETE, "/api/webhooks/{id}", delivery.webhooks::delete)
        .add(HttpMethod.POST, "/api/webhooks/{id}/rotate-secret", delivery.webhooks::rotateSecret)
        .add(HttpMethod.POST, "/api/webhooks/{id}/test", delivery.webhooks::test)
        .add(HttpMethod.POST, "/api/webhooks/{id}/enable", delivery.webhooks::enable)
        .add(HttpMethod.GET, "/api/push/vapid-public-key", delivery.push::publicKey)
        .add(HttpMethod.POST, "/api/push/subscriptions", delivery.push::subscribe)
        .add(HttpMethod.GET, "/api/push/subscriptions", delivery.push::list)
        .add(HttpMethod.DELETE, "/api/push/subscriptions/{id}", delivery.push::unsubscribe)
        .add(getPutPatch, "/api/tenant/preferences", (req, p) -> serviceApi.tenantDefaults(req))
        .add(HttpMethod.GET, "/api/admin/notifications/{id}", serviceApi::adminView)
        .add(HttpMethod.GET, "/api/deliveries", delivery.deliveries::list)
        .add(HttpMethod.POST, "/api/deliveries/retry", delivery.deliveries::retryAll)
        .add(HttpMethod.GET, "/api/deliveries/{id}", delivery.deliveries::one)
        .add(HttpMethod.POST, "/api/deliveries/{id}/retry", delivery.deliveries::retry)
        .add(HttpMethod.POST, "/api/deliveries/{id}/cancel", delivery.deliveries::cancel)
        .add(HttpMethod.GET, "/u/{token}", delivery.unsubscribe::page)
        .add(HttpMethod.POST, "/u/{token}", delivery.unsubscribe::unsubscribe)
        .add(HttpMethod.GET, "/health", this::health)
        .add(HttpMethod.GET, "/metrics", req -> req.response()
            .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
  }

  /** {@code GET /health}: 200 while serving, 503 while draining (a load balancer stops sending clients). */
  private void health(HttpServerRequest req) {
    boolean draining = gateway.isDraining();
    com.fasterxml.jackson.databind.node.ObjectNode body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
        .objectNode()
        .put("status", draining ? "DRAINING" : "UP")
        .put("live", true)
        .put("ready", !draining)
        .put("node", config.nodeName())
        .put("connections", gateway.sessionCount())
        .put("transport", transport())
        .put("eventLoops", config.eventLoops())
        .put("database", database.embedded() ? "embedded" : "external");
    req.response().setStatusCode(draining ? 503 : 200).putHeader("content-type", "application/json").end(body.toString());
  }

  /** The bound port (useful when configured with port 0). */
  public int port() {
    return http.get(0).actualPort();
  }

  /** The socket transport in use: {@code epoll} (Linux, native) or {@code nio}. */
  public String transport() {
    return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
  }

  public HeraldConfig config() {
    return config;
  }

  public HeraldMetrics metrics() {
    return metrics;
  }

  public Gateway gateway() {
    return gateway;
  }

  /** The durable-notification parts of this node (tests reach the user directory's lookups through it). */
  public Notifications notifications() {
    return notifications;
  }

  /** The signer of one-click unsubscribe links, shared by the email channel and {@code /u/{token}}. */
  public UnsubscribeTokens unsubscribeTokens() {
    return delivery.unsubscribeTokens;
  }

  /** A user token signed with the node's HS256 secret, for development and tests. */
  public String devToken(String sub, String tenant, List<String> rooms, Duration validFor) {
    return signToken(config.auth().jwtSecret(), sub, tenant, rooms, validFor);
  }

  /** Signs an HS256 user token. */
  public static String signToken(String secret, String sub, String tenant, List<String> rooms, Duration validFor) {
    try {
      JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(sub)
          .issueTime(new Date()).expirationTime(Date.from(Instant.now().plus(validFor)));
      if (tenant != null) {
        claims.claim("tid", tenant);
      }
      if (rooms != null && !rooms.isEmpty()) {
        claims.claim("rooms", rooms);
      }
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
      jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token with the configured secret", e);
    }
  }

  /**
   * Drains the node: refuses new connections, tells every client to reconnect (Socket.IO and
   * /ws close with 1001, SSE streams end), then closes the port. Completes within the drain timeout.
   */
  public Future<Void> drain() {
    LOG.info("[{}] draining: {} sessions", config.nodeName(), gateway.sessionCount());
    gateway.startDraining();
    socketIo.drain();
    gateway.closeAll(CloseReason.SERVER_SHUTDOWN);
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    long deadline = System.nanoTime() + config.drainTimeout().toNanos();
    vertx.setPeriodic(50, t -> {
      if (gateway.sessionCount() == 0 && socketIo.size() == 0 || System.nanoTime() - deadline > 0) {
        vertx.cancelTimer(t);
        done.complete();
      }
    });
    return done.future().compose(v -> close());
  }

  /** Closes the port and every connection; gives up waiting for the port after five seconds. */
  public Future<Void> close() {
    notifications.close();
    // users still online here were last seen now; written before the pool closes
    gateway.presence().recordAll();
    Future<Void> lastSeenStored = lastSeen.close();
    app.close();
    bus.close();
    io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
    long guard = vertx.setTimer(5_000, t -> closed.tryComplete());
    Future.join(http.stream().map(HttpServer::close).toList()).onComplete(ar -> {
      vertx.cancelTimer(guard);
      closed.tryComplete();
    });
    return closed.future().transform(ar -> lastSeenStored.transform(stored -> closeStorage()));
  }

  /**
   * Closes the pool and the embedded PostgreSQL, then Vert.x. The background work is stopped before
   * ({@link #close}) or was never started (a failed start).
   */
  private Future<Void> closeStorage() {
    // a promise of no context: Vert.x's own contexts are gone when it completes
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    vertx.executeBlocking(() -> {
      // attempts end on their own threads, a few seconds at most; then their leases return the jobs
      delivery.close();
      database.close();
      return null;
    }, false).onComplete(ar -> vertx.close().onComplete(done));
    return done.future();
  }
}
