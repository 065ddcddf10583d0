package dev.herald.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.auth.RoomAuthorizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The room requests every transport understands, parsed from their JSON arguments: {@code
 * subscribe {channels}} (rooms {@code channel:<name>}), {@code join {room}}, and the seed aliases
 * {@code subscribe:<kind> <id>} (room {@code <kind>:<id>}).
 */
public final class Requests {
  private Requests() {}

  /** The rooms named by a {@code subscribe}/{@code unsubscribe} argument: {@code {channels:[...]}}, an array or a string. */
  public static List<String> channelRooms(JsonNode arg) {
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
  public static String room(JsonNode arg) {
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
  public static String aliasRoom(String kind, JsonNode arg) {
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

  /** A one-room request list; {@code room} may be null (a request without a valid room). */
  public static List<String> one(String room) {
    List<String> l = new ArrayList<>(1);
    l.add(room);
    return l;
  }
}
