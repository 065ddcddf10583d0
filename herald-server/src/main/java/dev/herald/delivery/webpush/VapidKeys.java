package dev.herald.delivery.webpush;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.config.P256Keys;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/**
 * This node's VAPID identity (RFC 8292): the P-256 key pair that signs the JWT of every push request,
 * and the subject push services may contact. The keys come from {@code HERALD_VAPID_PUBLIC_KEY} /
 * {@code HERALD_VAPID_PRIVATE_KEY} (checked by {@link HeraldConfig.Delivery}), or, when unset, from
 * the file {@value #FILE} in the data directory, generated at the first start and read back on every
 * later one: browsers bind a subscription to the key they were given, so a new key would silently
 * orphan every subscription.
 *
 * <p>The file is npm {@code web-push}'s {@code generate-vapid-keys --json} format
 * ({@code {"publicKey", "privateKey"}}, both base64url), so an operator can move it into the
 * environment variables as is.
 *
 * <p>Threads: immutable once built; {@link #of} does file I/O, call it at start.
 */
public final class VapidKeys {
  static final String FILE = "vapid-keys.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KeyPair pair;
  private final String publicKey;
  private final String subject;

  private VapidKeys(KeyPair pair, String subject) {
    this.pair = pair;
    this.publicKey = P256Keys.base64url(P256Keys.raw((ECPublicKey) pair.getPublic()));
    this.subject = subject;
  }

  /** The configured pair, or the data directory's (generated there when missing). */
  public static VapidKeys of(HeraldConfig.Delivery settings, Path dataDir) {
    if (settings.vapidPrivateKey() != null) {
      return fromBase64url(settings.vapidPublicKey(), settings.vapidPrivateKey(), settings.vapidSubject());
    }
    return loadOrCreate(dataDir, settings.vapidSubject());
  }

  /** A pair from its base64url texts, which {@link HeraldConfig.Delivery} has checked already. */
  static VapidKeys fromBase64url(String publicKey, String privateKey, String subject) {
    ECPublicKey pub = P256Keys.publicKey(P256Keys.fromBase64url(publicKey));
    ECPrivateKey priv = P256Keys.privateKey(P256Keys.fromBase64url(privateKey));
    return new VapidKeys(new KeyPair(pub, priv), subject);
  }

  /** Reads {@value #FILE} from {@code dataDir}, or generates a pair and writes it there first. */
  static VapidKeys loadOrCreate(Path dataDir, String subject) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        return read(file, subject);
      }
      Files.createDirectories(dataDir);
      KeyPair pair = P256Keys.generate();
      write(file, pair);
      return new VapidKeys(pair, subject);
    } catch (IOException e) {
      throw new ConfigException("HERALD_DATA_DIR " + dataDir.toAbsolutePath() + " does not keep the VAPID keys ("
          + e.getMessage() + "); point it at a writable directory or set HERALD_VAPID_PUBLIC_KEY and "
          + "HERALD_VAPID_PRIVATE_KEY", e);
    }
  }

  private static VapidKeys read(Path file, String subject) throws IOException {
    JsonNode doc;
    try {
      doc = JSON.readTree(file.toFile());
    } catch (IOException e) {
      doc = null;
    }
    byte[] pub = doc == null ? null : P256Keys.fromBase64url(doc.path("publicKey").asText(null));
    byte[] priv = doc == null ? null : P256Keys.fromBase64url(doc.path("privateKey").asText(null));
    if (P256Keys.point(pub) == null || !P256Keys.isScalar(priv)
        || !P256Keys.isPair(P256Keys.privateKey(priv), P256Keys.publicKey(pub))) {
      throw new ConfigException(file.toAbsolutePath() + " does not hold a VAPID key pair "
          + "{\"publicKey\", \"privateKey\"} (base64url P-256); restore it, or delete it to generate a new pair "
          + "(every browser must then subscribe again)");
    }
    return new VapidKeys(new KeyPair(P256Keys.publicKey(pub), P256Keys.privateKey(priv)), subject);
  }

  /** Written whole or not at all (a temporary file moved into place), readable by the owner only. */
  private static void write(Path file, KeyPair pair) throws IOException {
    String text = JsonNodeFactory.instance.objectNode()
        .put("publicKey", P256Keys.base64url(P256Keys.raw((ECPublicKey) pair.getPublic())))
        .put("privateKey", P256Keys.base64url(P256Keys.raw((ECPrivateKey) pair.getPrivate())))
        .toString() + "\n";
    Path temporary = Files.createTempFile(file.getParent(), FILE, ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the file keeps the directory's default permissions
      }
      Files.writeString(temporary, text);
      try {
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** The public key as browsers take it ({@code applicationServerKey}): base64url of the 65-byte point. */
  public String publicKey() {
    return publicKey;
  }

  /** The pair, for the JWT signer (ES256) and the {@code k=} parameter of the Authorization header. */
  public KeyPair keyPair() {
    return pair;
  }

  /** The JWT's {@code sub}: {@code mailto:} or {@code https:}. */
  public String subject() {
    return subject;
  }
}
