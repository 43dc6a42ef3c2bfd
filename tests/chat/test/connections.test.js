// Connections: a client may talk as soon as it is connected, and the per-address limit
// refuses extra connections with a connect_error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiboo, newHost, ChatUser, user, until } from '../helpers.js';

test('join_room emitted right at connect is never lost', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  // Like LiBoo's client: join from the connect callback, many clients at once.
  const users = Array.from({ length: 30 }, (_, i) => new ChatUser(node.base, undefined, `eager ${i}`));
  t.after(() => users.forEach((u) => u.close()));
  const joined = users.map(async (u) => {
    u.roomId = host.sessionKey;
    const connected = u.connect();
    u.socket.once('connect', () => u.emit('join_room', { roomId: host.sessionKey, userId: u.userId }));
    await connected;
    return u.next('receive_init_data');
  });
  const inits = await Promise.all(joined);
  assert.equal(inits.length, 30);
});

test('--chat-max-connections-per-ip refuses extra connections with connect_error', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-max-connections-per-ip', '2'] });
  const host = await newHost(node.base);
  const a = await user(t, node.base, 'first');
  const b = await user(t, node.base, 'second');
  await assert.rejects(user(t, node.base, 'third'), /too many connections/);
  await until('the refusal to be logged', () => /WARN.*--chat-max-connections-per-ip/.test(node.log()));
  // The two admitted ones work, and a closed one frees its place.
  await a.join(host.sessionKey);
  await a.say('still fine');
  b.close();
  let c;
  for (let i = 0; i < 50 && !c; i++) {
    c = await user(t, node.base, 'third, later').catch(() => null);
    if (!c) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(c, 'a place frees up when a connection closes');
  await c.join(host.sessionKey);
});
