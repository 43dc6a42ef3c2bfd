// What LiBoo's React client reads from chat, where liboo once sent something else: the
// text of an `exception` as `msg`, and the asker's colour, entry time and socket id on a
// question answered.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiboo, newHost, publish, user, untilRefused } from '../helpers.js';

/** Asserts `e` is an exception shaped as LiBoo's gateway sent it, with liboo's `message` beside. */
function assertLiBooException(e, statusCode, roomId) {
  assert.equal(e.statusCode, statusCode, JSON.stringify(e));
  assert.equal(typeof e.msg, 'string', JSON.stringify(e));
  assert.notEqual(e.msg, '', 'LiBoo\'s client renders payload.msg');
  assert.equal(e.message, e.msg, JSON.stringify(e));
  assert.equal(e.roomId, roomId, JSON.stringify(e));
}

test('rate-limit and ban exceptions carry their text as msg', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '1', '--chat-rate-window', '60'] });
  const host = await newHost(node.base);
  const h = await user(t, node.base, 'host', host.userId);
  const v = await user(t, node.base, 'viewer');
  await h.join(host.sessionKey);
  await v.join(host.sessionKey);

  // Over the rate limit: 429.
  await v.say('the one message the window allows');
  v.send('send_normal_chat', { msg: 'one too many' });
  assertLiBooException(await v.next('exception'), 429, host.sessionKey);

  // Banned: 403 (the ban is checked before the rate limit).
  h.send('ban_user', { socketId: v.id });
  await untilRefused(v, 'banned viewer');
  v.send('send_normal_chat', { msg: 'banned' });
  assertLiBooException(await v.next('exception'), 403, host.sessionKey);

  // A refused join names no room.
  v.emit('join_room', { roomId: host.sessionKey });
  assertLiBooException(await v.next('exception'), 400, null);
});

test('receive_question_done shows the asker as receive_question did', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const live = await publish(t, node, host);
  const h = await user(t, node.base, 'host', host.userId);
  const v = await user(t, node.base, 'asker');
  const other = await user(t, node.base, 'other');
  for (const u of [h, v, other]) await u.join(host.sessionKey);

  v.send('send_question', { msg: 'who am I?' });
  const asked = await other.next('receive_question', (d) => d.msg === 'who am I?');
  assert.equal(asked.socketId, v.id);
  assert.match(asked.color, /^#[0-9a-f]{6}$/);
  assert.equal(typeof asked.entryTime, 'string');
  assert.notEqual(asked.entryTime, '');
  const asker = ({ nickname, color, entryTime, socketId }) => ({ nickname, color, entryTime, socketId });

  // A joiner's list shows the asker the same way.
  const late = await user(t, node.base, 'late');
  const init = await late.join(host.sessionKey);
  const listed = init.questionList.find((q) => q.questionId === asked.questionId);
  assert.deepEqual(asker(listed), asker(asked));

  // Answered, from the host's socket: still the asker's colour, entry time and socket id.
  h.send('send_question_done', { questionId: asked.questionId });
  for (const u of [h, v, other, late]) {
    const done = await u.next('receive_question_done', (d) => d.questionId === asked.questionId);
    assert.equal(done.questionDone, true);
    assert.deepEqual(asker(done), asker(asked), u.name);
  }
  await live.stop();
});
