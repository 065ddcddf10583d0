/**
 * Herald, a real-time notification server. {@link dev.herald.Herald} is the command line;
 * {@link dev.herald.HeraldServer} wires one node from its configuration.
 */
package dev.herald;
