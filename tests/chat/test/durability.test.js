// Durability: a question the asker saw acknowledged survives a crash of the node.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiboo, newHost, publish, user, getJson, isLive } from '../helpers.js';

test('acknowledged questions survive SIGKILL of the node', async (t) => {
  const first = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(first.base);
  const live = await publish(t, first, host);
  const v = await user(t, first.base, 'viewer');
  const other = await user(t, first.base, 'other');
  await v.join(host.sessionKey);
  await other.join(host.sessionKey);

  // Questions the asker saw come back are acknowledged; fire a few more without waiting,
  // so the crash may land in the middle of them.
  const acked = [];
  for (let i = 0; i < 5; i++) {
    v.send('send_question', { msg: `acknowledged ${i}` });
    acked.push((await v.next('receive_question', (d) => d.msg === `acknowledged ${i}`)).questionId);
  }
  other.send('send_question', { msg: 'in flight' });
  other.send('send_question', { msg: 'in flight 2' });
  await other.next('receive_question', (d) => d.msg === 'in flight');
  for (const e of other.pending('receive_question')) if (e.socketId === other.id) acked.push(e.questionId);
  const ackedIds = new Set(acked);

  await first.kill();
  await live.stopFfmpeg();
  v.close();
  other.close();

  const node = await startLiboo(t, {
    dataDir: first.dataDir,
    httpPort: first.httpPort,
    rtmpPort: first.rtmpPort,
    args: ['--chat-rate-limit', '0'],
  });

  // The crashed broadcast is either still live (its questions in a joiner's list) or
  // ended (its questions with the replay); either way every acknowledged one is there.
  let found;
  if (await isLive(node.base, host.sessionKey)) {
    const joiner = await user(t, node.base, 'joiner after restart');
    const init = await joiner.join(host.sessionKey);
    found = init.questionList.map((q) => q.questionId);
    t.diagnostic('the killed broadcast is still live after the restart');
  } else {
    const { info } = await getJson(node.base, '/api/replay/latest');
    const replay = info.find((r) => r.channel?.channelId === host.sessionKey);
    assert.ok(replay, 'the crashed broadcast is a replay');
    const { questions } = await getJson(node.base, `/api/replay/questions?videoId=${replay.videoId}`);
    found = questions.map((q) => q.questionId);
    t.diagnostic('the killed broadcast ended with the restart');
  }
  for (const id of ackedIds) assert.ok(found.includes(id), `question ${id} was acknowledged but is gone: ${found}`);
});
