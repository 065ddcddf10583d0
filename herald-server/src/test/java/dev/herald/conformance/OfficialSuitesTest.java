package dev.herald.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the ports from drifting (issue 11, defect 1): each port has exactly one test per
 * {@code it} of its official suite, named by the manifest, and the manifest lists exactly the
 * {@code it}s of the official files, when they are at hand.
 */
class OfficialSuitesTest {
  /** Where the official files may be: clones of both repositories side by side, by repository name. */
  static final String SUITES_DIR_VARIABLE = "HERALD_OFFICIAL_SUITES_DIR";
  /** Mirrors of the repositories (git directories) on the machines this project is built on. */
  static final Path MIRRORS = Path.of("/work/.mirror");

  static List<OfficialSuites.Suite> suites() {
    return OfficialSuites.manifest();
  }

  @Test
  void manifestNamesBothOfficialSuitesWithTheirCommitAndPort() {
    assertThat(suites()).extracting(OfficialSuites.Suite::name)
        .containsExactly("engine.io-protocol", "socket.io-protocol");
    assertThat(suites()).allSatisfy(s -> {
      assertThat(s.repository()).startsWith("https://github.com/socketio/");
      assertThat(s.commit()).matches("[0-9a-f]{40}");
      assertThat(s.file()).isEqualTo("test-suite/test-suite.js");
      assertThat(s.titles()).doesNotHaveDuplicates().isNotEmpty();
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("suites")
  void portHasExactlyOneTestPerOfficialItNamedByItsDescribePath(OfficialSuites.Suite suite) throws Exception {
    List<Method> tests = Arrays.stream(Class.forName(suite.port()).getDeclaredMethods())
        .filter(m -> m.isAnnotationPresent(Test.class)).toList();

    assertThat(tests).as("tests of %s without a @DisplayName", suite.port())
        .filteredOn(m -> OfficialSuites.displayName(m) == null).isEmpty();
    assertThat(tests).extracting(OfficialSuites::displayName).as("display names of %s", suite.port())
        .containsExactlyInAnyOrderElementsOf(suite.titles());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("suites")
  void manifestListsExactlyTheItsOfTheOfficialFile(OfficialSuites.Suite suite) throws Exception {
    Optional<String> official = officialFile(suite);
    assumeTrue(official.isPresent(), () -> "the official " + suite.name() + " suite is not at hand, so the manifest"
        + " was not compared with it: set " + SUITES_DIR_VARIABLE + " to a directory holding a clone of "
        + suite.repository() + " as " + suite.name() + "/ (or mirror it under " + MIRRORS + ")");

    assertThat(SuiteTitles.of(official.get())).as("it(...) titles of %s %s at %s; update the manifest and the port",
        suite.repository(), suite.file(), suite.commit()).containsExactlyElementsOf(suite.titles());
  }

  @Test
  void titlesAreReadAsMochaNestsThem() {
    String js = """
        describe("outer", () => {
          const url = `${URL}/x/{`; // a brace in a template literal: no nesting
          describe("inner", function () {
            this.timeout(5000);
            it("first 'quoted'", async () => { await wait(1); socket.emit("it(", 2); });
          });
          /* it("commented out", () => {}); */
          it('second', () => {});
        });
        describe("next", () => { it(`third`, () => {}); });
        """;

    assertThat(SuiteTitles.of(js)).containsExactly(
        "outer › inner › first 'quoted'", "outer › second", "next › third");
  }

  /**
   * The official file: from {@value #SUITES_DIR_VARIABLE} when set (its working tree), else from the
   * mirror at the manifest's commit, else empty.
   */
  static Optional<String> officialFile(OfficialSuites.Suite suite) throws IOException, InterruptedException {
    String dir = System.getenv(SUITES_DIR_VARIABLE);
    if (dir != null && !dir.isBlank()) {
      Path file = Path.of(dir, suite.name(), suite.file());
      assertThat(file).as("%s is set, so it must hold %s", SUITES_DIR_VARIABLE, file).isRegularFile();
      return Optional.of(Files.readString(file));
    }
    Path mirror = MIRRORS.resolve(suite.mirrorName()).resolve("repo");
    if (!Files.isDirectory(mirror)) {
      return Optional.empty();
    }
    Process git = new ProcessBuilder("git", "-C", mirror.toString(), "show", suite.commit() + ":" + suite.file())
        .redirectErrorStream(true).start();
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor(30, TimeUnit.SECONDS)).as("git show in %s finished", mirror).isTrue();
    assertThat(git.exitValue()).as("git show %s:%s in %s: %s", suite.commit(), suite.file(), mirror, out).isZero();
    return Optional.of(out);
  }
}
