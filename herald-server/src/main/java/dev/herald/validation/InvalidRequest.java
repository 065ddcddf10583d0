package dev.herald.validation;

import java.util.List;

/**
 * A request Herald refuses before touching any stored data: the HTTP status to answer, a summary,
 * and one entry per offending field (the problem document's {@code errors}).
 */
public final class InvalidRequest extends Exception {
  /**
   * One field's problem; {@code field} is a JSON pointer-like path such as {@code recipients[3]}.
   * {@code line} and {@code column} (from 1) say where inside the field's text, for template
   * texts that do not parse; null otherwise.
   */
  public record FieldError(String field, String message, Integer line, Integer column) {
    public FieldError(String field, String message) {
      this(field, message, null, null);
    }
  }

  private final int status;
  private final List<FieldError> errors;

  public InvalidRequest(int status, String detail, List<FieldError> errors) {
    super(detail, null, false, false);
    this.status = status;
    this.errors = List.copyOf(errors);
  }

  /**
   * A 400 for {@code errors} (at least one), summed up as the first field's problem and how many
   * more there are.
   */
  public static InvalidRequest of(List<FieldError> errors) {
    FieldError first = errors.get(0);
    return new InvalidRequest(400, first.field() + ": " + first.message()
        + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""), errors);
  }

  public int status() {
    return status;
  }

  public List<FieldError> errors() {
    return errors;
  }
}
