package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks before a process named in {@code postmaster.pid} is signalled (issue 11, defect 7):
 * only the PostgreSQL of this very directory, left by a Herald that is gone, is ever stopped.
 */
class OrphanedPostmasterTest {
  @TempDir
  Path dataDir;
  private Process other;

  @AfterEach
  void stopOther() {
    if (other != null) {
      other.destroyForcibly();
    }
  }

  private void pidFileNaming(long pid) throws Exception {
    Files.write(dataDir.resolve("postmaster.pid"), List.of(String.valueOf(pid), dataDir.toString(), "1700000000", "5999"));
  }

  @Test
  void aProcessWorkingInTheDirectoryThatIsNotPostgresIsNeverSignalled() throws Exception {
    other = new ProcessBuilder("sleep", "600").directory(dataDir.toFile()).start();
    pidFileNaming(other.pid());

    OrphanedPostmaster.clear(dataDir);

    assertThat(other.isAlive()).isTrue();
    assertThat(dataDir.resolve("postmaster.pid")).as("the stale file is set aside: PostgreSQL would refuse it")
        .doesNotExist();
  }

  @Test
  void aDirectoryALivingHeraldHoldsIsRefusedAndItsServerLeftAlone() throws Exception {
    other = new ProcessBuilder("sleep", "600").directory(dataDir.toFile()).start();
    pidFileNaming(other.pid());
    try (FileChannel channel = FileChannel.open(dataDir.resolve(OrphanedPostmaster.LIBRARY_LOCK),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = channel.lock()) {
      assertThatThrownBy(() -> OrphanedPostmaster.clear(dataDir))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("another running Herald").hasMessageContaining("HERALD_DATA_DIR");
    }
    assertThat(other.isAlive()).isTrue();
    assertThat(dataDir.resolve("postmaster.pid")).exists();
  }

  @Test
  void aPidFileWhoseProcessIsGoneIsLeftForPostgresToTakeOver() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    pidFileNaming(ended.pid());

    OrphanedPostmaster.clear(dataDir);

    assertThat(dataDir.resolve("postmaster.pid")).exists();
  }

  @Test
  void theMachinesOwnPostgresIsNeverTakenForThisDirectorysServer() {
    // whatever runs on this machine, no process of another directory passes the check
    ProcessHandle.allProcesses().limit(2_000).forEach(p ->
        assertThat(LinuxProcess.isPostgresWorkingIn(p.pid(), dataDir)).as("pid %s", p.pid()).isFalse());
  }
}
