package dev.herald.delivery.webpush;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.config.P256Keys;
import dev.herald.validation.Fields;
import dev.herald.validation.InvalidRequest;
import dev.herald.validation.InvalidRequest.FieldError;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A subscription as the browser hands it over: {@code PushSubscription.toJSON()}, that is
 * {@code {endpoint, expirationTime, keys: {p256dh, auth}}} (Push API §4.2). {@link #read} checks its
 * shape and keys; whether the endpoint is a public address is {@link dev.herald.delivery.TargetAddresses}'s
 * to say (it needs DNS). Fields the browser may add beyond these are ignored.
 *
 * @param p256dh base64url as sent; its 65 bytes are a point on P-256
 * @param auth base64url as sent; its 16 bytes are the authentication secret
 * @param expirationTime null when the browser gave none
 */
public record PushSubscriptionBody(URI endpoint, String p256dh, String auth, OffsetDateTime expirationTime) {
  static final int MAX_ENDPOINT = 2_048;
  /** RFC 8291 §3.2: "an authentication secret ... of 16 octets". */
  static final int AUTH_LENGTH = 16;
  /** Epoch milliseconds of 9999-12-31T23:59:59.999Z, the last instant PostgreSQL and ISO text share. */
  private static final long MAX_EXPIRATION = 253_402_300_799_999L;

  /**
   * The subscription {@code body} describes; a 400 naming every offending field when it is not one.
   * {@code allowHttp}: {@code HERALD_ALLOW_PRIVATE_TARGETS=true} (local push services in tests);
   * otherwise the endpoint must be https, as every browser's push service is.
   */
  public static PushSubscriptionBody read(JsonNode body, boolean allowHttp) throws InvalidRequest {
    if (body == null || !body.isObject()) {
      throw new InvalidRequest(400, "the body must be a JSON object, the browser's PushSubscription.toJSON(): "
          + "{endpoint, expirationTime, keys: {p256dh, auth}}", List.of());
    }
    List<FieldError> errors = new ArrayList<>();
    URI endpoint = endpoint(Fields.text(body, "endpoint", true, MAX_ENDPOINT, errors), allowHttp, errors);
    OffsetDateTime expiration = expiration(body.get("expirationTime"), errors);
    JsonNode keys = body.get("keys");
    String p256dh = null;
    String auth = null;
    if (keys == null || !keys.isObject()) {
      errors.add(new FieldError("keys", "is required: an object {p256dh, auth}"));
    } else {
      p256dh = p256dh(Fields.text(keys, "p256dh", true, 200, rename(errors, "keys.")), errors);
      auth = auth(Fields.text(keys, "auth", true, 200, rename(errors, "keys.")), errors);
    }
    if (!errors.isEmpty()) {
      throw InvalidRequest.of(errors);
    }
    return new PushSubscriptionBody(endpoint, p256dh, auth, expiration);
  }

  private static URI endpoint(String text, boolean allowHttp, List<FieldError> errors) {
    if (text == null || text.isBlank() || text.length() > MAX_ENDPOINT) {
      return null;
    }
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      errors.add(new FieldError("endpoint", "is not a URL: " + Fields.abbreviate(e.getReason(), 100)));
      return null;
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    boolean schemeOk = scheme.equals("https") || (allowHttp && scheme.equals("http"));
    if (!url.isAbsolute() || !schemeOk || url.getHost() == null) {
      errors.add(new FieldError("endpoint", "must be an absolute https URL with a host"
          + (allowHttp ? " (or http, as private targets are allowed)" : "")));
      return null;
    }
    if (url.getRawUserInfo() != null) {
      errors.add(new FieldError("endpoint", "must not carry a user name or password"));
      return null;
    }
    return url;
  }

  private static OffsetDateTime expiration(JsonNode n, List<FieldError> errors) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber() || !Double.isFinite(n.asDouble()) || n.asDouble() < 0 || n.asDouble() > MAX_EXPIRATION) {
      errors.add(new FieldError("expirationTime", "must be null or a time in epoch milliseconds"));
      return null;
    }
    return OffsetDateTime.ofInstant(Instant.ofEpochMilli(n.asLong()), ZoneOffset.UTC);
  }

  /** RFC 8291 §3.1: the user agent's public key, "an uncompressed point" on P-256 (65 octets). */
  private static String p256dh(String text, List<FieldError> errors) {
    if (text == null) {
      return null;
    }
    byte[] raw = P256Keys.fromBase64url(text);
    if (raw == null || raw.length != P256Keys.PUBLIC_LENGTH || raw[0] != 0x04) {
      errors.add(new FieldError("keys.p256dh", "must be base64url of a 65-byte uncompressed P-256 key (0x04, x, y)"
          + (raw == null ? "" : ", was " + raw.length + " bytes")));
      return null;
    }
    if (P256Keys.point(raw) == null) {
      errors.add(new FieldError("keys.p256dh", "is not a point on the P-256 curve"));
      return null;
    }
    return text;
  }

  private static String auth(String text, List<FieldError> errors) {
    if (text == null) {
      return null;
    }
    byte[] raw = P256Keys.fromBase64url(text);
    if (raw == null || raw.length != AUTH_LENGTH) {
      errors.add(new FieldError("keys.auth", "must be base64url of 16 bytes"
          + (raw == null ? "" : ", was " + raw.length + " bytes")));
      return null;
    }
    return text;
  }

  /** A list that adds to {@code errors} with {@code prefix} before each field name (keys.p256dh). */
  private static List<FieldError> rename(List<FieldError> errors, String prefix) {
    return new java.util.AbstractList<>() {
      @Override
      public FieldError get(int i) {
        return errors.get(i);
      }

      @Override
      public int size() {
        return errors.size();
      }

      @Override
      public void add(int i, FieldError e) {
        errors.add(i, new FieldError(prefix + e.field(), e.message(), e.line(), e.column()));
      }
    };
  }
}
