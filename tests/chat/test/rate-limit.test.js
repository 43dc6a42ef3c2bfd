// Rate limit: by default 5 messages per 5 s per user; `--chat-rate-limit 0` switches it off.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiboo, newHost, publish, user, sleep, until, untilRefused } from '../helpers.js';

/** Sends `n` messages at once and collects, per message, whether it came back or was refused. */
async function burst(u, n, label) {
  const replies = [];
  for (let i = 0; i < n; i++) u.send('send_normal_chat', { msg: `${label} ${i}` });
  for (let i = 0; i < n; i++) {
    const r = await u.nextWhere(
      'a reply to the burst',
      (e) => e.event === 'exception' || (e.event === 'receive_normal_chat' && e.data.msg.startsWith(label)),
    );
    replies.push(r.event === 'exception' ? r.data.statusCode : 'sent');
  }
  return replies;
}

test('the sixth message within the window gets 429', async (t) => {
  const node = await startLiboo(t);
  const host = await newHost(node.base);
  const v = await user(t, node.base, 'chatty');
  const calm = await user(t, node.base, 'calm');
  await v.join(host.sessionKey);
  await calm.join(host.sessionKey);

  const replies = await burst(v, 6, 'burst');
  assert.equal(replies.filter((r) => r === 'sent').length, 5, JSON.stringify(replies));
  assert.deepEqual(replies.filter((r) => r !== 'sent'), [429]);

  // The limit is per user: someone else still talks, and the refused message reached nobody.
  await calm.say('my turn');
  const seen = calm.pending('receive_normal_chat').map((m) => m.msg);
  assert.equal(seen.length, 5, JSON.stringify(seen));
  // The same user on a second socket is still over the limit.
  const v2 = await user(t, node.base, 'chatty, second socket', v.userId);
  await v2.join(host.sessionKey);
  v2.send('send_normal_chat', { msg: 'from the second socket' });
  assert.equal((await v2.next('exception')).statusCode, 429);
  assert.equal(v.socket.connected, true);
});

test('refusals are logged once per user and window', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '1', '--chat-rate-window', '60'] });
  const host = await newHost(node.base);
  const v = await user(t, node.base, 'chatty');
  await v.join(host.sessionKey);
  const replies = await burst(v, 10, 'many');
  assert.equal(replies.filter((r) => r === 'sent').length, 1, JSON.stringify(replies));
  assert.equal(replies.filter((r) => r === 429).length, 9, JSON.stringify(replies));
  const warnings = () => node.log().split('\n').filter((l) => l.includes('WARN') && l.includes('--chat-rate-limit'));
  await until('the refusal to be logged', () => warnings().length > 0);
  assert.equal(warnings().length, 1, node.log());
});

test('--chat-rate-limit 0 lets 20 quick messages through', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const v = await user(t, node.base, 'chatty');
  const other = await user(t, node.base, 'reader');
  await v.join(host.sessionKey);
  await other.join(host.sessionKey);
  const replies = await burst(v, 20, 'quick');
  assert.deepEqual(replies, Array(20).fill('sent'));
  for (let i = 0; i < 20; i++) await other.next('receive_normal_chat', (d) => d.msg === `quick ${i}`);
  await sleep(100);
  assert.deepEqual(v.pending('exception'), []);
});

test('the host answering questions and banning is not rate-limited', async (t) => {
  const node = await startLiboo(t);
  const host = await newHost(node.base);
  const live = await publish(t, node, host);
  const h = await user(t, node.base, 'host', host.userId);
  await h.join(host.sessionKey);
  const askers = [];
  for (let i = 0; i < 4; i++) {
    const u = await user(t, node.base, `asker ${i}`);
    await u.join(host.sessionKey);
    askers.push(u);
  }
  const ids = [];
  for (const [i, u] of askers.entries()) {
    for (let j = 0; j < 2; j++) {
      u.send('send_question', { msg: `question ${i}.${j}` });
      ids.push((await u.next('receive_question', (d) => d.msg === `question ${i}.${j}`)).questionId);
    }
  }
  // Working through the Q&A: eight answers in a row, then a wave of bans.
  for (const id of ids) h.send('send_question_done', { questionId: id });
  for (const id of ids) await h.next('receive_question_done', (d) => d.questionId === id);
  for (const u of askers) h.send('ban_user', { socketId: u.id });
  for (const u of askers) await untilRefused(u, u.name);
  assert.deepEqual(h.pending('exception'), []);
  await live.stop();
});
