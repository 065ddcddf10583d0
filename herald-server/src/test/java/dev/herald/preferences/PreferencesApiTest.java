package dev.herald.preferences;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.JsonWsRecorder;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /api/notifications/preferences}: the seed 003 document and Herald's extensions. */
class PreferencesApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Seed 003's example, byte for byte. */
  private static final String SEED = "{\"email\":true,\"push\":false,\"inApp\":true,\"channels\":{"
      + "\"orders\":{\"email\":true,\"push\":true,\"inApp\":true},"
      + "\"messages\":{\"email\":false,\"push\":true,\"inApp\":true},"
      + "\"system\":{\"email\":true,\"push\":false,\"inApp\":true}}}";
  @RegisterExtension
  static final TestHerald herald = TestHerald.perClass();

  private static HttpResponse<String> call(String method, String user, String body) {
    return herald.send(HttpRequest.newBuilder(URI.create(herald.url() + "/api/notifications/preferences"))
        .header("authorization", "Bearer " + TestHerald.token(user, null))
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build());
  }

  @Test
  void seedDocumentRoundTripsExactly() {
    HttpResponse<String> put = call("PUT", "pref-seed", SEED);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(put.body()).isEqualTo(SEED);
    assertThat(call("GET", "pref-seed", null).body()).isEqualTo(SEED);
  }

  @Test
  void aUserWithoutPreferencesGetsEverythingOn() throws Exception {
    HttpResponse<String> r = call("GET", "pref-new", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("{\"email\":true,\"push\":true,\"inApp\":true}"));
  }

  @Test
  void patchMergesAndKeepsWhatItDoesNotMention() throws Exception {
    call("PUT", "pref-merge", SEED);
    HttpResponse<String> r = call("PATCH", "pref-merge", "{\"push\":true,\"channels\":{\"messages\":{\"email\":true},"
        + "\"system\":null},\"types\":{\"order_status\":{\"email\":false}},"
        + "\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timezone\":\"Europe/Berlin\"},\"digest\":{\"orders\":\"daily\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode doc = JSON.readTree(call("GET", "pref-merge", null).body());
    assertThat(doc.get("push").asBoolean()).isTrue();
    assertThat(doc.get("email").asBoolean()).isTrue();
    assertThat(doc.at("/channels/messages")).isEqualTo(JSON.readTree("{\"email\":true,\"push\":true,\"inApp\":true}"));
    assertThat(doc.at("/channels/orders/push").asBoolean()).isTrue();
    assertThat(doc.at("/channels").has("system")).isFalse();
    assertThat(doc.at("/types/order_status/email").asBoolean()).isFalse();
    assertThat(doc.at("/quietHours/timezone").asText()).isEqualTo("Europe/Berlin");
    assertThat(doc.at("/digest/orders").asText()).isEqualTo("daily");
  }

  @Test
  void badDocumentsAreRefusedWithEveryProblemAndLeaveTheStoredOneUnchanged() throws Exception {
    call("PUT", "pref-bad", SEED);
    HttpResponse<String> r = call("PUT", "pref-bad", "{\"email\":\"yes\",\"channels\":{\"orders\":{\"sms\":true}},"
        + "\"quietHours\":{\"start\":\"25:00\",\"end\":\"07:00\",\"timezone\":\"Mars/Olympus\"},\"digest\":{\"orders\":\"weekly\"},"
        + "\"colour\":\"red\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
    List<String> fields = new ArrayList<>();
    JSON.readTree(r.body()).get("errors").forEach(e -> fields.add(e.get("field").asText()));
    assertThat(fields).contains("email", "channels.orders.sms", "quietHours.start", "quietHours.timezone",
        "digest.orders", "colour");

    assertThat(call("PATCH", "pref-bad", "{\"push\":1}").statusCode()).isEqualTo(400);
    assertThat(call("PUT", "pref-bad", "[]").statusCode()).isEqualTo(400);
    assertThat(call("PUT", "pref-bad", "{\"email\":").statusCode()).isEqualTo(400);
    assertThat(call("GET", "pref-bad", null).body()).isEqualTo(SEED);
  }

  @Test
  void preferencesAreEachUsersOwnAndNeedAToken() {
    call("PUT", "pref-a", "{\"email\":false}");
    assertThat(call("GET", "pref-b", null).body()).contains("\"email\":true");
    HttpResponse<String> anonymous = herald.send(HttpRequest.newBuilder(
        URI.create(herald.url() + "/api/notifications/preferences")).GET().build());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(call("DELETE", "pref-a", null).statusCode()).isEqualTo(405);
  }

  private static String create(String user, String channel, String priority, String title) throws Exception {
    HttpResponse<String> r = herald.post("/api/notifications", TestHerald.API_KEY, "{\"type\":\"news\",\"recipients\":[\""
        + user + "\"],\"title\":\"" + title + "\",\"channel\":\"" + channel + "\",\"priority\":\"" + priority + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("ids").get(0).asText();
  }

  @Test
  void inAppSwitchedOffForAChannelKeepsItsNotificationsInHistoryButOffTheLiveConnectionUnlessUrgent()
      throws Exception {
    assertThat(call("PUT", "pref-quiet", "{\"channels\":{\"marketing\":{\"inApp\":false}}}").statusCode()).isEqualTo(200);
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token("pref-quiet", null))) {
      create("pref-quiet", "marketing", "low", "suppressed");
      create("pref-quiet", "orders", "medium", "shown");
      assertThat(ws.next().get("title").asText()).as("the marketing one never came first").isEqualTo("shown");
      create("pref-quiet", "marketing", "urgent", "urgent marketing");
      assertThat(ws.next().get("title").asText()).isEqualTo("urgent marketing");

      ws.send("{\"type\":\"requestMissedNotifications\",\"since\":0}");
      assertThat(ws.next().get("title").asText()).isEqualTo("shown");
      assertThat(ws.next().get("title").asText()).isEqualTo("urgent marketing");
      assertThat(ws.next("missedNotifications").get("count").asInt()).isEqualTo(2);
    }
    HttpResponse<String> history = herald.send(HttpRequest.newBuilder(URI.create(herald.url() + "/api/notifications"))
        .header("authorization", "Bearer " + TestHerald.token("pref-quiet", null)).GET().build());
    List<String> titles = new ArrayList<>();
    JSON.readTree(history.body()).get("notifications").forEach(n -> titles.add(n.get("title").asText()));
    assertThat(titles).containsExactly("urgent marketing", "shown", "suppressed");
  }

  @Test
  void updatePreferencesOverTheWebSocketMergesAndAnswersTheStoredDocument() throws Exception {
    try (JsonWsRecorder ws = JsonWsRecorder.connect(herald, TestHerald.token("pref-ws", null))) {
      ws.send("{\"type\":\"updatePreferences\",\"email\":true,\"push\":false,\"inApp\":true,\"requestId\":1}");
      JsonNode answer = ws.next("preferences");
      assertThat(answer.get("preferences")).isEqualTo(JSON.readTree("{\"email\":true,\"push\":false,\"inApp\":true}"));
      assertThat(answer.get("requestId").asInt()).isEqualTo(1);

      ws.send("{\"type\":\"updatePreferences\",\"push\":\"no\"}");
      assertThat(ws.next("error").get("code").asText()).isEqualTo("bad_request");
    }
    assertThat(call("GET", "pref-ws", null).body()).isEqualTo("{\"email\":true,\"push\":false,\"inApp\":true}");
  }
}
