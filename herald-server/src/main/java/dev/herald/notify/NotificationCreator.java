package dev.herald.notify;

import dev.herald.directory.UserDirectory;
import dev.herald.ops.HeraldMetrics;
import dev.herald.preferences.Preferences;
import dev.herald.store.Uuids;
import dev.herald.templates.TemplateSet;
import dev.herald.templates.Templates;
import dev.herald.types.NotificationTypes;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The create path of {@code POST /api/notifications}: loads the template, the type's definition
 * (cached: no query on the hot path) and the recipients' preferences, plans each recipient
 * ({@link RecipientPlanner}), reserves places under a type's throttle ({@link Throttling}: only for
 * a type that has one), stores the rows and their delivery
 * jobs in one commit (grouped with other creates by {@link CreateBatcher}, or in the idempotency
 * key's own transaction), then publishes them ({@link LivePublisher}) and answers. With an
 * {@code Idempotency-Key}, a repeat returns the first answer.
 *
 * <p>Threads: any event loop; database work is asynchronous.
 */
public final class NotificationCreator {
  private final NotificationInserts store;
  private final IdempotencyKeys keys;
  private final CreateBatcher batcher;
  private final Preferences preferences;
  private final Templates templates;
  private final NotificationTypes types;
  private final RecipientPlanner planner;
  private final LivePublisher publisher;
  private final HeraldMetrics metrics;
  private final UserDirectory directory;
  private final Throttling throttling;

  NotificationCreator(NotificationInserts store, IdempotencyKeys keys, CreateBatcher batcher, Preferences preferences,
      Templates templates, NotificationTypes types, RecipientPlanner planner, LivePublisher publisher,
      HeraldMetrics metrics, UserDirectory directory) {
    this.store = store;
    this.keys = keys;
    this.batcher = batcher;
    this.preferences = preferences;
    this.templates = templates;
    this.types = types;
    this.planner = planner;
    this.publisher = publisher;
    this.metrics = metrics;
    this.directory = directory;
    this.throttling = new Throttling(store.pool());
  }

  /** The answer to a create: the HTTP status and body, and whether it repeats an earlier answer. */
  public record Created(int status, String body, boolean replayed) {}

  /**
   * Creates {@code request}; with an idempotency key, a repeat returns the first answer. Fails with
   * {@link InvalidRequest} (409, 422) for key conflicts and with the database's error otherwise.
   */
  public Future<Created> create(NotificationRequest request, String idempotencyKey, byte[] bodyHash) {
    // inline recipients' fields are in the directory before the insert commits (their own statement,
    // ahead of it: a job that runs after the commit finds them; a failed insert leaves them stored)
    Future<Void> contacts = request.contacts().isEmpty() ? Future.succeededFuture()
        : directory.upsertGiven(request.tenant(), request.contacts());
    Future<TemplateSet> set = contacts.compose(v -> request.template() == null ? Future.succeededFuture(null)
        : templates.set(request.tenant(), request.template()));
    Future<NotificationTypes.Effective> type = types.resolve(request.tenant(), request.type());
    return Future.all(set, type).compose(both -> preferences.cache().load(request.tenant(), request.recipients())
        .compose(loaded -> {
          Map<String, RecipientPlan> plans;
          try {
            plans = planner.plan(request, set.result(), loaded, type.result());
          } catch (InvalidRequest e) {
            return Future.failedFuture(e);
          }
          return throttling.apply(request.tenant(), request.type(), plans)
              .compose(throttled -> store(request, idempotencyKey, bodyHash, throttled));
        }));
  }

  /** Whether {@code key} may be an {@code Idempotency-Key}: 1-255 printable ASCII characters. */
  public static boolean isValidIdempotencyKey(String key) {
    return IdempotencyKeys.isValid(key);
  }

  private Future<Created> store(NotificationRequest request, String idempotencyKey, byte[] bodyHash,
      Map<String, RecipientPlan> plans) {
    if (idempotencyKey == null) {
      UUID requestId = Uuids.v7();
      Future<List<Notification>> rows = request.isScheduled()
          ? store.insertScheduled(store.pool(), request, requestId, plans)
          : batcher.submit(new NotificationInserts.Pending(request, requestId, plans));
      return rows.map(created -> {
        publisher.publish(created);
        metrics.notificationsCreated(created.size());
        countDecisions(plans);
        return new Created(201, answer(requestId, request, created), false);
      });
    }
    return keys.claim(request.tenant(), idempotencyKey, bodyHash).compose(claim -> switch (claim) {
      case IdempotencyKeys.Answered a -> Future.succeededFuture(new Created(a.status(), a.body(), true));
      case IdempotencyKeys.InFlight f -> Future.failedFuture(new InvalidRequest(409,
          "a request with this Idempotency-Key is still being processed; retry later", List.of()));
      case IdempotencyKeys.Mismatch m -> Future.failedFuture(new InvalidRequest(422,
          "this Idempotency-Key was used with a different request body", List.of()));
      case IdempotencyKeys.Claimed c -> {
        UUID requestId = Uuids.v7();
        String[] body = new String[1];
        Future<List<Notification>> done = store.pool().withTransaction(tx ->
            (request.isScheduled()
                ? store.insertScheduled(tx, request, requestId, plans)
                : store.insertReleased(tx, List.of(new NotificationInserts.Pending(request, requestId, plans)))
                    .map(NotificationStore::byRecipient))
            .compose(rows -> {
              body[0] = answer(requestId, request, rows);
              return keys.complete(tx, request.tenant(), idempotencyKey, 201, body[0]).map(rows);
            }));
        yield done
            .map(rows -> {
              publisher.publish(rows);
              metrics.notificationsCreated(rows.size());
              countDecisions(plans);
              return new Created(201, body[0], false);
            })
            .recover(err -> keys.release(request.tenant(), idempotencyKey).transform(v -> Future.failedFuture(err)));
      }
    });
  }

  private void countDecisions(Map<String, RecipientPlan> plans) {
    int notLive = 0;
    int queued = 0;
    int held = 0;
    int digested = 0;
    int throttled = 0;
    for (RecipientPlan p : plans.values()) {
      notLive += p.live() ? 0 : 1;
      for (RecipientPlan.Job j : p.jobs()) {
        if (j.state().equals("held")) {
          held++;
        } else if (j.digested()) {
          digested++;
        } else if ("throttled".equals(j.reason())) {
          throttled++;
        } else {
          queued++;
        }
      }
    }
    metrics.deliveryDecisions(notLive, queued, held);
    metrics.batched(digested, throttled);
  }

  /** The create answer: {@code {requestId, ids, notifications: [{id, recipient, sequence, status}]}}. */
  private static String answer(UUID requestId, NotificationRequest request, List<Notification> rows) {
    StringBuilder b = new StringBuilder(80 + rows.size() * 150);
    b.append("{\"requestId\":\"").append(requestId).append("\",\"ids\":[");
    for (int i = 0; i < rows.size(); i++) {
      b.append(i == 0 ? "\"" : ",\"").append(rows.get(i).id()).append('"');
    }
    b.append("],\"notifications\":[");
    for (int i = 0; i < rows.size(); i++) {
      Notification n = rows.get(i);
      b.append(i == 0 ? "{\"id\":\"" : ",{\"id\":\"").append(n.id()).append("\",\"recipient\":");
      Notification.quoted(b, n.recipient());
      if (n.sequence() != null) {
        b.append(",\"sequence\":").append(n.sequence());
      }
      b.append(",\"status\":\"").append(n.status()).append("\"}");
    }
    b.append(']');
    if (request.isScheduled()) {
      b.append(",\"scheduledAt\":\"").append(Notification.iso(request.scheduledAt())).append('"');
    }
    return b.append('}').toString();
  }
}
