package dev.herald.delivery.email;

/**
 * Where a user's email goes: the user directory, faked in tests.
 *
 * <p>Threads: called on delivery virtual threads; implementations may block and are thread-safe.
 */
interface Addresses {
  /**
   * A user's address as the directory holds it.
   *
   * @param email the address a service stored, else the one of the user's token; null when neither
   * @param name the display name, likewise; null when none
   * @param locale the user's locale, likewise; null when none
   */
  record Address(String email, String name, String locale) {}

  /** The address of {@code user} in {@code tenant}; null when the directory does not know the user. */
  Address find(String tenant, String user) throws Exception;
}
