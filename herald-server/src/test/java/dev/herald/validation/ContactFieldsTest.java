package dev.herald.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link ContactFields}: the address, name and zone rules every source of contact data shares. */
class ContactFieldsTest {

  @Test
  void practicalAddressesAreAcceptedAndMalformedOnesRefused() {
    assertThat(ContactFields.isEmail("ada@example.com")).isTrue();
    assertThat(ContactFields.isEmail("first.last+tag@mail.example.co.uk")).isTrue();
    assertThat(ContactFields.isEmail("ops@localhost")).isTrue();
    assertThat(ContactFields.isEmail("x".repeat(64) + "@example.com")).isTrue();
    assertThat(ContactFields.isEmail("x".repeat(65) + "@example.com")).as("local part over 64").isFalse();
    assertThat(ContactFields.isEmail("a@" + "d".repeat(63) + "." + "e".repeat(63) + "." + "f".repeat(63) + "."
        + "g".repeat(61))).as("255 characters").isFalse();
    assertThat(ContactFields.isEmail("a@" + "d".repeat(63) + "." + "e".repeat(63) + "." + "f".repeat(63) + "."
        + "g".repeat(60))).as("254 characters").isTrue();
    assertThat(ContactFields.isEmail("no-at-sign")).isFalse();
    assertThat(ContactFields.isEmail("@example.com")).isFalse();
    assertThat(ContactFields.isEmail("a@")).isFalse();
    assertThat(ContactFields.isEmail("a..b@example.com")).isFalse();
    assertThat(ContactFields.isEmail("a@-example.com")).isFalse();
    assertThat(ContactFields.isEmail("a b@example.com")).isFalse();
    assertThat(ContactFields.isEmail("a@b@example.com")).isFalse();
    assertThat(ContactFields.isEmail("a@example.com\r\nBcc: x@evil.example")).as("header injection").isFalse();
  }

  @Test
  void namesAreShortPrintableTextAndZonesAreZoneIds() {
    assertThat(ContactFields.isName("Zoë O'Brien")).isTrue();
    assertThat(ContactFields.isName("n".repeat(200))).isTrue();
    assertThat(ContactFields.isName("n".repeat(201))).isFalse();
    assertThat(ContactFields.isName("two\nlines")).isFalse();
    assertThat(ContactFields.isName(" ")).isFalse();
    assertThat(ContactFields.zone("Europe/Vienna")).isNotNull();
    assertThat(ContactFields.zone("UTC")).isNotNull();
    assertThat(ContactFields.zone("+02:00")).isNotNull();
    assertThat(ContactFields.zone("Mars/Olympus")).isNull();
    assertThat(ContactFields.zone("")).isNull();
  }
}
