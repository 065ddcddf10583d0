package dev.herald.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} command-line options, checked against the names a main accepts. */
final class Args {
  private final Map<String, String> values = new HashMap<>();

  Args(String[] args, Set<String> known) {
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        throw new IllegalArgumentException("options: " + String.join(" ", known.stream().sorted().map(k -> "--" + k).toList()));
      }
      if (!name.startsWith("--") || !known.contains(name.substring(2))) {
        throw new IllegalArgumentException("unknown option '" + name + "'; known: "
            + String.join(" ", known.stream().sorted().map(k -> "--" + k).toList()));
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      values.put(name.substring(2), args[++i]);
    }
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int integer(String name, int fallback, int min, int max) {
    return (int) number(name, fallback, min, max);
  }

  double number(String name, double fallback, double min, double max) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    double d;
    try {
      d = Double.parseDouble(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, was '" + v + "'");
    }
    if (d < min || d > max) {
      throw new IllegalArgumentException("--" + name + " must be " + plain(min) + "-" + plain(max) + ", was " + v);
    }
    return d;
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
