package dev.herald.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.auth.RoomAuthorizer;
import dev.herald.validation.Fields;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a client asks of the server, whatever its transport: Socket.IO events, {@code /ws} messages
 * and SSE query parameters all become one of these, {@link ClientCommands} handles them once, and
 * each transport encodes the typed {@link Answer}. A new command is one more case here.
 *
 * <p>{@link #parse} is the one reader of the client's JSON: a command that cannot be read becomes
 * {@link Invalid}, answered with its code, so no transport needs a parser of its own.
 */
public sealed interface ClientCommand {
  /** {@code /ws} {@code {type:"ping"}}: answered {@link Answer.Pong} (Socket.IO has Engine.IO pings). */
  record Ping() implements ClientCommand {}

  /**
   * Join rooms: {@code subscribe {channels}} (rooms {@code channel:<name>}), {@code join {room}}, the
   * seed aliases {@code subscribe:<kind> <id>} (room {@code <kind>:<id>}), SSE's {@code ?rooms=}.
   */
  record Join(List<String> rooms) implements ClientCommand {
    public Join {
      rooms = List.copyOf(rooms);
    }
  }

  /** Leave rooms: {@code unsubscribe}, {@code leave}, {@code unsubscribe:<kind>}. */
  record Leave(List<String> rooms) implements ClientCommand {
    public Leave {
      rooms = List.copyOf(rooms);
    }
  }

  /** {@code ack {notificationId}}: the client has the notification. */
  record Ack(UUID notificationId) implements ClientCommand {}

  /** {@code updatePreferences {...}}: an RFC 7396 merge patch of the user's preferences. */
  record UpdatePreferences(ObjectNode patch) implements ClientCommand {}

  /**
   * {@code requestMissedNotifications {since, limit}}: the user's notifications after a sequence
   * ({@code afterSequence}, 0 for all) or released after a time ({@code afterTime}); at most
   * {@code limit}.
   */
  record RequestMissed(long afterSequence, OffsetDateTime afterTime, int limit) implements ClientCommand {}

  /**
   * {@code presence:update {status, customStatus?}} (seed 000): the user's status and custom status;
   * checked by {@link Presence#update}.
   */
  record PresenceUpdate(String status, String customStatus) implements ClientCommand {}

  /**
   * {@code typing:start} / {@code typing:stop {resourceType, resourceId}} (seed 000): the user types
   * (or stopped typing) in room {@code <resourceType>:<resourceId>}.
   */
  record Typing(boolean start, String resourceType, String resourceId) implements ClientCommand {}

  /**
   * {@code presence:subscribe} / {@code presence:unsubscribe {userIds}}: follow (or stop following)
   * the presence of these users of the tenant, the way of tenants too large for tenant-wide
   * announcements; at most {@link Presence#MAX_SUBSCRIBE} ids.
   */
  record PresenceSubscribe(boolean subscribe, List<String> userIds) implements ClientCommand {
    public PresenceSubscribe {
      userIds = List.copyOf(userIds);
    }
  }

  /** {@code presence:who {room}}: who is in a room the session is in. */
  record Who(String room) implements ClientCommand {}

  /** A command the client got wrong: answered {@link Answer.Refused} with this code and message. */
  record Invalid(String code, String message) implements ClientCommand {}

  /** Most notifications one {@link RequestMissed} replays. */
  int MAX_REPLAY = 1000;

  /**
   * Reads the command {@code name} with its argument {@code arg} (the Socket.IO event's first
   * argument, or the {@code /ws} message object itself; null when there is none).
   */
  static ClientCommand parse(String name, JsonNode arg) {
    return switch (name) {
      case "ping" -> new Ping();
      case "subscribe" -> join(name, channelRooms(arg));
      case "join" -> join(name, one(room(arg)));
      case "unsubscribe" -> new Leave(withoutNulls(channelRooms(arg)));
      case "leave" -> new Leave(withoutNulls(one(room(arg))));
      case "ack" -> ack(arg);
      case "updatePreferences" -> arg != null && arg.isObject() ? new UpdatePreferences(((ObjectNode) arg).deepCopy())
          : new Invalid("bad_request", "updatePreferences needs an object of preferences");
      case "requestMissedNotifications" -> missed(arg);
      case "presence:update" -> presenceUpdate(arg);
      case "typing:start", "typing:stop" -> typing(name.equals("typing:start"), arg);
      case "presence:subscribe", "presence:unsubscribe" -> presenceSubscribe(name.equals("presence:subscribe"), arg);
      case "presence:who" -> {
        String room = arg == null ? null : text(arg, "room");
        yield room != null && RoomAuthorizer.isValidRoomName(room) ? new Who(room)
            : new Invalid("bad_request", "presence:who needs {room}");
      }
      default -> {
        if (name.startsWith("subscribe:")) {
          yield join(name, one(aliasRoom(name.substring("subscribe:".length()), arg)));
        } else if (name.startsWith("unsubscribe:")) {
          yield new Leave(withoutNulls(one(aliasRoom(name.substring("unsubscribe:".length()), arg))));
        }
        yield new Invalid("unknown_event", "unknown event '" + Fields.abbreviate(name, 40) + "'");
      }
    };
  }

  private static ClientCommand join(String name, List<String> rooms) {
    if (rooms.isEmpty() || rooms.contains(null)) {
      return new Invalid("bad_request", name + " needs a room name");
    }
    return new Join(rooms);
  }

  private static ClientCommand ack(JsonNode arg) {
    JsonNode id = arg == null ? null : arg.get("notificationId");
    if (id == null || !id.isTextual()) {
      return new Invalid("bad_request", "ack needs {notificationId}");
    }
    UUID parsed = Fields.uuid(id.asText());
    // a malformed id is simply not found, as over HTTP
    return parsed == null ? new Invalid("not_found", "no notification " + Fields.abbreviate(id.asText(), 60))
        : new Ack(parsed);
  }

  private static ClientCommand missed(JsonNode arg) {
    int limit = MAX_REPLAY;
    JsonNode l = arg == null ? null : arg.get("limit");
    if (l != null && !l.isNull()) {
      if (!l.canConvertToInt() || !l.isIntegralNumber() || l.asInt() < 1) {
        return new Invalid("bad_request", "limit must be a positive whole number");
      }
      limit = Math.min(MAX_REPLAY, l.asInt());
    }
    JsonNode since = arg == null ? null : arg.get("since");
    if (since == null || since.isNull()) {
      return new RequestMissed(0, null, limit);
    }
    if (since.isIntegralNumber() && since.canConvertToLong() && since.asLong() >= 0
        || since.isTextual() && since.asText().matches("\\d{1,18}")) {
      return new RequestMissed(since.asLong(), null, limit);
    }
    if (since.isTextual()) {
      try {
        return new RequestMissed(0, OffsetDateTime.parse(since.asText()), limit);
      } catch (DateTimeParseException e) {
        // answered below
      }
    }
    return new Invalid("bad_request",
        "since must be a sequence number or an ISO-8601 time such as 2024-01-15T10:30:00Z");
  }

  /** The rooms named by a {@code subscribe}/{@code unsubscribe} argument: {@code {channels:[...]}}, an array or a string. */
  private static List<String> channelRooms(JsonNode arg) {
    JsonNode channels = arg != null && arg.isObject() ? arg.get("channels") : arg;
    if (channels == null || channels.isNull()) {
      channels = arg != null && arg.isObject() ? arg.get("channel") : null;
    }
    List<String> rooms = new ArrayList<>();
    if (channels == null) {
      return rooms;
    }
    if (channels.isTextual()) {
      rooms.add(channelRoom(channels.asText()));
    } else if (channels.isArray()) {
      for (JsonNode c : channels) {
        rooms.add(c.isTextual() ? channelRoom(c.asText()) : null);
      }
    }
    return rooms;
  }

  private static String channelRoom(String name) {
    return name.startsWith("channel:") ? name : "channel:" + name;
  }

  /** The room named by a {@code join}/{@code leave} argument: {@code {room}} or a string; null if none. */
  private static String room(JsonNode arg) {
    if (arg == null) {
      return null;
    }
    JsonNode room = arg.isObject() ? arg.get("room") : arg;
    return room != null && room.isTextual() ? room.asText() : null;
  }

  /**
   * The room of a seed alias {@code subscribe:<kind>} whose argument is an id or {@code {id}} (or
   * {@code {<kind>Id}}): {@code <kind>:<id>}; null when the id is missing.
   */
  private static String aliasRoom(String kind, JsonNode arg) {
    if (arg == null || kind.isEmpty()) {
      return null;
    }
    JsonNode id = arg;
    if (arg.isObject()) {
      id = arg.has("id") ? arg.get("id") : arg.get(kind + "Id");
    }
    if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
      return null;
    }
    String room = kind + ":" + id.asText();
    return RoomAuthorizer.isValidRoomName(room) ? room : null;
  }

  private static List<String> one(String room) {
    List<String> l = new ArrayList<>(1);
    l.add(room);
    return l;
  }

  private static List<String> withoutNulls(List<String> rooms) {
    rooms.removeIf(java.util.Objects::isNull);
    return rooms;
  }


  private static ClientCommand presenceUpdate(JsonNode arg) {
    if (arg == null || !arg.isObject() || !arg.path("status").isTextual()) {
      return new Invalid("bad_request", "presence:update needs {status, customStatus?}");
    }
    JsonNode custom = arg.get("customStatus");
    if (custom != null && !custom.isNull() && !custom.isTextual()) {
      return new Invalid("bad_request", "customStatus must be a string");
    }
    return new PresenceUpdate(arg.get("status").asText(), custom == null || custom.isNull() ? null : custom.asText());
  }

  private static ClientCommand typing(boolean start, JsonNode arg) {
    String type = arg == null ? null : text(arg, "resourceType");
    String id = arg == null ? null : text(arg, "resourceId");
    if (type == null || id == null || !RoomAuthorizer.isValidRoomName(type + ":" + id) || type.contains(":")) {
      return new Invalid("bad_request", "typing needs {resourceType, resourceId} naming a room <resourceType>:<resourceId>");
    }
    return new Typing(start, type, id);
  }

  private static String text(JsonNode arg, String field) {
    JsonNode v = arg.get(field);
    return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
  }

  private static ClientCommand presenceSubscribe(boolean subscribe, JsonNode arg) {
    JsonNode ids = arg == null ? null : arg.get("userIds");
    if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > Presence.MAX_SUBSCRIBE) {
      return new Invalid("bad_request", "presence:" + (subscribe ? "subscribe" : "unsubscribe")
          + " needs {userIds: [...]} of 1-" + Presence.MAX_SUBSCRIBE + " user ids");
    }
    List<String> out = new ArrayList<>(ids.size());
    for (JsonNode id : ids) {
      if (!id.isTextual() || !dev.herald.auth.Identity.isValidId(id.asText())) {
        return new Invalid("bad_request", "userIds must be user ids (1-128 printable characters without spaces)");
      }
      if (!out.contains(id.asText())) {
        out.add(id.asText());
      }
    }
    return new PresenceSubscribe(subscribe, out);
  }
}
