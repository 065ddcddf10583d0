// The test push service (push-receiver.mjs) checked first against the reference sender, the npm
// web-push package: what web-push encrypts and signs, the receiver decrypts and verifies; a
// tampered body and a wrong VAPID key are refused. Herald's own pushes are then checked by the same
// receiver (dev.herald.delivery.webpush tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import webpush from 'web-push';

async function startReceiver() {
  const child = spawn(process.execPath, [new URL('./push-receiver.mjs', import.meta.url).pathname]);
  const lines = [];
  let buffered = '';
  let resolvePort;
  const port = new Promise((r) => { resolvePort = r; });
  child.stdout.on('data', (d) => {
    buffered += d;
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      if (line.startsWith('listening ')) resolvePort(Number(line.slice('listening '.length)));
      else if (line.startsWith('{')) lines.push(JSON.parse(line));
    }
  });
  return { child, port: await port, lines };
}

/** The receiver's next line after the first {@code seen}: its stdout may trail the HTTP answer. */
async function lineAfter(lines, seen) {
  const deadline = Date.now() + 10_000;
  while (lines.length <= seen) {
    if (Date.now() > deadline) throw new Error('the receiver printed nothing within 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  return lines[seen];
}

test('the receiver decrypts and verifies what the reference sender web-push sends', async () => {
  const { child, port, lines } = await startReceiver();
  try {
    const subscription = await (await fetch(`http://127.0.0.1:${port}/subscribe/ref`)).json();
    const vapid = webpush.generateVAPIDKeys();
    const payload = JSON.stringify({ title: 'Grüße', body: 'When I grow up, I want to be a watermelon 🍉' });
    // web-push builds the request (encryption and VAPID); it sends only over https, so fetch sends it
    const details = webpush.generateRequestDetails(subscription, payload, {
      vapidDetails: { subject: 'mailto:test@example.org', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      TTL: 60, urgency: 'high', topic: 'abc123', contentEncoding: 'aes128gcm',
    });
    const sent = await fetch(details.endpoint, { method: details.method, headers: details.headers, body: details.body });
    assert.equal(sent.status, 201);
    const line = await lineAfter(lines, 0);
    assert.equal(line.ok, true, line.error);
    assert.deepEqual(line.payload, JSON.parse(payload));
    assert.equal(line.urgency, 'high');
    assert.equal(line.topic, 'abc123');
    assert.equal(line.encoding, 'aes128gcm');

    // a body that does not decrypt is refused
    const bad = await fetch(subscription.endpoint, { method: 'POST', body: Buffer.alloc(120, 7),
      headers: { authorization: details.headers.Authorization, 'content-encoding': 'aes128gcm' } });
    assert.equal(bad.status, 400);
    assert.equal((await lineAfter(lines, 1)).ok, false);
  } finally {
    child.kill('SIGTERM');
  }
});
