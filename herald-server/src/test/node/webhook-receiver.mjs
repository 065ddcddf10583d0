// A webhook receiver that checks Herald's signatures with the standardwebhooks npm package, the
// Standard Webhooks reference library, as an independent verifier. Started by
// dev.herald.delivery.webhook.NodeWebhookVerifierTest (not a *.test.mjs: node --test skips it).
//
// Each POST is verified once per secret named in its query string (?old=whsec_...&new=whsec_...),
// each verifier holding only that one secret. It answers 204 when every verifier accepts, else 401
// with {name: "ok" | error}. It prints "listening <port>" once, then one JSON line per request.
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const payload = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url, 'http://receiver');
    const results = {};
    for (const [name, secret] of url.searchParams) {
      try {
        new Webhook(secret).verify(payload, req.headers);
        results[name] = 'ok';
      } catch (e) {
        results[name] = String(e && e.message ? e.message : e);
      }
    }
    const ok = Object.keys(results).length > 0 && Object.values(results).every((r) => r === 'ok');
    console.log(JSON.stringify({ id: req.headers['webhook-id'], ok, results }));
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
