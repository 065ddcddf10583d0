package dev.herald.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The problems found in one configuration, collected rather than thrown one at a time, so that
 * start-up names every bad setting at once. Each record of {@link HeraldConfig} checks its own fields
 * into one of these and throws them together; {@link HeraldConfig#fromEnv} gathers the sections'.
 *
 * <p>Threads: confined to the thread that reads the configuration.
 */
final class Problems {
  private final List<String> found = new ArrayList<>();

  void add(String problem) {
    found.add(problem);
  }

  /**
   * Builds one section of the configuration; when it is refused, records its problems and returns
   * {@code fallback}'s value instead, so that the sections after it are still checked.
   */
  <T> T section(Supplier<T> build, Supplier<T> fallback) {
    try {
      return build.get();
    } catch (ConfigException e) {
      found.addAll(e.problems());
      return fallback.get();
    }
  }

  /** Throws every problem found as one {@link ConfigException}; returns when there is none. */
  void throwIfAny() {
    if (!found.isEmpty()) {
      throw new ConfigException(found);
    }
  }

  void positive(String name, double value) {
    if (!(value > 0)) {
      add(name + " must be positive, was " + plain(value));
    }
  }

  void notNegative(String name, double value) {
    if (value < 0) {
      add(name + " must be 0 or more, was " + plain(value));
    }
  }

  void range(String name, long value, long min, long max, String hint) {
    if (value < min || value > max) {
      add(name + " must be " + min + "-" + max + hint + ", was " + value);
    }
  }

  /** {@code value}, when set, must be an absolute http(s) URL; {@code example} shows one. */
  void httpUrl(String name, String value, String example) {
    if (value == null) {
      return;
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null
        || !"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
      add(name + " must be an http or https URL such as " + example + ", was '" + value + "'");
    }
  }

  private static String plain(double value) {
    return value == Math.rint(value) && !Double.isInfinite(value) ? String.valueOf((long) value) : String.valueOf(value);
  }
}
