package dev.herald.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops the embedded PostgreSQL when Herald's process ends, however it ends: {@code kill -9}
 * included.
 *
 * <p>Why a second process and a pipe. PostgreSQL runs in a session of its own ({@code pg_ctl}
 * detaches it with {@code setsid}), so nothing sent to Herald or to Herald's process group reaches
 * it; a shutdown hook does not run on SIGKILL; and the JDK cannot ask the kernel to signal a child at
 * its parent's death ({@code prctl(PR_SET_PDEATHSIG)} needs native code, and {@code pg_ctl}'s detached
 * start would escape it anyway). So Herald starts a small shell that blocks reading a pipe whose only
 * writer is Herald. When Herald's process ends, for any reason, the kernel closes that end; the shell
 * reads end-of-file and asks the server for a fast shutdown (SIGINT, as {@code pg_ctl stop -m fast}),
 * after checking that {@code postmaster.pid} still names the server it was given. No polling, and no
 * PID that could be reused by the time Herald is gone.
 *
 * <p>The shell ignores SIGINT, SIGHUP and SIGTERM, so that a Ctrl-C in the terminal or a service
 * manager's TERM to the whole group leaves it waiting for Herald's actual end (Herald stops the server
 * itself when it drains), and it runs in a session of its own where {@code setsid} exists, so that a
 * SIGKILL to Herald's process group spares it. What is left (the watchdog itself killed, the machine
 * or container stopped) leaves an orphan, which {@link OrphanedPostmaster} stops at the next start.
 *
 * <p>Threads: created and closed by the thread that starts and stops the embedded server. The
 * {@link Process} is held for as long as the server runs: an unreachable one could have its pipe
 * closed by the garbage collector, which the watchdog would take for Herald's end.
 */
final class PostmasterWatchdog implements AutoCloseable {
  /** $1 the data directory, $2 the postmaster's PID. */
  private static final String SCRIPT = """
      trap '' INT HUP TERM
      read -r _
      pid=
      { read -r pid < "$1/postmaster.pid"; } 2>/dev/null
      [ "$pid" = "$2" ] && kill -s INT "$2"
      exit 0
      """;

  private final Process process;

  private PostmasterWatchdog(Process process) {
    this.process = process;
  }

  /** Starts the watchdog of the server {@code pid} in {@code dataDir}. */
  static PostmasterWatchdog watch(Path dataDir, long pid) throws IOException {
    List<String> command = new ArrayList<>();
    for (String setsid : new String[] {"/usr/bin/setsid", "/bin/setsid"}) {
      if (Files.isExecutable(Path.of(setsid))) {
        command.add(setsid);
        break;
      }
    }
    command.addAll(List.of("/bin/sh", "-c", SCRIPT, "herald-postgres-watchdog",
        dataDir.toAbsolutePath().toString(), String.valueOf(pid)));
    Process process = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    return new PostmasterWatchdog(process);
  }

  /** The watchdog's PID, for logs. */
  long pid() {
    return process.pid();
  }

  /**
   * Ends the watchdog after Herald stopped the server itself: it reads end-of-file, finds the server
   * gone (or asks it once more to stop) and exits.
   */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
    } catch (IOException alreadyClosed) {
      // the watchdog is gone already
    }
  }
}
