package dev.herald.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where Herald's PostgreSQL is: parsed from {@code HERALD_DATABASE_URL}
 * ({@code postgresql://user:password@host:5432/database}, {@code jdbc:} prefix, {@code ?user=} and
 * {@code ?password=} accepted), or the embedded server's address.
 *
 * @param password null when none is given
 */
public record DatabaseUrl(String host, int port, String database, String user, String password) {
  private static final String EXPECTED = "postgresql://user:password@host:5432/database";

  /** Parses {@code url}; a {@link ConfigException} names the variable and the expected form. */
  public static DatabaseUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url.startsWith("jdbc:") ? url.substring(5) : url);
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException("HERALD_DATABASE_URL is not a URL (" + e.getReason() + "), was '" + redact(url)
          + "'; expected " + EXPECTED);
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new ConfigException("HERALD_DATABASE_URL must look like " + EXPECTED + ", was '" + redact(url) + "'");
    }
    String user = "postgres";
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    String query = uri.getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv.length == 2 && kv[0].equals("user")) {
          user = decode(kv[1]);
        } else if (kv.length == 2 && kv[0].equals("password")) {
          password = decode(kv[1]);
        }
      }
    }
    return new DatabaseUrl(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
        path.isEmpty() ? user : decode(path), user, password);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** {@code host:port/database}, for logs: no credentials. */
  @Override
  public String toString() {
    return host + ":" + port + "/" + database;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("HERALD_DATABASE_URL has a malformed percent-encoding (" + e.getMessage()
          + "); encode reserved characters of the user and password as %XX");
    }
  }

  /** {@code url} with its user information hidden. */
  static String redact(String url) {
    return url.replaceAll("//[^@/]*@", "//***@");
  }
}
