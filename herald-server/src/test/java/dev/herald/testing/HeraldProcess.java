package dev.herald.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Herald as an operator runs it: {@code herald serve} in a JVM of its own, configured by the
 * {@code HERALD_*} variables given and nothing else from the test's environment, stopped with
 * SIGTERM or killed with SIGKILL. Its output is kept for failure messages.
 */
public final class HeraldProcess implements AutoCloseable {
  private static final java.util.regex.Pattern BANNER =
      java.util.regex.Pattern.compile("^Herald .* listening on http://127\\.0\\.0\\.1:(\\d+) ");
  private final Process process;
  /** The port the node bound, from its banner; 0 until it printed it. Written by the output reader. */
  private volatile int port;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private HeraldProcess(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          output.add(line);
          java.util.regex.Matcher m = BANNER.matcher(line);
          if (port == 0 && m.find()) {
            port = Integer.parseInt(m.group(1));
          }
        }
      } catch (IOException ended) {
        // the process is gone
      }
    }, "herald-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code herald serve} on 127.0.0.1 with {@code env} as its only HERALD_* settings. The node
   * binds port 0 and the port is read from its banner: a port picked here and handed over could be
   * taken meanwhile, by the node's own embedded PostgreSQL among others.
   */
  public static HeraldProcess start(Map<String, String> env) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "dev.herald.Herald", "serve").redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
    pb.environment().putAll(env);
    pb.environment().put("HERALD_PORT", "0");
    pb.environment().put("HERALD_HOST", "127.0.0.1");
    return new HeraldProcess(pb.start());
  }

  /** Waits until {@code GET /health} answers 200; fails at once, with the output, when the process exits. */
  public HeraldProcess awaitHealthy(Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("herald exited with " + process.exitValue() + ":\n" + output());
      }
      if (port == 0) {
        return false;
      }
      try {
        return get("/health", null).statusCode() == 200;
      } catch (IOException notYet) {
        return false;
      }
    });
    return this;
  }

  public long pid() {
    return process.pid();
  }

  /** The node's base URL; known once it printed its banner ({@link #awaitHealthy}). */
  public String url() {
    if (port == 0) {
      throw new IllegalStateException("the node has not said which port it bound yet:\n" + output());
    }
    return "http://127.0.0.1:" + port;
  }

  /** Everything the process printed so far. */
  public String output() {
    return String.join("\n", output);
  }

  /** {@code GET path} with {@code bearer} (null: none). */
  public HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10));
    if (bearer != null) {
      b.header("authorization", "Bearer " + bearer);
    }
    return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code POST path} with {@code bearer} and a JSON body. */
  public HttpResponse<String> post(String path, String bearer, String json) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10))
        .header("authorization", "Bearer " + bearer).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL, as {@code kill -9} does it (Process.destroyForcibly on Linux); returns once the JVM is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * SIGKILL to every process the JVM started and is still the parent of, then to the JVM: what
   * {@code kill -9} of the whole process group does.
   */
  public void killWithChildren() throws InterruptedException {
    process.toHandle().children().forEach(ProcessHandle::destroyForcibly);
    kill();
  }

  /** SIGTERM; the exit status once it has drained and stopped. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("herald did not stop within 30 s of SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    http.shutdownNow();
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        kill();
      }
    }
    reader.join(5_000);
  }
}
