package dev.herald.auth;

/** Credentials that were refused; the message is safe to show to the client. */
public final class AuthException extends Exception {
  public AuthException(String message) {
    super(message, null, false, false);
  }
}
