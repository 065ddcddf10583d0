package dev.herald.delivery.webhook;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryJob;
import dev.herald.delivery.Outcome;
import dev.herald.delivery.TargetAddresses;
import dev.herald.store.Timestamps;
import dev.herald.store.Uuids;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Webhooks as a {@link DeliveryChannel}: one job is one Standard Webhooks message to one endpoint
 * (contract part 2, "Webhooks"). The endpoint is read when the job runs (deleted: {@code skipped:
 * no-endpoint}; disabled: {@code skipped: endpoint-disabled}), its URL checked against {@link
 * TargetAddresses} again (DNS may have changed since it was registered), the body signed with every
 * secret valid now, and the answer classified: 2xx delivered; 410 disables the endpoint and fails the
 * job; any other answer, a timeout or an unreachable receiver is retried ({@code Retry-After} honoured).
 *
 * <p>Threads: {@link #attempt} and {@link #send} block on virtual threads (or workers); thread-safe.
 */
public final class WebhookChannel implements DeliveryChannel {
  public static final String NAME = "webhook";
  /** Spec: {@code webhook-id}, the same for every attempt of one message, so receivers dedupe by it. */
  static final String ID_PREFIX = "msg_";
  static final String USER_AGENT = "Herald-Webhooks/1.0 (+https://www.standardwebhooks.com)";
  /** How much of a receiver's answer an error keeps. */
  static final int MAX_ERROR_BODY = 200;
  /** How long reading or disabling an endpoint may take before the attempt counts as Herald's outage. */
  private static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);

  private final EndpointStore endpoints;
  private final WebhookClient client;
  private final TargetAddresses targets;
  private final Duration timeout;
  private final Clock clock;

  /**
   * @param timeout how long a receiver may take to answer ({@code HERALD_WEBHOOK_TIMEOUT_MS}, 15 s)
   */
  public WebhookChannel(EndpointStore endpoints, WebhookClient client, TargetAddresses targets, Duration timeout,
      Clock clock) {
    this.endpoints = endpoints;
    this.client = client;
    this.targets = targets;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** The channel over the real HTTP client (connect timeout: the lesser of {@code timeout} and 10 s). */
  public static WebhookChannel over(EndpointStore endpoints, TargetAddresses targets, Duration timeout) {
    return new WebhookChannel(endpoints, new JdkWebhookClient(connectTimeout(timeout)), targets, timeout,
        Clock.systemUTC());
  }

  /** The channel sending through Vert.x's HTTP client, at most {@code perReceiver} connections each. */
  public static WebhookChannel over(EndpointStore endpoints, TargetAddresses targets, Duration timeout,
      io.vertx.core.Vertx vertx, int perReceiver) {
    return new WebhookChannel(endpoints, new VertxWebhookClient(vertx, connectTimeout(timeout), perReceiver), targets,
        timeout, Clock.systemUTC());
  }

  private static Duration connectTimeout(Duration timeout) {
    return timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The endpoint: jobs of one endpoint share its concurrency limit and breaker. */
  @Override
  public String targetKey(DeliveryJob job) {
    return job.endpointId() == null ? "webhook:none" : job.endpointId().toString();
  }

  @Override
  public Outcome attempt(DeliveryJob job) throws Exception {
    if (job.endpointId() == null) {
      return new Outcome.Skipped(null, "no-endpoint");
    }
    WebhookEndpoint endpoint = await(endpoints.get(job.tenant(), job.endpointId()));
    if (endpoint == null) {
      return new Outcome.Skipped(null, "no-endpoint");
    }
    String url = endpoint.url();
    if (!endpoint.enabled()) {
      return new Outcome.Skipped(url, "endpoint-disabled");
    }
    Instant now = clock.instant();
    Sent sent = send(endpoint, webhookId(job.id()), WebhookBody.of(job, now), now);
    return switch (sent) {
      case Sent.Refused r -> new Outcome.Failed(url, "refused target: " + r.reason());
      case Sent.Unreachable u -> new Outcome.Retry(url, u.error(), null);
      case Sent.Answered a when a.status() >= 200 && a.status() < 300 -> new Outcome.Delivered(url, "HTTP " + a.status());
      case Sent.Answered a when a.status() == 410 -> gone(endpoint, a, now);
      case Sent.Answered a -> new Outcome.Retry(url, a.error(), RetryAfter.parse(a.retryAfter(), now));
    };
  }

  /** Contract: "410 disables the endpoint" (the receiver says it is gone for good); the job fails. */
  private Outcome gone(WebhookEndpoint endpoint, Sent.Answered answer, Instant now) throws Exception {
    String reason = "the receiver answered HTTP 410 Gone at " + Timestamps.iso(OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
    await(endpoints.disable(endpoint.tenant(), endpoint.id(), reason));
    return new Outcome.Failed(endpoint.url(), answer.error() + " (endpoint disabled)");
  }

  /** What one POST came to. */
  public sealed interface Sent {
    /** The SSRF guard refused the URL: nothing was sent. */
    record Refused(String reason) implements Sent {}

    /** No answer: refused connection, reset, timeout. */
    record Unreachable(String error) implements Sent {}

    /** The receiver answered {@code status}. */
    record Answered(int status, String body, String retryAfter) implements Sent {
      /** {@code HTTP 503: <the first 200 characters of the body>}, for the delivery log. */
      public String error() {
        String text = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        if (text.length() > MAX_ERROR_BODY) {
          text = text.substring(0, MAX_ERROR_BODY) + "…";
        }
        return "HTTP " + status + (text.isEmpty() ? "" : ": " + text);
      }
    }
  }

  /**
   * Signs and POSTs {@code body} to {@code endpoint} as message {@code webhookId} at {@code now}: the
   * SSRF check, then the Standard Webhooks headers (spec: {@code webhook-id}, {@code webhook-timestamp}
   * in seconds, {@code webhook-signature} with one {@code v1,} signature per valid secret).
   */
  public Sent send(WebhookEndpoint endpoint, String webhookId, byte[] body, Instant now) throws InterruptedException {
    URI url;
    try {
      url = new URI(endpoint.url());
    } catch (java.net.URISyntaxException e) {
      return new Sent.Refused("the stored URL does not parse: " + e.getReason());
    }
    Optional<String> refusal = targets.refusal(url);
    if (refusal.isPresent()) {
      return new Sent.Refused(refusal.get());
    }
    long timestamp = now.getEpochSecond();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/json");
    headers.put("user-agent", USER_AGENT);
    headers.put("webhook-id", webhookId);
    headers.put("webhook-timestamp", Long.toString(timestamp));
    headers.put("webhook-signature", WebhookSignature.header(endpoint.secretsAt(now), webhookId, timestamp, body));
    try {
      WebhookClient.Answer a = client.post(url, headers, body, timeout);
      return new Sent.Answered(a.status(), a.body(), a.retryAfter());
    } catch (HttpTimeoutException e) {
      return new Sent.Unreachable("no answer within " + timeout.toMillis() + " ms");
    } catch (ConnectException e) {
      return new Sent.Unreachable("cannot connect: " + (e.getMessage() == null ? "connection refused" : e.getMessage()));
    } catch (IOException e) {
      return new Sent.Unreachable(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  /**
   * {@code POST /api/webhooks/{id}/test}: a {@code webhook.test} message sent now, the way every
   * message is (same signing, same SSRF check), whatever the endpoint's events or state.
   */
  public TestSend test(WebhookEndpoint endpoint) throws InterruptedException {
    Instant now = clock.instant();
    String webhookId = webhookId(Uuids.v7());
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("type", "webhook.test")
        .put("timestamp", Timestamps.iso(OffsetDateTime.ofInstant(now, ZoneOffset.UTC)));
    body.putObject("data").put("endpointId", endpoint.id().toString())
        .put("message", "A test message from Herald: this endpoint receives signed webhooks.");
    long started = System.nanoTime();
    Sent sent = send(endpoint, webhookId, body.toString().getBytes(StandardCharsets.UTF_8), now);
    return new TestSend(sent, webhookId, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /** What a test-send came to. */
  public record TestSend(Sent sent, String webhookId, long durationMs) {
    /** {@code {delivered, status?, error?, webhookId, durationMs}}. */
    public ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      switch (sent) {
        case Sent.Answered a -> {
          boolean ok = a.status() >= 200 && a.status() < 300;
          o.put("delivered", ok).put("status", a.status());
          if (!ok) {
            o.put("error", a.error());
          }
        }
        case Sent.Unreachable u -> o.put("delivered", false).put("error", u.error());
        case Sent.Refused r -> o.put("delivered", false).put("error", "refused target: " + r.reason());
      }
      return o.put("webhookId", webhookId).put("durationMs", durationMs);
    }
  }

  /** The {@code webhook-id} of a job: the same on every attempt (at least once; receivers dedupe by it). */
  static String webhookId(UUID jobId) {
    return ID_PREFIX + jobId;
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(STORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new TimeoutException("the webhook endpoint was not read within " + STORE_TIMEOUT);
    }
  }
}
