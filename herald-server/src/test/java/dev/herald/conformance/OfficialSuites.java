package dev.herald.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodDescriptor;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;

/**
 * The manifest {@code conformance/official-suites.txt}: each official suite's repository, commit,
 * file, JUnit port and {@code it} titles (describe path joined by {@value SuiteTitles#SEPARATOR}).
 */
final class OfficialSuites {
  static final String MANIFEST = "/conformance/official-suites.txt";

  /** One section of the manifest. */
  record Suite(String name, String repository, String commit, String file, String port, List<String> titles) {
    /** {@code socketio+engine.io-protocol} for {@code https://github.com/socketio/engine.io-protocol}. */
    String mirrorName() {
      String[] parts = repository.split("/");
      return parts[parts.length - 2] + "+" + parts[parts.length - 1];
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private OfficialSuites() {}

  static List<Suite> manifest() {
    String text;
    try (InputStream in = OfficialSuites.class.getResourceAsStream(MANIFEST)) {
      if (in == null) {
        throw new IllegalStateException(MANIFEST + " is not on the test class path");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Suite> suites = new ArrayList<>();
    String name = null;
    String repository = null;
    String commit = null;
    String file = null;
    String port = null;
    List<String> titles = null;
    for (String line : (text + "\n[end]").lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        if (name != null) {
          suites.add(new Suite(name, repository, commit, file, port, List.copyOf(titles)));
        }
        name = line.substring(1, line.length() - 1);
        repository = commit = file = port = null;
        titles = new ArrayList<>();
      } else if (line.startsWith("repository ")) {
        repository = line.substring("repository ".length());
      } else if (line.startsWith("commit ")) {
        commit = line.substring("commit ".length());
      } else if (line.startsWith("file ")) {
        file = line.substring("file ".length());
      } else if (line.startsWith("port ")) {
        port = line.substring("port ".length());
      } else {
        titles.add(line);
      }
    }
    return suites;
  }

  /** The section whose port is {@code port}. */
  static Suite portedBy(Class<?> port) {
    return manifest().stream().filter(s -> s.port().equals(port.getName())).findFirst()
        .orElseThrow(() -> new IllegalStateException(port.getName() + " ports no suite of " + MANIFEST));
  }

  /**
   * Runs a port's tests in the order of the official file, as mocha runs them (a test the manifest
   * does not list goes last; {@code OfficialSuitesTest} fails on it anyway).
   */
  static final class InFileOrder implements MethodOrderer {
    @Override
    public void orderMethods(MethodOrdererContext context) {
      List<String> titles = portedBy(context.getTestClass()).titles();
      context.getMethodDescriptors().sort(Comparator.comparingInt((MethodDescriptor m) -> {
        int index = titles.indexOf(displayName(m.getMethod()));
        return index < 0 ? Integer.MAX_VALUE : index;
      }));
    }
  }

  static String displayName(Method method) {
    DisplayName name = method.getAnnotation(DisplayName.class);
    return name == null ? null : name.value();
  }
}
