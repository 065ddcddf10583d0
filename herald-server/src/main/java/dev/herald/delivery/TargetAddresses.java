package dev.herald.delivery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * The SSRF guard of push and webhook targets (contract part 2: "Targets of push and webhooks must be
 * public addresses: loopback, private and link-local targets are refused unless
 * {@code HERALD_ALLOW_PRIVATE_TARGETS=true}"). Checked when a target is registered and again before
 * each send, since what a name resolves to may change.
 *
 * <p>A check resolves the host, and the HTTP client resolves it again when it connects: a name whose
 * DNS answer changes in between (rebinding) is not caught here. The check still stops every target
 * that names or resolves to an internal address at the time of the send.
 *
 * <p>Threads: any; {@link #refusal} blocks on DNS, so call it off the event loop.
 */
public final class TargetAddresses {
  /** How a host name becomes addresses: every address, as the HTTP client may try any of them. */
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final boolean allowPrivate;
  private final Resolver resolver;

  public TargetAddresses(boolean allowPrivate, Resolver resolver) {
    this.allowPrivate = allowPrivate;
    this.resolver = resolver;
  }

  /** The guard of {@code HERALD_ALLOW_PRIVATE_TARGETS} over the system's resolver. */
  public static TargetAddresses of(boolean allowPrivate) {
    return new TargetAddresses(allowPrivate, InetAddress::getAllByName);
  }

  public boolean allowsPrivate() {
    return allowPrivate;
  }

  /**
   * Why {@code url} may not be a target, or empty when it may: http or https only, no userinfo, a
   * host; and unless private targets are allowed, every address of the host public.
   */
  public Optional<String> refusal(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Optional.of("the URL must be http or https");
    }
    if (url.getRawUserInfo() != null) {
      return Optional.of("the URL must not carry a user name or password");
    }
    String host = url.getHost();
    if (host == null || host.isEmpty()) {
      return Optional.of("the URL must name a host");
    }
    if (allowPrivate) {
      return Optional.empty();
    }
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(bare);
    } catch (UnknownHostException e) {
      return Optional.of("the host " + bare + " does not resolve");
    }
    for (InetAddress a : addresses) {
      String kind = internalKind(a);
      if (kind != null) {
        return Optional.of("the host " + bare + " resolves to " + a.getHostAddress() + ", a " + kind
            + " address; targets must be public (HERALD_ALLOW_PRIVATE_TARGETS=true allows it)");
      }
    }
    return Optional.empty();
  }

  /** What kind of non-public address {@code a} is ({@code loopback}, {@code private}, …), or null when public. */
  static String internalKind(InetAddress a) {
    if (a instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      Inet4Address embedded = embeddedIpv4(b);
      if (embedded != null) {
        return internalKind(embedded);
      }
      if ((b[0] & 0xfe) == 0xfc) {
        return "private (unique local, fc00::/7)";
      }
    }
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    if (a.isAnyLocalAddress()) {
      return "unspecified";
    }
    if (a.isLinkLocalAddress()) {
      return "link-local";
    }
    if (a.isSiteLocalAddress()) {
      // 10/8, 172.16/12, 192.168/16 and IPv6's deprecated site-local fec0::/10
      return "private";
    }
    if (a.isMulticastAddress()) {
      return "multicast";
    }
    if (a instanceof Inet4Address v4) {
      int first = v4.getAddress()[0] & 0xff;
      int second = v4.getAddress()[1] & 0xff;
      if (first == 100 && second >= 64 && second <= 127) {
        return "shared (carrier-grade NAT, 100.64.0.0/10)";
      }
      if (first == 0) {
        return "unspecified (0.0.0.0/8)";
      }
      if (first >= 240) {
        return "reserved (240.0.0.0/4)";
      }
      if (first == 198 && (second == 18 || second == 19)) {
        return "benchmarking (198.18.0.0/15)";
      }
    }
    return null;
  }

  /**
   * The IPv4 address inside an IPv4-mapped ({@code ::ffff:a.b.c.d}), IPv4-compatible
   * ({@code ::a.b.c.d}) or NAT64 ({@code 64:ff9b::a.b.c.d}) IPv6 address, or null. The JDK turns
   * mapped addresses it parses into {@link Inet4Address} already; resolvers may still hand back the
   * others.
   */
  private static Inet4Address embeddedIpv4(byte[] b) {
    boolean zeros = true;
    for (int i = 0; i < 10; i++) {
      zeros &= b[i] == 0;
    }
    boolean mapped = zeros && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = zeros && b[10] == 0 && b[11] == 0 && !isAllZeroOrOne(b);
    boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    for (int i = 4; nat64 && i < 12; i++) {
      nat64 = b[i] == 0;
    }
    if (!mapped && !compatible && !nat64) {
      return null;
    }
    try {
      return (Inet4Address) InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are an IPv4 address", e);
    }
  }

  /** {@code ::} and {@code ::1}, which are IPv6's own unspecified and loopback addresses. */
  private static boolean isAllZeroOrOne(byte[] b) {
    for (int i = 0; i < 15; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[15] == 0 || b[15] == 1;
  }
}
