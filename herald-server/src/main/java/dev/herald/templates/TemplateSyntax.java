package dev.herald.templates;

import dev.herald.validation.Fields;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a Mustache template before it is stored and finds where it goes wrong, by line and column
 * (both from 1): an unclosed tag, a section closed by another name or never closed, a close without
 * an open, a tag that is not a name, sections nested more than {@link #MAX_DEPTH} deep. Partials
 * and delimiter changes are refused: a template is one self-contained text. Also lists the variable and section names the template uses.
 */
public final class TemplateSyntax {
  /** How deep sections may nest: each level can multiply the work of rendering. */
  static final int MAX_DEPTH = 4;
  private static final Pattern NAME = Pattern.compile("\\.|[A-Za-z_][A-Za-z0-9_\\-]*(\\.[A-Za-z0-9_\\-]+)*");

  /** Where and why a template does not parse. */
  public static final class Error extends Exception {
    private final int line;
    private final int column;

    Error(String message, int line, int column) {
      super(message + " (line " + line + ", column " + column + ")", null, false, false);
      this.line = line;
      this.column = column;
    }

    public int line() {
      return line;
    }

    public int column() {
      return column;
    }
  }

  private record Open(String name, int at) {}

  private TemplateSyntax() {}

  /** The names {@code source} refers to, in order of first use; throws at the first mistake. */
  public static Set<String> check(String source) throws Error {
    Set<String> names = new LinkedHashSet<>();
    Deque<Open> open = new ArrayDeque<>();
    int i = 0;
    while (true) {
      int start = source.indexOf("{{", i);
      if (start < 0) {
        break;
      }
      if (source.startsWith("{{{", start)) {
        int end = source.indexOf("}}}", start + 3);
        if (end < 0) {
          throw error(source, start, "the tag {{{ is never closed with }}}");
        }
        names.add(name(source, start, source.substring(start + 3, end).trim()));
        i = end + 3;
        continue;
      }
      int end = source.indexOf("}}", start + 2);
      if (end < 0) {
        throw error(source, start, "the tag {{ is never closed with }}");
      }
      String inner = source.substring(start + 2, end);
      if (inner.isBlank()) {
        throw error(source, start, "empty tag {{}}");
      }
      char kind = inner.charAt(0);
      switch (kind) {
        case '!' -> { }
        case '#', '^' -> {
          String n = name(source, start, inner.substring(1).trim());
          names.add(n);
          if (open.size() == MAX_DEPTH) {
            throw error(source, start, "sections nest at most " + MAX_DEPTH + " deep");
          }
          open.push(new Open(n, start));
        }
        case '/' -> {
          String n = name(source, start, inner.substring(1).trim());
          if (open.isEmpty()) {
            throw error(source, start, "{{/" + n + "}} closes a section that was never opened");
          }
          Open top = open.pop();
          if (!top.name().equals(n)) {
            int[] at = position(source, top.at());
            throw error(source, start, "{{/" + n + "}} closes {{#" + top.name() + "}}, opened at line " + at[0]
                + ", column " + at[1]);
          }
        }
        case '>' -> throw error(source, start, "partials ({{>name}}) are not supported; a template is self-contained");
        case '=' -> throw error(source, start, "delimiter changes ({{=...=}}) are not supported");
        case '&' -> names.add(name(source, start, inner.substring(1).trim()));
        default -> names.add(name(source, start, inner.trim()));
      }
      i = end + 2;
    }
    if (!open.isEmpty()) {
      Open unclosed = open.pop();
      throw error(source, unclosed.at(), "the section {{#" + unclosed.name() + "}} is never closed");
    }
    return names;
  }

  private static String name(String source, int at, String n) throws Error {
    if (!NAME.matcher(n).matches()) {
      throw error(source, at, "'" + Fields.abbreviate(n, 40) + "' is not a variable name (letters, digits, _ and -, "
          + "dotted for nested data)");
    }
    return n;
  }

  private static Error error(String source, int index, String message) {
    int[] at = position(source, index);
    return new Error(message, at[0], at[1]);
  }

  /** The line and column (from 1) of {@code index}; a column counts characters. */
  static int[] position(String source, int index) {
    int line = 1;
    int lineStart = 0;
    for (int k = 0; k < index; k++) {
      if (source.charAt(k) == '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    return new int[] {line, index - lineStart + 1};
  }
}
