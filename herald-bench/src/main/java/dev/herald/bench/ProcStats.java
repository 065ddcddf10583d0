package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux says about a process: CPU time from {@code /proc/<pid>/stat}, memory from {@code /proc/<pid>/status}. */
final class ProcStats {
  /** USER_HZ: the unit of utime and stime (100 on every Linux build that matters). */
  static final long TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** CPU time of a process in clock ticks (1/100 s), user and system. */
  record Cpu(long user, long system) {
    static final Cpu GONE = new Cpu(-1, -1);

    long total() {
      return user + system;
    }

    Cpu minus(Cpu earlier) {
      return new Cpu(user - earlier.user, system - earlier.system);
    }
  }

  /** User + system CPU time in clock ticks (1/100 s); -1 when the process is gone. */
  static long cpuTicks(long pid) {
    return cpu(pid).total();
  }

  /** utime and stime of {@code /proc/<pid>/stat}; {@link Cpu#GONE} when the process is gone. */
  static Cpu cpu(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // proc(5): "pid (comm) state ..."; comm may hold spaces, so fields count from the last ')'.
      // After it: state is field 3, utime field 14, stime field 15.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new Cpu(Long.parseLong(f[14 - 3]), Long.parseLong(f[15 - 3]));
    } catch (IOException | RuntimeException e) {
      return Cpu.GONE;
    }
  }

  /**
   * CPU time of {@code root} and every live descendant, each with its reaped children (cutime and
   * cstime): what the whole process tree used since it started, in clock ticks. A child that exits
   * moves from "descendant" to its parent's reaped children, so the sum stays continuous.
   * {@link Cpu#GONE} when {@code root} is gone.
   */
  static Cpu treeCpu(ProcessHandle root) {
    long[] sum = withChildren(root.pid());
    if (sum == null) {
      return Cpu.GONE;
    }
    for (ProcessHandle d : (Iterable<ProcessHandle>) root.descendants()::iterator) {
      long[] c = withChildren(d.pid());
      if (c != null) {
        sum[0] += c[0];
        sum[1] += c[1];
      }
    }
    return new Cpu(sum[0], sum[1]);
  }

  /** [utime + cutime, stime + cstime] of {@code /proc/<pid>/stat}, or null when the process is gone. */
  private static long[] withChildren(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // utime 14, stime 15, cutime 16, cstime 17 (proc(5)), counted from field 3 here.
      return new long[] {Long.parseLong(f[14 - 3]) + Long.parseLong(f[16 - 3]),
          Long.parseLong(f[15 - 3]) + Long.parseLong(f[17 - 3])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The command line of a process, arguments separated by spaces; empty when it is gone. */
  static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** {@code VmRSS} (resident now) or {@code VmHWM} (peak resident) in KiB; -1 when the process is gone. */
  static long memoryKb(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  /** The machine's CPU time in ticks over all CPUs, from the {@code cpu} line of {@code /proc/stat}. */
  record MachineCpu(long busy, long steal, long total) {
    MachineCpu minus(MachineCpu earlier) {
      return new MachineCpu(busy - earlier.busy, steal - earlier.steal, total - earlier.total);
    }

    /** Busy time in % of all CPUs' time (100 = every CPU busy), -1 when nothing was counted. */
    double busyPercent() {
      return total > 0 ? 100.0 * busy / total : -1;
    }

    static MachineCpu read() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
          if (line.startsWith("cpu ")) {
            // proc(5): user nice system idle iowait irq softirq steal guest guest_nice
            String[] f = line.trim().split("\\s+");
            long[] v = new long[9];
            for (int i = 1; i <= 8 && i < f.length; i++) {
              v[i] = Long.parseLong(f[i]);
            }
            long busy = v[1] + v[2] + v[3] + v[6] + v[7];
            return new MachineCpu(busy, v[8], busy + v[4] + v[5] + v[8]);
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux
      }
      return new MachineCpu(0, 0, 0);
    }
  }
}
