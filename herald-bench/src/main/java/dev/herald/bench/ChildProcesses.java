package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every process the orchestrator started, so that all of them (and their descendants) end with it:
 * on success, on failure, on Ctrl-C (shutdown hook) and when the run's time limit strikes. Also
 * the detached processes a child started that are no longer its descendants (the postmaster of
 * Herald's embedded PostgreSQL, see {@link EmbeddedDatabase}), registered by pid.
 */
final class ChildProcesses {
  private static final List<Process> LIVE = new ArrayList<>();
  private static final List<ProcessHandle> DETACHED = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "bench-kill-children"));
  }

  private ChildProcesses() {}

  static synchronized Process register(Process p) {
    LIVE.add(p);
    return p;
  }

  /** A process a child started detached, to be killed with the rest; see {@link #stop(ProcessHandle, long)}. */
  static synchronized ProcessHandle registerDetached(ProcessHandle p) {
    DETACHED.add(p);
    return p;
  }

  /** SIGTERM to a detached process and its descendants, then SIGKILL after {@code graceMillis}. */
  static void stop(ProcessHandle p, long graceMillis) {
    if (p.isAlive()) {
      p.destroy();
      try {
        p.onExit().get(graceMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
    synchronized (ChildProcesses.class) {
      DETACHED.remove(p);
    }
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
    List<ProcessHandle> detached;
    synchronized (ChildProcesses.class) {
      all = new ArrayList<>(LIVE);
      detached = new ArrayList<>(DETACHED);
    }
    for (Process p : all) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (ProcessHandle p : detached) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }
}
