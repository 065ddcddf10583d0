package dev.herald.delivery.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.Outcome;
import jakarta.mail.internet.InternetAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How SMTP refusals and outages become outcomes: 4xx retried, 5xx failed with the reply, no server retried. */
class SmtpFailuresTest {
  private final ScriptedSmtpServer server;
  private final SmtpMailer mailer;

  SmtpFailuresTest() throws Exception {
    server = new ScriptedSmtpServer();
    mailer = new SmtpMailer(SmtpUrl.parse("smtp://127.0.0.1:" + server.port()), Duration.ofSeconds(10), 2, "herald.test");
  }

  @AfterEach
  void stop() throws Exception {
    mailer.close();
    server.close();
  }

  private static Email email() throws Exception {
    return new Email(EmailFixtures.from(), new InternetAddress("bob@example.org"), "Hi", "text", "<p>html</p>",
        "<1.email@herald.local>", Map.of());
  }

  @Test
  void aTemporaryRefusalOfTheRecipientIsRetriedWithTheReply() throws Exception {
    server.reply.put("RCPT", "451 4.3.0 try later");

    Outcome outcome = mailer.send(email());

    assertThat(outcome).isInstanceOf(Outcome.Retry.class);
    assertThat(outcome.target()).isEqualTo("bob@example.org");
    assertThat(((Outcome.Retry) outcome).error()).contains("451 4.3.0 try later");
    assertThat(((Outcome.Retry) outcome).after()).isNull();
  }

  @Test
  void aPermanentRefusalOfTheRecipientFailsWithTheReply() throws Exception {
    server.reply.put("RCPT", "550 5.1.1 no such user");

    Outcome outcome = mailer.send(email());

    assertThat(outcome).isEqualTo(new Outcome.Failed("bob@example.org", "550 5.1.1 no such user"));
  }

  @Test
  void aTemporaryRefusalOfTheMessageAfterDataIsRetried() throws Exception {
    server.reply.put("DATA", "451 4.3.0 try later");

    Outcome outcome = mailer.send(email());

    assertThat(outcome).isInstanceOf(Outcome.Retry.class);
    assertThat(((Outcome.Retry) outcome).error()).contains("451 4.3.0 try later");
  }

  @Test
  void aPermanentRefusalOfTheSenderFailsWithTheReply() throws Exception {
    server.reply.put("MAIL", "553 5.7.1 sender not allowed");

    Outcome outcome = mailer.send(email());

    assertThat(outcome).isEqualTo(new Outcome.Failed("bob@example.org", "553 5.7.1 sender not allowed"));
  }

  @Test
  void oneConnectionCarriesMessageAfterMessageEvenAfterARefusal() throws Exception {
    server.reply.put("RCPT", "550 5.1.1 no such user");
    mailer.send(email());
    server.reply.remove("RCPT");

    Outcome second = mailer.send(email());
    Outcome third = mailer.send(email());

    assertThat(second).isEqualTo(new Outcome.Delivered("bob@example.org", "250 2.0.0 queued as 1"));
    assertThat(third).isInstanceOf(Outcome.Delivered.class);
    assertThat(server.commands.stream().filter(c -> c.startsWith("EHLO")).count()).isEqualTo(1);
    assertThat(server.commands.stream().filter(c -> c.startsWith("MAIL")).count()).isEqualTo(3);
  }

  @Test
  void anSmtpServerThatRefusesConnectionsIsRetried() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (SmtpMailer down = new SmtpMailer(SmtpUrl.parse("smtp://127.0.0.1:" + closedPort), Duration.ofSeconds(5), 1,
        "herald.test")) {
      Outcome outcome = down.send(email());

      assertThat(outcome).isInstanceOf(Outcome.Retry.class);
      assertThat(((Outcome.Retry) outcome).error()).contains("Connect");
    }
  }
}
