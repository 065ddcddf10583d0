/**
 * Who is talking to Herald: {@link dev.herald.auth.TokenVerifier} turns user JWTs into an
 * {@link dev.herald.auth.Identity}, {@link dev.herald.auth.ApiKeys} authenticates services, and
 * {@link dev.herald.auth.RoomAuthorizer} decides which rooms a user may join.
 */
package dev.herald.auth;
