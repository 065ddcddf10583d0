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
