package dev.herald.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;

/**
 * The answer to a {@link ClientCommand}, typed; each transport encodes it in its own protocol
 * (a Socket.IO ack, a {@code /ws} message, an SSE refusal) by switching over these cases.
 */
public sealed interface Answer {
  /** To {@link ClientCommand.Ping}. */
  record Pong() implements Answer {}

  /** To {@link ClientCommand.Join}: the rooms joined, and each refused one with why. */
  record Joined(List<String> rooms, List<RefusedRoom> refused) implements Answer {
    public Joined {
      rooms = List.copyOf(rooms);
      refused = List.copyOf(refused);
    }

    public boolean ok() {
      return refused.isEmpty();
    }
  }

  /** A room a join did not get; {@code room} is abbreviated when the client sent a long one. */
  record RefusedRoom(String room, String reason) {}

  /** To {@link ClientCommand.Leave}: the rooms the session was in and left. */
  record Left(List<String> rooms) implements Answer {
    public Left {
      rooms = List.copyOf(rooms);
    }
  }

  /**
   * To {@link ClientCommand.Ack}: the notification's status after the ack, and when it was
   * delivered, as clients see times ({@code 2024-01-15T10:30:00.000Z}).
   */
  record Acked(UUID notificationId, String status, String timestamp) implements Answer {}

  /** To {@link ClientCommand.UpdatePreferences}: the stored preference document. */
  record Preferences(JsonNode document) implements Answer {}

  /**
   * To {@link ClientCommand.RequestMissed}, after the notifications themselves went out through
   * {@link Session#replay}: how many, the last sequence among them, and whether more follow.
   */
  record Replayed(int count, long lastSequence, boolean more) implements Answer {}

  /** To {@link ClientCommand.Who}: the users in the room with their presence, by user id. */
  record Who(String room, List<dev.herald.bus.PresenceView.Member> users) implements Answer {
    public Who {
      users = List.copyOf(users);
    }

    /** {@code {room, users: [{userId, status, customStatus, since}]}}, as every transport sends it. */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
      var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("room", room);
      var list = out.putArray("users");
      for (var m : users) {
        list.addObject().put("userId", m.userId()).put("status", m.status()).put("customStatus", m.customStatus())
            .put("since", m.since().toString());
      }
      return out;
    }
  }

  /**
   * To {@link ClientCommand.PresenceSubscribe}: the users now followed, and the presence of those
   * online (the rest are offline).
   */
  record Following(List<String> userIds, List<dev.herald.bus.PresenceView.Member> online) implements Answer {
    public Following {
      userIds = List.copyOf(userIds);
      online = List.copyOf(online);
    }

    /** {@code {userIds, online: [{userId, status, customStatus, since}]}}, as every transport sends it. */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
      var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      userIds.forEach(out.putArray("userIds")::add);
      var list = out.putArray("online");
      for (var m : online) {
        list.addObject().put("userId", m.userId()).put("status", m.status()).put("customStatus", m.customStatus())
            .put("since", m.since().toString());
      }
      return out;
    }
  }

  /** Done, with nothing to say: {@link ClientCommand.Typing}. */
  record Done() implements Answer {}

  /** To {@link ClientCommand.PresenceUpdate}: the user's presence as it now stands. */
  record PresenceState(String userId, String status, String customStatus) implements Answer {}

  /** A command refused: {@code code} is machine-readable ({@code bad_request}, {@code not_found}, …). */
  record Refused(String code, String message) implements Answer {}
}
