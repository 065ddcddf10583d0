// Authentication of the Socket.IO CONNECT: a valid HS256 token is accepted, everything else is
// answered with a CONNECT_ERROR whose message starts with "unauthorized".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connected, open, refused, signJwt, uniqueUser, userToken } from './support/herald.mjs';

function assertUnauthorized(err, what) {
  assert.ok(err instanceof Error, `${what}: connect_error should carry an Error`);
  assert.match(err.message, /^unauthorized/, `${what}: connect_error message was '${err.message}'`);
  assert.equal(err.data?.code, 'unauthorized', `${what}: connect_error data was ${JSON.stringify(err.data)}`);
}

test('a valid token in auth is accepted', async (t) => {
  const socket = open(t, { token: userToken({ sub: uniqueUser() }), transports: ['websocket'] });
  await connected(socket);
  assert.equal(socket.connected, true);
  assert.equal(typeof socket.id, 'string');
  assert.equal(socket.recovered, false, 'a first connection is not a recovery');
});

test('a valid token in the handshake query is accepted', async (t) => {
  const socket = open(t, { query: { token: userToken({ sub: uniqueUser() }) }, transports: ['websocket'] });
  await connected(socket);
  assert.equal(socket.connected, true);
});

test('no token is refused', async (t) => {
  const socket = open(t, { transports: ['websocket'] });
  const err = await refused(socket);
  assertUnauthorized(err, 'no token');
  assert.equal(socket.connected, false);
});

test('an expired token is refused', async (t) => {
  const token = userToken({ sub: uniqueUser(), expiresIn: -120 });
  const err = await refused(open(t, { token, transports: ['websocket'] }));
  assertUnauthorized(err, 'expired token');
});

test('a token signed with the wrong secret is refused', async (t) => {
  const token = userToken({ sub: uniqueUser(), secret: 'not-the-herald-secret-not-the-herald-secret-42' });
  const err = await refused(open(t, { token, transports: ['websocket'] }));
  assertUnauthorized(err, 'wrong secret');
});

test('an unsigned alg:none token is refused', async (t) => {
  const token = userToken({ sub: uniqueUser(), alg: 'none' });
  assert.equal(token.split('.')[2], '', 'alg none tokens have an empty signature');
  const err = await refused(open(t, { token, transports: ['websocket'] }));
  assertUnauthorized(err, 'alg none');
});

test('an alg:none token carrying a valid HS256 signature is refused', async (t) => {
  // header says none, but a signature over the same input is attached: still unsigned per its header
  const sub = uniqueUser();
  const good = userToken({ sub });
  const none = signJwt(JSON.parse(Buffer.from(good.split('.')[1], 'base64url')), { alg: 'none' });
  const err = await refused(open(t, { token: none + good.split('.')[2], transports: ['websocket'] }));
  assertUnauthorized(err, 'alg none with signature');
});

test('a malformed token is refused', async (t) => {
  const err = await refused(open(t, { token: 'not-a.jwt', transports: ['polling'] }));
  assertUnauthorized(err, 'malformed token');
});
