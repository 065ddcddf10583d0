package dev.herald.api;

import dev.herald.validation.Fields;
import dev.herald.http.Bodies;

import dev.herald.http.Problem;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.herald.auth.ApiKeys;
import dev.herald.auth.Identity;
import dev.herald.auth.RoomAuthorizer;
import dev.herald.config.HeraldConfig;
import dev.herald.bus.Bus;
import dev.herald.bus.Publication;
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
  private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_.:\\-/]{1,100}");
  private static final Set<String> RESERVED = Set.of(
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");
  private static final int MAX_ITEMS = 1000;
  private static final int MAX_ROOMS = 100;

  private final Bus bus;
  private final ApiKeys apiKeys;
  private final HeraldMetrics metrics;
  private final HeraldConfig.Limits limits;

  private record Item(String tenant, List<String> rooms, String event, String dataJson) {}

  /**
   * Why a body is refused: the status to answer, its detail, and whether an event in it was at
   * fault ({@code bad_event} in the refusal metrics) rather than the body's shape.
   */
  private record Refusal(int status, String detail, boolean badEvent) {
    static Refusal shape(String detail) {
      return new Refusal(400, detail, false);
    }

    static Refusal event(String detail) {
      return new Refusal(400, detail, true);
    }
  }

  public EventsApi(Bus bus, ApiKeys apiKeys, HeraldMetrics metrics, HeraldConfig.Limits limits) {
    this.bus = bus;
    this.apiKeys = apiKeys;
    this.metrics = metrics;
    this.limits = limits;
  }

  public void handle(HttpServerRequest req) {
    ApiKeys.Service service = Problem.service(req, apiKeys, metrics);
    if (service != null) {
      Bodies.read(req, limits.maxHttpBodyBytes(), metrics, body -> publish(service, body, req.response()));
    }
  }

  private void publish(ApiKeys.Service service, Buffer body, HttpServerResponse resp) {
    byte[] bytes = body.getBytes();
    List<Item> items = new ArrayList<>(1);
    Refusal refusal;
    // the parser of every JSON body (Bodies.JSON): duplicate keys are refused, here as everywhere
    try (JsonParser p = Bodies.JSON.createParser(bytes)) {
      refusal = parseBody(service, p, bytes, items);
    } catch (JsonProcessingException e) {
      Problem.badRequest(resp, "body is not valid JSON: " + e.getOriginalMessage());
      return;
    } catch (java.io.IOException e) {
      Problem.badRequest(resp, "body could not be read");
      return;
    }
    if (refusal != null) {
      if (refusal.badEvent()) {
        metrics.refused("bad_event");
      }
      Problem.invalid(resp, refusal.status(), refusal.detail(), List.of());
      return;
    }
    for (Item item : items) {
      bus.publish(Publication.event(item.tenant, item.rooms, item.event, item.dataJson));
    }
    resp.setStatusCode(202).putHeader("content-type", "application/json")
        .end("{\"accepted\":" + items.size() + "}");
  }

  /**
   * One streaming pass over the body: an event object or an array of them, each validated into
   * {@code items}. Returns null, or why the body is refused. {@code data} is
   * kept as the exact bytes the publisher sent (numbers are not re-rounded, key order is kept).
   */
  private Refusal parseBody(ApiKeys.Service service, JsonParser p, byte[] bytes, List<Item> items)
      throws java.io.IOException {
    JsonToken root = p.nextToken();
    if (root == JsonToken.START_OBJECT) {
      Refusal refusal = parseItem(service, p, bytes, "event", items);
      if (refusal != null) {
        return refusal;
      }
    } else if (root == JsonToken.START_ARRAY) {
      int i = 0;
      for (JsonToken t; (t = p.nextToken()) != JsonToken.END_ARRAY; i++) {
        if (i >= MAX_ITEMS) {
          return Refusal.shape("between 1 and " + MAX_ITEMS + " events per request, got more");
        }
        String where = "events[" + i + "]";
        if (t != JsonToken.START_OBJECT) {
          p.skipChildren();
          return Refusal.event(where + " must be an object");
        }
        Refusal refusal = parseItem(service, p, bytes, where, items);
        if (refusal != null) {
          return refusal;
        }
      }
      if (i == 0) {
        return Refusal.shape("between 1 and " + MAX_ITEMS + " events per request, got 0");
      }
    } else {
      return Refusal.shape("body must be an event object or an array of them");
    }
    // FAIL_ON_TRAILING_TOKENS: one JSON value and nothing after it
    if (p.nextToken() != null) {
      throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing content");
    }
    return null;
  }

  /** Reads one event object (the parser is on its START_OBJECT) into {@code items}. */
  private Refusal parseItem(ApiKeys.Service service, JsonParser p, byte[] bytes, String where, List<Item> items)
      throws java.io.IOException {
    String event = null;
    boolean eventBad = false;
    String room = null;
    boolean hasRoom = false;
    boolean roomBad = false;
    List<String> rooms = null;
    boolean roomsBad = false;
    Refusal roomsProblem = null;
    int dataBytes = 4;
    String tenant = null;
    boolean tenantBad = false;
    String dataJson = "null";
    for (JsonToken t; (t = p.nextToken()) != JsonToken.END_OBJECT; ) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      switch (field) {
        case "event" -> {
          eventBad = v != JsonToken.VALUE_STRING;
          event = eventBad ? null : p.getText();
        }
        case "room" -> {
          hasRoom = true;
          roomBad = v != JsonToken.VALUE_STRING;
          if (roomBad) {
            p.skipChildren();
          } else {
            room = p.getText();
          }
        }
        case "rooms" -> {
          rooms = new ArrayList<>();
          roomsBad = v != JsonToken.START_ARRAY;
          if (roomsBad) {
            p.skipChildren();
            continue;
          }
          for (JsonToken r; (r = p.nextToken()) != JsonToken.END_ARRAY; ) {
            if (r != JsonToken.VALUE_STRING) {
              p.skipChildren();
              roomsProblem = Refusal.event(where + ".rooms must hold strings");
            } else if (rooms.size() <= MAX_ROOMS) {
              rooms.add(p.getText());
            }
          }
        }
        case "tenant" -> {
          if (v == JsonToken.VALUE_NULL) {
            tenant = null;
          } else if (v == JsonToken.VALUE_STRING) {
            tenant = p.getText();
          } else {
            p.skipChildren();
            tenantBad = true;
          }
        }
        case "data" -> {
          int start = (int) p.currentTokenLocation().getByteOffset();
          if (v.isStructStart()) {
            p.skipChildren();
          } else {
            p.finishToken();
          }
          int end = (int) p.currentLocation().getByteOffset();
          dataBytes = end - start;
          dataJson = new String(bytes, start, dataBytes, StandardCharsets.UTF_8);
        }
        default -> p.skipChildren();
      }
    }
    if (eventBad || event == null || !EVENT_NAME.matcher(event).matches()) {
      return Refusal.event(where + ".event must be 1-100 of letters, digits and _.:-/");
    }
    if (RESERVED.contains(event)) {
      return Refusal.event(where + ".event '" + event + "' is reserved by Socket.IO");
    }
    if (hasRoom && rooms != null) {
      return Refusal.event(where + " has both room and rooms; use one");
    }
    List<String> targets;
    if (hasRoom) {
      if (roomBad) {
        return Refusal.event(where + ".room must be a string");
      }
      targets = List.of(room);
    } else if (rooms != null && !roomsBad) {
      if (roomsProblem != null) {
        return roomsProblem;
      }
      targets = rooms;
    } else {
      return Refusal.event(where + " needs room or rooms");
    }
    if (targets.isEmpty() || targets.size() > MAX_ROOMS) {
      return Refusal.event(where + " needs 1-" + MAX_ROOMS + " rooms");
    }
    for (String r : targets) {
      if (!RoomAuthorizer.isValidRoomName(r)) {
        return Refusal.event(where + " has an invalid room name '" + Fields.abbreviate(r, 40)
            + "': 1-200 of letters, digits and _.:@/+=-");
      }
    }
    if (tenantBad || tenant != null && !Identity.isValidId(tenant)) {
      return Refusal.event(where + ".tenant must be a tenant id");
    }
    if (tenant == null) {
      tenant = service.isGlobal() ? Identity.DEFAULT_TENANT : service.tenant();
    }
    if (!service.mayActIn(tenant)) {
      return new Refusal(403, "this API key acts only in tenant " + service.tenant(), true);
    }
    if (dataBytes > limits.maxEventBytes()) {
      return new Refusal(413, where + ".data is " + dataBytes + " bytes; the limit is " + limits.maxEventBytes(), true);
    }
    items.add(new Item(tenant, List.copyOf(targets), event, dataJson));
    return null;
  }
}
