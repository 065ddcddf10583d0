package dev.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeraldConfigTest {
  @Test
  void defaultsMatchTheContract() {
    HeraldConfig c = HeraldConfig.defaults();
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.dataDir()).isEqualTo(Path.of("./herald-data"));
    assertThat(c.engine().pingInterval().toMillis()).isEqualTo(25_000);
    assertThat(c.engine().maxPayload()).isEqualTo(1_000_000);
    assertThat(c.recovery().window().toMinutes()).isEqualTo(2);
    assertThat(c.notifications().ackRetryInterval().toMillis()).isEqualTo(5_000);
    assertThat(c.notifications().ackMaxRetries()).isEqualTo(3);
    assertThat(c.notifications().synchronousCommit()).isTrue();
    assertThat(c.databaseUrl()).isNull();
  }

  @Test
  void notificationSettingsAreReadAndChecked() {
    HeraldConfig c = HeraldConfig.fromEnv(Map.of("HERALD_DATABASE_SYNCHRONOUS_COMMIT", "off",
        "HERALD_ACK_MAX_RETRIES", "0", "HERALD_DATABASE_POOL_SIZE", "3"));
    assertThat(c.notifications().synchronousCommit()).isFalse();
    assertThat(c.notifications().ackMaxRetries()).isZero();
    assertThat(c.notifications().databasePoolSize()).isEqualTo(3);
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_DATABASE_SYNCHRONOUS_COMMIT", "maybe")))
        .hasMessageContaining("HERALD_DATABASE_SYNCHRONOUS_COMMIT").hasMessageContaining("maybe");
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_ACK_MAX_RETRIES", "-1")))
        .hasMessageContaining("HERALD_ACK_MAX_RETRIES");
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_DATABASE_POOL_SIZE", "0")))
        .hasMessageContaining("HERALD_DATABASE_POOL_SIZE");
  }

  @Test
  void criticalTypesListTheChannelsTheyMayOverrideAfterTheirLastColon() {
    var types = HeraldConfig.fromEnv(Map.of("HERALD_CRITICAL_TYPES",
        "security.alert:email+push, account.locked, order:shipped, billing:failed:email")).notifications().criticalTypes();
    assertThat(types).containsOnlyKeys("security.alert", "account.locked", "order:shipped", "billing:failed");
    assertThat(types.get("security.alert")).containsExactlyInAnyOrder("email", "push");
    assertThat(types.get("account.locked")).isEmpty();
    assertThat(types.get("order:shipped")).isEmpty();
    assertThat(types.get("billing:failed")).containsExactly("email");
    assertThat(HeraldConfig.defaults().notifications().criticalTypes()).isEmpty();
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_CRITICAL_TYPES", "bad type!")))
        .hasMessageContaining("HERALD_CRITICAL_TYPES").hasMessageContaining("bad type!");
  }

  @Test
  void deliverySettingsAreReadAndALeaseShorterThanAnAttemptIsRefused() {
    HeraldConfig c = HeraldConfig.fromEnv(Map.of("HERALD_DELIVERY_RETRY_DELAYS", "200ms,2s,1m,1h",
        "HERALD_SMTP_URL", "smtps://u:p@mail.example:465", "HERALD_ALLOW_PRIVATE_TARGETS", "true"));
    assertThat(c.delivery().retryDelays()).containsExactly(java.time.Duration.ofMillis(200),
        java.time.Duration.ofSeconds(2), java.time.Duration.ofMinutes(1), java.time.Duration.ofHours(1));
    assertThat(c.delivery().allowPrivateTargets()).isTrue();
    assertThat(HeraldConfig.defaults().delivery().retryDelays()).hasSize(4);
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_DELIVERY_RETRY_DELAYS", "1s,soon")))
        .hasMessageContaining("HERALD_DELIVERY_RETRY_DELAYS").hasMessageContaining("soon");
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_SMTP_URL", "mail.example:25")))
        .hasMessageContaining("HERALD_SMTP_URL");
    // the SMTP timeout is 30 s by default: a 10 s lease would let a running job be claimed again
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_DELIVERY_LEASE_MS", "10000")))
        .hasMessageContaining("HERALD_DELIVERY_LEASE_MS").hasMessageContaining("33000");
    assertThat(HeraldConfig.fromEnv(Map.of("HERALD_DELIVERY_LEASE_MS", "10000", "HERALD_WEBHOOK_TIMEOUT_MS", "5000",
        "HERALD_SMTP_TIMEOUT_MS", "5000")).delivery().lease().toMillis()).isEqualTo(10_000);
  }

  @Test
  void badValuesNameTheVariableAndTheValue() {
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_PORT", "70000")))
        .hasMessageContaining("HERALD_PORT").hasMessageContaining("70000");
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_PING_INTERVAL_MS", "soon")))
        .hasMessageContaining("HERALD_PING_INTERVAL_MS").hasMessageContaining("soon");
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_RATE_LIMIT_BURST", "0")))
        .hasMessageContaining("HERALD_RATE_LIMIT_BURST");
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_JWT_SECRET", "short")))
        .hasMessageContaining("HERALD_JWT_SECRET");
  }

  /**
   * Issue 11, defect 4: start-up named only the first bad setting it met (and checked API keys only
   * after the database had started); every one is named at once, with its value and the fix.
   */
  @Test
  void everyBadSettingIsNamedAtOnceWithItsValue() {
    Throwable thrown = catchThrowable(() -> HeraldConfig.fromEnv(Map.of(
        "HERALD_PORT", "99999",
        "HERALD_PING_INTERVAL_MS", "soon",
        "HERALD_API_KEYS", "acme:short-key",
        "HERALD_JWT_SECRET", "tiny",
        "HERALD_DATABASE_URL", "mysql://db.example/herald",
        "HERALD_ACK_MAX_RETRIES", "-1")));
    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(thrown.getMessage())
        .contains("HERALD_PORT").contains("99999")
        .contains("HERALD_PING_INTERVAL_MS").contains("soon")
        .contains("HERALD_API_KEYS").contains("acme:")
        .contains("HERALD_JWT_SECRET")
        .contains("HERALD_DATABASE_URL").contains("mysql://db.example/herald")
        .contains("HERALD_ACK_MAX_RETRIES").contains("-1");
    // a key is a secret: its length is named, never the key itself
    assertThat(thrown.getMessage()).doesNotContain("short-key").doesNotContain("tiny");
  }

  /**
   * Issue 11, defect 4: settings that only the components using them checked (after the database had
   * started) are checked with the rest.
   */
  @Test
  void settingsCheckedOnlyAtUseAreCheckedUpFront() {
    Throwable thrown = catchThrowable(() -> HeraldConfig.fromEnv(Map.of(
        "HERALD_API_KEYS", "a-key-of-16-chars-x, bad tenant:another-key-of-16-chars",
        "HERALD_JWT_PUBLIC_KEY", "not a pem",
        "HERALD_JWT_JWKS_URL", "not a url",
        "HERALD_ROOM_HOOK_URL", "ftp://hooks.example/rooms")));
    assertThat(thrown).isInstanceOf(ConfigException.class);
    assertThat(thrown.getMessage())
        .contains("HERALD_API_KEYS").contains("bad tenant")
        .contains("HERALD_JWT_PUBLIC_KEY").contains("BEGIN PUBLIC KEY")
        .contains("HERALD_JWT_JWKS_URL").contains("not a url")
        .contains("HERALD_ROOM_HOOK_URL").contains("ftp://hooks.example/rooms");
  }

  @Test
  void headerTimeoutIsTenSecondsByDefaultAndMustBePositive() {
    assertThat(HeraldConfig.defaults().limits().headerTimeout().toMillis()).isEqualTo(10_000);
    assertThat(HeraldConfig.fromEnv(Map.of("HERALD_HEADER_TIMEOUT_MS", "2500")).limits().headerTimeout().toMillis())
        .isEqualTo(2_500);
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_HEADER_TIMEOUT_MS", "0")))
        .hasMessageContaining("HERALD_HEADER_TIMEOUT_MS").hasMessageContaining("0");
    assertThatThrownBy(() -> HeraldConfig.fromEnv(Map.of("HERALD_HEADER_TIMEOUT_MS", "10s")))
        .hasMessageContaining("HERALD_HEADER_TIMEOUT_MS").hasMessageContaining("10s");
  }

  @Test
  void apiKeysAndOriginsAreCommaSeparated() {
    HeraldConfig c = HeraldConfig.fromEnv(Map.of("HERALD_API_KEYS", " a-key-of-16-chars-x , acme:b-key-of-16-chars-x ",
        "HERALD_CORS_ORIGINS", "https://app.example"));
    assertThat(c.auth().apiKeys()).containsExactly("a-key-of-16-chars-x", "acme:b-key-of-16-chars-x");
    assertThat(c.engine().allowsOrigin("https://app.example")).isTrue();
    assertThat(c.engine().allowsOrigin("https://evil.example")).isFalse();
    assertThat(c.engine().allowsOrigin(null)).isTrue();
  }

  @Test
  void devCredentialsAreGeneratedOnceAndKept() throws Exception {
    Path dir = Files.createTempDirectory("herald-cred");
    DevCredentials first = DevCredentials.loadOrCreate(dir);
    DevCredentials again = DevCredentials.loadOrCreate(dir);
    assertThat(again).isEqualTo(first);
    assertThat(first.jwtSecret().length()).isGreaterThanOrEqualTo(43);
    assertThat(first.apiKey()).startsWith("hk_");
  }
}
