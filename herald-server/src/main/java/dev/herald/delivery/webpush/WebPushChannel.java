package dev.herald.delivery.webpush;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryJob;
import dev.herald.delivery.Outcome;
import dev.herald.delivery.TargetAddresses;
import dev.herald.delivery.webhook.RetryAfter;
import dev.herald.delivery.webhook.WebhookClient;
import dev.herald.templates.Renderer;
import dev.herald.templates.TemplateContent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Web Push (RFC 8030) as a {@link DeliveryChannel}: one job is one message to one subscription
 * (the create wrote a job per subscription of the recipient). The payload is seed 000's
 * ({@link PushPayload}), encrypted {@code aes128gcm} for the subscription's keys (RFC 8291,
 * {@link WebPushEncryption}), authorised by VAPID for the push service's origin (RFC 8292,
 * {@link Vapid}), and POSTed with {@code TTL}, {@code Urgency} from the priority and {@code Topic}
 * (the notification id: a newer message of the same topic replaces an undelivered one).
 *
 * <p>Answers (RFC 8030 §5, §8.3): 201 (or any 2xx) delivered; 404 and 410 the subscription is gone:
 * removed, and the job {@code skipped: subscription-gone}; 413 the payload too large (it is kept under
 * 4 KB, so this is the push service's own limit): sent once more without its body (title and id
 * kept), failed if that is refused too; 429 and 5xx retried, {@code Retry-After}
 * honoured; other answers (400, 401, 403: a VAPID key the subscription was not made with) failed.
 *
 * <p>Threads: {@link #attempt} on the engine's virtual threads; the encryption, the VAPID signer and
 * the HTTP client are thread-safe.
 */
public final class WebPushChannel implements DeliveryChannel {
  static final String NAME = "push";
  /** How long a push service keeps an undelivered message (RFC 8030 §5.2): a day. */
  static final int TTL_SECONDS = 86_400;

  /**
   * The {@code push} text of a digest's template ({@code <type>.digest}) in a locale, rendered with
   * the digest's variables; null when the tenant and the system have none.
   */
  public interface DigestTemplates {
    DigestTemplates NONE = (tenant, name, locale, digest) -> null;

    TemplateContent.Rendered render(String tenant, String name, String locale, DeliveryJob.Digest digest)
        throws Exception;
  }

  /** What the channel does to subscriptions the push service says are gone. */
  public interface Subscriptions {
    void remove(UUID id);
  }

  private final WebPushEncryption encryption;
  private final Vapid vapid;
  private final WebhookClient http;
  private final TargetAddresses targets;
  private final Subscriptions subscriptions;
  private final Duration timeout;
  private final String icon;
  private final Clock clock;
  private final DigestTemplates digestTemplates;

  public WebPushChannel(WebPushEncryption encryption, Vapid vapid, WebhookClient http, TargetAddresses targets,
      Subscriptions subscriptions, Duration timeout, String icon, Clock clock) {
    this(encryption, vapid, http, targets, subscriptions, timeout, icon, clock, DigestTemplates.NONE);
  }

  public WebPushChannel(WebPushEncryption encryption, Vapid vapid, WebhookClient http, TargetAddresses targets,
      Subscriptions subscriptions, Duration timeout, String icon, Clock clock, DigestTemplates digestTemplates) {
    this.digestTemplates = digestTemplates;
    this.encryption = encryption;
    this.vapid = vapid;
    this.http = http;
    this.targets = targets;
    this.subscriptions = subscriptions;
    this.timeout = timeout;
    this.icon = icon;
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The push service: the endpoint's origin (every subscription of one browser vendor shares it). */
  @Override
  public String targetKey(DeliveryJob job) {
    DeliveryJob.Subscription s = job.subscription();
    if (s == null) {
      return "none";
    }
    try {
      URI u = new URI(s.endpoint());
      return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    } catch (URISyntaxException e) {
      return "unparsable";
    }
  }

  /**
   * The node's whole concurrency: a push service (FCM, Mozilla's, Apple's) carries every browser
   * of its vendor, so a per-receiver limit made for one webhook endpoint would put all of a node's
   * push through a few slots (measured: at 1,000/s, 32 slots made the p99 1.7 s, all of them 0.5 s).
   * Its breaker still stops attempts to a push service that keeps failing.
   */
  @Override
  public int slotsPerTarget(int perTarget, int concurrency) {
    return Math.max(perTarget, concurrency);
  }

  @Override
  public Outcome attempt(DeliveryJob job) throws Exception {
    DeliveryJob.Subscription s = job.subscription();
    if (s == null) {
      return new Outcome.Skipped(null, "no-subscription");
    }
    if (job.notification() == null && job.digest() == null) {
      return new Outcome.Failed(s.endpoint(), "a push job without a notification");
    }
    URI endpoint;
    try {
      endpoint = new URI(s.endpoint());
    } catch (URISyntaxException e) {
      return new Outcome.Failed(s.endpoint(), "the stored endpoint does not parse: " + e.getReason());
    }
    // contract: targets of push must be public addresses (SSRF), checked again before each send
    Optional<String> refusal = targets.refusal(endpoint);
    if (refusal.isPresent()) {
      return new Outcome.Failed(s.endpoint(), refusal.get());
    }
    SubscriptionKeys keys;
    try {
      keys = SubscriptionKeys.parse(s.p256dh(), s.auth());
    } catch (InvalidSubscription e) {
      subscriptions.remove(s.id());
      return new Outcome.Skipped(s.endpoint(), "subscription-invalid");
    }
    PushPayload payload;
    try {
      payload = job.digest() != null ? digestPayload(job) : PushPayload.of(job.notification(), icon);
    } catch (Renderer.Failure e) {
      return new Outcome.Failed(s.endpoint(), "digest template '" + job.digest().template() + "' does not render: "
          + e.getMessage());
    }
    Map<String, String> headers = headers(job, endpoint);
    Sent sent = post(s, endpoint, headers, encryption.encrypt(payload.toJson(), keys));
    if (sent.answer() != null && sent.answer().status() == 413 && payload.body() != null && !payload.body().isEmpty()) {
      // issue 13: "413 is a payload error (truncate the body, keep title and id)": this push
      // service takes less than the 4 KB RFC 8030 §7.2 obliges; once more with title and id only
      sent = post(s, endpoint, headers, encryption.encrypt(payload.withoutBody().toJson(), keys));
    }
    return sent.outcome() != null ? sent.outcome() : outcome(s, sent.answer());
  }

  /** The headers of a push: VAPID, the encoding, TTL, urgency and topic. */
  private Map<String, String> headers(DeliveryJob job, URI endpoint) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("authorization", vapid.authorization(endpoint));
    headers.put("content-encoding", "aes128gcm");
    headers.put("content-type", "application/octet-stream");
    headers.put("ttl", Integer.toString(TTL_SECONDS));
    headers.put("urgency", job.digest() != null ? "normal" : urgency(job.notification().priority()));
    // RFC 8030 §5.4: a topic is at most 32 characters of the base64url alphabet; a UUID's hex is 32
    UUID topic = job.digest() != null ? job.digest().id() : job.notification().id();
    headers.put("topic", topic.toString().replace("-", ""));
    return headers;
  }

  /** The push service's answer, or the outcome of not getting one. */
  private record Sent(WebhookClient.Answer answer, Outcome outcome) {}

  private Sent post(DeliveryJob.Subscription s, URI endpoint, Map<String, String> headers, byte[] body)
      throws InterruptedException {
    try {
      return new Sent(http.post(endpoint, headers, body, timeout), null);
    } catch (HttpTimeoutException e) {
      return new Sent(null, new Outcome.Retry(s.endpoint(), "no answer within " + timeout.toMillis() + " ms", null));
    } catch (ConnectException e) {
      return new Sent(null, new Outcome.Retry(s.endpoint(), "cannot connect: " + e.getMessage(), null));
    } catch (IOException e) {
      return new Sent(null, new Outcome.Retry(s.endpoint(), e.toString(), null));
    }
  }

  /** A digest's payload: the built-in one, with the title and body of its template's push text when it has one. */
  private PushPayload digestPayload(DeliveryJob job) throws Exception {
    DeliveryJob.Digest digest = job.digest();
    PushPayload builtIn = PushPayload.digest(digest, icon, clock.instant());
    TemplateContent.Rendered r = digest.template() == null ? null
        : digestTemplates.render(job.tenant(), digest.template(), job.locale(), digest);
    return r == null ? builtIn : new PushPayload(r.title(), r.message(), builtIn.icon(), builtIn.notificationId(),
        builtIn.url(), builtIn.type(), builtIn.tag(), builtIn.timestamp());
  }

  private Outcome outcome(DeliveryJob.Subscription s, WebhookClient.Answer answer) {
    int status = answer.status();
    String said = "HTTP " + status + (answer.body() == null || answer.body().isBlank() ? ""
        : ": " + answer.body().substring(0, Math.min(200, answer.body().length())));
    if (status >= 200 && status < 300) {
      return new Outcome.Delivered(s.endpoint(), "HTTP " + status);
    }
    if (status == 404 || status == 410) {
      // RFC 8030 §7.3: the subscription expired or was removed; the contract: it is removed here too
      subscriptions.remove(s.id());
      return new Outcome.Skipped(s.endpoint(), "subscription-gone");
    }
    if (status == 429 || status >= 500) {
      return new Outcome.Retry(s.endpoint(), said, RetryAfter.parse(answer.retryAfter(), clock.instant()));
    }
    return new Outcome.Failed(s.endpoint(), said);
  }

  /** RFC 8030 §5.3: very-low | low | normal | high, from the notification's priority. */
  static String urgency(String priority) {
    return switch (priority == null ? "" : priority) {
      case "low" -> "low";
      case "high", "urgent" -> "high";
      default -> "normal";
    };
  }
}
