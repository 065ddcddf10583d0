package dev.herald.delivery.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestHerald;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, "Bad input and faults": an SMTP server that refuses a recipient for good (550) puts the
 * email job in the dead letter at once, with the server's reply; an operator's bulk retry runs it
 * again, and this time the server takes it. A node of its own whose SMTP server is scripted.
 */
class SmtpDeadLetterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static ScriptedSmtpServer smtp;
  private static TestHerald herald;

  @BeforeAll
  static void start() throws Exception {
    smtp = new ScriptedSmtpServer();
    herald = TestHerald.start(Map.of("HERALD_SMTP_URL", "smtp://127.0.0.1:" + smtp.port(),
        "HERALD_DELIVERY_RETRY_DELAYS", "200ms,400ms,800ms,1600ms,3200ms"));
  }

  @AfterAll
  static void stop() throws Exception {
    herald.close();
    smtp.close();
  }

  private static long jobs(String where) {
    return (Long) herald.queryDatabase("select count(*) from delivery_job where delivery_channel = 'email' and " + where);
  }

  @Test
  void aPermanentRefusalIsInTheDeadLetterAtOnceAndABulkRetryDeliversIt() throws Exception {
    smtp.reply.put("RCPT", "550 5.1.1 no such user");
    HttpResponse<String> created = herald.post("/api/notifications", TestHerald.ACME_KEY, """
        {"type": "dead.letter", "title": "Refused", "deliverVia": ["email"],
         "recipients": [{"id": "dl-1", "email": "dl-1@example.org"}, {"id": "dl-2", "email": "dl-2@example.org"},
                        {"id": "dl-3", "email": "dl-3@example.org"}]}""");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    await().atMost(WAIT).until(() -> jobs("state = 'failed'") == 3);
    assertThat(jobs("attempts = 1 and reason = 'rejected' and last_error = '550 5.1.1 no such user'")).isEqualTo(3);
    HttpResponse<String> failed = herald.call("GET", "/api/deliveries?status=failed&channel=email",
        TestHerald.ACME_KEY, null);
    assertThat(failed.statusCode()).isEqualTo(200);
    JsonNode list = JSON.readTree(failed.body()).get("deliveries");
    assertThat(list).hasSize(3).allSatisfy(d -> {
      assertThat(d.get("status").asText()).isEqualTo("failed");
      assertThat(d.get("attempts").get(0).get("error").asText()).isEqualTo("550 5.1.1 no such user");
    });

    smtp.reply.remove("RCPT");
    HttpResponse<String> retried = herald.post("/api/deliveries/retry", TestHerald.ACME_KEY,
        "{\"status\":\"failed\",\"channel\":\"email\"}");
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(JSON.readTree(retried.body()).get("retried").asInt()).isEqualTo(3);

    await().atMost(WAIT).until(() -> jobs("state = 'delivered'") == 3);
    assertThat(smtp.commands.stream().filter(c -> c.startsWith("RCPT")).count()).as("three refused, three taken")
        .isEqualTo(6);
    assertThat((Long) herald.queryDatabase("select count(*) from delivery_log where channel = 'email'"))
        .as("every attempt in the log, the refused ones included").isEqualTo(6);
  }
}
