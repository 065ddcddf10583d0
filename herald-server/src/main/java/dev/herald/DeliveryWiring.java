package dev.herald;

import dev.herald.api.DeliveriesApi;
import dev.herald.api.PushApi;
import dev.herald.api.UnsubscribeApi;
import dev.herald.api.WebhooksApi;
import dev.herald.auth.ApiKeys;
import dev.herald.auth.TokenVerifier;
import dev.herald.bus.Bus;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.Deliveries;
import dev.herald.delivery.DeliveryEngine;
import dev.herald.delivery.TargetAddresses;
import dev.herald.delivery.email.EmailChannel;
import dev.herald.delivery.email.UnsubscribeTokens;
import dev.herald.delivery.webhook.WebhookChannel;
import dev.herald.delivery.webhook.WebhookEndpoints;
import dev.herald.delivery.webpush.PushSubscriptions;
import dev.herald.delivery.webpush.VapidKeys;
import dev.herald.notify.Notifications;
import dev.herald.ops.HeraldMetrics;
import dev.herald.store.Database;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import dev.herald.delivery.webhook.VertxWebhookClient;
import dev.herald.delivery.webpush.Vapid;
import dev.herald.delivery.webpush.WebPushChannel;
import dev.herald.delivery.webpush.WebPushEncryption;
import java.util.function.Supplier;

/**
 * Delivery beyond the tab, wired for one node: the channels (email, webhooks), the engine that runs
 * their jobs, and the routes' handlers that steer them (webhook endpoints, push subscriptions,
 * deliveries, one-click unsubscribe). Part of the composition root: {@link HeraldServer} starts and closes it and puts its
 * handlers in the route table.
 *
 * <p>Threads: built and closed on the node's start and close; the engine has threads of its own.
 */
final class DeliveryWiring {
  /** The delivery channels this node sends: the planner makes jobs for these only. */
  static final java.util.Set<String> SENDERS = java.util.Set.of("email", "webhook", "push");

  final DeliveryEngine engine;
  final WebhooksApi webhooks;
  final DeliveriesApi deliveries;
  final UnsubscribeApi unsubscribe;
  /** The users' push subscriptions and the VAPID key they subscribe with. */
  final PushApi push;
  /** The browsers' subscriptions: the routes write them, the push channel reads and prunes them. */
  final PushSubscriptions pushSubscriptions;
  /** This node's VAPID pair: configured, or generated once into the data directory. */
  final VapidKeys vapidKeys;
  /** Signs the one-click unsubscribe links of emails; the email channel issues, {@link #unsubscribe} checks. */
  final UnsubscribeTokens unsubscribeTokens;
  private final EmailChannel email;

  /** {@code publicUrl}: the base of links in messages, read per message (the port may be bound later). */
  DeliveryWiring(HeraldConfig config, Vertx vertx, Database database, Notifications notifications, Bus bus,
      ApiKeys apiKeys, HeraldMetrics metrics, Clock clock, Supplier<String> publicUrl, TokenVerifier verifier) {
    HeraldConfig.Delivery settings = config.delivery();
    TargetAddresses targets = TargetAddresses.of(settings.allowPrivateTargets());
    WebhookEndpoints endpoints = new WebhookEndpoints(database.pool(), clock);
    // the engine runs webhook jobs through this channel; the API's test-sends use it directly
    WebhookChannel webhook = WebhookChannel.over(endpoints, targets, settings.webhookTimeout(), vertx,
        settings.perTarget());
    this.webhooks = new WebhooksApi(vertx, endpoints, webhook, targets, apiKeys, metrics, config.limits(), clock);
    this.unsubscribeTokens = UnsubscribeTokens.of(settings, config.dataDir());
    this.email = EmailChannel.create(database.pool(), notifications.templates(), settings, publicUrl, unsubscribeTokens);
    this.pushSubscriptions = new PushSubscriptions(database.pool());
    this.vapidKeys = VapidKeys.of(settings, config.dataDir());
    WebPushChannel webPush = new WebPushChannel(new WebPushEncryption(),
        new Vapid(vapidKeys.keyPair(), vapidKeys.subject(), clock),
        new VertxWebhookClient(vertx, settings.webhookTimeout().compareTo(Duration.ofSeconds(10)) < 0
            ? settings.webhookTimeout() : Duration.ofSeconds(10), settings.perTarget()),
        targets, id -> pushSubscriptions.remove(id), settings.webhookTimeout(), null, clock,
        digestTemplates(notifications.templates()));
    this.engine = new DeliveryEngine(database.queuePool(), database.target(), bus, metrics, settings, config.nodeName(),
        clock, List.of(email, webhook, webPush));
    assert SENDERS.equals(java.util.Set.of(email.name(), webhook.name(), webPush.name()))
        : "SENDERS must name the engine's channels";
    this.deliveries = new DeliveriesApi(new Deliveries(database.pool(), engine::wake), apiKeys, metrics,
        config.limits());
    this.unsubscribe = new UnsubscribeApi(unsubscribeTokens, notifications.preferences(), metrics);
    this.push = new PushApi(vertx, pushSubscriptions, vapidKeys, targets, verifier, metrics, config.limits());
    metrics.gauge("herald_delivery_running", "Delivery attempts running on this node", engine::running);
  }

  /** A digest's {@code push} template text, waiting at most 5 s for a template load. */
  private static WebPushChannel.DigestTemplates digestTemplates(dev.herald.templates.Templates templates) {
    return (tenant, name, locale, digest) -> {
      var template = templates.set(tenant, name).toCompletionStage().toCompletableFuture()
          .get(5, java.util.concurrent.TimeUnit.SECONDS).pick("push", locale);
      return template == null ? null : template.content().render(digest.variables());
    };
  }

  void start() {
    engine.start();
  }

  /** Blocks a few seconds at most: running attempts end, then SMTP connections close. */
  void close() {
    engine.close();
    email.close();
  }
}
