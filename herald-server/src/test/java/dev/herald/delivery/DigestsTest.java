package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Digests (issue 13) through a real node, its engine and a real SMTP server (GreenMail): email of a
 * type with a digest is gathered into one durable digest per recipient, left out of it once read,
 * sent as one message listing the first {@code maxItems} with the total, and kept across a restart
 * of the node in the middle of the window, after which it is sent once. The window's end is
 * brought forward in the database (the send job's {@code run_at}) rather than waited for.
 */
class DigestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TYPE = "comment.added";

  @RegisterExtension
  static final GreenMailExtension GREENMAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private final TestDatabase db = TestDatabase.get();
  private String url;
  private TestHerald herald;

  @BeforeEach
  void setUp() throws Exception {
    url = db.createDatabase();
    herald = node();
    put("/api/types/" + TYPE, """
        {"channels": ["inApp", "email"], "email": {"when": "always"}, "digest": {"window": "PT1H", "maxItems": 2}}""");
    put("/api/users/dora", "{\"email\": \"dora@example.org\", \"name\": \"Dora\"}");
  }

  @AfterEach
  void tearDown() {
    if (herald != null) {
      herald.close();
    }
    db.dropDatabase(url);
  }

  private TestHerald node() {
    return TestHerald.start(Map.of("HERALD_DATABASE_URL", url,
        "HERALD_SMTP_URL", "smtp://127.0.0.1:" + GREENMAIL.getSmtp().getPort()));
  }

  private void put(String path, String body) throws Exception {
    HttpResponse<String> r = herald.call("PUT", path, TestHerald.ACME_KEY, body);
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
  }

  private String create(String recipient, String title, String extra) throws Exception {
    HttpResponse<String> r = herald.post("/api/notifications", TestHerald.ACME_KEY, """
        {"type": "%s", "recipients": ["%s"], "title": "%s", "message": "said something", "channel": "comments"%s}"""
        .formatted(TYPE, recipient, title, extra));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).at("/ids/0").asText();
  }

  private Object scalar(String sql, Object... params) {
    return db.scalar(url, sql, params);
  }

  private OffsetDateTime time(String sql, Object... params) {
    return ((java.sql.Timestamp) scalar(sql, params)).toInstant().atOffset(java.time.ZoneOffset.UTC);
  }

  /** The one open digest of {@code user}'s email, or null. */
  private String openDigest(String user) {
    Object id = scalar("select id::text from digest where tenant_id = 'acme' and recipient = ? and state = 'open'", user);
    return (String) id;
  }

  /** Brings the digest's send job due now and wakes the engines (the window would end in an hour). */
  private void dueNow(String digest) {
    scalar("with u as (update delivery_job set run_at = now() where digest_id = ?::uuid and notification_id is null "
        + "returning 1) select count(*) from u", digest);
    scalar("select pg_notify('herald_delivery', '')");
  }

  private String sendState(String digest) {
    return (String) scalar("select string_agg(state || coalesce(':' || reason, ''), ',') from delivery_job "
        + "where digest_id = ?::uuid and notification_id is null", digest);
  }

  @Test
  void itemsAreGatheredIntoOneMessageListingTheFirstMaxItemsWithTheTotalAndReadOnesLeftOut() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      ids.add(create("dora", "Comment " + i, ""));
    }
    String digest = openDigest("dora");
    assertThat(digest).isNotNull();
    // every item's own job ends skipped: digested, in the digest; one send job, due in an hour
    assertThat(scalar("select count(*) from delivery_job where digest_id = ?::uuid and state = 'skipped' "
        + "and reason = 'digested' and notification_id is not null", digest)).isEqualTo(4L);
    assertThat(sendState(digest)).isEqualTo("pending");
    OffsetDateTime due = time("select run_at from delivery_job where digest_id = ?::uuid "
        + "and notification_id is null", digest);
    assertThat(Duration.between(OffsetDateTime.now(), due)).isBetween(Duration.ofMinutes(55), Duration.ofMinutes(61));
    // the explanation stored with the notification says where its email went
    JsonNode explain = JSON.readTree((String) scalar("select explain::text from notification where id = ?::uuid",
        ids.get(0)));
    assertThat(explain.at("/email/decision").asText()).isEqualTo("digested");
    assertThat(explain.at("/email/digest/key").asText()).isEqualTo("type:" + TYPE);
    assertThat(explain.at("/email/rule").asText()).isEqualTo("type:digest");
    assertThat(GREENMAIL.getReceivedMessages()).isEmpty();

    // Comment 2 is read before the digest goes: it is left out
    HttpResponse<String> read = herald.call("PUT", "/api/notifications/" + ids.get(1) + "/read",
        TestHerald.token("dora", "acme"), null);
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    dueNow(digest);

    await().atMost(Duration.ofSeconds(15)).until(() -> "delivered".equals(sendState(digest)));
    MimeMessage[] mails = GREENMAIL.getReceivedMessages();
    assertThat(mails).hasSize(1);
    assertThat(mails[0].getSubject()).isEqualTo("3 new notifications");
    assertThat(mails[0].getHeader("X-Herald-Digest-Id")[0]).isEqualTo(digest);
    String body = GreenMailUtil.getBody(mails[0]);
    assertThat(body).contains("Comment 1", "Comment 3", "and 1 more").doesNotContain("Comment 2", "Comment 4");
    assertThat(scalar("select state from digest where id = ?::uuid", digest)).isEqualTo("closed");
    // the listed and the unlisted unread ones were delivered by email; the read one was not
    assertThat(scalar("select string_agg(title, ',' order by title) from notification "
        + "where 'email' = any(delivered_via) and recipient = 'dora'")).isEqualTo("Comment 1,Comment 3,Comment 4");

    // a later item opens the next digest, with a send job of its own
    create("dora", "Comment 5", "");
    String next = openDigest("dora");
    assertThat(next).isNotNull().isNotEqualTo(digest);
    assertThat(sendState(next)).isEqualTo("pending");
  }

  @Test
  void aDigestWhoseItemsWereAllReadIsSkippedAsRead() throws Exception {
    String a = create("dora", "Seen 1", "");
    String b = create("dora", "Seen 2", "");
    String digest = openDigest("dora");
    HttpResponse<String> all = herald.call("PUT", "/api/notifications/read-all", TestHerald.token("dora", "acme"), null);
    assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
    dueNow(digest);
    await().atMost(Duration.ofSeconds(15)).until(() -> "skipped:read".equals(sendState(digest)));
    assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
    assertThat(scalar("select count(*) from notification where id in (?::uuid, ?::uuid) "
        + "and 'email' = any(delivered_via)", a, b)).isEqualTo(0L);
  }

  @Test
  void aRestartInTheMiddleOfTheWindowLosesNothingAndTheDigestIsSentOnce() throws Exception {
    create("dora", "Before 1", "");
    create("dora", "Before 2", "");
    String digest = openDigest("dora");
    herald.close();
    herald = node();
    create("dora", "After restart", "");
    assertThat(openDigest("dora")).as("the item after the restart joins the same digest").isEqualTo(digest);
    assertThat(scalar("select count(*) from delivery_job where digest_id = ?::uuid and notification_id is null",
        digest)).as("one send job").isEqualTo(1L);
    put("/api/types/" + TYPE, """
        {"channels": ["inApp", "email"], "email": {"when": "always"}, "digest": {"window": "PT1H", "maxItems": 10}}""");
    dueNow(digest);
    await().atMost(Duration.ofSeconds(15)).until(() -> "delivered".equals(sendState(digest)));
    MimeMessage[] mails = GREENMAIL.getReceivedMessages();
    assertThat(mails).hasSize(1);
    // the digest keeps the maxItems it opened with (2): two listed, one more
    assertThat(GreenMailUtil.getBody(mails[0])).contains("Before 1", "Before 2", "and 1 more");
    assertThat(mails[0].getSubject()).isEqualTo("3 new notifications");
  }

  @Test
  void anUrgentNotificationIsNotDigested() throws Exception {
    String id = create("dora", "Server on fire", ", \"priority\": \"urgent\"");
    await().atMost(Duration.ofSeconds(15)).until(() -> GREENMAIL.getReceivedMessages().length == 1);
    assertThat(GREENMAIL.getReceivedMessages()[0].getSubject()).isEqualTo("Server on fire");
    assertThat(openDigest("dora")).isNull();
    assertThat(scalar("select digest_id is null from delivery_job where notification_id = ?::uuid", id))
        .isEqualTo(true);
  }

  @Test
  void aDigestTemplateRendersTheMessage() throws Exception {
    HttpResponse<String> t = herald.post("/api/templates", TestHerald.ACME_KEY, """
        {"name": "%s.digest", "deliveryChannel": "email", "title": "Your {{total}} comments",
         "message": "{{#items}}* {{title}}\\n{{/items}}{{#more}}and {{more}} more{{/more}}"}""".formatted(TYPE));
    assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
    create("dora", "First", "");
    create("dora", "Second", "");
    create("dora", "Third", "");
    String digest = openDigest("dora");
    dueNow(digest);
    await().atMost(Duration.ofSeconds(15)).until(() -> "delivered".equals(sendState(digest)));
    MimeMessage mail = GREENMAIL.getReceivedMessages()[0];
    assertThat(mail.getSubject()).isEqualTo("Your 3 comments");
    assertThat(GreenMailUtil.getBody(mail)).contains("* First", "* Second", "and 1 more").doesNotContain("Third");
  }

  @Test
  void theUsersDailyDigestPreferenceGathersTheNotificationChannelUntilNineInTheirTimeZone() throws Exception {
    put("/api/users/kenji", "{\"email\": \"kenji@example.org\", \"timeZone\": \"Asia/Tokyo\"}");
    HttpResponse<String> prefs = herald.call("PUT", "/api/notifications/preferences", TestHerald.token("kenji", "acme"),
        "{\"digest\": {\"comments\": \"daily\"}}");
    assertThat(prefs.statusCode()).as(prefs.body()).isEqualTo(200);
    String id = create("kenji", "Daily one", "");
    String digest = openDigest("kenji");
    assertThat(digest).isNotNull();
    assertThat(scalar("select key from digest where id = ?::uuid", digest)).isEqualTo("channel:comments");
    OffsetDateTime due = time("select due_at from digest where id = ?::uuid", digest);
    var local = due.atZoneSameInstant(java.time.ZoneId.of("Asia/Tokyo"));
    assertThat(local.toLocalTime()).isEqualTo(java.time.LocalTime.of(9, 0));
    assertThat(Duration.between(OffsetDateTime.now(), due)).isPositive().isLessThanOrEqualTo(Duration.ofDays(1));
    JsonNode explain = JSON.readTree((String) scalar("select explain::text from notification where id = ?::uuid", id));
    assertThat(explain.at("/email/rule").asText()).isEqualTo("digest:daily");
  }

  @Test
  void quietHoursHoldADigestLikeAnyMessage() throws Exception {
    // quiet from now until two hours ahead in UTC: the digest, due in an hour, is held until they end
    java.time.LocalTime now = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
    java.time.format.DateTimeFormatter hhmm = java.time.format.DateTimeFormatter.ofPattern("HH:mm");
    HttpResponse<String> prefs = herald.call("PUT", "/api/notifications/preferences", TestHerald.token("dora", "acme"),
        "{\"quietHours\": {\"start\": \"" + now.minusMinutes(5).format(hhmm) + "\", \"end\": \""
            + now.plusHours(2).format(hhmm) + "\", \"timezone\": \"UTC\"}}");
    assertThat(prefs.statusCode()).as(prefs.body()).isEqualTo(200);
    create("dora", "Late comment", "");
    String digest = openDigest("dora");
    assertThat(sendState(digest)).isEqualTo("held");
    OffsetDateTime runAt = time("select run_at from delivery_job where digest_id = ?::uuid "
        + "and notification_id is null", digest);
    assertThat(Duration.between(OffsetDateTime.now(), runAt)).isBetween(Duration.ofMinutes(100), Duration.ofMinutes(121));
  }

  @Test
  void erasingTheUserErasesTheirDigests() throws Exception {
    create("dora", "To be forgotten", "");
    assertThat(openDigest("dora")).isNotNull();
    HttpResponse<String> export = herald.call("GET", "/api/users/dora/export", TestHerald.ACME_KEY, null);
    assertThat(JSON.readTree(export.body()).path("digests")).hasSize(1);
    HttpResponse<String> erase = herald.call("DELETE", "/api/users/dora", TestHerald.ACME_KEY, null);
    assertThat(erase.statusCode()).as(erase.body()).isEqualTo(204);
    assertThat(scalar("select count(*) from digest where recipient = 'dora'")).isEqualTo(0L);
    assertThat(scalar("select count(*) from delivery_job where recipient = 'dora'")).isEqualTo(0L);
  }

  @Test
  void itemsCreatedWhileADigestIsBeingSentAreInItOrInTheNextNeverLost() throws Exception {
    put("/api/types/" + TYPE, """
        {"channels": ["inApp", "email"], "email": {"when": "always"}, "digest": {"window": "PT1H", "maxItems": 500}}""");
    int creates = 60;
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<String>> done = new ArrayList<>();
      for (int i = 0; i < creates; i++) {
        int n = i;
        done.add(clients.submit(() -> create("dora", "Race " + n, "")));
        if (i == creates / 3 || i == 2 * creates / 3) {
          // the digest open now falls due while creates keep coming
          done.get(i).get();
          dueNow(openDigest("dora"));
        }
      }
      for (java.util.concurrent.Future<String> f : done) {
        f.get();
      }
    } finally {
      clients.shutdownNow();
    }
    String last = openDigest("dora");
    if (last != null) {
      dueNow(last);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> (Long) scalar("select count(*) from delivery_job "
        + "where recipient = 'dora' and notification_id is null and state <> 'delivered'") == 0L
        && (Long) scalar("select count(*) from digest where recipient = 'dora' and state = 'open'") == 0L);
    int listed = 0;
    for (MimeMessage mail : GREENMAIL.getReceivedMessages()) {
      String subject = mail.getSubject();
      listed += subject.startsWith("1 ") ? 1 : Integer.parseInt(subject.substring(0, subject.indexOf(' ')));
    }
    assertThat(listed).as("every item in exactly one digest that was sent").isEqualTo(creates);
    assertThat(GREENMAIL.getReceivedMessages().length).isEqualTo(
        ((Long) scalar("select count(*) from digest where recipient = 'dora'")).intValue());
  }
}
