package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.auth.ApiKeys;
import dev.herald.auth.Identity;
import dev.herald.auth.RoomAuthorizer;
import dev.herald.config.HeraldConfig;
import dev.herald.gateway.Gateway;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /api/events}: services publish transient events, {@code {room | rooms, event, data,
 * tenant?}} or an array of those, to the members of rooms. Answers {@code 202 {accepted}}; every
 * item is validated before any is published, so a bad batch publishes nothing.
 */
public final class EventsApi {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_.:\\-/]{1,100}");
  private static final Set<String> RESERVED = Set.of(
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");
  private static final int MAX_ITEMS = 1000;
  private static final int MAX_ROOMS = 100;

  private final Gateway gateway;
  private final ApiKeys apiKeys;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;

  private record Item(String tenant, List<String> rooms, String event, String dataJson) {}

  public EventsApi(Gateway gateway, ApiKeys apiKeys, HeraldMetrics metrics, HeraldConfig.Limits limits) {
    this.gateway = gateway;
    this.apiKeys = apiKeys;
    this.metrics = metrics;
    this.limits = limits;
  }

  public void handle(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    ApiKeys.Service service = apiKeys.authenticate(HttpAuth.bearer(req)).orElse(null);
    if (service == null) {
      metrics.refused("unauthorized");
      req.resume();
      Problem.unauthorized(resp, "an API key is required: Authorization: Bearer <key>");
      return;
    }
    Bodies.read(req, limits.maxHttpBodyBytes(), metrics, body -> publish(service, body, resp));
  }

  private void publish(ApiKeys.Service service, Buffer body, HttpServerResponse resp) {
    JsonNode root;
    try {
      root = JSON.readTree(body.getBytes());
    } catch (Exception e) {
      Problem.badRequest(resp, "body is not valid JSON");
      return;
    }
    if (root == null || !(root.isObject() || root.isArray())) {
      Problem.badRequest(resp, "body must be an event object or an array of them");
      return;
    }
    List<JsonNode> nodes = new ArrayList<>();
    if (root.isArray()) {
      root.forEach(nodes::add);
    } else {
      nodes.add(root);
    }
    if (nodes.isEmpty() || nodes.size() > MAX_ITEMS) {
      Problem.badRequest(resp, "between 1 and " + MAX_ITEMS + " events per request, got " + nodes.size());
      return;
    }
    List<Item> items = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      String where = root.isArray() ? "events[" + i + "]" : "event";
      Object parsed = parse(service, nodes.get(i), where);
      if (parsed instanceof String problem) {
        int status = problem.startsWith("403 ") ? 403 : problem.startsWith("413 ") ? 413 : 400;
        String detail = problem.substring(4);
        if (status == 403) {
          Problem.forbidden(resp, detail);
        } else if (status == 413) {
          Problem.tooLarge(resp, detail);
        } else {
          Problem.badRequest(resp, detail);
        }
        metrics.refused("bad_event");
        return;
      }
      items.add((Item) parsed);
    }
    for (Item item : items) {
      gateway.publish(item.tenant, item.rooms, item.event, item.dataJson);
    }
    resp.setStatusCode(202).putHeader("content-type", "application/json")
        .end("{\"accepted\":" + items.size() + "}");
  }

  /** An {@link Item}, or a problem string {@code "<status> <detail>"}. */
  private Object parse(ApiKeys.Service service, JsonNode node, String where) {
    if (!node.isObject()) {
      return "400 " + where + " must be an object";
    }
    JsonNode eventNode = node.get("event");
    if (eventNode == null || !eventNode.isTextual() || !EVENT_NAME.matcher(eventNode.asText()).matches()) {
      return "400 " + where + ".event must be 1-100 of letters, digits and _.:-/";
    }
    String event = eventNode.asText();
    if (RESERVED.contains(event)) {
      return "400 " + where + ".event '" + event + "' is reserved by Socket.IO";
    }
    List<String> rooms = new ArrayList<>();
    JsonNode room = node.get("room");
    JsonNode roomList = node.get("rooms");
    if (room != null && roomList != null) {
      return "400 " + where + " has both room and rooms; use one";
    }
    if (room != null) {
      if (!room.isTextual()) {
        return "400 " + where + ".room must be a string";
      }
      rooms.add(room.asText());
    } else if (roomList != null && roomList.isArray()) {
      for (JsonNode r : roomList) {
        if (!r.isTextual()) {
          return "400 " + where + ".rooms must hold strings";
        }
        rooms.add(r.asText());
      }
    } else {
      return "400 " + where + " needs room or rooms";
    }
    if (rooms.isEmpty() || rooms.size() > MAX_ROOMS) {
      return "400 " + where + " needs 1-" + MAX_ROOMS + " rooms";
    }
    for (String r : rooms) {
      if (!RoomAuthorizer.isValidRoomName(r)) {
        return "400 " + where + " has an invalid room name '" + abbreviate(r)
            + "': 1-200 of letters, digits and _.:@/+=-";
      }
    }
    JsonNode tenantNode = node.get("tenant");
    String tenant;
    if (tenantNode != null && !tenantNode.isNull()) {
      if (!tenantNode.isTextual() || !Identity.isValidId(tenantNode.asText())) {
        return "400 " + where + ".tenant must be a tenant id";
      }
      tenant = tenantNode.asText();
    } else {
      tenant = service.isGlobal() ? Identity.DEFAULT_TENANT : service.tenant();
    }
    if (!service.mayActIn(tenant)) {
      return "403 this API key acts only in tenant " + service.tenant();
    }
    JsonNode data = node.get("data");
    String dataJson = data == null ? "null" : data.toString();
    int dataBytes = dataJson.getBytes(StandardCharsets.UTF_8).length;
    if (dataBytes > limits.maxEventBytes()) {
      return "413 " + where + ".data is " + dataBytes + " bytes; the limit is " + limits.maxEventBytes();
    }
    return new Item(tenant, List.copyOf(rooms), event, dataJson);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
