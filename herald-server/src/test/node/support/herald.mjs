// Shared helpers for the socket.io-client tests: configuration from the environment, HS256 token
// signing with node:crypto, publishing through POST /api/events, and promise-based waiting.
// Not a test file (no ".test." in the name), so `node --test` does not run it.
import { createHmac, randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through NodeSocketIoClientTest, or set ${name} yourself`);
  }
  return value;
}

/** e.g. http://127.0.0.1:8080 (no trailing slash) */
export const URL = required('HERALD_URL').replace(/\/+$/, '');
export const SECRET = required('HERALD_JWT_SECRET');
export const API_KEY = required('HERALD_API_KEY');

/** How long any single awaited thing may take before the test fails. */
export const WAIT_MS = 8000;

/** A user id nobody else uses, so parallel test files never see each other's events. */
export function uniqueUser(prefix = 'u') {
  return `${prefix}-${randomUUID()}`;
}

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A compact JWS: HMAC-SHA256 over base64url(header).base64url(payload) with `secret`. With
 * alg 'none' the signature part is empty (an unsigned token, which Herald must refuse).
 */
export function signJwt(payload, { secret = SECRET, alg = 'HS256' } = {}) {
  const signingInput = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  if (alg === 'none') {
    return `${signingInput}.`;
  }
  if (alg !== 'HS256') {
    throw new Error(`signJwt only signs HS256, not ${alg}`);
  }
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** A user token: `sub`, optional `tid` and `rooms`, expiring `expiresIn` seconds from now (negative: expired). */
export function userToken({ sub, tid, rooms, expiresIn = 3600, secret, alg } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { sub, iat: now, exp: now + expiresIn };
  if (tid !== undefined) payload.tid = tid;
  if (rooms !== undefined) payload.rooms = rooms;
  return signJwt(payload, { secret, alg });
}

/**
 * POST /api/events with the global API key. `body` is one `{room|rooms, event, data, tenant?}` or an
 * array of them; resolves to the parsed 202 answer and fails on any other status.
 */
export async function publish(body) {
  const res = await fetch(`${URL}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await res.text();
  if (res.status !== 202) {
    throw new Error(`POST /api/events answered ${res.status}: ${text}`);
  }
  const answer = JSON.parse(text);
  const expected = Array.isArray(body) ? body.length : 1;
  if (answer.accepted !== expected) {
    throw new Error(`POST /api/events accepted ${answer.accepted} events, expected ${expected}: ${text}`);
  }
  return answer;
}

/**
 * A socket.io-client socket for `nsp` with its own Manager (forceNew: no multiplexing between
 * tests), no reconnection unless asked, and `auth: {token}` when a token is given. The socket is
 * closed when test `t` ends.
 */
export function open(t, { token, nsp = '/', ...options } = {}) {
  const socket = io(URL + (nsp === '/' ? '' : nsp), {
    forceNew: true,
    reconnection: false,
    timeout: WAIT_MS,
    ...(token !== undefined ? { auth: { token } } : {}),
    ...options,
  });
  t.after(() => socket.disconnect());
  return socket;
}

/** Resolves with the arguments of the next `event` from `emitter`; rejects after `ms`. */
export function next(emitter, event, ms = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const listener = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    emitter.once(event, listener);
  });
}

/** Resolves when `socket` is connected; rejects with the connect_error (or after `ms`). */
export function connected(socket, ms = WAIT_MS) {
  if (socket.connected) {
    return Promise.resolve(socket);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`not connected within ${ms} ms`)), ms);
    const onConnect = () => done(null);
    const onError = (err) => done(new Error(`connect_error: ${err.message}`, { cause: err }));
    function done(err) {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      if (err) reject(err); else resolve(socket);
    }
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}

/** Resolves with the connect_error the server answers with; rejects if the socket connects instead. */
export function refused(socket, ms = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`neither connect nor connect_error within ${ms} ms`)), ms);
    const onConnect = () => done(new Error(`connected as ${socket.id} although the server should refuse`));
    const onError = (err) => done(null, err);
    function done(err, value) {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      if (err) reject(err); else resolve(value);
    }
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}

/** The presence announcements every socket of a tenant hears (issue 14). */
const PRESENCE = new Set(['user:online', 'user:offline', 'presence:updated', 'presence:joined', 'presence:left']);

/**
 * Records every event the socket receives (`onAny`) as `{event, args}`, presence announcements
 * only with `{presence: true}`; `until(name)` resolves once an event called `name` has been
 * received (already, or later).
 */
export function record(socket, { presence = false } = {}) {
  const events = [];
  const waiters = [];
  socket.onAny((event, ...args) => {
    if (!presence && PRESENCE.has(event)) {
      return; // passed over unless asked for: most tests are about something else
    }
    events.push({ event, args });
    for (const w of [...waiters]) {
      if (w.match(event, args)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve({ event, args });
      }
    }
  });
  return {
    events,
    names: () => events.map((e) => e.event),
    /** First arguments of the received events called `name`. */
    data: (name) => events.filter((e) => e.event === name).map((e) => e.args[0]),
    until(name, ms = WAIT_MS, match = () => true) {
      const matches = (event, args) => event === name && match(args);
      const seen = events.find((e) => matches(e.event, e.args));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { match: matches, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`no '${name}' within ${ms} ms; received so far: ${JSON.stringify(events)}`));
          }
        }, ms).unref();
      });
    },
  };
}

/** emit with an ack, failing after `ms`; resolves with the ack's first argument. */
export function request(socket, event, arg, ms = WAIT_MS) {
  return socket.timeout(ms).emitWithAck(event, arg);
}

/**
 * POST /api/notifications with the global API key (or `apiKey`) and an optional Idempotency-Key;
 * resolves to `{status, body, headers}` whatever the status.
 */
export async function createNotification(body, { apiKey = API_KEY, idempotencyKey } = {}) {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await fetch(`${URL}/api/notifications`, {
    method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** A user-token HTTP call to the notification API; resolves to `{status, body}`. */
export async function asUser(token, method, path) {
  const res = await fetch(`${URL}${path}`, {
    method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
