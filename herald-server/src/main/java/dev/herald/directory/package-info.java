/**
 * The user directory (contract part 2, "Recipients: the user directory"): how to reach each user of
 * a tenant (email, name, locale, time zone, data), set by services and filled in by token claims,
 * and the GDPR erasure and export of everything Herald holds about a user.
 *
 * <p>Entry point: {@link dev.herald.directory.UserDirectory} ({@code put}, {@code get},
 * {@code contact} for delivery channels, {@code upsertGiven} for a create's inline recipients,
 * {@code rememberClaims} at connect, {@code erase}, {@code export}); {@link
 * dev.herald.directory.UserFields} validates what services send.
 */
package dev.herald.directory;
