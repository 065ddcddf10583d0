// A push service for Herald's Web Push tests, checked with code nobody here wrote: it decrypts each
// message with the npm http_ece package (RFC 8188/8291 aes128gcm) and verifies the VAPID
// authorization (RFC 8292: an ES256 JWT whose aud is this origin, exp within 24 h, signed by the key
// in k=) with Node's crypto. Started by a Java test (not a *.test.mjs: node --test skips it).
//
// GET /subscribe/<name> makes a browser-like subscription: a fresh P-256 key pair and 16-byte auth
// secret, answered as PushSubscription.toJSON() ({endpoint, expirationTime, keys: {p256dh, auth}}).
// POST /push/<name> answers 201 when the message decrypts and its VAPID header verifies, else 400;
// GET /status/<name>?code=410 makes the next pushes to <name> answer that code instead.
// It prints "listening <port>" once, then one JSON line per push:
// {name, ok, error?, payload?, ttl, urgency, topic, encoding, aud, exp, sub, bytes}.
import http from 'node:http';
import crypto from 'node:crypto';
import ece from 'http_ece';

const subscriptions = new Map();
const forced = new Map();
const b64url = (buf) => Buffer.from(buf).toString('base64url');

function verifyVapid(header, origin) {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header || '');
  if (!m) throw new Error('no "vapid t=…, k=…" authorization: ' + header);
  const [h, p, s] = m[1].split('.');
  const head = JSON.parse(Buffer.from(h, 'base64url'));
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  if (head.alg !== 'ES256') throw new Error('alg ' + head.alg);
  const point = Buffer.from(m[2], 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)),
    y: b64url(point.subarray(33)) }, format: 'jwk' });
  const ok = crypto.verify('sha256', Buffer.from(h + '.' + p), { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'));
  if (!ok) throw new Error('the JWT signature does not verify with k');
  if (claims.aud !== origin) throw new Error('aud ' + claims.aud + ' is not ' + origin);
  const now = Math.floor(Date.now() / 1000);
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error('exp ' + claims.exp + ' not within 24 h');
  if (!/^(mailto:|https:)/.test(claims.sub || '')) throw new Error('sub ' + claims.sub);
  return claims;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://receiver');
    const [, kind, name] = url.pathname.split('/');
    const origin = `http://127.0.0.1:${server.address().port}`;
    if (req.method === 'GET' && kind === 'subscribe') {
      const ecdh = crypto.createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = crypto.randomBytes(16);
      subscriptions.set(name, { ecdh, auth });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ endpoint: `${origin}/push/${name}`, expirationTime: null,
        keys: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) } }));
      return;
    }
    if (req.method === 'GET' && kind === 'status') {
      forced.set(name, Number(url.searchParams.get('code')));
      res.writeHead(204);
      res.end();
      return;
    }
    const body = Buffer.concat(chunks);
    const line = { name, bytes: body.length, ttl: req.headers.ttl, urgency: req.headers.urgency,
      topic: req.headers.topic, encoding: req.headers['content-encoding'] };
    if (forced.has(name)) {
      line.ok = false;
      line.error = 'forced ' + forced.get(name);
      console.log(JSON.stringify(line));
      res.writeHead(forced.get(name));
      res.end();
      return;
    }
    try {
      const sub = subscriptions.get(name);
      if (!sub) throw new Error('no subscription ' + name);
      Object.assign(line, verifyVapid(req.headers.authorization, origin));
      const plain = ece.decrypt(body, { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: b64url(sub.auth) });
      line.payload = JSON.parse(plain.toString('utf8'));
      line.ok = true;
      res.writeHead(201);
    } catch (e) {
      line.ok = false;
      line.error = String(e && e.message ? e.message : e);
      res.writeHead(400);
    }
    console.log(JSON.stringify(line));
    res.end();
  });
});

server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
