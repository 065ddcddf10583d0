package dev.herald.gateway;

import dev.herald.bus.Publication;
import java.util.function.Function;

/**
 * A publication as this node logged it: with its position in the node's event log, which clients
 * use to resume ({@link #offset()}). Encodings are computed once per wire format and shared by
 * every receiving session.
 */
public final class RoomEvent {
  private final long id;
  private final String offset;
  private final Publication publication;
  private final long timestampMillis;
  /** Key, value, key, value…: one entry per wire format in use, so a handful at most. */
  private volatile Object[] encodings = NONE;
  private static final Object[] NONE = new Object[0];

  RoomEvent(long id, String epoch, Publication publication, long timestampMillis) {
    this.id = id;
    this.offset = epoch + "-" + id;
    this.publication = publication;
    this.timestampMillis = timestampMillis;
  }

  public long id() {
    return id;
  }

  /** The resume position clients hold: {@code <epoch>-<id>}. */
  public String offset() {
    return offset;
  }

  public String tenant() {
    return publication.tenant();
  }

  public java.util.List<String> rooms() {
    return publication.rooms();
  }

  public String event() {
    return publication.event();
  }

  public String dataJson() {
    return publication.dataJson();
  }

  /** The recipient's sequence when this is a durable notification, else -1. */
  public long notificationSequence() {
    return publication.durable() == null ? -1 : publication.durable().sequence();
  }

  /**
   * The id of the durable notification this event carries when writing it to a session delivers
   * it (transports then report the write: {@link Gateway#written}); null otherwise.
   */
  public java.util.UUID deliveredByWrite() {
    Publication.Durable d = publication.durable();
    return d != null && d.deliveredByWrite() ? d.id() : null;
  }

  /** Whether {@code session} is left out of this event (the user it excludes). */
  boolean excludes(Session session) {
    String except = publication.exceptUser();
    return except != null && except.equals(session.identity().userId());
  }

  public long publishedAtNanos() {
    return publication.publishedAtNanos();
  }

  public long timestampMillis() {
    return timestampMillis;
  }

  /**
   * The encoding of this event under {@code key}, computed by {@code encoder} the first time any
   * session asks for it. Keys are the encoders' own constant objects, compared by identity (a
   * format, or a format and namespace).
   */
  @SuppressWarnings("unchecked")
  public <T> T encoded(Object key, Function<RoomEvent, T> encoder) {
    Object[] known = encodings;
    for (int i = 0; i < known.length; i += 2) {
      if (known[i] == key) {
        return (T) known[i + 1];
      }
    }
    T made = encoder.apply(this);
    synchronized (this) {
      known = encodings;
      for (int i = 0; i < known.length; i += 2) {
        if (known[i] == key) {
          return (T) known[i + 1];
        }
      }
      Object[] grown = java.util.Arrays.copyOf(known, known.length + 2);
      grown[known.length] = key;
      grown[known.length + 1] = made;
      encodings = grown;
    }
    return made;
  }
}
