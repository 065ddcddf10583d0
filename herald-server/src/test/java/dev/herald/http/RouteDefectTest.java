package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.ops.HeraldMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A defect in a route handler, as a client meets it (issue 11, defect 9: an exception escaping a
 * handler left the request unanswered until the idle timeout). A real {@link Routes} table on a
 * real port, with handlers that throw before and after reading the body: the request is answered
 * 500 problem+json, the cause logged once at ERROR, and the next request on the same port served.
 */
class RouteDefectTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Vertx vertx;
  private static int port;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    HeraldMetrics metrics = new HeraldMetrics();
    Routes routes = new Routes()
        .add(HttpMethod.GET, "/ok", req -> Problem.ok(req.response(), 200, "{\"ok\":true}"))
        .add(HttpMethod.GET, "/throws", req -> {
          throw new IllegalStateException("handler defect before the body");
        })
        .add(HttpMethod.POST, "/throws-after-body", req -> Bodies.readJson(req, 1000, metrics, json -> {
          throw new IllegalStateException("handler defect after the body");
        }));
    port = vertx.createHttpServer().requestHandler(routes::dispatch).listen(0).await().actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void exceptionThrownByAHandlerIsAnswered500AndLoggedOnceWithItsCause() throws IOException {
    assertAnswered500AndLoggedOnce("GET /throws HTTP/1.1\r\nHost: h\r\n\r\n", "handler defect before the body");
  }

  @Test
  void exceptionThrownWhileHandlingTheBodyIsAnswered500AndLoggedOnceWithItsCause() throws IOException {
    assertAnswered500AndLoggedOnce("POST /throws-after-body HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}",
        "handler defect after the body");
  }

  private static void assertAnswered500AndLoggedOnce(String request, String cause) throws IOException {
    try (CapturedLogs logs = CapturedLogs.start(); RawConnection client = new RawConnection(port);
        RawConnection bystander = new RawConnection(port)) {
      RawConnection.Response r = client.exchange(request);

      assertThat(r.status()).isEqualTo(500);
      assertThat(r.header("content-type")).isEqualTo("application/problem+json");
      assertThat(JSON.readTree(r.body()).path("status").asInt()).isEqualTo(500);
      assertThat(bystander.exchange("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(200);
      List<ILoggingEvent> errors = logs.at(Level.ERROR);
      assertThat(errors).as("ERROR events").hasSize(1);
      assertThat(errors.get(0).getThrowableProxy()).as("the cause, logged").isNotNull();
      assertThat(errors.get(0).getThrowableProxy().getMessage()).isEqualTo(cause);
    }
  }
}
