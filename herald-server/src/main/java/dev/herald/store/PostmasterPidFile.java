package dev.herald.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * PostgreSQL's {@code postmaster.pid} in a data directory: "a lock file recording the current
 * postmaster process ID (PID), cluster data directory path, postmaster start timestamp, port number,
 * Unix-domain socket directory path, first valid listen_address, and shared memory segment ID"
 * (PostgreSQL 17, 65.1 Database File Layout), one per line. It exists while a server runs, and after
 * one was killed.
 *
 * @param pid the first line: the postmaster's process id
 * @param dataDirectory the second line: the data directory, as the server saw it
 */
record PostmasterPidFile(long pid, String dataDirectory) {
  static final String NAME = "postmaster.pid";

  /** The file of {@code dataDir}, if there is one that names a process. */
  static Optional<PostmasterPidFile> read(Path dataDir) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(dataDir.resolve(NAME));
    } catch (NoSuchFileException none) {
      return Optional.empty();
    }
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(lines.get(0).trim());
      return pid > 0 ? Optional.of(new PostmasterPidFile(pid, lines.size() > 1 ? lines.get(1).trim() : "")) : Optional.empty();
    } catch (NumberFormatException garbled) {
      return Optional.empty();
    }
  }
}
