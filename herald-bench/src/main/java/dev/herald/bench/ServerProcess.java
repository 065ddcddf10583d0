package dev.herald.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A server under test, started as its own process with stdout and stderr in a log file, and
 * measured through {@code /proc}: the process started is the server itself (no shell in between),
 * so its pid is the one whose CPU and memory count.
 */
final class ServerProcess implements AutoCloseable {
  /** How to start one server: the websocket port and the port of its {@code POST /api/events}. */
  record Spec(String name, List<String> command, Map<String, String> env, Path workDir, int port, int apiPort, String version) {}

  private final Spec spec;
  private final Process process;

  ServerProcess(Spec spec, Path log) throws IOException {
    this.spec = spec;
    ProcessBuilder pb = new ProcessBuilder(spec.command())
        .directory(spec.workDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(spec.env());
    this.process = ChildProcesses.register(pb.start());
  }

  Spec spec() {
    return spec;
  }

  long pid() {
    return process.pid();
  }

  /** Waits until both ports accept TCP connections; fails early when the process exits. */
  void awaitListening(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int port : List.of(spec.port(), spec.apiPort())) {
      while (!accepts(port)) {
        if (!process.isAlive()) {
          throw new IOException(spec.name() + " exited with code " + process.exitValue() + " before listening; see its log");
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(spec.name() + " did not listen on 127.0.0.1:" + port + " within " + timeout.toSeconds() + " s");
        }
        Thread.sleep(100);
      }
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long cpuTicks() {
    return ProcStats.cpuTicks(process.pid());
  }

  ProcStats.Cpu cpu() {
    return ProcStats.cpu(process.pid());
  }

  long rssKb() {
    return ProcStats.memoryKb(process.pid(), "VmRSS");
  }

  long peakRssKb() {
    return ProcStats.memoryKb(process.pid(), "VmHWM");
  }

  @Override
  public void close() {
    ChildProcesses.stop(process, 15_000);
  }
}
