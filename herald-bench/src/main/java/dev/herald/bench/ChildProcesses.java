package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every process the orchestrator started, so that all of them (and their descendants) end with it:
 * on success, on failure, on Ctrl-C (shutdown hook) and when the run's time limit strikes.
 */
final class ChildProcesses {
  private static final List<Process> LIVE = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "bench-kill-children"));
  }

  private ChildProcesses() {}

  static synchronized Process register(Process p) {
    LIVE.add(p);
    return p;
  }

  /** SIGTERM, then SIGKILL for whatever is still there after {@code graceMillis}. */
  static void stop(Process p, long graceMillis) {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    synchronized (ChildProcesses.class) {
      LIVE.remove(p);
    }
  }

  static void killAll() {
    List<Process> all;
    synchronized (ChildProcesses.class) {
      all = new ArrayList<>(LIVE);
    }
    for (Process p : all) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }
}
