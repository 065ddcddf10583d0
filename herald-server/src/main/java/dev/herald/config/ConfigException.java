package dev.herald.config;

/** A setting that Herald cannot start with; the message names the setting, the value and the fix. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
