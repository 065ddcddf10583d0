package dev.herald.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What Linux's {@code /proc} says about a process that is not Herald's child, and the signals
 * PostgreSQL's shutdown modes use, sent with the shell's {@code kill} (the JDK sends only SIGTERM and
 * SIGKILL). Threads: blocking calls, on a worker thread.
 */
final class LinuxProcess {
  private static final Path PROC = Path.of("/proc");

  private LinuxProcess() {}

  /** Whether {@code /proc} describes processes here. */
  static boolean available() {
    return Files.isDirectory(PROC.resolve("self"));
  }

  /**
   * Alive and not a zombie: the state in {@code /proc/<pid>/stat} after the command name. (A zombie
   * still has a PID; an orphan's is reaped by init, or lingers where no init reaps it.) Without
   * {@code /proc}, asks the JDK.
   */
  static boolean running(long pid) {
    if (!available()) {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
    try {
      String stat = Files.readString(PROC.resolve(String.valueOf(pid)).resolve("stat"));
      int afterName = stat.lastIndexOf(')') + 2;
      char state = afterName < stat.length() ? stat.charAt(afterName) : 'X';
      return state != 'Z' && state != 'X';
    } catch (IOException gone) {
      return false;
    }
  }

  /**
   * True when {@code pid} runs an executable named {@code postgres} with {@code dir} as its working
   * directory; false when anything says otherwise or cannot be read.
   */
  static boolean isPostgresWorkingIn(long pid, Path dir) {
    Path proc = PROC.resolve(String.valueOf(pid));
    try {
      String exe = Files.readSymbolicLink(proc.resolve("exe")).getFileName().toString();
      // the kernel marks an executable deleted since (a cleaned temporary directory) with " (deleted)"
      boolean postgres = exe.equals("postgres") || exe.equals("postgres (deleted)");
      return postgres && Files.isSameFile(proc.resolve("cwd"), dir);
    } catch (IOException | UnsupportedOperationException unreadable) {
      return false;
    }
  }

  /** Sends {@code SIG<name>} to {@code pid}; false when it could not be sent. */
  static boolean signal(long pid, String name) {
    try {
      Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + name + " \"$1\"", "herald-kill", String.valueOf(pid))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return kill.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits up to {@code atMost} for {@code pid} to end; true when it did. */
  static boolean awaitGone(long pid, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (running(pid)) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !running(pid);
      }
    }
    return true;
  }
}
