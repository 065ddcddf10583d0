package dev.herald.delivery.email;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code HERALD_SMTP_URL}, read: {@code smtp://[user[:pass]@]host[:port][?starttls=required][&trust=*]}.
 * {@code smtp://} upgrades with STARTTLS when the server offers it (port 25 when none is given);
 * {@code ?starttls=required} refuses a server that does not; {@code smtps://} speaks TLS from the
 * first byte (port 465). User and password are percent-decoded ({@code %40} for {@code @}).
 * {@code ?trust=*} accepts any certificate: only for a test server's self-signed one, never in
 * production; {@code ?trust=host1 host2} trusts those hosts' certificates without a chain check.
 *
 * @param trust null: certificates are checked against the JDK's trust store and the host name
 */
record SmtpUrl(String host, int port, String user, String password, boolean implicitTls, boolean starttlsRequired,
    String trust) {

  static SmtpUrl parse(String url) {
    URI u = URI.create(url);
    boolean implicit = "smtps".equalsIgnoreCase(u.getScheme());
    if (!implicit && !"smtp".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException("HERALD_SMTP_URL must look like smtp://user:pass@host:587, was "
          + u.getScheme() + "://…");
    }
    String user = null;
    String password = null;
    if (u.getRawUserInfo() != null) {
      String info = u.getRawUserInfo();
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    Map<String, String> query = query(u.getRawQuery());
    String starttls = query.getOrDefault("starttls", "");
    return new SmtpUrl(u.getHost(), u.getPort() > 0 ? u.getPort() : implicit ? 465 : 25, user, password, implicit,
        starttls.equals("required") || starttls.equals("true"), query.get("trust"));
  }

  /** {@code host:port}, the key of this server's isolation in the engine. */
  String key() {
    return host + ":" + port;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        out.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return out;
  }

  /** Percent-decoding of a URL part; a {@code +} stays a plus (it means a space only in forms). */
  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
