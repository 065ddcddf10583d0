package dev.herald.templates;

import dev.herald.validation.Fields;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.validation.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Templates in PostgreSQL: created, saved as new versions, listed, deleted and previewed by API
 * keys, and read by the create path through a per-node cache of compiled {@link TemplateSet}s.
 * Every save is checked first ({@link TemplateContent#parse}); a refused one changes nothing.
 *
 * <p>Threads: any; everything is asynchronous.
 */
public final class Templates {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> CREATE_FIELDS = Set.of("name", "deliveryChannel", "locale", "title", "message", "html");
  private static final Set<String> CONTENT_FIELDS = Set.of("title", "message", "html");
  private static final int MAX_CACHED = 10_000;
  private static final String COLUMNS = "t.id, t.tenant_id, t.name, t.delivery_channel, t.locale, v.version, "
      + "v.content::text, t.created_at, v.created_at";

  /**
   * Where an API key works: it reads its tenant's templates and the system-wide ones, and writes
   * its tenant's. {@code tenant} {@code ""} is the system scope of a global key.
   */
  public record Scope(String tenant) {
    String[] readable() {
      return tenant.isEmpty() ? new String[] {""} : new String[] {tenant, ""};
    }
  }

  private final Pool pool;
  private final dev.herald.store.ReadCache<TemplateSet> sets = new dev.herald.store.ReadCache<>(MAX_CACHED);

  public Templates(Pool pool) {
    this.pool = pool;
  }

  /** The current templates named {@code name} that {@code tenant} can use, cached. */
  public Future<TemplateSet> set(String tenant, String name) {
    return sets.get(tenant + '\u0000' + name, () -> pool.preparedQuery("select " + COLUMNS
            + " from template t join template_version v "
            + "on v.template_id = t.id and v.version = t.version where t.tenant_id = any($1) and t.name = $2")
        .execute(Tuple.tuple().addArrayOfString(new String[] {tenant, ""}).addString(name))
        .map(rows -> new TemplateSet(tenant, name, all(rows))));
  }

  /** Creates version 1 from {@code sent}, in Herald's field names or seed 003's ({@link TemplateBody}). */
  public Future<Template> create(Scope scope, JsonNode sent) {
    List<InvalidRequest.FieldError> errors = new ArrayList<>();
    if (sent == null || !sent.isObject()) {
      return Future.failedFuture(new InvalidRequest(400, "the body must be a JSON object", List.of()));
    }
    TemplateBody read = TemplateBody.read(sent, errors);
    JsonNode body = read.fields();
    unknownFields(body, CREATE_FIELDS, errors);
    String name = body.path("name").asText(null);
    if (name == null || !body.get("name").isTextual() || !Fields.isName(name)) {
      errors.add(new InvalidRequest.FieldError("name", "is required: 1-100 letters, digits and _ . : - "
          + "(usually the notification type)"));
    }
    String deliveryChannel = body.path("deliveryChannel").asText("default");
    if (!Template.DELIVERY_CHANNELS.contains(deliveryChannel)) {
      errors.add(new InvalidRequest.FieldError("deliveryChannel", "must be default, inApp, email or push"));
    }
    String locale = "";
    JsonNode l = body.get("locale");
    if (l != null && !l.isNull()) {
      locale = l.isTextual() ? Locales.normalize(l.asText()) : null;
      if (locale == null) {
        errors.add(new InvalidRequest.FieldError("locale", "must be a locale tag such as de, de-AT or pt-BR"));
      }
    }
    TemplateContent content = content(body, deliveryChannel, errors);
    if (!errors.isEmpty()) {
      return Future.failedFuture(InvalidRequest.of(read.asSent(errors)));
    }
    UUID id = dev.herald.store.Uuids.v7();
    String loc = locale;
    return pool.withTransaction(tx -> tx.preparedQuery("insert into template (id, tenant_id, name, delivery_channel, "
            + "locale, version) values ($1, $2, $3, $4, $5, 1)")
        .execute(Tuple.of(id, scope.tenant(), name, deliveryChannel, loc))
        .compose(v -> tx.preparedQuery("insert into template_version (template_id, version, content) values ($1, 1, $2::text::json)")
            .execute(Tuple.of(id, content.toJson().toString())))
        .compose(v -> one(tx, id, scope.readable(), null)))
        .recover(e -> {
          if (e instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            return existing(scope, name, deliveryChannel, loc).compose(other -> Future.failedFuture(new InvalidRequest(409,
                "a " + deliveryChannel + " template '" + name + "' for " + (loc.isEmpty() ? "the default locale" : loc)
                    + " exists already (" + other + "); PUT /api/templates/" + other + " saves a new version",
                List.of())));
          }
          return Future.failedFuture(e);
        })
        .onSuccess(t -> forget(scope.tenant(), name));
  }

  /**
   * Saves a new version of {@code id}'s content, from {@code sent} in Herald's field names or seed
   * 003's; null when there is no such template in scope.
   */
  public Future<Template> update(Scope scope, UUID id, JsonNode sent) {
    if (sent == null || !sent.isObject()) {
      return Future.failedFuture(new InvalidRequest(400, "the body must be a JSON object", List.of()));
    }
    return writable(scope, id).compose(found -> {
      if (found == null) {
        return Future.succeededFuture(null);
      }
      List<InvalidRequest.FieldError> errors = new ArrayList<>();
      TemplateBody read = TemplateBody.read(sent, errors);
      JsonNode body = read.fields();
      for (var it = body.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        JsonNode v = body.get(f);
        boolean same = switch (f) {
          case "name" -> v.asText().equals(found.name());
          case "deliveryChannel" -> v.asText().equals(found.deliveryChannel());
          case "locale" -> v.isNull() ? found.locale().isEmpty() : found.locale().equals(Locales.normalize(v.asText()));
          default -> true;
        };
        if (!same) {
          errors.add(new InvalidRequest.FieldError(f, "cannot change; create another template instead"));
        } else if (!CONTENT_FIELDS.contains(f) && !CREATE_FIELDS.contains(f)) {
          errors.add(new InvalidRequest.FieldError(f, "unknown field"));
        }
      }
      TemplateContent content = content(body, found.deliveryChannel(), errors);
      if (!errors.isEmpty()) {
        return Future.failedFuture(InvalidRequest.of(read.asSent(errors)));
      }
      return pool.withTransaction(tx -> tx.preparedQuery("update template set version = version + 1, updated_at = now() "
              + "where id = $1 returning version")
          .execute(Tuple.of(id))
          .compose(rows -> rows.size() == 0 ? Future.succeededFuture((Template) null)
              // deleted meanwhile: not found
              : tx.preparedQuery("insert into template_version (template_id, version, content) values ($1, $2, $3::text::json)")
                  .execute(Tuple.of(id, rows.iterator().next().getInteger(0), content.toJson().toString()))
                  .compose(v -> one(tx, id, scope.readable(), null))))
          .onComplete(ar -> forget(found.tenant(), found.name()));
    });
  }

  /** The current version, or {@code version}; null when there is none in scope. */
  public Future<Template> get(Scope scope, UUID id, Integer version) {
    return one(pool, id, scope.readable(), version);
  }

  /** Every version of {@code id}, newest first; null when there is no such template in scope. */
  public Future<List<Template>> versions(Scope scope, UUID id) {
    return pool.preparedQuery("select " + COLUMNS + " from template t join template_version v on v.template_id = t.id "
            + "where t.id = $1 and t.tenant_id = any($2) order by v.version desc")
        .execute(Tuple.tuple().addUUID(id).addArrayOfString(scope.readable())).map(rows -> rows.size() == 0 ? null : all(rows));
  }

  /** The current templates in scope, filtered by whichever of the arguments is not null. */
  public Future<List<Template>> list(Scope scope, String name, String deliveryChannel, String locale) {
    StringBuilder sql = new StringBuilder("select " + COLUMNS + " from template t join template_version v "
        + "on v.template_id = t.id and v.version = t.version where t.tenant_id = any($1)");
    Tuple args = Tuple.tuple().addArrayOfString(scope.readable());
    if (name != null) {
      args.addString(name);
      sql.append(" and t.name = $").append(args.size());
    }
    if (deliveryChannel != null) {
      args.addString(deliveryChannel);
      sql.append(" and t.delivery_channel = $").append(args.size());
    }
    if (locale != null) {
      args.addString(locale);
      sql.append(" and t.locale = $").append(args.size());
    }
    sql.append(" order by t.name, t.delivery_channel, t.locale, t.tenant_id desc limit 1000");
    return pool.preparedQuery(sql.toString()).execute(args).map(Templates::all);
  }

  /** Deletes the template with all its versions; false when there is no such template in scope. */
  public Future<Boolean> delete(Scope scope, UUID id) {
    return writable(scope, id).compose(found -> found == null ? Future.succeededFuture(false)
        : pool.preparedQuery("delete from template where id = $1").execute(Tuple.of(id)).map(r -> {
          forget(found.tenant(), found.name());
          return r.rowCount() > 0;
        }));
  }

  /**
   * Renders {@code id} (the current version, or {@code body.version}) with {@code body.data}:
   * {@code {id, version, locale, title, message, html?, missing}}. Null when there is no such template.
   */
  public Future<ObjectNode> preview(Scope scope, UUID id, JsonNode body) {
    JsonNode data = body == null ? null : body.get("data");
    List<InvalidRequest.FieldError> errors = new ArrayList<>();
    if (body != null && !body.isObject()) {
      return Future.failedFuture(new InvalidRequest(400, "the body must be {data, version?}", List.of()));
    }
    if (body != null) {
      unknownFields(body, Set.of("data", "version"), errors);
    }
    if (data != null && !data.isNull() && !data.isObject()) {
      errors.add(new InvalidRequest.FieldError("data", "must be a JSON object"));
    }
    Integer version = null;
    JsonNode v = body == null ? null : body.get("version");
    if (v != null && !v.isNull()) {
      if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
        errors.add(new InvalidRequest.FieldError("version", "must be a version number"));
      } else {
        version = v.asInt();
      }
    }
    if (!errors.isEmpty()) {
      return Future.failedFuture(InvalidRequest.of(errors));
    }
    Map<String, Object> values = variables(data);
    return get(scope, id, version).compose(t -> {
      if (t == null) {
        return Future.succeededFuture(null);
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode().put("id", t.id().toString()).put("version", t.version())
          .put("deliveryChannel", t.deliveryChannel()).put("locale", t.locale().isEmpty() ? null : t.locale());
      try {
        out.setAll(t.content().render(values).toJson());
      } catch (Renderer.Failure e) {
        return Future.failedFuture(new InvalidRequest(422, e.getMessage(), List.of()));
      }
      return Future.succeededFuture(out);
    });
  }

  /** {@code data} as the maps, lists and plain values templates read. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> variables(JsonNode data) {
    if (data == null || !data.isObject()) {
      return Map.of();
    }
    return JSON.convertValue(data, Map.class);
  }

  /** {@code dataJson} (a validated object's JSON text, or null) as template variables. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> variables(String dataJson) {
    if (dataJson == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(dataJson, Map.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("data is not a JSON object", e);
    }
  }

  /** JSON {@code {templates: [...]}} of {@code list}. */
  public static ObjectNode listJson(List<Template> list) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode arr = out.putArray("templates");
    list.forEach(t -> arr.add(t.toJson()));
    return out;
  }

  private void forget(String tenant, String name) {
    // a system-wide template is in every tenant's set of that name
    String key = tenant + '\u0000' + name;
    sets.forget(tenant.isEmpty() ? k -> k.endsWith('\u0000' + name) : key::equals);
  }

  /** The template if {@code scope} may change it; null when not visible; 403 when visible but not its own. */
  private Future<Template> writable(Scope scope, UUID id) {
    return one(pool, id, scope.readable(), null).compose(t -> {
      if (t != null && !t.tenant().equals(scope.tenant())) {
        return Future.failedFuture(new InvalidRequest(403,
            "this is a system-wide template; only a global API key changes it (create your own to override it)",
            List.of()));
      }
      return Future.succeededFuture(t);
    });
  }

  private Future<UUID> existing(Scope scope, String name, String deliveryChannel, String locale) {
    return pool.preparedQuery("select id from template where tenant_id = $1 and name = $2 and delivery_channel = $3 "
            + "and locale = $4")
        .execute(Tuple.of(scope.tenant(), name, deliveryChannel, locale))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0));
  }

  private static Future<Template> one(io.vertx.sqlclient.SqlClient client, UUID id, String[] tenants, Integer version) {
    String sql = "select " + COLUMNS + " from template t join template_version v on v.template_id = t.id and v.version = "
        + (version == null ? "t.version" : "$3") + " where t.id = $1 and t.tenant_id = any($2)";
    Tuple args = Tuple.tuple().addUUID(id).addArrayOfString(tenants);
    if (version != null) {
      args.addInteger(version);
    }
    return client.preparedQuery(sql).execute(args).map(rows -> {
      List<Template> list = all(rows);
      return list.isEmpty() ? null : list.get(0);
    });
  }

  private static TemplateContent content(JsonNode body, String deliveryChannel, List<InvalidRequest.FieldError> errors) {
    try {
      return TemplateContent.parse(body, deliveryChannel);
    } catch (InvalidRequest e) {
      errors.addAll(e.errors());
      return null;
    }
  }

  private static void unknownFields(JsonNode body, Set<String> known, List<InvalidRequest.FieldError> errors) {
    body.fieldNames().forEachRemaining(f -> {
      if (!known.contains(f)) {
        errors.add(new InvalidRequest.FieldError(f, "unknown field; known: " + String.join(", ", new java.util.TreeSet<>(known))
            + (known.contains("name") ? " (or seed 003's type, channel, subject_template, content_template, variables)" : "")));
      }
    });
  }

  private static List<Template> all(RowSet<Row> rows) {
    List<Template> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      String deliveryChannel = r.getString(3);
      TemplateContent content;
      try {
        content = TemplateContent.parse(JSON.readTree(r.getString(6)), deliveryChannel);
      } catch (InvalidRequest | com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("stored template " + r.getUUID(0) + " no longer parses", e);
      }
      out.add(new Template(r.getUUID(0), r.getString(1), r.getString(2), deliveryChannel, r.getString(4),
          r.getInteger(5), content, r.getOffsetDateTime(7), r.getOffsetDateTime(8)));
    }
    return out;
  }
}
