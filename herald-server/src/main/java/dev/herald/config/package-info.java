/**
 * Herald's configuration: {@link dev.herald.config.HeraldConfig}, read once from environment
 * variables and validated at start, and {@link dev.herald.config.DevCredentials}, the secrets a fresh
 * node generates into its data directory.
 */
package dev.herald.config;
