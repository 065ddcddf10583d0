package dev.herald.gateway;

/** A room inside one tenant. Rooms of different tenants never share members, whatever their names. */
public record RoomKey(String tenant, String room) {}
