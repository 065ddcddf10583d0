package dev.herald.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The development credentials a fresh node generates once and keeps in its data directory: the
 * HS256 secret for user tokens and one API key. Read back on every later start, so tokens printed
 * once stay valid across restarts.
 *
 * @param jwtSecret the HS256 secret (43 base64url characters, 256 bits)
 * @param apiKey the server-to-server key
 */
public record DevCredentials(String jwtSecret, String apiKey) {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Loads the credentials from {@code dataDir}, generating and storing any that are missing. */
  public static DevCredentials loadOrCreate(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      return new DevCredentials(
          readOrWrite(dataDir.resolve("jwt-secret"), () -> random(32)),
          readOrWrite(dataDir.resolve("dev-api-key"), () -> "hk_" + random(24)));
    } catch (IOException e) {
      throw new ConfigException("HERALD_DATA_DIR " + dataDir.toAbsolutePath()
          + " is not writable (" + e.getMessage() + "); point it at a writable directory", e);
    }
  }

  /**
   * The key that signs links in messages when {@code HERALD_SIGNING_SECRET} is not set: generated
   * once into {@code dataDir} ({@code signing-secret}, 256 bits) and read back on every later start,
   * so links in messages already sent keep working.
   */
  public static String signingSecret(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      return readOrWrite(dataDir.resolve("signing-secret"), () -> random(32));
    } catch (IOException e) {
      throw new ConfigException("HERALD_DATA_DIR " + dataDir.toAbsolutePath()
          + " is not writable (" + e.getMessage() + "); point it at a writable directory or set HERALD_SIGNING_SECRET", e);
    }
  }

  private static String readOrWrite(Path file, java.util.function.Supplier<String> generator)
      throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file).trim();
    }
    String value = generator.get();
    Files.writeString(file, value + "\n");
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system: the file keeps the directory's default permissions
    }
    return value;
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
