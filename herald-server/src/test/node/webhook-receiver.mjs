// A webhook receiver that checks Herald's signatures with the standardwebhooks npm package, the
// Standard Webhooks reference library, as an independent verifier. Started by
// dev.herald.delivery.webhook.NodeWebhookVerifierTest (not a *.test.mjs: node --test skips it).
//
// Each POST is verified once per secret named in its query string (?old=whsec_...&new=whsec_...),
// each verifier holding only that one secret. It answers 204 when every verifier accepts, else 401
// with {name: "ok" | error}. It prints "listening <port>" once, then one JSON line per request.
//
// For endpoints whose secret Herald generates (the end-to-end tests), GET /register/<key>?secret=...
// keeps a secret under <key>, and POST /hook/<key> is verified with it (verifier name "registered");
// each request's line then also carries the body's event type and notification id.
const registered = new Map();
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const payload = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url, 'http://receiver');
    if (req.method === 'GET' && url.pathname.startsWith('/register/')) {
      registered.set(url.pathname.substring('/register/'.length), url.searchParams.get('secret'));
      res.writeHead(204);
      res.end();
      return;
    }
    const results = {};
    const key = url.pathname.startsWith('/hook/') ? url.pathname.substring('/hook/'.length) : null;
    if (key !== null && registered.has(key)) {
      try {
        new Webhook(registered.get(key)).verify(payload, req.headers);
        results.registered = 'ok';
      } catch (e) {
        results.registered = String(e && e.message ? e.message : e);
      }
    }
    for (const [name, secret] of url.searchParams) {
      try {
        new Webhook(secret).verify(payload, req.headers);
        results[name] = 'ok';
      } catch (e) {
        results[name] = String(e && e.message ? e.message : e);
      }
    }
    const ok = Object.keys(results).length > 0 && Object.values(results).every((r) => r === 'ok');
    let event = null;
    let notificationId = null;
    try {
      const body = JSON.parse(payload);
      event = body.type;
      notificationId = body.data && body.data.id;
    } catch (e) {
      // not JSON: the verifiers said so already
    }
    console.log(JSON.stringify({ id: req.headers['webhook-id'], ok, results, event, notificationId }));
    if (ok) {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(results));
    }
  });
});

server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
