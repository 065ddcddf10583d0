package dev.herald.templates;

import com.samskivert.mustache.BasicCollector;
import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import java.io.Writer;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles and renders Mustache text. Plain text (in-app and push titles and messages, email
 * subjects and text) is not escaped; email HTML is HTML-escaped ({@code {{{name}}}} or
 * {@code {{&name}}} opt out, as Mustache specifies). A variable the data lacks (or holds null)
 * renders empty and is reported as missing.
 *
 * <p>Data is what JSON holds (maps, lists, strings, numbers, booleans): values are looked up in
 * maps and lists only, never through reflection on Java objects. A render is bounded: at most
 * {@link #MAX_ITERATIONS} section iterations and {@link #MAX_OUTPUT} characters, so a template
 * and its data cannot hold an event loop (sections nesting over a long list multiply); past either
 * it fails with {@link Failure}.
 *
 * <p>Threads: any. A compiled template is immutable; rendering is synchronous.
 */
public final class Renderer {
  static final int MAX_ITERATIONS = 10_000;
  static final int MAX_OUTPUT = 200_000;

  /** The render now running on this thread: what it missed and its remaining budget. */
  private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

  private static final Mustache.Compiler PLAIN = compiler(false);
  private static final Mustache.Compiler HTML = compiler(true);

  /** A compiled template of one text. */
  public record Compiled(String source, Template template) {}

  /** A render that could not finish: over its limits, or refused by the engine. */
  public static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private static final class Budget {
    final Set<String> missing = new LinkedHashSet<>();
    int iterations;
  }

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

  /**
   * Renders {@code compiled} with {@code data} (maps, lists and plain values); adds misses to
   * {@code missing}. Throws {@link Failure} past the limits.
   */
  public static String render(Compiled compiled, Map<String, Object> data, Set<String> missing) {
    Budget previous = CURRENT.get();
    Budget mine = new Budget();
    CURRENT.set(mine);
    BoundedWriter out = new BoundedWriter();
    try {
      compiled.template().execute(data, out);
      return out.toString();
    } catch (Failure e) {
      throw e;
    } catch (MustacheException e) {
      if (e.getCause() instanceof Failure f) {
        throw f;
      }
      throw new Failure("the template could not be rendered: " + e.getMessage());
    } finally {
      CURRENT.set(previous);
      missing.addAll(mine.missing);
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

  /** Collects output up to {@link #MAX_OUTPUT} characters. */
  private static final class BoundedWriter extends Writer {
    private final StringBuilder text = new StringBuilder();

    @Override
    public void write(char[] buf, int off, int len) {
      if (text.length() + len > MAX_OUTPUT) {
        throw new Failure("the template renders more than " + MAX_OUTPUT + " characters with this data");
      }
      text.append(buf, off, len);
    }

    @Override
    public void write(String s, int off, int len) {
      if (text.length() + len > MAX_OUTPUT) {
        throw new Failure("the template renders more than " + MAX_OUTPUT + " characters with this data");
      }
      text.append(s, off, off + len);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public String toString() {
      return text.toString();
    }
  }

  /** Looks values up in maps and lists (no reflection) and counts section iterations. */
  private static final class JsonCollector extends BasicCollector {
    @Override
    public Iterator<?> toIterator(Object value) {
      Iterator<?> it = super.toIterator(value);
      if (it == null) {
        return null;
      }
      return new Iterator<Object>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public Object next() {
          Budget b = CURRENT.get();
          if (b != null && ++b.iterations > MAX_ITERATIONS) {
            throw new Failure("the template's sections iterate more than " + MAX_ITERATIONS + " times with this data");
          }
          return it.next();
        }
      };
    }

    @Override
    public <K, V> Map<K, V> createFetcherCache() {
      return new ConcurrentHashMap<>();
    }
  }

  private static Mustache.Compiler compiler(boolean html) {
    Mustache.Compiler base = Mustache.compiler().defaultValue("");
    return new Mustache.Compiler(base.standardsMode, base.strictSections, base.nullValue, base.missingIsNull,
        base.emptyStringIsFalse, base.zeroIsFalse, base.formatter, html ? Escapers.HTML : Escapers.NONE,
        base.loader, new JsonCollector(), base.delims) {
      @Override
      public String computeNullValue(String name) {
        Budget b = CURRENT.get();
        if (b != null) {
          b.missing.add(name);
        }
        return "";
      }
    };
  }
}
