// Payload size: a socket.io message over --chat-max-payload-bytes ends that client's
// connection, over WebSocket or polling; the server and everyone else go on chatting.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { startLiboo, newHost, user, until, WAIT_MS } from '../helpers.js';

const LIMIT = 4096;

/** Resolves when `socket` disconnects; fails the test if it stays connected. */
function disconnected(socket, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} stayed connected`)), WAIT_MS);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

test('an oversized WebSocket emit closes that connection only', async (t) => {
  const node = await startLiboo(t, {
    args: ['--chat-rate-limit', '0', '--chat-max-payload-bytes', String(LIMIT)],
    env: { LIBOO_LOG: 'info' },
  });
  const host = await newHost(node.base);
  const a = await user(t, node.base, 'a');
  const b = await user(t, node.base, 'b');
  const big = await user(t, node.base, 'big');
  for (const u of [a, b, big]) await u.join(host.sessionKey);

  // Under the limit the server reads it, and refuses it as a message too long.
  big.send('send_normal_chat', { msg: 'x'.repeat(LIMIT - 200) });
  assert.equal((await big.next('exception')).statusCode, 406);
  assert.equal(big.socket.connected, true);

  const gone = disconnected(big.socket, 'a client over the limit');
  big.send('send_normal_chat', { msg: 'x'.repeat(LIMIT * 4) });
  await gone;
  // Nobody got it, and the others still talk.
  await a.say('still here');
  await b.next('receive_normal_chat', (d) => d.msg === 'still here');
  assert.deepEqual(b.pending('receive_normal_chat').filter((m) => m.msg.startsWith('xxx')), []);
  // The same client may come back.
  const again = await user(t, node.base, 'big, again', big.userId);
  await again.join(host.sessionKey);
  await again.say('back');
  await a.next('receive_normal_chat', (d) => d.msg === 'back');
  await until('the drop to be logged', () => node.log().includes('--chat-max-payload-bytes'));
});

test('an oversized polling request gets 413 and a warning', async (t) => {
  const node = await startLiboo(t, {
    args: ['--chat-rate-limit', '0', '--chat-max-payload-bytes', String(LIMIT)],
  });
  const host = await newHost(node.base);
  const a = await user(t, node.base, 'a');
  await a.join(host.sessionKey);

  const polling = io(node.base, {
    path: '/chat/socket.io',
    transports: ['polling'],
    forceNew: true,
    reconnection: false,
    timeout: WAIT_MS,
  });
  t.after(() => polling.close());
  await new Promise((resolve, reject) => {
    polling.once('connect', resolve);
    polling.once('connect_error', reject);
  });
  const gone = disconnected(polling, 'a polling client over the limit');
  polling.emit('send_normal_chat', { roomId: host.sessionKey, msg: 'y'.repeat(LIMIT * 4) });
  await gone;

  await a.say('after the big one');
  const r = await fetch(`${node.base}/healthz`);
  assert.equal(r.status, 200);
  await until('the 413 to be logged', () => /WARN.*chat message refused with 413/.test(node.log()));
});
