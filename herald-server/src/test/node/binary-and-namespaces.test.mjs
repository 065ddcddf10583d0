// Binary packets (BINARY_EVENT with attachments, over websocket frames and base64 in polling
// payloads) and the /events namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Manager } from 'socket.io-client';
import { URL, WAIT_MS, connected, open, publish, record, refused, request, uniqueUser, userToken } from './support/herald.mjs';

for (const transport of ['websocket', 'polling']) {
  test(`binary: join with a Buffer argument is decoded and answered (${transport})`, async (t) => {
    const sub = uniqueUser();
    const socket = open(t, { token: userToken({ sub, rooms: ['channel:*'] }), transports: [transport] });
    await connected(socket);
    const answer = await request(socket, 'join', Buffer.from([0, 1, 2, 253, 254, 255]));
    assert.equal(answer.ok, false, JSON.stringify(answer));
    assert.equal(answer.code, 'bad_request');
    assert.match(answer.error, /room/);
    // the connection survived the binary packet and text packets still work after it
    assert.equal(socket.connected, true);
    const ok = await request(socket, 'subscribe', { channels: ['after-binary'] });
    assert.deepEqual(ok, { rooms: ['channel:after-binary'], ok: true });
  });
}

test('binary: a packet with several attachments is reassembled and answered', async (t) => {
  const socket = open(t, { token: userToken({ sub: uniqueUser(), rooms: ['channel:*'] }), transports: ['websocket'] });
  await connected(socket);
  // two attachments nested in an object: {channels: [<Buffer>, <Buffer>]}
  const answer = await request(socket, 'subscribe', {
    channels: [Buffer.from('orders'), new Uint8Array([1, 2, 3]).buffer],
  });
  assert.equal(answer.ok, false, JSON.stringify(answer));
  assert.equal(answer.code, 'bad_request');
  // binary and text requests interleaved keep their order and their ack ids
  const answers = await Promise.all([
    request(socket, 'join', { room: Buffer.alloc(3) }),
    request(socket, 'subscribe', { channels: ['x'] }),
    request(socket, 'join', [Buffer.alloc(1), Buffer.alloc(2)]),
    request(socket, 'subscribe', { channels: ['y'] }),
  ]);
  assert.equal(answers[0].ok, false);
  assert.deepEqual(answers[1], { rooms: ['channel:x'], ok: true });
  assert.equal(answers[2].ok, false);
  assert.deepEqual(answers[3], { rooms: ['channel:y'], ok: true });
  assert.equal(socket.connected, true);
});

test('binary: published JSON that looks like a placeholder arrives verbatim', async (t) => {
  // Herald sends published data as a plain EVENT; the client must not take it for an attachment
  const sub = uniqueUser();
  const socket = open(t, { token: userToken({ sub }), transports: ['websocket'] });
  const received = record(socket);
  await connected(socket);
  const data = { _placeholder: true, num: 0, blob: { _placeholder: true, num: 1 } };
  await publish({ room: `user:${sub}`, event: 'looks.binary', data });
  const { args } = await received.until('looks.binary');
  assert.deepEqual(args[0], data);
  assert.ok(!Buffer.isBuffer(args[0]) && !(args[0] instanceof ArrayBuffer));
});

test('namespace /events: connect with auth and receive a published event', async (t) => {
  const sub = uniqueUser();
  const socket = open(t, { nsp: '/events', token: userToken({ sub, rooms: ['channel:*'] }), transports: ['websocket'] });
  const received = record(socket);
  await connected(socket);
  assert.equal(socket.nsp, '/events');
  const data = { where: '/events' };
  await publish({ room: `user:${sub}`, event: 'notification', data });
  const { args } = await received.until('notification');
  assert.deepEqual(args[0], data);
  const answer = await request(socket, 'subscribe', { channels: ['orders'] });
  assert.equal(answer.ok, true, JSON.stringify(answer));
});

test('namespace /events refuses a missing token like /', async (t) => {
  const err = await refused(open(t, { nsp: '/events', transports: ['polling'] }));
  assert.match(err.message, /^unauthorized/);
});

test('namespaces / and /events multiplexed on one connection both receive', async (t) => {
  const sub = uniqueUser();
  const token = userToken({ sub });
  const manager = new Manager(URL, { reconnection: false, timeout: WAIT_MS });
  const main = manager.socket('/', { auth: { token } });
  const events = manager.socket('/events', { auth: { token } });
  t.after(() => { main.disconnect(); events.disconnect(); });
  const onMain = record(main);
  const onEvents = record(events);
  await Promise.all([connected(main), connected(events)]);
  assert.equal(main.io.engine, events.io.engine, 'one Engine.IO connection carries both namespaces');
  await publish({ room: `user:${sub}`, event: 'both', data: { n: 1 } });
  const [a, b] = await Promise.all([onMain.until('both'), onEvents.until('both')]);
  assert.deepEqual(a.args[0], { n: 1 });
  assert.deepEqual(b.args[0], { n: 1 });
});

test('an unknown namespace is refused', async (t) => {
  const err = await refused(open(t, { nsp: '/nope', token: userToken({ sub: uniqueUser() }), transports: ['websocket'] }));
  assert.equal(err.message, 'Invalid namespace');
});
