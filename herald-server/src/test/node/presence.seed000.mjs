// Presence and typing as seed 000's code does them, with the official socket.io-client: the
// client connects exactly as the seed's initializeSocket() does (namespace /events, auth.token,
// websocket only, reconnection on) and uses the seed gateway's events: presence:update →
// presence:updated, user:online / user:offline to the tenant, typing:start / typing:stop →
// typing:user-started / typing:user-stopped to the other members of <resourceType>:<resourceId>.
// Run by NodePresenceClientTest against a node with a short grace period (apart from the main
// suite, whose sockets share tenants).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { URL, WAIT_MS, connected, next, record, request, userToken } from './support/herald.mjs';

/** Seed 000's initializeSocket(), with the token as a parameter and a Manager of its own. */
function initializeSocket(t, token) {
  const socket = io(URL + '/events', {
    auth: { token },
    transports: ['websocket'],
    reconnection: true,
    reconnectionAttempts: 5,
    reconnectionDelay: 1000,
    forceNew: true,
  });
  t.after(() => socket.disconnect());
  return socket;
}

const tenant = `seed000-${Date.now()}`;
const token = (sub) => userToken({ sub, tid: tenant, rooms: ['task:*'] });

test('user:online, presence:update → presence:updated, and user:offline after the grace period', async (t) => {
  const observer = initializeSocket(t, token('observer'));
  const seen = record(observer, { presence: true });
  await connected(observer);
  await seen.until('user:online', WAIT_MS, ([d]) => d.userId === 'observer');

  const ana = initializeSocket(t, token('ana'));
  await connected(ana);
  const online = await seen.until('user:online', WAIT_MS, ([d]) => d.userId === 'ana');
  assert.deepEqual(online.args[0], { userId: 'ana' });

  const updated = next(observer, 'presence:updated');
  const ack = await request(ana, 'presence:update', { status: 'BUSY', customStatus: 'In a meeting' });
  assert.equal(ack.ok, true);
  assert.deepEqual((await updated)[0], { userId: 'ana', status: 'BUSY', customStatus: 'In a meeting' });

  const refused = await request(ana, 'presence:update', { status: 'SLEEPING' });
  assert.equal(refused.ok, false);
  assert.equal(refused.code, 'bad_request');

  ana.disconnect();
  const offline = await seen.until('user:offline', WAIT_MS, ([d]) => d.userId === 'ana');
  assert.match(offline.args[0].lastSeenAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const res = await fetch(`${URL}/api/presence/ana`, { headers: { authorization: `Bearer ${token('observer')}` } });
  const body = await res.json();
  assert.equal(body.status, 'OFFLINE');
  assert.equal(body.online, false);
});

test('typing reaches the other members of the resource room, not the typist, and a disconnect stops it', async (t) => {
  const ana = initializeSocket(t, token('typist'));
  const ben = initializeSocket(t, token('reader'));
  const anaSeen = record(ana, { presence: true });
  await Promise.all([connected(ana), connected(ben)]);
  // the seed's resource rooms: subscribe:<kind> <id>
  assert.equal((await request(ana, 'subscribe:task', 'T-1')).ok, true);
  assert.equal((await request(ben, 'subscribe:task', 'T-1')).ok, true);

  const started = next(ben, 'typing:user-started');
  assert.equal((await request(ana, 'typing:start', { resourceType: 'task', resourceId: 'T-1' })).ok, true);
  assert.deepEqual((await started)[0], { userId: 'typist', resourceType: 'task', resourceId: 'T-1' });

  const stopped = next(ben, 'typing:user-stopped');
  ana.emit('typing:stop', { resourceType: 'task', resourceId: 'T-1' });
  assert.equal((await stopped)[0].userId, 'typist');

  const again = next(ben, 'typing:user-started');
  ana.emit('typing:start', { resourceType: 'task', resourceId: 'T-1' });
  await again;
  const byDisconnect = next(ben, 'typing:user-stopped');
  ana.disconnect();
  assert.equal((await byDisconnect)[0].userId, 'typist');
  assert.deepEqual(anaSeen.data('typing:user-started'), [], 'the typist does not hear herself');

  const outside = initializeSocket(t, token('outsider'));
  await connected(outside);
  const refused = await request(outside, 'typing:start', { resourceType: 'task', resourceId: 'T-1' });
  assert.equal(refused.ok, false);
  assert.equal(refused.code, 'forbidden');
});
