/**
 * Users' notification preferences: the seed 003 document ({@code email}, {@code push},
 * {@code inApp}, {@code channels}) with per-type overrides, quiet hours and digest choices,
 * validated, stored per user and tenant in PostgreSQL, replaced ({@code PUT}) or merged
 * ({@code PATCH}, the {@code updatePreferences} socket event). Applying them to deliveries
 * (resolution order, quiet hours holding email and push) is issue 5's next step.
 */
package dev.herald.preferences;
