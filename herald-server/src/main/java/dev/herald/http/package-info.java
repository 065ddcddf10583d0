/**
 * What every HTTP request meets: {@link dev.herald.http.RequestHeadGuard}, the rules on a request's
 * head before Vert.x reads it (framing, header timeout); {@link dev.herald.http.Routes}, the route
 * table (one line per route; undecodable queries, 404, 405 and handler defects answered in one
 * place); {@link dev.herald.http.Problem}, the RFC 9457 error body every route answers with;
 * {@link dev.herald.http.Bodies}, size-limited strict JSON bodies; and {@link dev.herald.http.HttpAuth},
 * where credentials sit on a request. A leaf used by the API and the transports alike.
 */
package dev.herald.http;
