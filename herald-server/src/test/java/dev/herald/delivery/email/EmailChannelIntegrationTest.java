package dev.herald.delivery.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.herald.delivery.DeliveryJob;
import dev.herald.delivery.Outcome;
import dev.herald.store.Database;
import dev.herald.templates.Templates;
import dev.herald.testing.TestHerald;
import io.vertx.core.Vertx;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The email channel as the engine will run it, on a real node's database and GreenMail: the
 * directory's address (a token claim filling the gap), the tenant's email template, and the
 * unsubscribe link of the received message answered by the node.
 */
class EmailChannelIntegrationTest {
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();
  @RegisterExtension
  static final GreenMailExtension GREENMAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
      .withPerMethodLifecycle(false);

  private static Vertx vertx;
  private static Database database;
  private static EmailChannel channel;

  @BeforeAll
  static void openChannel() throws Exception {
    vertx = Vertx.vertx();
    database = Database.open(vertx, herald.server().config().databaseUrl(), Files.createTempDirectory("email-it"), 2,
        true);
    var delivery = herald.server().config().delivery()
        .withSmtpUrl("smtp://127.0.0.1:" + GREENMAIL.getSmtp().getPort());
    channel = EmailChannel.create(database.pool(), new Templates(database.pool()), delivery, herald.url(),
        herald.server().unsubscribeTokens());
  }

  @AfterAll
  static void closeChannel() {
    channel.close();
    database.close();
    vertx.close();
  }

  private static DeliveryJob job(String user, String type, String data) {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    UUID id = UUID.randomUUID();
    return new DeliveryJob(UUID.randomUUID(), "email", "acme", user, id, null, null, null, "", 1, now,
        new DeliveryJob.Notification(id, type, "In-app title", "In-app message", "orders", "normal", "unread", data,
            null, false, now, null, List.of()));
  }

  @Test
  void aTenantsEmailTemplateReachesTheClaimedAddressAndItsLinkUnsubscribes() throws Exception {
    herald.queryDatabase("insert into directory_user (tenant_id, user_id, name, claim_email) values (?, ?, ?, ?) "
        + "returning user_id", "acme", "it-alice", "Alice", "alice@example.org");
    HttpResponse<String> created = herald.post("/api/templates", TestHerald.ACME_KEY, """
        {"name": "it.shipped", "deliveryChannel": "email", "title": "Order {{order}} shipped",
         "message": "Hello, order {{order}} is on its way", "html": "<p>Order <b>{{order}}</b></p>"}""");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    Outcome outcome = channel.attempt(job("it-alice", "it.shipped", "{\"order\": \"<A-1>\"}"));

    assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
    assertThat(outcome.target()).isEqualTo("alice@example.org");
    MimeMessage received = GREENMAIL.getReceivedMessages()[0];
    assertThat(((InternetAddress) received.getAllRecipients()[0]).getPersonal()).isEqualTo("Alice");
    assertThat(received.getSubject()).isEqualTo("Order <A-1> shipped");
    MimeMultipart parts = (MimeMultipart) received.getContent();
    assertThat((String) parts.getBodyPart(0).getContent()).startsWith("Hello, order <A-1> is on its way");
    assertThat((String) parts.getBodyPart(1).getContent()).startsWith("<p>Order <b>&lt;A-1&gt;</b></p>");

    String header = received.getHeader("List-Unsubscribe", null);
    assertThat(header).startsWith("<" + herald.url() + "/u/");
    HttpResponse<String> unsubscribed = herald.send(HttpRequest.newBuilder(URI.create(header.substring(1,
            header.length() - 1)))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build());
    assertThat(unsubscribed.statusCode()).as(unsubscribed.body()).isEqualTo(200);
    String prefs = herald.call("GET", "/api/notifications/preferences", TestHerald.token("it-alice", "acme"), null).body();
    assertThat(new ObjectMapper().readTree(prefs).path("types").path("it.shipped").path("email").asBoolean(true))
        .isFalse();
  }

  @Test
  void aUserTheDirectoryDoesNotKnowIsSkippedAsNoAddress() throws Exception {
    Outcome outcome = channel.attempt(job("it-nobody", "it.other", null));

    assertThat(outcome).isEqualTo(new Outcome.Skipped(null, "no-address"));
  }
}
