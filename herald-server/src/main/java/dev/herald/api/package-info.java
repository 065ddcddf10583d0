/**
 * Herald's HTTP API for services and users: {@link dev.herald.api.EventsApi} ({@code POST
 * /api/events}) and {@link dev.herald.http.Problem}, the RFC 9457 error body every route answers with.
 */
package dev.herald.api;
