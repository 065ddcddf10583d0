/**
 * Notification types (contract part 2, "Notification types"): per type, which channels a
 * notification goes over and when email and push go ({@code always}, {@code offline},
 * {@code unread} after a delay). {@link dev.herald.types.TypeDefinition} is one validated
 * definition; {@link dev.herald.types.NotificationTypes} stores them per tenant (with system-wide
 * ones in tenant {@code ""}) and resolves the one that applies, from a cache on the create path.
 */
package dev.herald.types;
