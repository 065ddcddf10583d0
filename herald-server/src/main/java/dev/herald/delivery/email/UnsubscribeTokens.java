package dev.herald.delivery.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.config.DevCredentials;
import dev.herald.config.HeraldConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signed tokens of one-click unsubscribe links ({@code {publicUrl}/u/{token}}): who (tenant and
 * user) stops receiving email of which notification type. A token is
 * {@code base64url(["u1", tenant, user, type, issuedAtSeconds]) "." base64url(HMAC-SHA256(key, first part))},
 * without padding, so it fits a URL path segment as it is. Tokens do not expire: a link in an old
 * message keeps working, as receivers of RFC 8058 expect; the issue time is kept for a later key rotation.
 *
 * <p>Threads: any; immutable ({@link Mac} instances are made per call).
 */
public final class UnsubscribeTokens {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VERSION = "u1";
  private static final String ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
  /** Longer than any token of valid ids (128-character tenant and user, 100-character type) can be. */
  private static final int MAX_TOKEN = 1_024;

  /**
   * What a valid token names.
   *
   * @param type the notification type whose email stops; {@code ""} for a notification of no type (all email)
   */
  public record Subject(String tenant, String user, String type, Instant issuedAt) {}

  private final SecretKeySpec key;

  /** Tokens signed with {@code secret} (its UTF-8 bytes are the HMAC key). */
  public UnsubscribeTokens(String secret) {
    if (secret == null || secret.length() < 32) {
      throw new IllegalArgumentException("an unsubscribe signing secret must be at least 32 characters");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  /** Tokens signed with {@code HERALD_SIGNING_SECRET}, or else with the key generated once into {@code dataDir}. */
  public static UnsubscribeTokens of(HeraldConfig.Delivery delivery, Path dataDir) {
    String secret = delivery.signingSecret();
    return new UnsubscribeTokens(secret != null ? secret : DevCredentials.signingSecret(dataDir));
  }

  /** A token naming {@code tenant}, {@code user} and {@code type} (null: a notification of no type). */
  public String issue(String tenant, String user, String type, Instant now) {
    ArrayNode fields = JsonNodeFactory.instance.arrayNode().add(VERSION).add(tenant).add(user)
        .add(type == null ? "" : type).add(now.getEpochSecond());
    String payload = ENCODE.encodeToString(fields.toString().getBytes(StandardCharsets.UTF_8));
    return payload + "." + ENCODE.encodeToString(sign(payload));
  }

  /** What {@code token} names, or empty when it is malformed, forged or altered. */
  public Optional<Subject> verify(String token) {
    if (token == null || token.length() > MAX_TOKEN) {
      return Optional.empty();
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      return Optional.empty();
    }
    String payload = token.substring(0, dot);
    byte[] given;
    try {
      given = DECODE.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // compared in constant time, so the time taken tells nothing about how much of a forgery was right
    if (!MessageDigest.isEqual(sign(payload), given)) {
      return Optional.empty();
    }
    try {
      JsonNode f = JSON.readTree(DECODE.decode(payload));
      if (!f.isArray() || f.size() != 5 || !VERSION.equals(f.get(0).asText()) || !f.get(4).canConvertToLong()) {
        return Optional.empty();
      }
      return Optional.of(new Subject(f.get(1).asText(), f.get(2).asText(), f.get(3).asText(),
          Instant.ofEpochSecond(f.get(4).asLong())));
    } catch (IllegalArgumentException | java.io.IOException e) {
      // signed by this key yet unreadable: a token of another format; refused like a forgery
      return Optional.empty();
    }
  }

  private byte[] sign(String payload) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
    }
  }
}
