package dev.herald.delivery.webhook;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** A {@link WebhookClient} that records each request and answers what the test scripted, in order. */
final class RecordingWebhookClient implements WebhookClient {
  record Request(URI url, Map<String, String> headers, String body, Duration timeout) {}

  /** One scripted reaction: an answer, or an exception thrown instead. */
  interface Reaction {
    Answer react() throws IOException;
  }

  private final Deque<Reaction> script = new ArrayDeque<>();
  final List<Request> requests = new ArrayList<>();

  RecordingWebhookClient answer(int status, String body, String retryAfter) {
    script.add(() -> new Answer(status, body, retryAfter));
    return this;
  }

  RecordingWebhookClient fail(IOException e) {
    script.add(() -> {
      throw e;
    });
    return this;
  }

  @Override
  public synchronized Answer post(URI url, Map<String, String> headers, byte[] body, Duration timeout)
      throws IOException {
    requests.add(new Request(url, Map.copyOf(headers), new String(body, StandardCharsets.UTF_8), timeout));
    Reaction next = script.poll();
    if (next == null) {
      throw new AssertionError("no answer scripted for request " + requests.size());
    }
    return next.react();
  }

  Request last() {
    return requests.get(requests.size() - 1);
  }
}
