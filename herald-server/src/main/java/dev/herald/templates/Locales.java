package dev.herald.templates;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Locale tags (BCP 47, such as {@code de-AT}, {@code pt-BR}, {@code zh-Hant-TW}; {@code de_AT} is
 * read as {@code de-AT}) and their fallback chain: {@code de-AT → de → ""}, where {@code ""} is the
 * default every locale falls back to.
 */
public final class Locales {
  private static final Pattern TAG = Pattern.compile("[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8}){0,4}");

  private Locales() {}

  /** The canonical form of {@code tag} ({@code de-at} → {@code de-AT}), or null when it is not a locale tag. */
  public static String normalize(String tag) {
    if (tag == null || !TAG.matcher(tag).matches()) {
      return null;
    }
    String canonical = Locale.forLanguageTag(tag.replace('_', '-')).toLanguageTag();
    return canonical.equals("und") ? null : canonical;
  }

  /** {@code locale} and each shorter prefix, ending with {@code ""}: {@code de-AT}, {@code de}, {@code ""}. */
  public static List<String> chain(String locale) {
    List<String> out = new ArrayList<>(4);
    if (locale != null && !locale.isEmpty()) {
      String l = locale;
      while (true) {
        out.add(l);
        int dash = l.lastIndexOf('-');
        if (dash < 0) {
          break;
        }
        l = l.substring(0, dash);
      }
    }
    out.add("");
    return out;
  }
}
