// Bans: the host bans the person behind a socket; it holds on new sockets and in the
// channel's later broadcasts, and the banned user may still read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiboo, newHost, publish, user, untilRefused } from '../helpers.js';

/** Asserts `u`'s next message and question are refused with 403 and reach nobody. */
async function assertBanned(u, label) {
  u.send('send_normal_chat', { msg: `${label}: banned chat` });
  assert.equal((await u.next('exception')).statusCode, 403);
  u.send('send_question', { msg: `${label}: banned question` });
  assert.equal((await u.next('exception')).statusCode, 403);
  assert.equal(u.socket.connected, true);
}

test('a ban holds the user on every socket and broadcast of the channel', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  let live = await publish(t, node, host);

  const h = await user(t, node.base, 'host', host.userId);
  const bad = await user(t, node.base, 'banned');
  const good = await user(t, node.base, 'good');
  for (const u of [h, bad, good]) await u.join(host.sessionKey);
  await bad.say('before the ban');

  // Banning a socket id nobody has is a 404 to the host.
  h.send('ban_user', { socketId: 'no-such-socket' });
  assert.equal((await h.next('exception')).statusCode, 404);

  h.send('ban_user', { socketId: bad.id });
  await untilRefused(bad, 'banned user');
  await assertBanned(bad, 'same socket');

  // Others are unaffected, and the banned user still reads the room.
  await good.say('good still talks');
  await bad.next('receive_normal_chat', (d) => d.msg === 'good still talks');
  await h.say('host still talks');
  await bad.next('receive_normal_chat', (d) => d.msg === 'host still talks');
  good.send('send_question', { msg: 'a good question' });
  await bad.next('receive_question', (d) => d.msg === 'a good question');

  // A new socket of the same user is still banned, and may still join and read.
  bad.close();
  const bad2 = await user(t, node.base, 'banned, reconnected', bad.userId);
  const init = await bad2.join(host.sessionKey);
  assert.equal(init.questionList.length, 1);
  await assertBanned(bad2, 'new socket');
  await good.say('read me');
  await bad2.next('receive_normal_chat', (d) => d.msg === 'read me');

  // The channel's next broadcast keeps the ban.
  await live.stop();
  live = await publish(t, node, host);
  const bad3 = await user(t, node.base, 'banned, next broadcast', bad.userId);
  const nextInit = await bad3.join(host.sessionKey);
  assert.deepEqual(nextInit.questionList, [], 'questions stay with their broadcast');
  await assertBanned(bad3, 'next broadcast');
  const fresh = await user(t, node.base, 'fresh');
  await fresh.join(host.sessionKey);
  await fresh.say('new broadcast, new viewer');
  await bad3.next('receive_normal_chat', (d) => d.msg === 'new broadcast, new viewer');

  // The ban is per channel: the banned user talks in another host's room.
  const otherHost = await newHost(node.base);
  const elsewhere = await user(t, node.base, 'banned, elsewhere', bad.userId);
  await elsewhere.join(otherHost.sessionKey);
  await elsewhere.say('not banned here');
  await live.stop();
});
