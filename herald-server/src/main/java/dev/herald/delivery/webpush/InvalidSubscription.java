package dev.herald.delivery.webpush;

/**
 * Keys of a push subscription that no message could be encrypted for: the API answers 400 with
 * {@link #field()} and the message; the channel fails the job (retrying cannot mend them).
 */
public final class InvalidSubscription extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String field;

  InvalidSubscription(String field, String message) {
    super(field + " " + message);
    this.field = field;
  }

  /** The member of {@code PushSubscription.toJSON()} at fault: {@code keys.p256dh} or {@code keys.auth}. */
  public String field() {
    return field;
  }
}
