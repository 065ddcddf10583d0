/**
 * Herald's configuration: {@link dev.herald.config.HeraldConfig}, read once from environment
 * variables and validated before anything starts (every bad setting named in one
 * {@link dev.herald.config.ConfigException}); {@link dev.herald.config.DatabaseUrl}, the parsed
 * {@code HERALD_DATABASE_URL}; and {@link dev.herald.config.DevCredentials}, the secrets a fresh
 * node generates into its data directory.
 */
package dev.herald.config;
