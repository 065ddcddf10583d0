/**
 * Notification preferences and what they decide: the seed 003 document ({@code email},
 * {@code push}, {@code inApp}, {@code channels}) with per-type overrides, quiet hours, digest
 * choices and a locale, validated and stored per user and per tenant (the tenant's defaults);
 * resolved per delivery channel ({@link dev.herald.preferences.Resolution}: type > channel > user >
 * tenant > system, urgent and critical types bypassing); and turned into each recipient's
 * {@link dev.herald.preferences.DeliveryPlan} (send, hold through {@link dev.herald.preferences.QuietHours}, or
 * suppress, with the rule that decided and the locale to render in), and which digest gathers a
 * message and when it goes ({@link dev.herald.preferences.DigestRule}).
 */
package dev.herald.preferences;
