package dev.herald.delivery.webpush;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.config.DatabaseUrl;
import dev.herald.config.P256Keys;
import dev.herald.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.security.interfaces.ECPublicKey;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The subscription store as the routes and the push channel use it, on a real PostgreSQL. */
class PushSubscriptionsTest {
  private static final TestDatabase db = TestDatabase.get();
  private static final String AUTH = P256Keys.base64url(new byte[16]);
  private static String url;
  private static Vertx vertx;
  private static Pool pool;
  private static PushSubscriptions store;

  @BeforeAll
  static void setUp() {
    url = db.createDatabase();
    vertx = Vertx.vertx();
    DatabaseUrl target = DatabaseUrl.parse(url);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(new PgConnectOptions()
        .setHost(target.host()).setPort(target.port()).setDatabase(target.database()).setUser(target.user())
        .setPassword(target.password() == null ? "" : target.password())).using(vertx).build();
    store = new PushSubscriptions(pool);
  }

  @AfterAll
  static void tearDown() {
    pool.close();
    vertx.close();
    db.dropDatabase(url);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static PushSubscriptionBody body(String endpoint) throws Exception {
    String key = P256Keys.base64url(P256Keys.raw((ECPublicKey) P256Keys.generate().getPublic()));
    return PushSubscriptionBody.read(new ObjectMapper().readTree("{\"endpoint\":\"" + endpoint + "\","
        + "\"expirationTime\":null,\"keys\":{\"p256dh\":\"" + key + "\",\"auth\":\"" + AUTH + "\"}}"), false);
  }

  private static String endpoint() {
    return "https://push.example.com/" + UUID.randomUUID();
  }

  @Test
  void findGivesTheChannelTheKeysOnlyWithinTheTenant() throws Exception {
    PushSubscriptionBody body = body(endpoint());
    UUID id = await(store.save("acme", "alice", body, "Firefox")).id();

    PushSubscription found = await(store.find("acme", id));

    assertThat(found.user()).isEqualTo("alice");
    assertThat(found.endpoint()).isEqualTo(body.endpoint().toString());
    assertThat(found.p256dh()).isEqualTo(body.p256dh());
    assertThat(found.auth()).isEqualTo(AUTH);
    assertThat(found.userAgent()).isEqualTo("Firefox");
    assertThat(await(store.find("globex", id))).isNull();
  }

  @Test
  void theSameEndpointInAnotherTenantIsAnotherSubscription() throws Exception {
    String endpoint = endpoint();

    PushSubscriptions.Saved acme = await(store.save("acme", "alice", body(endpoint), null));
    PushSubscriptions.Saved globex = await(store.save("globex", "alice", body(endpoint), null));

    assertThat(acme.created()).isTrue();
    assertThat(globex.created()).isTrue();
    assertThat(globex.id()).isNotEqualTo(acme.id());
  }

  @Test
  void anEndpointSubscribedByAnotherUserPassesToThatUser() throws Exception {
    String endpoint = endpoint();
    UUID id = await(store.save("acme", "alice", body(endpoint), null)).id();

    PushSubscriptions.Saved again = await(store.save("acme", "bob", body(endpoint), null));

    assertThat(again).isEqualTo(new PushSubscriptions.Saved(id, false));
    assertThat(await(store.list("acme", "alice"))).extracting(PushSubscription::id).doesNotContain(id);
    assertThat(await(store.list("acme", "bob"))).extracting(PushSubscription::id).containsExactly(id);
  }

  @Test
  void theChannelRemovesAGoneSubscriptionAndNotesSuccesses() throws Exception {
    UUID kept = await(store.save("acme", "carol", body(endpoint()), null)).id();
    UUID gone = await(store.save("acme", "carol", body(endpoint()), null)).id();

    await(store.succeeded(kept));
    boolean removed = await(store.remove(gone));

    assertThat(removed).isTrue();
    assertThat(await(store.remove(gone))).isFalse();
    assertThat(await(store.list("acme", "carol"))).extracting(PushSubscription::id).containsExactly(kept);
    assertThat(db.scalar(url, "select last_success_at is not null from push_subscription where id = ?", kept))
        .isEqualTo(true);
  }
}
