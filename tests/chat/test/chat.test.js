// Normal chat: who receives a message and how each receiver sees its owner.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiboo, newHost, publish, user, sleep } from '../helpers.js';

function assertMessageShape(m, roomId) {
  assert.equal(m.roomId, roomId);
  assert.equal(m.msgType, 'normal');
  for (const f of ['nickname', 'color', 'socketId', 'msgTime', 'entryTime', 'msg']) {
    assert.equal(typeof m[f], 'string', `${f} is a string in ${JSON.stringify(m)}`);
    assert.ok(m[f].length > 0, `${f} is not empty in ${JSON.stringify(m)}`);
  }
  assert.ok(!Number.isNaN(Date.parse(m.msgTime)), `msgTime is a time: ${m.msgTime}`);
}

test('chat reaches its room only, with owner me/user/host', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const other = await newHost(node.base);
  await publish(t, node, host);

  const h = await user(t, node.base, 'host', host.userId);
  const v1 = await user(t, node.base, 'viewer1');
  const v2 = await user(t, node.base, 'viewer2');
  const outsider = await user(t, node.base, 'outsider');
  for (const u of [h, v1, v2]) {
    const init = await u.join(host.sessionKey);
    assert.equal(init.roomId, host.sessionKey);
    assert.deepEqual(init.questionList, []);
  }
  await outsider.join(other.sessionKey);

  // A viewer's message: 'me' for the sender, 'user' for everyone else.
  const mine = await v1.say('hello from viewer 1');
  assertMessageShape(mine, host.sessionKey);
  assert.equal(mine.owner, 'me');
  assert.equal(mine.socketId, v1.id);
  for (const u of [h, v2]) {
    const m = await u.next('receive_normal_chat', (d) => d.msg === 'hello from viewer 1');
    assertMessageShape(m, host.sessionKey);
    assert.equal(m.owner, 'user');
    assert.equal(m.socketId, v1.id);
    assert.equal(m.nickname, mine.nickname);
    assert.equal(m.color, mine.color);
  }

  // The host's message: 'host' for everyone, the host included.
  const hostOwn = await h.say('welcome, says the host');
  assert.equal(hostOwn.owner, 'host');
  for (const u of [v1, v2]) {
    const m = await u.next('receive_normal_chat', (d) => d.msg === 'welcome, says the host');
    assertMessageShape(m, host.sessionKey);
    assert.equal(m.owner, 'host');
    assert.equal(m.socketId, h.id);
  }

  // Each socket keeps its nickname and colour; different sockets get their own.
  const again = await v1.say('second message');
  assert.equal(again.nickname, mine.nickname);
  assert.equal(again.color, mine.color);
  await v2.next('receive_normal_chat', (d) => d.msg === 'second message');

  // The outsider's own room works, and nothing from the other room reached it.
  const own = await outsider.say('elsewhere');
  assert.equal(own.owner, 'me');
  await sleep(300);
  assert.deepEqual(outsider.pending('receive_normal_chat'), []);
  assert.deepEqual(v1.pending('receive_normal_chat').filter((m) => m.msg === 'elsewhere'), []);
});
