package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.HeraldProcess;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, defect 7: after {@code kill -9} the embedded PostgreSQL ran on (reparented to init),
 * holding the data directory, and the next start logged {@code lock file "postmaster.pid" already
 * exists}, waited 60 s and exited 1. Herald runs here as a separate JVM on the embedded database of a
 * temporary data directory, is killed with SIGKILL, and is started again on the same directory.
 *
 * <p>The bound on each start ({@link #START}) is an Awaitility bound, not a measurement: a healthy
 * start takes a few seconds, the broken one never became healthy.
 */
class EmbeddedRestartTest {
  private static final String KEY = "restart-test-key-0123456789";
  private static final Duration START = Duration.ofSeconds(45);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dataDir;

  private Map<String, String> env() {
    return Map.of("HERALD_DATA_DIR", dataDir.toString(), "HERALD_API_KEYS", KEY,
        "HERALD_JWT_SECRET", TestHerald.SECRET, "HERALD_DRAIN_TIMEOUT_MS", "1000", "HERALD_EVENT_LOOPS", "2");
  }

  /** Issue 11, defect 7: the embedded server does not outlive a killed Herald, and nothing is lost. */
  @Test
  void theEmbeddedServerStopsWhenHeraldIsKilledAndTheNextStartHasEverything() throws Exception {
    String id;
    long postgres;
    try (HeraldProcess first = HeraldProcess.start(env()).awaitHealthy(START)) {
      id = create(first, "before kill -9");
      postgres = postmasterPid();
      first.kill();
    }
    try {
      await("the embedded PostgreSQL (pid " + postgres + ") stops once Herald is gone")
          .atMost(Duration.ofSeconds(30)).until(() -> !running(postgres));
    } finally {
      stopIfLeftRunning(postgres);
    }
    try (HeraldProcess second = HeraldProcess.start(env()).awaitHealthy(START)) {
      assertThat(historyOf(second, "restart-user")).contains(id);
      long secondPostgres = postmasterPid();
      second.stop();
      assertThat(running(secondPostgres)).as("a stopped Herald stops its PostgreSQL").isFalse();
    }
  }

  /**
   * Issue 11, defect 7: when the server was left running anyway (here the whole process group was
   * killed, the watchdog with it), the next start stops it and starts on the same data.
   */
  @Test
  void aStartStopsTheServerAKilledHeraldLeftRunningAndKeepsItsData() throws Exception {
    String id;
    long postgres;
    try (HeraldProcess first = HeraldProcess.start(env()).awaitHealthy(START)) {
      id = create(first, "before the group was killed");
      postgres = postmasterPid();
      first.killWithChildren();
    }
    try {
      assertThat(running(postgres)).as("the orphan runs on: nothing of Herald is left to stop it").isTrue();
      try (HeraldProcess second = HeraldProcess.start(env()).awaitHealthy(START)) {
        assertThat(running(postgres)).as("the orphan was stopped").isFalse();
        assertThat(historyOf(second, "restart-user")).contains(id);
      }
    } finally {
      stopIfLeftRunning(postgres);
    }
  }

  /**
   * Issue 11, defect 7: a stale {@code postmaster.pid} whose PID now belongs to another live process
   * (after a crash of the machine, PIDs are reused) neither blocks the start nor gets that process
   * signalled: here a program named {@code postgres} that runs elsewhere.
   */
  @Test
  void aStalePidFileNamingAnotherLiveProcessNeitherBlocksTheStartNorHarmsIt() throws Exception {
    try (HeraldProcess first = HeraldProcess.start(env()).awaitHealthy(START)) {
      create(first, "before a clean stop");
      first.stop();
    }
    Path elsewhere = Files.createTempDirectory("not-herald");
    Path fake = Files.copy(Path.of("/bin/sleep"), elsewhere.resolve("postgres"));
    Process other = new ProcessBuilder(fake.toString(), "600").directory(elsewhere.toFile()).start();
    try {
      Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
      assertThat(pidFile).as("a clean stop removes it").doesNotExist();
      Files.write(pidFile, List.of(String.valueOf(other.pid()), dataDir.resolve("postgres").toString(),
          "1700000000", "5999", "/tmp", "127.0.0.1", "0 0", "ready   "));
      try (HeraldProcess second = HeraldProcess.start(env()).awaitHealthy(START)) {
        assertThat(other.isAlive()).as("a process that is not this directory's server is never signalled").isTrue();
        assertThat(historyOf(second, "restart-user")).hasSize(1);
      }
    } finally {
      other.destroyForcibly();
    }
  }

  private static String create(HeraldProcess herald, String title) throws Exception {
    HttpResponse<String> created = herald.post("/api/notifications", KEY, "{\"type\":\"restart\","
        + "\"recipients\":[\"restart-user\"],\"title\":\"" + title + "\",\"message\":\"kept\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return JSON.readTree(created.body()).get("ids").get(0).asText();
  }

  private static List<String> historyOf(HeraldProcess herald, String user) throws Exception {
    HttpResponse<String> page = herald.get("/api/notifications", TestHerald.token(user, null));
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    List<String> ids = new java.util.ArrayList<>();
    JSON.readTree(page.body()).get("notifications").forEach(n -> ids.add(n.get("id").asText()));
    return ids;
  }

  private long postmasterPid() throws IOException {
    return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(0).trim());
  }

  /** Alive and not a zombie: {@code /proc/<pid>/stat}'s state after the command name. */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException gone) {
      return false;
    }
  }

  /**
   * Test hygiene when the defect is back: stops the server this test started in its own data
   * directory (checked: the process works in it), never another.
   */
  private void stopIfLeftRunning(long pid) {
    try {
      if (running(pid) && Files.isSameFile(Path.of("/proc", String.valueOf(pid), "cwd"), dataDir.resolve("postgres"))) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        await().atMost(Duration.ofSeconds(30)).until(() -> !running(pid));
      }
    } catch (IOException gone) {
      // it ended meanwhile
    }
  }
}
