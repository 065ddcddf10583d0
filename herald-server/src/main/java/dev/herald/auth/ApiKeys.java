package dev.herald.auth;

import dev.herald.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Server-to-server API keys, from {@code HERALD_API_KEYS}: each entry is {@code key} (acts in any
 * tenant) or {@code tenant:key} (acts only inside that tenant). Keys are held only as SHA-256
 * digests. Thread-safe and immutable.
 */
public final class ApiKeys {
  /** Who a key authenticates. {@code tenant} is null for a global key. */
  public record Service(String tenant) {
    public boolean isGlobal() {
      return tenant == null;
    }

    /** True when this service may act inside {@code tenantId}. */
    public boolean mayActIn(String tenantId) {
      return tenant == null || tenant.equals(tenantId);
    }
  }

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the JDK", e);
    }
  });

  private final Map<java.nio.ByteBuffer, Service> byDigest = new HashMap<>();

  public ApiKeys(List<String> entries) {
    for (String entry : entries) {
      int colon = entry.indexOf(':');
      String tenant = colon > 0 ? entry.substring(0, colon) : null;
      String key = colon > 0 ? entry.substring(colon + 1) : entry;
      if (key.length() < 16) {
        throw new ConfigException("HERALD_API_KEYS entries need keys of at least 16 characters; "
            + "one has " + key.length());
      }
      if (tenant != null && !Identity.isValidId(tenant)) {
        throw new ConfigException("HERALD_API_KEYS has an invalid tenant id '" + tenant + "'");
      }
      byDigest.put(digest(key), new Service(tenant));
    }
  }

  /** The service that {@code key} belongs to, if any. */
  public Optional<Service> authenticate(String key) {
    if (key == null || key.isEmpty() || key.length() > 512) {
      return Optional.empty();
    }
    return Optional.ofNullable(byDigest.get(digest(key)));
  }

  /** The key's SHA-256 digest, as a map key (a ByteBuffer compares by content). */
  private static java.nio.ByteBuffer digest(String key) {
    return java.nio.ByteBuffer.wrap(SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
  }
}
