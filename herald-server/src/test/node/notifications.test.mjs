// Durable notifications through the official socket.io-client: POST /api/notifications → the
// `notification` event on every session of the recipient and nobody else's; acks and re-sends;
// replay of what an offline client missed (requestMissedNotifications); read state across tabs;
// Idempotency-Key; scheduled delivery.
//
// "Nothing arrived" is never proven by waiting: a later marker notification is sent to the same
// socket, and the gateway delivers to one connection in publish order, so once the marker is in,
// anything sent before it would be too. Re-send timing comes from the server's HERALD_ACK_RETRY_MS
// (NodeSocketIoClientTest sets it short) and is only ever awaited, never slept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_KEY, URL, asUser, connected, createNotification, open, record, request, uniqueUser, userToken } from './support/herald.mjs';

const RETRY_MS = Number(process.env.HERALD_ACK_RETRY_MS || 5000);
const RESENDS = 3;
const REPLAY_WAIT = RETRY_MS * (RESENDS + 2) + 5000;

function notice(recipients, title, extra = {}) {
  return {
    type: 'order_status', recipients, title, message: `message of ${title}`, channel: 'orders',
    priority: 'high', data: { orderId: '12345', title }, ...extra,
  };
}

async function created(body, options) {
  const r = await createNotification(body, options);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function client(t, sub, tid) {
  const socket = open(t, { token: userToken({ sub, tid }) });
  await connected(socket);
  return { socket, rec: record(socket) };
}

const titles = (rec) => rec.data('notification').map((n) => n.title);

test('a created notification reaches every tab of its recipient, and no other user or tenant', async (t) => {
  const sub = uniqueUser();
  const other = uniqueUser('other');
  const tab1 = await client(t, sub);
  const tab2 = await client(t, sub);
  const stranger = await client(t, other);
  const sameIdOtherTenant = await client(t, sub, 'acme');

  const answer = await created(notice([sub], 'Order Updated'));
  const [n1] = (await tab1.rec.until('notification')).args;
  const [n2] = (await tab2.rec.until('notification')).args;

  for (const n of [n1, n2]) {
    assert.equal(n.id, answer.ids[0]);
    assert.equal(n.type, 'order_status');
    assert.equal(n.title, 'Order Updated');
    assert.equal(n.message, 'message of Order Updated');
    assert.equal(n.channel, 'orders');
    assert.equal(n.priority, 'high');
    // as it stood when sent: it is recorded delivered once a session had it written, not before
    assert.equal(n.status, 'pending');
    assert.match(n.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(n.data, { orderId: '12345', title: 'Order Updated' });
    assert.equal(n.requiresAck, false);
    assert.equal(n.sequence, 1);
  }
  // markers to the two outsiders, sent after the first notification
  await created(notice([other], 'marker'));
  await created({ ...notice([sub], 'marker'), tenant: 'acme' });
  await stranger.rec.until('notification');
  await sameIdOtherTenant.rec.until('notification');
  assert.deepEqual(titles(stranger.rec), ['marker']);
  assert.deepEqual(titles(sameIdOtherTenant.rec), ['marker']);

  // the tabs' writes were recorded: delivered, through in-app, once
  const stored = await eventually(() => asUser(userToken({ sub }), 'GET', `/api/notifications/${answer.ids[0]}`),
    (r) => r.body.status === 'delivered');
  assert.deepEqual(stored.body.deliveredVia, ['inApp']);
  assert.ok(stored.body.deliveredAt);
});

/** Calls {@code attempt} until {@code done} holds for its result (at most WAIT_MS); no fixed sleeps. */
async function eventually(attempt, done, ms = 8000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await attempt();
    if (done(result)) {
      return result;
    }
    assert.ok(Date.now() < deadline, `not done within ${ms} ms: ${JSON.stringify(result.body ?? result)}`);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a poll interval, like Awaitility's
  }
}

test('an ack marks the notification delivered, answers its status and stops the re-sends', async (t) => {
  const sub = uniqueUser();
  const { socket, rec } = await client(t, sub);

  const acked = await created(notice([sub], 'ack me', { requiresAck: true }));
  const [n] = (await rec.until('notification')).args;
  assert.equal(n.requiresAck, true);
  assert.equal(n.status, 'pending');
  const status = await request(socket, 'ack', { notificationId: n.id });
  assert.equal(status.notificationId, acked.ids[0]);
  assert.equal(status.status, 'delivered');
  const [event] = (await rec.until('notificationStatus')).args;
  assert.equal(event.notificationId, acked.ids[0]);
  assert.equal(event.status, 'delivered');

  // a second, unacknowledged one goes through all its re-sends; the first must not come back meanwhile
  await created(notice([sub], 'never acked', { requiresAck: true }));
  await rec.until('notification', REPLAY_WAIT,
    () => rec.data('notification').filter((x) => x.title === 'never acked').length === RESENDS + 1);
  assert.equal(titles(rec).filter((x) => x === 'ack me').length, 1);

  const stored = await asUser(userToken({ sub }), 'GET', `/api/notifications/${acked.ids[0]}`);
  assert.equal(stored.body.status, 'delivered');
  assert.ok(stored.body.deliveredAt);
});

test('without an ack a notification is re-sent exactly three times', async (t) => {
  const sub = uniqueUser();
  const { rec } = await client(t, sub);

  await created(notice([sub], 'ignored', { requiresAck: true }));
  await rec.until('notification', REPLAY_WAIT,
    () => rec.data('notification').filter((x) => x.title === 'ignored').length === RESENDS + 1);
  // a later one completes its own re-sends, which takes longer than a fifth copy of the first would
  await created(notice([sub], 'later', { requiresAck: true }));
  await rec.until('notification', REPLAY_WAIT,
    () => rec.data('notification').filter((x) => x.title === 'later').length === RESENDS + 1);

  const ignored = rec.data('notification').filter((x) => x.title === 'ignored');
  assert.equal(ignored.length, RESENDS + 1);
  assert.equal(new Set(ignored.map((x) => x.id)).size, 1, 'every copy keeps the id');
});

test('an offline user gets everything missed, in order, once, after reconnecting', async (t) => {
  const sub = uniqueUser();
  const first = await client(t, sub);
  await created(notice([sub], 'seen live'));
  const [live] = (await first.rec.until('notification')).args;
  first.socket.disconnect();

  for (const title of ['missed 1', 'missed 2', 'missed 3']) {
    await created(notice([sub], title));
  }
  const again = await client(t, sub);
  const answer = await request(again.socket, 'requestMissedNotifications', { since: live.sequence });

  assert.equal(answer.count, 3);
  assert.equal(answer.lastSequence, live.sequence + 3);
  assert.equal(answer.hasMore, false);
  assert.deepEqual(titles(again.rec), ['missed 1', 'missed 2', 'missed 3']);
  assert.deepEqual(again.rec.data('notification').map((n) => n.sequence), [2, 3, 4]);

  // the seed client asks by time: the same three, with the same ids
  const byTime = await client(t, sub);
  const timeAnswer = await request(byTime.socket, 'requestMissedNotifications', { since: live.timestamp });
  assert.equal(timeAnswer.count, 3);
  assert.deepEqual(byTime.rec.data('notification').map((n) => n.id), again.rec.data('notification').map((n) => n.id));
});

test('reading on one tab tells the other tab', async (t) => {
  const sub = uniqueUser();
  const token = userToken({ sub });
  const tab1 = await client(t, sub);
  const tab2 = await client(t, sub);
  const { ids: [id] } = await created(notice([sub], 'read me'));
  await tab1.rec.until('notification');

  const read = await asUser(token, 'PUT', `/api/notifications/${id}/read`);
  assert.equal(read.status, 200);
  const [event] = (await tab2.rec.until('notification:read')).args;
  assert.equal(event.notificationId, id);
  assert.equal((await asUser(token, 'GET', '/api/notifications/unread-count')).body.count, 0);

  await created(notice([sub], 'and me'));
  await asUser(token, 'PUT', '/api/notifications/read-all');
  const [all] = (await tab2.rec.until('notification:all-read')).args;
  assert.equal(all.count, 1);
});

test('a repeated Idempotency-Key creates and delivers once', async (t) => {
  const sub = uniqueUser();
  const { rec } = await client(t, sub);
  const body = notice([sub], 'once');
  const key = `order-${sub}`;

  const a = await createNotification(body, { idempotencyKey: key });
  const b = await createNotification(body, { idempotencyKey: key });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.deepEqual(b.body, a.body);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  const c = await createNotification(notice([sub], 'changed'), { idempotencyKey: key });
  assert.equal(c.status, 422);

  await created(notice([sub], 'marker'));
  await rec.until('notification', undefined, () => titles(rec).includes('marker'));
  assert.deepEqual(titles(rec), ['once', 'marker']);
});

test('a scheduled notification arrives after its time, not before', async (t) => {
  const sub = uniqueUser();
  const { rec } = await client(t, sub);
  const at = new Date(Date.now() + 1500);

  const answer = await created(notice([sub], 'later', { scheduledAt: at.toISOString() }));
  assert.equal(answer.scheduledAt, at.toISOString());
  const [n] = (await rec.until('notification')).args;
  const received = Date.now();

  assert.equal(n.id, answer.ids[0]);
  assert.ok(received >= at.getTime(), `received ${received - at.getTime()} ms before its time`);
  assert.ok(Date.parse(n.timestamp) >= at.getTime());
});

test('updatePreferences (seed 003) is acked with the stored document, which GET returns', async (t) => {
  const sub = uniqueUser();
  const { socket } = await client(t, sub);

  const stored = await request(socket, 'updatePreferences', { email: true, push: false, inApp: true });
  assert.deepEqual(stored, { email: true, push: false, inApp: true });
  const merged = await request(socket, 'updatePreferences', { channels: { orders: { push: true } } });
  assert.deepEqual(merged, { email: true, push: false, inApp: true, channels: { orders: { push: true } } });
  const got = await asUser(userToken({ sub }), 'GET', '/api/notifications/preferences');
  assert.deepEqual(got.body, merged);

  const refused = await request(socket, 'updatePreferences', { push: 'sometimes' });
  assert.equal(refused.ok, false);
  assert.equal(refused.code, 'bad_request');
});

async function createTemplate(body) {
  const res = await fetch(`${URL}/api/templates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201, await res.text());
}

test('a templated notification arrives rendered in the locale the user chose, as plain text', async (t) => {
  const sub = uniqueUser();
  const name = `shipped-${sub}`;
  await createTemplate({ name, deliveryChannel: 'inApp', title: 'Order {{order}} shipped', message: 'To {{to}}' });
  await createTemplate({ name, deliveryChannel: 'inApp', locale: 'de', title: 'Bestellung {{order}} versandt',
    message: 'An {{to}}' });
  const { socket, rec } = await client(t, sub);
  const stored = await request(socket, 'updatePreferences', { locale: 'de-AT' });
  assert.equal(stored.locale, 'de-AT');

  await created({ type: 'order_status', template: name, recipients: [sub], data: { order: 'A-1', to: '<Ann & Bob>' } });
  const [n] = (await rec.until('notification')).args;
  assert.equal(n.title, 'Bestellung A-1 versandt');
  assert.equal(n.message, 'An <Ann & Bob>');
});
