package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TargetAddressesTest {
  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      "127.0.0.1, loopback",
      "127.8.9.10, loopback",
      "::1, loopback",
      "10.0.0.1, private",
      "172.16.0.1, private",
      "172.31.255.255, private",
      "192.168.1.1, private",
      "fc00::1, private",
      "fd12:3456::1, private",
      "169.254.169.254, link-local",
      "fe80::1, link-local",
      "0.0.0.0, unspecified",
      "::, unspecified",
      "224.0.0.1, multicast",
      "ff02::1, multicast",
      "100.64.0.1, shared",
      "100.127.255.254, shared",
      "::ffff:127.0.0.1, loopback",
      "::ffff:10.1.2.3, private",
      "::ffff:169.254.169.254, link-local",
      "::127.0.0.1, loopback",
      "64:ff9b::10.0.0.1, private",
      "255.255.255.255, reserved",
      "198.18.0.1, benchmarking",
      "fec0::1, private",
  })
  void internalAddressesAreNamedForWhatTheyAre(String address, String kind) throws Exception {
    assertThat(TargetAddresses.internalKind(InetAddress.getByName(address))).startsWith(kind);
  }

  @ParameterizedTest
  @CsvSource({"93.184.216.34", "8.8.8.8", "172.32.0.1", "172.15.255.255", "100.63.255.255", "100.128.0.1",
      "192.169.0.1", "11.0.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8"})
  void publicAddressesAreAllowed(String address) throws Exception {
    assertThat(TargetAddresses.internalKind(InetAddress.getByName(address))).isNull();
  }

  private static final Map<String, String[]> DNS = Map.of(
      "hooks.example.com", new String[] {"93.184.216.34", "2606:2800:220:1::1"},
      "sneaky.example.com", new String[] {"93.184.216.34", "10.0.0.5"},
      "metadata.example.com", new String[] {"169.254.169.254"});

  private static final TargetAddresses GUARD = new TargetAddresses(false, host -> {
    String[] addresses = DNS.get(host);
    if (addresses == null) {
      // literals resolve to themselves, as the JDK's resolver does
      if (host.matches("[0-9.]+|.*:.*")) {
        return new InetAddress[] {InetAddress.getByName(host)};
      }
      throw new UnknownHostException(host);
    }
    InetAddress[] out = new InetAddress[addresses.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = InetAddress.getByName(addresses[i]);
    }
    return out;
  });

  @Test
  void aHostWhoseEveryAddressIsPublicIsAllowed() {
    assertThat(GUARD.refusal(URI.create("https://hooks.example.com/herald?x=1"))).isEmpty();
  }

  @Test
  void aHostWithOnePrivateAddressAmongPublicOnesIsRefused() {
    assertThat(GUARD.refusal(URI.create("https://sneaky.example.com/"))).get().asString()
        .contains("10.0.0.5").contains("private").contains("HERALD_ALLOW_PRIVATE_TARGETS");
  }

  @Test
  void theCloudMetadataAddressIsRefusedByNameAndByLiteral() {
    assertThat(GUARD.refusal(URI.create("http://metadata.example.com/latest"))).get().asString().contains("link-local");
    assertThat(GUARD.refusal(URI.create("http://169.254.169.254/latest"))).get().asString().contains("link-local");
    assertThat(GUARD.refusal(URI.create("http://[::ffff:a9fe:a9fe]/latest"))).get().asString().contains("link-local");
  }

  @Test
  void loopbackLiteralsAreRefused() {
    assertThat(GUARD.refusal(URI.create("http://127.0.0.1:8080/hook"))).get().asString().contains("loopback");
    assertThat(GUARD.refusal(URI.create("http://[::1]/hook"))).get().asString().contains("loopback");
  }

  @Test
  void aHostThatDoesNotResolveIsRefused() {
    assertThat(GUARD.refusal(URI.create("https://nowhere.example.com/"))).get().asString().contains("does not resolve");
  }

  @Test
  void onlyHttpAndHttpsWithoutUserinfoAreTargets() {
    assertThat(GUARD.refusal(URI.create("ftp://hooks.example.com/"))).get().asString().contains("http or https");
    assertThat(GUARD.refusal(URI.create("file:///etc/passwd"))).get().asString().contains("http or https");
    assertThat(GUARD.refusal(URI.create("https://user:pw@hooks.example.com/"))).get().asString().contains("user name");
  }

  @Test
  void allowingPrivateTargetsAllowsLoopbackWithoutResolving() {
    TargetAddresses open = new TargetAddresses(true, host -> {
      throw new AssertionError("no DNS when private targets are allowed");
    });
    assertThat(open.refusal(URI.create("http://127.0.0.1:8080/hook"))).isEmpty();
    assertThat(open.refusal(URI.create("http://localhost/hook"))).isEmpty();
    assertThat(open.refusal(URI.create("gopher://localhost/"))).isPresent();
  }
}
