/**
 * PostgreSQL, Herald's only store: the external server or the embedded one ({@code EmbeddedServer}:
 * stops a server a killed Herald left running, and watches the one it starts so it never outlives
 * Herald), its Flyway migrations ({@code src/main/resources/db/migration}) and the reactive pool the
 * rest of the server shares ({@link dev.herald.store.Database}).
 */
package dev.herald.store;
