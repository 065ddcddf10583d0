package dev.herald.templates;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RendererTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TemplateContent content(String channel, String json) throws Exception {
    return TemplateContent.parse(JSON.readTree(json), channel);
  }

  @Test
  void emailHtmlIsEscapedWhilePushAndInAppTextIsNot() throws Exception {
    Map<String, Object> data = Templates.variables("{\"name\":\"<Tom & \\\"Jerry\\\">\"}");
    TemplateContent.Rendered email = content("email",
        "{\"title\":\"For {{name}}\",\"message\":\"Hi {{name}}\",\"html\":\"<p>Hi {{name}}</p>\"}").render(data);
    assertThat(email.html()).isEqualTo("<p>Hi &lt;Tom &amp; &quot;Jerry&quot;&gt;</p>");
    assertThat(email.title()).isEqualTo("For <Tom & \"Jerry\">");
    assertThat(email.message()).isEqualTo("Hi <Tom & \"Jerry\">");
    TemplateContent.Rendered push = content("push", "{\"title\":\"{{name}}\",\"message\":\"{{name}} wrote\"}").render(data);
    assertThat(push.title()).isEqualTo("<Tom & \"Jerry\">");
    assertThat(push.message()).isEqualTo("<Tom & \"Jerry\"> wrote");
  }

  @Test
  void tripleMustacheOptsOutOfEscapingInHtml() throws Exception {
    TemplateContent c = content("email", "{\"title\":\"t\",\"html\":\"{{{trusted}}} {{&trusted}}\"}");
    assertThat(c.render(Map.of("trusted", "<b>ok</b>")).html()).isEqualTo("<b>ok</b> <b>ok</b>");
  }

  @Test
  void aVariableTheDataLacksRendersEmptyAndIsReported() throws Exception {
    TemplateContent c = content("inApp", "{\"title\":\"Order {{order.id}} for {{customer}}\","
        + "\"message\":\"{{#items}}{{name}}: {{price}}; {{/items}}\"}");
    TemplateContent.Rendered r = c.render(Templates.variables("{\"order\":{\"id\":\"A-1\"},\"items\":[{\"name\":\"pen\"}]}"));
    assertThat(r.title()).isEqualTo("Order A-1 for ");
    assertThat(r.message()).isEqualTo("pen: ; ");
    assertThat(r.missing()).containsExactly("customer", "price");
  }

  @Test
  void htmlIsOnlyForEmailAndDefaultTemplates() {
    try {
      content("push", "{\"title\":\"t\",\"html\":\"<p/>\"}");
      throw new AssertionError("accepted html on a push template");
    } catch (dev.herald.validation.InvalidRequest e) {
      assertThat(e.errors()).extracting(dev.herald.validation.InvalidRequest.FieldError::field).containsExactly("html");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void localesFallBackToTheLanguageAndThenTheDefault() {
    assertThat(Locales.chain("de-AT")).containsExactly("de-AT", "de", "");
    assertThat(Locales.chain("zh-Hant-TW")).containsExactly("zh-Hant-TW", "zh-Hant", "zh", "");
    assertThat(Locales.chain(null)).containsExactly("");
    assertThat(Locales.normalize("de_at")).isEqualTo("de-AT");
    assertThat(Locales.normalize("not a locale")).isNull();
  }

  @Test
  void aSetPicksTheTenantsMostSpecificLocaleBeforeTheSystemsAndTheChannelsOwnBeforeDefault() throws Exception {
    TemplateContent c = content("default", "{\"title\":\"x\"}");
    Template sysDe = template("", "inApp", "de", c);
    Template tenantDefault = template("acme", "default", "", c);
    Template tenantDe = template("acme", "default", "de", c);
    Template tenantDeAtPush = template("acme", "push", "de-AT", c);
    TemplateSet set = new TemplateSet("acme", "n", List.of(sysDe, tenantDefault, tenantDe, tenantDeAtPush));
    assertThat(set.pick("inApp", "de-AT")).isSameAs(tenantDe);
    assertThat(set.pick("push", "de-AT")).isSameAs(tenantDeAtPush);
    assertThat(set.pick("inApp", "fr")).isSameAs(tenantDefault);
    TemplateSet other = new TemplateSet("globex", "n", List.of(sysDe, tenantDefault));
    assertThat(other.pick("inApp", "de-CH")).isSameAs(sysDe);
    assertThat(other.pick("inApp", "fr")).isNull();
  }

  private static Template template(String tenant, String channel, String locale, TemplateContent c) {
    return new Template(java.util.UUID.randomUUID(), tenant, "n", channel, locale, 1, c, null, null);
  }

  @Test
  void missingNamesAreCollectedPerRenderNotShared() throws Exception {
    Renderer.Compiled a = Renderer.compile("{{x}}", false);
    Set<String> first = new LinkedHashSet<>();
    Set<String> second = new LinkedHashSet<>();
    Renderer.render(a, Map.of(), first);
    Renderer.render(a, Map.of("x", "1"), second);
    assertThat(first).containsExactly("x");
    assertThat(second).isEmpty();
  }

  @Test
  void sectionsOverALongListStopAtTheIterationBudgetInsteadOfHoldingTheThread() throws Exception {
    Renderer.Compiled bomb = Renderer.compile("{{#a}}{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}{{/a}}", false);
    Map<String, Object> data = Map.of("a", java.util.Collections.nCopies(20_000, 0));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Renderer.render(bomb, data, new LinkedHashSet<>()))
        .isInstanceOf(Renderer.Failure.class).hasMessageContaining("iterate more than");
  }

  @Test
  void outputBeyondTheLimitFails() throws Exception {
    Renderer.Compiled big = Renderer.compile("{{#a}}{{s}}{{/a}}", false);
    Map<String, Object> data = Map.of("a", java.util.Collections.nCopies(100, 0), "s", "x".repeat(5_000));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Renderer.render(big, data, new LinkedHashSet<>()))
        .isInstanceOf(Renderer.Failure.class).hasMessageContaining("characters");
  }

  @Test
  void valuesAreLookedUpInTheDataOnlyNeverThroughJavaMethods() throws Exception {
    Set<String> missing = new LinkedHashSet<>();
    String out = Renderer.render(Renderer.compile("[{{name.bytes}}][{{name.class}}][{{list.size}}]", false),
        Templates.variables("{\"name\":\"Ann\",\"list\":[1,2]}"), missing);
    assertThat(out).isEqualTo("[][][]");
    assertThat(missing).containsExactly("name.bytes", "name.class", "list.size");
  }
}
