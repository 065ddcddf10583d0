package dev.herald.notify;

import dev.herald.bus.Bus;
import dev.herald.bus.Online;
import dev.herald.config.HeraldConfig;
import dev.herald.directory.UserDirectory;
import dev.herald.ops.HeraldMetrics;
import dev.herald.preferences.Preferences;
import dev.herald.templates.Templates;
import dev.herald.types.NotificationTypes;
import dev.herald.time.Scheduler;
import io.vertx.sqlclient.Pool;
import java.time.Clock;

/**
 * Durable notifications, assembled: the public parts the composition root hands to the API and the
 * gateway, over the package's engine (store, batcher, planner, publisher, re-sends, releases,
 * receipts). Each part is one concern:
 *
 * <ul>
 *   <li>{@link #creator()}: the create path (plan per recipient, one commit, publish after it);
 *   <li>{@link #users()}: a user's history and read state, over HTTP;
 *   <li>{@link #inbox()}: what connected clients ask and what the gateway reports back
 *       ({@link dev.herald.bus.Inbox});
 *   <li>{@link #operator()}: the operator's view of one notification;
 *   <li>{@link #directory()}: the user directory (inline recipients and token claims feed it);
 *   <li>ack re-sends and the release of scheduled and held work run inside, on the {@link Scheduler}.
 * </ul>
 *
 * <p>Nothing here depends on the gateway: notifications are committed, then published on the
 * {@link Bus}; a client that was away gets them from PostgreSQL.
 */
public final class Notifications implements AutoCloseable {
  private final NotificationCreator creator;
  private final UserNotifications users;
  private final ClientInbox inbox;
  private final OperatorView operator;
  private final Preferences preferences;
  private final Templates templates;
  private final NotificationTypes types;
  private final AckResends resends;
  private final Releases releases;
  private final UserDirectory directory;

  /**
   * Wires the parts on {@code pool}: {@code clock} decides quiet hours and due times (tests move
   * it; database timestamps still come from PostgreSQL), {@code scheduler} runs re-sends and
   * release polls, {@code senders} are the delivery channels this node can send (no job is made for
   * the others), {@code online} tells whether a recipient has a live session (a type's
   * {@code when: offline}).
   */
  public Notifications(Pool pool, Bus bus, HeraldMetrics metrics, HeraldConfig.Notify config, Clock clock,
      Scheduler scheduler, Online online, java.util.Set<String> senders) {
    NotificationStore store = new NotificationStore(pool);
    NotificationInserts inserts = new NotificationInserts(pool);
    IdempotencyKeys keys = new IdempotencyKeys(pool);
    this.preferences = new Preferences(pool);
    this.templates = new Templates(pool);
    this.types = new NotificationTypes(pool);
    this.directory = new UserDirectory(pool, preferences);
    this.resends = new AckResends(bus, store, scheduler, metrics, config);
    LivePublisher publisher = new LivePublisher(bus, resends);
    // few statements at a time: what arrives meanwhile waits and shares the next commit
    CreateBatcher batcher = new CreateBatcher(inserts, Math.max(1, config.databasePoolSize() / 4));
    this.creator = new NotificationCreator(inserts, keys, batcher, preferences, templates, types,
        new RecipientPlanner(config, clock, online, senders), publisher, metrics, directory);
    this.users = new UserNotifications(store, resends, bus);
    this.inbox = new ClientInbox(store, preferences, resends, new DeliveryReceipts(store, scheduler, metrics), bus,
        metrics, directory);
    this.operator = new OperatorView(pool);
    this.releases = new Releases(store, inserts, keys, publisher, scheduler, clock, metrics, config);
  }

  /** Starts releasing scheduled notifications and held jobs (at once for what fell due while down). */
  public void start() {
    releases.start();
  }

  @Override
  public void close() {
    releases.close();
    resends.close();
  }

  public NotificationCreator creator() {
    return creator;
  }

  public UserNotifications users() {
    return users;
  }

  public ClientInbox inbox() {
    return inbox;
  }

  public OperatorView operator() {
    return operator;
  }

  public Preferences preferences() {
    return preferences;
  }

  public Templates templates() {
    return templates;
  }

  public NotificationTypes types() {
    return types;
  }

  /** The user directory: contacts, token claims, GDPR erasure and export. */
  public UserDirectory directory() {
    return directory;
  }
}
