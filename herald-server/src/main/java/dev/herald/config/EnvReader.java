package dev.herald.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed values out of environment variables. A value that does not parse is recorded in
 * {@link #problems} (naming the variable, the value and the expected form) and replaced by the
 * default, so that reading goes on and every other setting is still checked.
 *
 * <p>Threads: confined to the thread that reads the configuration.
 */
record EnvReader(Map<String, String> env, Problems problems) {
  /** The trimmed value; {@code fallback} when unset or blank. */
  String string(String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  int integer(String name, int fallback) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      problems.add(name + " must be a whole number, was '" + v + "'");
      return fallback;
    }
  }

  double decimal(String name, double fallback) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      problems.add(name + " must be a number, was '" + v + "'");
      return fallback;
    }
  }

  Duration millis(String name, long fallback) {
    String v = string(name, null);
    if (v == null) {
      return Duration.ofMillis(fallback);
    }
    try {
      return Duration.ofMillis(Long.parseLong(v));
    } catch (NumberFormatException e) {
      problems.add(name + " must be a whole number of milliseconds, was '" + v + "'");
      return Duration.ofMillis(fallback);
    }
  }

  boolean bool(String name, boolean fallback) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "on", "yes", "1" -> true;
      case "false", "off", "no", "0" -> false;
      default -> {
        problems.add(name + " must be on or off, was '" + v + "'");
        yield fallback;
      }
    };
  }

  /** The comma-separated entries, trimmed, empty ones dropped. */
  List<String> list(String name) {
    String v = string(name, null);
    if (v == null) {
      return List.of();
    }
    return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
