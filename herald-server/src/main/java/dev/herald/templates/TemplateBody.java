package dev.herald.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.validation.InvalidRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A template's create or save body in Herald's field names, read from Herald's names or from seed
 * 003's. The contract (part 2, first lines) keeps Herald's names and accepts the seed's template
 * table as aliases: {@code type} for {@code name}, {@code channel} for {@code deliveryChannel},
 * {@code subject_template} for {@code title}, {@code content_template} for {@code message}. The seed's
 * {@code variables} is accepted as a declaration (a list of names, or an object keyed by them) and
 * otherwise unused: Herald reads a template's variables from its texts, and answers those.
 *
 * <p>Answers use Herald's names only; a refusal names the field as the client sent it.
 */
final class TemplateBody {
  /** Seed 003's name → Herald's. */
  static final Map<String, String> SEED_NAMES = Map.of(
      "type", "name",
      "channel", "deliveryChannel",
      "subject_template", "title",
      "content_template", "message");
  static final String VARIABLES = "variables";

  private final ObjectNode fields;
  /** Herald's name → the seed name the client used for it. */
  private final Map<String, String> sentAs;

  private TemplateBody(ObjectNode fields, Map<String, String> sentAs) {
    this.fields = fields;
    this.sentAs = sentAs;
  }

  /** Reads {@code body} (a JSON object); a field under both its names, or bad {@code variables}, goes to {@code errors}. */
  static TemplateBody read(JsonNode body, List<InvalidRequest.FieldError> errors) {
    ObjectNode fields = JsonNodeFactory.instance.objectNode();
    Map<String, String> sentAs = new HashMap<>();
    for (var it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String seedName = field.getKey();
      String name = SEED_NAMES.get(seedName);
      if (seedName.equals(VARIABLES)) {
        checkVariables(field.getValue(), errors);
      } else if (name == null) {
        fields.putIfAbsent(seedName, field.getValue());
      } else if (body.has(name)) {
        errors.add(new InvalidRequest.FieldError(seedName, "give either " + name + " or " + seedName
            + " (seed 003's name for it), not both"));
      } else {
        fields.set(name, field.getValue());
        sentAs.put(name, seedName);
      }
    }
    return new TemplateBody(fields, sentAs);
  }

  /** The body in Herald's names, without {@code variables}. */
  ObjectNode fields() {
    return fields;
  }

  /** {@code errors} with each field named as the client sent it. */
  List<InvalidRequest.FieldError> asSent(List<InvalidRequest.FieldError> errors) {
    List<InvalidRequest.FieldError> out = new ArrayList<>(errors.size());
    for (InvalidRequest.FieldError e : errors) {
      String sent = sentAs.get(e.field());
      out.add(sent == null ? e : new InvalidRequest.FieldError(sent, e.message(), e.line(), e.column()));
    }
    return out;
  }

  private static void checkVariables(JsonNode v, List<InvalidRequest.FieldError> errors) {
    boolean ok = v.isNull() || v.isObject();
    if (v.isArray()) {
      ok = true;
      for (JsonNode name : v) {
        ok &= name.isTextual() && !name.asText().isBlank() && name.asText().length() <= 100;
      }
    }
    if (!ok) {
      errors.add(new InvalidRequest.FieldError(VARIABLES, "must be a list of variable names (or an object keyed by "
          + "them), as seed 003 stores it; Herald reads the variables from the texts either way"));
    }
  }
}
