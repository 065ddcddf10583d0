package dev.herald.delivery.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * {@link WebhookClient} over one shared {@link HttpClient}: HTTP/1.1, no redirects followed (a
 * redirect could lead to an address the SSRF check never saw; it is an answer like any other, and
 * retried), a connect timeout, and at most {@link #MAX_BODY} bytes of the answer read (for the log).
 *
 * <p>Threads: any; the JDK client is thread-safe and pools connections per origin.
 */
public final class JdkWebhookClient implements WebhookClient {
  /** The part of a receiver's answer kept: enough for the delivery log's error. */
  static final int MAX_BODY = 1_024;

  private final HttpClient http;

  public JdkWebhookClient(Duration connectTimeout) {
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .build();
  }

  @Override
  public Answer post(URI url, Map<String, String> headers, byte[] body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    String text;
    try (InputStream in = response.body()) {
      text = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
    }
    return new Answer(response.statusCode(), text, response.headers().firstValue("retry-after").orElse(null));
  }
}
