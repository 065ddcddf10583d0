package dev.herald.conformance;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The titles of a mocha file's tests, each as its {@code describe} path and {@code it} title joined
 * by {@value #SEPARATOR}, in file order: {@code Engine.IO protocol › heartbeat › HTTP long-polling ›
 * closes the session upon ping timeout}. Enough JavaScript for the suites: string and template
 * literals and comments are skipped, braces nest the {@code describe}s, and a call counts when
 * {@code describe(} or {@code it(} (not {@code .it(} or {@code wait(}) opens on a string literal.
 */
final class SuiteTitles {
  static final String SEPARATOR = " › ";

  private record Open(String title, int depth) {}

  private final String js;
  private int i;

  private SuiteTitles(String js) {
    this.js = js;
  }

  static List<String> of(String js) {
    return new SuiteTitles(js).parse();
  }

  private List<String> parse() {
    List<String> titles = new ArrayList<>();
    Deque<Open> describes = new ArrayDeque<>();
    int depth = 0;
    while (i < js.length()) {
      char c = js.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        literal();
      } else if (js.startsWith("//", i)) {
        i = lineEnd();
      } else if (js.startsWith("/*", i)) {
        i = js.indexOf("*/", i + 2) + 2;
      } else if (c == '{') {
        depth++;
        i++;
      } else if (c == '}') {
        depth--;
        i++;
        while (!describes.isEmpty() && describes.peek().depth() == depth) {
          describes.pop();
        }
      } else if (call("describe")) {
        describes.push(new Open(titleAfter("describe"), depth));
      } else if (call("it")) {
        String title = titleAfter("it");
        List<String> path = new ArrayList<>();
        describes.descendingIterator().forEachRemaining(d -> path.add(d.title()));
        path.add(title);
        titles.add(String.join(SEPARATOR, path));
      } else {
        i++;
      }
    }
    return titles;
  }

  /** True when {@code name(} followed by a string literal starts here, as a call of its own. */
  private boolean call(String name) {
    if (!js.startsWith(name, i) || i > 0 && (Character.isJavaIdentifierPart(js.charAt(i - 1)) || js.charAt(i - 1) == '.')) {
      return false;
    }
    int j = skipSpace(i + name.length());
    if (j >= js.length() || js.charAt(j) != '(') {
      return false;
    }
    j = skipSpace(j + 1);
    return j < js.length() && (js.charAt(j) == '"' || js.charAt(j) == '\'' || js.charAt(j) == '`');
  }

  private String titleAfter(String name) {
    i = skipSpace(skipSpace(i + name.length()) + 1);
    return literal();
  }

  /** Reads the string literal at {@link #i}, leaves {@link #i} after it, returns its value. */
  private String literal() {
    char quote = js.charAt(i++);
    StringBuilder value = new StringBuilder();
    while (i < js.length() && js.charAt(i) != quote) {
      char c = js.charAt(i++);
      if (c == '\\' && i < js.length()) {
        char e = js.charAt(i++);
        value.append(switch (e) {
          case 'n' -> '\n';
          case 't' -> '\t';
          default -> e;
        });
      } else {
        value.append(c);
      }
    }
    i++;
    return value.toString();
  }

  private int skipSpace(int j) {
    while (j < js.length() && Character.isWhitespace(js.charAt(j))) {
      j++;
    }
    return j;
  }

  private int lineEnd() {
    int n = js.indexOf('\n', i);
    return n < 0 ? js.length() : n;
  }
}
