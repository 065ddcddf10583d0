// Events both ways and acks: server publishes reach the right sockets (and only them), client
// room requests are answered through Socket.IO acks.
//
// "Receives nothing" is proven without sleeping: the forbidden event and a sentinel the socket is
// entitled to are published in one request, in that order. Herald dispatches a batch in order and
// each socket gets its packets in dispatch order, so once the sentinel is in, the other event would
// have been too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connected, open, publish, record, request, uniqueUser, userToken } from './support/herald.mjs';

async function user(t, { sub = uniqueUser(), tid, rooms, transports = ['websocket'], nsp } = {}) {
  const socket = open(t, { token: userToken({ sub, tid, rooms }), transports, nsp });
  const received = record(socket);
  await connected(socket);
  return { sub, socket, received };
}

test('a publish to user:<sub> reaches the client with the data as first argument', async (t) => {
  const { sub, received } = await user(t);
  const data = { id: 'n1', nested: { list: [1, 2.5, 'three', null, true] }, text: 'ünïcødé ✓' };
  await publish({ room: `user:${sub}`, event: 'task.created', data });
  const { args } = await received.until('task.created');
  assert.deepEqual(args[0], data);
  // Herald appends the recovery offset as the last argument; only the first one is the data
  assert.equal(typeof args.at(-1), 'string');
});

test('data of every JSON type arrives unchanged, in publish order', async (t) => {
  const { sub, received } = await user(t);
  const values = ['a string', 42, -0.5, true, false, null, [1, [2]], { a: { b: 'c' } }];
  await publish(values.map((data) => ({ room: `user:${sub}`, event: 'value', data })));
  await publish({ room: `user:${sub}`, event: 'done', data: {} });
  await received.until('done');
  assert.deepEqual(received.data('value'), values);
});

test('subscribe to a channel is acked ok and then receives the channel events', async (t) => {
  const { socket, received } = await user(t, { rooms: ['channel:*'] });
  const answer = await request(socket, 'subscribe', { channels: ['orders'] });
  assert.equal(answer.ok, true, JSON.stringify(answer));
  assert.deepEqual(answer.rooms, ['channel:orders']);
  const data = { orderId: `o-${Date.now()}`, total: 12.5 };
  await publish({ room: 'channel:orders', event: 'order.created', data });
  const { args } = await received.until('order.created', undefined, (a) => a[0]?.orderId === data.orderId);
  assert.deepEqual(args[0], data);
});

test('unsubscribe stops channel events', async (t) => {
  const { sub, socket, received } = await user(t, { rooms: ['channel:*'] });
  const channel = `ch-${sub}`;
  assert.equal((await request(socket, 'subscribe', { channels: [channel] })).ok, true);
  const left = await request(socket, 'unsubscribe', { channels: [channel] });
  assert.equal(left.ok, true, JSON.stringify(left));
  assert.deepEqual(left.rooms, [`channel:${channel}`]);
  await publish([
    { room: `channel:${channel}`, event: 'after.unsubscribe', data: 1 },
    { room: `user:${sub}`, event: 'sentinel', data: 2 },
  ]);
  await received.until('sentinel');
  assert.deepEqual(received.names().filter((n) => n === 'after.unsubscribe'), []);
});

test('a join the token does not allow is refused in the ack and gets nothing', async (t) => {
  const { sub, socket, received } = await user(t, { rooms: ['channel:*'] });
  const room = `secret:${sub}`;
  const answer = await request(socket, 'join', { room });
  assert.equal(answer.ok, false, JSON.stringify(answer));
  assert.equal(typeof answer.error, 'string');
  assert.ok(answer.error.length > 0, 'the refusal says why');
  assert.deepEqual(answer.rooms, []);
  await publish([
    { room, event: 'leak', data: { secret: true } },
    { room: `user:${sub}`, event: 'sentinel', data: {} },
  ]);
  await received.until('sentinel');
  assert.deepEqual(received.names(), ['sentinel'], 'only the sentinel may arrive');
});

test('a user of another tenant with the same sub receives nothing of the first tenant', async (t) => {
  const sub = uniqueUser();
  const home = await user(t, { sub }); // no tid: tenant "default"
  const other = await user(t, { sub, tid: 'other-tenant' });
  const data = { only: 'default tenant' };
  await publish([
    { room: `user:${sub}`, event: 'tenant.private', data },
    { room: `user:${sub}`, tenant: 'other-tenant', event: 'sentinel', data: {} },
  ]);
  const { args } = await home.received.until('tenant.private');
  assert.deepEqual(args[0], data);
  await other.received.until('sentinel');
  assert.deepEqual(other.received.names(), ['sentinel'], 'the other tenant must not see tenant.private');
  assert.deepEqual(home.received.names(), ['tenant.private'], 'the sentinel belongs to the other tenant');
});

test('acks: join, leave, alias subscribe and unknown events are all answered', async (t) => {
  const { sub, socket, received } = await user(t, { rooms: ['project:*', 'repository:*'] });

  const joined = await request(socket, 'join', { room: 'project:p1' });
  assert.deepEqual(joined, { rooms: ['project:p1'], ok: true });

  const alias = await request(socket, 'subscribe:repository', 'repo_456');
  assert.equal(alias.ok, true, JSON.stringify(alias));
  assert.deepEqual(alias.rooms, ['repository:repo_456']);

  const left = await request(socket, 'leave', { room: 'project:p1' });
  assert.equal(left.ok, true, JSON.stringify(left));
  assert.deepEqual(left.rooms, ['project:p1']);

  const unknown = await request(socket, 'no.such.event', { x: 1 });
  assert.equal(unknown.ok, false, JSON.stringify(unknown));
  assert.equal(unknown.code, 'unknown_event');

  const empty = await request(socket, 'join', {});
  assert.equal(empty.ok, false, JSON.stringify(empty));
  assert.equal(empty.code, 'bad_request');

  // the alias room really was joined
  await publish({ room: 'repository:repo_456', event: 'analysis:progress', data: { pct: 50, sub } });
  const { args } = await received.until('analysis:progress', undefined, (a) => a[0]?.sub === sub);
  assert.deepEqual(args[0], { pct: 50, sub });
});

test('acks of concurrent requests reach the right callbacks', async (t) => {
  const { socket } = await user(t, { rooms: ['project:*'] });
  const rooms = Array.from({ length: 10 }, (_, i) => `project:p${i}`);
  const answers = await Promise.all([
    ...rooms.map((room) => request(socket, 'join', { room })),
    request(socket, 'join', { room: 'forbidden:x' }),
  ]);
  rooms.forEach((room, i) => assert.deepEqual(answers[i], { rooms: [room], ok: true }));
  assert.equal(answers.at(-1).ok, false);
  assert.deepEqual(answers.at(-1).refused?.map((r) => r.room), ['forbidden:x']);
});

test('acks work over polling too', async (t) => {
  const { socket } = await user(t, { rooms: ['channel:*'], transports: ['polling'] });
  const answers = await Promise.all([
    request(socket, 'subscribe', { channels: ['a', 'b'] }),
    request(socket, 'join', { room: 'nope:1' }),
  ]);
  assert.deepEqual(answers[0], { rooms: ['channel:a', 'channel:b'], ok: true });
  assert.equal(answers[1].ok, false);
});
