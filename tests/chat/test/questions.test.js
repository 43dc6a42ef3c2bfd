// Questions: asking, the list a joiner gets, answering, upvotes, host-only events, and
// the questions kept with the replay.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiboo, newHost, publish, user, getJson, until } from '../helpers.js';

test('questions, notices and host-only events', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const live = await publish(t, node, host);

  const h = await user(t, node.base, 'host', host.userId);
  const v1 = await user(t, node.base, 'viewer1');
  const v2 = await user(t, node.base, 'viewer2');
  for (const u of [h, v1, v2]) await u.join(host.sessionKey);

  // A viewer asks; everyone sees the question, stored with an id and not done.
  v1.send('send_question', { msg: 'first question?' });
  const asked = {};
  for (const u of [h, v1, v2]) {
    const q = await u.next('receive_question', (d) => d.msg === 'first question?');
    assert.equal(q.msgType, 'question');
    assert.equal(q.questionDone, false);
    assert.equal(typeof q.questionId, 'number');
    assert.equal(q.roomId, host.sessionKey);
    assert.equal(q.socketId, v1.id);
    asked[u.name] = q;
  }
  assert.equal(asked.viewer1.owner, 'me');
  assert.equal(asked.viewer2.owner, 'user');
  assert.equal(asked.host.owner, 'user');
  assert.equal(asked.viewer2.questionId, asked.viewer1.questionId);
  const q1 = asked.viewer1.questionId;

  v2.send('send_question', { msg: 'second question?' });
  const q2 = (await v2.next('receive_question', (d) => d.msg === 'second question?')).questionId;
  await v1.next('receive_question', (d) => d.questionId === q2);
  await h.next('receive_question', (d) => d.questionId === q2);
  assert.notEqual(q1, q2);

  // A new joiner gets the unanswered questions, newest first.
  const late = await user(t, node.base, 'late');
  const init = await late.join(host.sessionKey);
  assert.deepEqual(init.questionList.map((q) => q.questionId), [q2, q1]);
  assert.deepEqual(init.questionList.map((q) => q.msg), ['second question?', 'first question?']);
  for (const q of init.questionList) assert.equal(q.questionDone, false);

  // Upvotes: counted once per user.
  v2.send('send_question_upvote', { questionId: q1 });
  const up1 = await v1.next('receive_question_upvote', (d) => d.questionId === q1);
  assert.equal(up1.upvotes, 1);
  late.send('send_question_upvote', { questionId: q1 });
  assert.equal((await v1.next('receive_question_upvote', (d) => d.questionId === q1)).upvotes, 2);
  v2.send('send_question_upvote', { questionId: q1 });
  const again = await v1.next('receive_question_upvote', (d) => d.questionId === q1);
  assert.equal(again.upvotes, 2, 'a second upvote by the same user does not count');
  // The same user from a second socket still counts once.
  const v2b = await user(t, node.base, 'viewer2 again', v2.userId);
  await v2b.join(host.sessionKey);
  v2b.send('send_question_upvote', { questionId: q1 });
  assert.equal((await v1.next('receive_question_upvote', (d) => d.questionId === q1)).upvotes, 2);

  // Host-only events from a viewer: 403, and the viewer's socket keeps working.
  for (const [event, fields] of [
    ['send_notice', { msg: 'I am not the host' }],
    ['send_question_done', { questionId: q1 }],
    ['ban_user', { socketId: v2.id }],
  ]) {
    v1.send(event, fields);
    const e = await v1.next('exception');
    assert.equal(e.statusCode, 403, `${event} by a viewer: ${JSON.stringify(e)}`);
    assert.equal(v1.socket.connected, true);
    await v1.say(`still here after ${event}`);
  }
  assert.deepEqual(v2.pending('receive_notice'), []);

  // The host marks a question done; everyone hears it and joiners no longer get it.
  h.send('send_question_done', { questionId: q1 });
  for (const u of [h, v1, v2, late]) {
    const d = await u.next('receive_question_done', (x) => x.questionId === q1);
    assert.equal(d.questionDone, true);
  }
  const later = await user(t, node.base, 'later');
  const init2 = await later.join(host.sessionKey);
  assert.deepEqual(init2.questionList.map((q) => q.questionId), [q2]);

  // The host's notice reaches the room.
  h.send('send_notice', { msg: 'the talk starts at 10' });
  for (const u of [h, v1, v2, later]) {
    const n = await u.next('receive_notice');
    assert.equal(n.msg, 'the talk starts at 10');
    assert.equal(n.msgType, 'notice');
    assert.equal(n.roomId, host.sessionKey);
  }

  // Once the broadcast ends, its questions are kept with the replay.
  await live.stop();
  const replay = await until('the replay to be listed', async () => {
    const { info } = await getJson(node.base, '/api/replay/latest');
    return info.find((r) => r.channel?.channelId === host.sessionKey);
  });
  const { videoId, questions } = await getJson(node.base, `/api/replay/questions?videoId=${replay.videoId}`);
  assert.equal(videoId, replay.videoId);
  const byId = Object.fromEntries(questions.map((q) => [q.questionId, q]));
  assert.equal(questions.length, 2);
  assert.equal(byId[q1].msg, 'first question?');
  assert.equal(byId[q1].questionDone, true);
  assert.equal(byId[q1].upvotes, 2);
  assert.equal(byId[q1].nickname, asked.viewer1.nickname);
  assert.equal(typeof byId[q1].answeredAt, 'number');
  assert.equal(byId[q2].questionDone, false);
  assert.equal(byId[q2].upvotes, 0);
});
