// Engine.IO transports as socket.io-client uses them: websocket only, polling only, and the
// default polling -> websocket upgrade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connected, next, open, publish, record, request, uniqueUser, userToken } from './support/herald.mjs';

/**
 * Proves the connection carries traffic both ways: a published event reaches the client, then a
 * client request is acked (in that order: see the upgrade race test below for emits made the
 * instant the upgrade completes).
 */
async function roundTrips(socket, sub) {
  const received = record(socket);
  const data = { sub, n: 1, text: 'héllo ✓' };
  await publish({ room: `user:${sub}`, event: 'transport.check', data });
  const { args } = await received.until('transport.check');
  assert.deepEqual(args[0], data);
  const answer = await request(socket, 'subscribe', { channels: ['orders'] });
  assert.deepEqual(answer, { rooms: ['channel:orders'], ok: true });
}

test('websocket-only transport connects', async (t) => {
  const sub = uniqueUser();
  const socket = open(t, { token: userToken({ sub, rooms: ['channel:*'] }), transports: ['websocket'] });
  await connected(socket);
  assert.equal(socket.io.engine.transport.name, 'websocket');
  assert.equal(typeof socket.id, 'string');
  await roundTrips(socket, sub);
  assert.equal(socket.io.engine.transport.name, 'websocket');
});

test('polling-only transport connects and stays on polling', async (t) => {
  const sub = uniqueUser();
  const socket = open(t, { token: userToken({ sub, rooms: ['channel:*'] }), transports: ['polling'] });
  let upgraded = false;
  socket.io.engine.on('upgrade', () => { upgraded = true; });
  await connected(socket);
  assert.equal(socket.io.engine.transport.name, 'polling');
  await roundTrips(socket, sub);
  assert.equal(socket.io.engine.transport.name, 'polling');
  assert.equal(upgraded, false, 'a polling-only client must not upgrade');
});

test('polling upgrades to websocket', async (t) => {
  const sub = uniqueUser();
  const socket = open(t, { token: userToken({ sub, rooms: ['channel:*'] }) });
  // the engine exists as soon as io() returns (autoConnect), before any request went out
  const engine = socket.io.engine;
  assert.equal(engine.transport.name, 'polling', 'the default first transport is polling');
  const upgrade = next(engine, 'upgrade');
  upgrade.catch(() => {}); // awaited below; keep a failed connect from leaving it unhandled
  await connected(socket);
  const [transport] = await upgrade;
  assert.equal(transport.name, 'websocket');
  assert.equal(socket.io.engine.transport.name, 'websocket');
  assert.equal(socket.connected, true);
  // the same Socket.IO session keeps working over the new transport
  await roundTrips(socket, sub);
  assert.equal(socket.io.engine.transport.name, 'websocket');
});

test('packets emitted the moment the upgrade completes are not lost', async (t) => {
  // engine.io-client sends the upgrade packet "5" on the new WebSocket and, right after it, every
  // packet buffered while the polling transport was paused; emitting inside the 'upgrade' listener
  // puts packets exactly there. Several connections, because the loss depends on how the frames
  // are batched on the server (one connection alone would only show it some of the time).
  const CONNECTIONS = 16;
  const REQUESTS = 3;
  const rounds = Array.from({ length: CONNECTIONS }, async (_, c) => {
    const sub = uniqueUser();
    const socket = open(t, { token: userToken({ sub, rooms: ['project:*'] }) });
    const acks = [];
    let connectedAtUpgrade;
    const upgraded = next(socket.io.engine, 'upgrade');
    upgraded.catch(() => {});
    socket.io.engine.once('upgrade', () => {
      connectedAtUpgrade = socket.connected;
      for (let i = 0; i < REQUESTS; i++) {
        const room = `project:c${c}-r${i}`;
        acks.push(request(socket, 'join', { room }, 3000).then(
          (answer) => ({ room, answer }),
          (err) => ({ room, lost: err.message })));
      }
    });
    await connected(socket);
    await upgraded;
    return { connection: c, connectedAtUpgrade, results: await Promise.all(acks) };
  });
  const outcomes = await Promise.all(rounds);
  const lost = outcomes.flatMap((o) => o.results.filter((r) => r.lost)
    .map((r) => `connection ${o.connection} (connected at upgrade: ${o.connectedAtUpgrade}): join ${r.room} never acked`));
  assert.deepEqual(lost, [], `requests emitted right after the upgrade packet got no ack:\n${lost.join('\n')}`);
  for (const o of outcomes) {
    for (const r of o.results) {
      assert.deepEqual(r.answer, { rooms: [r.room], ok: true });
    }
  }
});
