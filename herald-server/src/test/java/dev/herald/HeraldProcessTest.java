package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Herald as an operator runs it: a separate JVM started with no configuration, stopped with SIGTERM. */
class HeraldProcessTest {
  @Test
  void freshNodePrintsDevCredentialsAndSigtermClosesClientsWith1001ThenExits() throws Exception {
    Path dataDir = Files.createTempDirectory("herald-process");
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "dev.herald.Herald", "serve").redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
    // port 0, read back from the banner: a port picked here could be taken before the node binds it
    pb.environment().put("HERALD_PORT", "0");
    pb.environment().put("HERALD_HOST", "127.0.0.1");
    pb.environment().put("HERALD_DATA_DIR", dataDir.toString());
    pb.environment().put("HERALD_DRAIN_TIMEOUT_MS", "3000");
    Process process = pb.start();
    List<String> output = new CopyOnWriteArrayList<>();
    CompletableFuture<String> token = new CompletableFuture<>();
    CompletableFuture<String> apiKey = new CompletableFuture<>();
    CompletableFuture<Integer> bound = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        Pattern tokenLine = Pattern.compile("dev user token .*: (\\S+)");
        Pattern keyLine = Pattern.compile("dev API key .*: (\\S+)");
        Pattern banner = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+) ");
        for (String line; (line = r.readLine()) != null; ) {
          output.add(line);
          Matcher b = banner.matcher(line);
          if (b.find()) {
            bound.complete(Integer.parseInt(b.group(1)));
          }
          Matcher m = tokenLine.matcher(line);
          if (m.find()) {
            token.complete(m.group(1));
          }
          m = keyLine.matcher(line);
          if (m.find()) {
            apiKey.complete(m.group(1));
          }
        }
      } catch (Exception ignored) {
        // process ended
      }
    });
    reader.start();
    try {
      String userToken = token.get(60, TimeUnit.SECONDS);
      int port = bound.get(5, TimeUnit.SECONDS);
      assertThat(apiKey.get(5, TimeUnit.SECONDS)).startsWith("hk_");
      assertThat(Files.readString(dataDir.resolve("dev-api-key")).trim()).isEqualTo(apiKey.get());

      HttpClient http = HttpClient.newHttpClient();
      CompletableFuture<Integer> closeCode = new CompletableFuture<>();
      CompletableFuture<String> welcome = new CompletableFuture<>();
      http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + userToken),
          new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
              welcome.complete(data.toString());
              ws.request(1);
              return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
              closeCode.complete(statusCode);
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      assertThat(welcome.get(10, TimeUnit.SECONDS)).contains("\"type\":\"connected\"").contains("dev-user");
      HttpResponse<String> publish = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events"))
          .header("authorization", "Bearer " + apiKey.get())
          .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"user:dev-user\",\"event\":\"x\",\"data\":1}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(publish.statusCode()).isEqualTo(202);

      process.destroy(); // SIGTERM
      assertThat(closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
      assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("exits after draining").isTrue();
    } finally {
      process.destroyForcibly();
      reader.join(5_000);
    }
    assertThat(bound).as("the banner names the port it bound").isCompletedWithValueMatching(p -> p > 0);
  }

  /** Issue 11, defect 4: every bad setting named at once, by the CLI, with exit status 2. */
  @Test
  void everyBadSettingIsReportedAtOnceAndTheCliExitsWith2() throws Exception {
    Path dataDir = Files.createTempDirectory("herald-config");
    CliRun run = runCli(Map.of("HERALD_PORT", "99999", "HERALD_API_KEYS", "short-key",
        "HERALD_EVENT_LOOPS", "0", "HERALD_DATA_DIR", dataDir.toString()));
    assertThat(run.exit()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("HERALD_PORT").contains("99999").contains("HERALD_API_KEYS")
        .contains("HERALD_EVENT_LOOPS");
    assertThat(dataDir.resolve("postgres")).as("nothing started").doesNotExist();
  }

  /**
   * Issue 11, defect 4: a short API key stopped start-up only after the embedded PostgreSQL had
   * started and migrated; it is refused before anything starts.
   */
  @Test
  void aShortApiKeyStopsStartUpBeforeTheDatabaseStarts() throws Exception {
    Path dataDir = Files.createTempDirectory("herald-config");
    CliRun run = runCli(Map.of("HERALD_API_KEYS", "short-key", "HERALD_DATA_DIR", dataDir.toString(),
        "HERALD_PORT", "0"));
    assertThat(run.exit()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("HERALD_API_KEYS").contains("16");
    assertThat(dataDir.resolve("postgres")).as("no embedded PostgreSQL was started").doesNotExist();
  }

  private record CliRun(int exit, String output) {}

  /** Runs {@code herald serve} with only {@code env} as its HERALD_* settings, expecting it to exit. */
  private static CliRun runCli(Map<String, String> env) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "dev.herald.Herald", "serve").redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
    pb.environment().putAll(env);
    Process process = pb.start();
    try {
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
      return new CliRun(process.exitValue(), out);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void invalidConfigurationStopsStartUpWithTheVariableNamed() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "dev.herald.Herald", "serve").redirectErrorStream(true);
    pb.environment().put("HERALD_PORT", "99999");
    Process process = pb.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(out).contains("HERALD_PORT").contains("99999");
  }
}
