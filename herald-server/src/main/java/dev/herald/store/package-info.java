/**
 * PostgreSQL, Herald's only store: the external server or the embedded one, its Flyway migrations
 * ({@code src/main/resources/db/migration}) and the reactive pool the rest of the server shares.
 */
package dev.herald.store;
