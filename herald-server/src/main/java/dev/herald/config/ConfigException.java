package dev.herald.config;

import java.util.List;

/**
 * Settings that Herald cannot start with. Each problem names the setting, the bad value (never a
 * secret itself) and the fix; start-up collects every problem of a configuration before it throws, so
 * an operator fixes them in one round ({@link #problems()}).
 */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(String problem) {
    this(List.of(problem), null);
  }

  public ConfigException(String problem, Throwable cause) {
    this(List.of(problem), cause);
  }

  /** One exception for all of {@code problems} (at least one). */
  public ConfigException(List<String> problems) {
    this(problems, null);
  }

  private ConfigException(List<String> problems, Throwable cause) {
    super(message(problems), cause);
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, one sentence each, in the order they were found. */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException names at least one problem");
    }
    return problems.size() == 1 ? problems.get(0)
        : problems.size() + " settings are wrong:\n  - " + String.join("\n  - ", problems);
  }
}
