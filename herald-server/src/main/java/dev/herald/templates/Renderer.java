package dev.herald.templates;

import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Compiles and renders Mustache text. Plain text (in-app and push titles and messages, email
 * subjects and text) is not escaped; email HTML is HTML-escaped ({@code {{{name}}}} or
 * {@code {{&name}}} opt out, as Mustache specifies). A variable the data lacks (or holds null)
 * renders empty and is reported as missing.
 *
 * <p>Threads: any. A compiled template is immutable; rendering is synchronous.
 */
public final class Renderer {
  /** Names missing during the current render on this thread. */
  private static final ThreadLocal<Set<String>> MISSING = new ThreadLocal<>();

  private static final Mustache.Compiler PLAIN = collecting(false);
  private static final Mustache.Compiler HTML = collecting(true);

  /** A compiled template of one text. */
  public record Compiled(String source, Template template) {}

  /** Rendered text and the variables it could not fill. */
  public record Output(String text, Set<String> missing) {}

  private Renderer() {}

  /** Compiles checked source ({@link TemplateSyntax#check}); {@code html} escapes values for HTML. */
  public static Compiled compile(String source, boolean html) throws TemplateSyntax.Error {
    TemplateSyntax.check(source);
    try {
      return new Compiled(source, (html ? HTML : PLAIN).compile(source));
    } catch (MustacheException e) {
      // anything JMustache refuses that the check let through; it reports only the line
      throw new TemplateSyntax.Error(e.getMessage(), lineOf(e.getMessage()), 1);
    }
  }

  /** Renders {@code compiled} with {@code data} (maps, lists and plain values); adds misses to {@code missing}. */
  public static String render(Compiled compiled, Map<String, Object> data, Set<String> missing) {
    Set<String> previous = MISSING.get();
    Set<String> mine = new LinkedHashSet<>();
    MISSING.set(mine);
    try {
      return compiled.template().execute(data);
    } catch (MustacheException e) {
      // a lambda or an odd value; the text still renders without it
      mine.add(e.getMessage());
      return "";
    } finally {
      MISSING.set(previous);
      missing.addAll(mine);
    }
  }

  private static int lineOf(String message) {
    int at = message == null ? -1 : message.lastIndexOf("@ line ");
    if (at < 0) {
      return 1;
    }
    try {
      return Integer.parseInt(message.substring(at + 7).trim());
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static Mustache.Compiler collecting(boolean html) {
    Mustache.Compiler base = Mustache.compiler().defaultValue("");
    return new Mustache.Compiler(base.standardsMode, base.strictSections, base.nullValue, base.missingIsNull,
        base.emptyStringIsFalse, base.zeroIsFalse, base.formatter, html ? Escapers.HTML : Escapers.NONE,
        base.loader, base.collector, base.delims) {
      @Override
      public String computeNullValue(String name) {
        Set<String> missing = MISSING.get();
        if (missing != null) {
          missing.add(name);
        }
        return "";
      }
    };
  }
}
