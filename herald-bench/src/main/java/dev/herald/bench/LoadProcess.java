package dev.herald.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LoadClient} child process and its line protocol: commands to its stdin, answers read from
 * its stdout by a reader thread; its stderr goes to a log file.
 */
final class LoadProcess implements AutoCloseable {
  private static final String EOF = "\u0000eof";

  private final String name;
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  LoadProcess(String name, List<String> command, Path log) throws IOException {
    this.name = name;
    this.process = ChildProcesses.register(new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start());
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process ended
      }
      lines.add(EOF);
    }, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  void send(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
  }

  /** The next stdout line starting with {@code prefix} (earlier lines are skipped). */
  String await(String prefix, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new IOException(name + ": no '" + prefix + "' answer within " + timeout.toSeconds() + " s");
        }
        if (line.equals(EOF)) {
          lines.add(EOF);
          throw new IOException(name + " exited (code " + exitCode() + ") before answering '" + prefix + "'; see its log");
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(name + ": interrupted", e);
    }
  }

  private String exitCode() {
    try {
      return process.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  @Override
  public void close() {
    try {
      send("QUIT");
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        ChildProcesses.stop(process, 2_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ChildProcesses.stop(process, 0);
  }
}
