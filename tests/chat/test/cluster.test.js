// Two chat nodes on one Redis and one MariaDB: rooms, bans and viewer counts span both.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  startLiboo, newHost, publish, user, getJson, postJson, until, untilRefused, mariadb, mysqlUrl, redisCleanup,
  REDIS_URL,
} from '../helpers.js';

async function apiCount(base, liveId) {
  const { info } = await getJson(base, `/api/streams/live?liveId=${liveId}`);
  return info.concurrentUserCount;
}

test('two nodes share rooms, bans and viewer counts', async (t) => {
  const tag = randomBytes(6).toString('hex');
  const database = `liboo_chat_${tag}`;
  const prefix = `liboo-chat-test-${tag}:`;
  let a;
  let b;
  await mariadb(`CREATE DATABASE ${database}`);
  // After-hooks run in the order they are registered: stop the nodes before cleaning up.
  t.after(async () => {
    await a?.kill();
    await b?.kill();
    await redisCleanup(prefix);
    await mariadb(`DROP DATABASE IF EXISTS ${database}`);
  });
  const shared = {
    env: { LIBOO_SECRET: `chat-cluster-test-secret-${tag}` },
    args: [
      '--chat-rate-limit', '0',
      '--redis-url', REDIS_URL,
      '--redis-prefix', prefix,
      '--database-url', mysqlUrl(database),
    ],
  };
  a = await startLiboo(t, shared);
  b = await startLiboo(t, { ...shared, args: [...shared.args, '--roles', 'api,chat'] });

  const host = await newHost(a.base);
  // Both nodes derive the same keys from the shared secret.
  const keysOnB = await postJson(b.base, '/api/host/key', { userId: host.userId });
  assert.deepEqual({ streamKey: keysOnB.streamKey, sessionKey: keysOnB.sessionKey }, {
    streamKey: host.streamKey,
    sessionKey: host.sessionKey,
  });
  const live = await publish(t, a, host);
  await until('node B to see the broadcast live', async () => {
    const { state } = await getJson(b.base, `/api/host/state?sessionKey=${host.sessionKey}`);
    return state;
  });
  const room = host.sessionKey;

  // The host on A, viewers on both nodes.
  const h = await user(t, a.base, 'host on A', host.userId);
  const va = await user(t, a.base, 'viewer on A');
  const vb = await user(t, b.base, 'viewer on B');
  const vb2 = await user(t, b.base, 'second viewer on B');
  for (const u of [h, va, vb, vb2]) await u.join(room);

  // A message sent on A reaches B, and one sent on B reaches A.
  await va.say('from A');
  const got = await vb.next('receive_normal_chat', (d) => d.msg === 'from A');
  assert.equal(got.owner, 'user');
  assert.equal(got.socketId, va.id);
  await vb.say('from B');
  await h.next('receive_normal_chat', (d) => d.msg === 'from B');
  await va.next('receive_normal_chat', (d) => d.msg === 'from B');
  await h.say('host on A');
  assert.equal((await vb.next('receive_normal_chat', (d) => d.msg === 'host on A')).owner, 'host');

  // A question asked on B is seen on A and is in a joiner's list on either node.
  vb.send('send_question', { msg: 'question from B' });
  const q = await h.next('receive_question', (d) => d.msg === 'question from B');
  const joinerA = await user(t, a.base, 'joiner on A');
  assert.deepEqual((await joinerA.join(room)).questionList.map((x) => x.questionId), [q.questionId]);
  h.send('send_question_done', { questionId: q.questionId });
  await vb.next('receive_question_done', (d) => d.questionId === q.questionId);

  // Viewer counts agree through both nodes' API: 4 viewers (va, vb, vb2, joinerA).
  for (const node of [a, b]) {
    await until(`4 viewers via ${node.base}`, async () => (await apiCount(node.base, room)) === 4);
  }
  vb2.close();
  await h.next('receive_viewer_count', (d) => d.count === 3);
  for (const node of [a, b]) {
    await until(`3 viewers via ${node.base}`, async () => (await apiCount(node.base, room)) === 3);
  }

  // A ban made on A (of a socket on B) holds for that user on B, on a new socket too.
  h.send('ban_user', { socketId: vb.id });
  await untilRefused(vb, 'the banned viewer on B');
  const vbAgain = await user(t, b.base, 'banned viewer, new socket on B', vb.userId);
  await vbAgain.join(room);
  vbAgain.send('send_normal_chat', { msg: 'still banned?' });
  assert.equal((await vbAgain.next('exception')).statusCode, 403);
  const vbOnA = await user(t, a.base, 'banned viewer, now on A', vb.userId);
  await vbOnA.join(room);
  vbOnA.send('send_question', { msg: 'banned question?' });
  assert.equal((await vbOnA.next('exception')).statusCode, 403);
  // The banned user still reads, on either node.
  await va.say('after the ban');
  await vbAgain.next('receive_normal_chat', (d) => d.msg === 'after the ban');
  await vbOnA.next('receive_normal_chat', (d) => d.msg === 'after the ban');

  await live.stop();
});
