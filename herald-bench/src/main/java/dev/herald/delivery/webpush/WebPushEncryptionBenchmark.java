package dev.herald.delivery.webpush;

import java.net.URI;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU of one push message: {@code encrypt} is RFC 8291's {@code aes128gcm} with a fresh P-256
 * key pair and salt (key generation, ECDH, four HMACs, AES-GCM over {@code bytes} of plaintext, up
 * to the 3993 that fit one message); {@code authorization} is the VAPID header of a cached token.
 * In the server's package because the P-256 helpers are package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WebPushEncryptionBenchmark {
  @Param({"200", "3993"})
  public int bytes;

  private final WebPushEncryption encryption = new WebPushEncryption();
  private final URI endpoint = URI.create("https://fcm.googleapis.com/fcm/send/abc");
  private Vapid vapid;
  private SubscriptionKeys keys;
  private byte[] plaintext;

  @Setup
  public void setUp() {
    KeyPair ua = P256.generate();
    keys = SubscriptionKeys.parse(Base64Url.encode(P256.encode((ECPublicKey) ua.getPublic())),
        Base64Url.encode(new byte[16]));
    plaintext = new byte[bytes];
    Arrays.fill(plaintext, (byte) 'x');
    vapid = new Vapid(Vapid.generateKeyPair(), "mailto:bench@example.com", Clock.systemUTC());
  }

  @Benchmark
  public byte[] encrypt() {
    return encryption.encrypt(plaintext, keys);
  }

  @Benchmark
  public String authorization() {
    return vapid.authorization(endpoint);
  }
}
