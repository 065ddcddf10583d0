package dev.herald.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TemplateSyntaxTest {
  @Test
  void aValidTemplateListsTheNamesItUses() throws Exception {
    assertThat(TemplateSyntax.check("Hi {{user.name}}, {{#items}}{{title}}{{/items}}{{^items}}none{{/items}} {{{raw}}} {{&amp}}{{! note }}"))
        .containsExactly("user.name", "items", "title", "raw", "amp");
  }

  @Test
  void aTagThatIsNeverClosedIsReportedWhereItOpens() {
    assertThatThrownBy(() -> TemplateSyntax.check("Hello\n  there {{name"))
        .isInstanceOfSatisfying(TemplateSyntax.Error.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.column()).isEqualTo(9);
          assertThat(e.getMessage()).contains("never closed");
        });
  }

  @Test
  void aSectionClosedByAnotherNameNamesBothPlaces() {
    assertThatThrownBy(() -> TemplateSyntax.check("{{#order}}\nx {{/orders}}"))
        .isInstanceOfSatisfying(TemplateSyntax.Error.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.column()).isEqualTo(3);
          assertThat(e.getMessage()).contains("{{/orders}} closes {{#order}}, opened at line 1, column 1");
        });
  }

  @Test
  void aSectionNeverClosedIsReportedAtItsOpeningTag() {
    assertThatThrownBy(() -> TemplateSyntax.check("a\nb {{#items}} c\nd"))
        .isInstanceOfSatisfying(TemplateSyntax.Error.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.column()).isEqualTo(3);
        });
  }

  @Test
  void aCloseWithoutAnOpenIsRefused() {
    assertThatThrownBy(() -> TemplateSyntax.check("{{/x}}")).isInstanceOf(TemplateSyntax.Error.class)
        .hasMessageContaining("never opened");
  }

  @Test
  void partialsDelimiterChangesEmptyTagsAndOddNamesAreRefused() {
    for (String bad : new String[] {"{{>footer}}", "{{=<% %>=}}", "{{}}", "{{ two words }}", "{{{x}}", "{{a..b}}"}) {
      assertThatThrownBy(() -> TemplateSyntax.check(bad)).as(bad).isInstanceOf(TemplateSyntax.Error.class);
    }
  }

  @Test
  void sectionsNestAtMostFourDeep() throws Exception {
    TemplateSyntax.check("{{#a}}{{#b}}{{#c}}{{#d}}x{{/d}}{{/c}}{{/b}}{{/a}}");
    assertThatThrownBy(() -> TemplateSyntax.check("{{#a}}{{#b}}{{#c}}{{#d}}{{#e}}x{{/e}}{{/d}}{{/c}}{{/b}}{{/a}}"))
        .isInstanceOfSatisfying(TemplateSyntax.Error.class, e -> {
          assertThat(e.column()).isEqualTo(25);
          assertThat(e.getMessage()).contains("at most 4 deep");
        });
  }
}
