package dev.herald.directory;

/**
 * How to reach a user as delivery channels see it: each field the service's value, else the claim
 * of the user's token, else null.
 *
 * @param email the address to send email to, or null for none
 * @param name the display name, or null
 * @param locale a normalised locale tag, or null
 * @param timeZone a zone id such as {@code Europe/Vienna}, or null
 */
public record Contact(String email, String name, String locale, String timeZone) {}
