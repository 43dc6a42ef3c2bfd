// Viewer counts: pushed to the room on every join and leave, and served by the API as
// `concurrentUserCount` (viewers only, the host not counted).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiboo, newHost, publish, user, getJson, until } from '../helpers.js';

async function apiCount(base, liveId) {
  const { info } = await getJson(base, `/api/streams/live?liveId=${liveId}`);
  return info.concurrentUserCount;
}

/** Waits until the API reports `n` viewers (the count is kept asynchronously). */
async function apiCountIs(base, liveId, n) {
  await until(`concurrentUserCount ${n}`, async () => (await apiCount(base, liveId)) === n);
}

test('viewer counts follow joins and leaves', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const other = await newHost(node.base);
  const live = await publish(t, node, host);
  const room = host.sessionKey;
  const isCount = (n) => (d) => d.roomId === room && d.count === n;

  assert.equal(await apiCount(node.base, room), 0);
  const h = await user(t, node.base, 'host', host.userId);
  await h.join(room);
  assert.equal(await apiCount(node.base, room), 0, 'the host is not a viewer');

  const v1 = await user(t, node.base, 'viewer1');
  await v1.join(room);
  await h.next('receive_viewer_count', isCount(1));
  await v1.next('receive_viewer_count', isCount(1));
  await apiCountIs(node.base, room, 1);

  const v2 = await user(t, node.base, 'viewer2');
  await v2.join(room);
  const v3 = await user(t, node.base, 'viewer3');
  await v3.join(room);
  // Pushes are coalesced (at most one per room every 500 ms): quick joins may skip 2.
  for (const u of [h, v1]) {
    await u.next('receive_viewer_count', isCount(3));
  }
  await v3.next('receive_viewer_count', isCount(3));
  assert.equal(await apiCount(node.base, room), 3);

  // Joining the same room again does not count twice.
  await v3.join(room);
  assert.equal(await apiCount(node.base, room), 3);

  // leave_room, disconnecting, and moving to another room each count one leave.
  v1.send('leave_room');
  await h.next('receive_viewer_count', isCount(2));
  await v3.next('receive_viewer_count', isCount(2));
  await apiCountIs(node.base, room, 2);
  v2.close();
  await h.next('receive_viewer_count', isCount(1));
  await v3.next('receive_viewer_count', isCount(1));
  await apiCountIs(node.base, room, 1);
  await v3.join(other.sessionKey);
  await h.next('receive_viewer_count', isCount(0));
  await apiCountIs(node.base, room, 0);

  // The one who left gets nothing more from the room.
  v1.close();
  const v4 = await user(t, node.base, 'viewer4');
  await v4.join(room);
  await h.next('receive_viewer_count', isCount(1));
  await apiCountIs(node.base, room, 1);
  assert.deepEqual(v3.pending('receive_viewer_count').filter((d) => d.roomId === room), []);

  // The host leaving changes nothing.
  h.close();
  await v4.say('host gone');
  assert.equal(await apiCount(node.base, room), 1);
  await live.stop();
});

test('a socket that joins twice at once counts once', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const room = host.sessionKey;
  const h = await user(t, node.base, 'host', host.userId);
  await h.join(room);
  // A client that emits join_room twice in a row (React effects run twice in
  // development) must not leave a phantom viewer behind.
  const v = await user(t, node.base, 'eager viewer');
  for (let i = 0; i < 3; i++) v.emit('join_room', { roomId: room, userId: v.userId });
  for (let i = 0; i < 3; i++) await v.next('receive_init_data');
  const w = await user(t, node.base, 'second viewer');
  await w.join(room);
  await h.next('receive_viewer_count', (d) => d.count === 2);
  v.close();
  await h.next('receive_viewer_count', (d) => d.count === 1);
  w.close();
  await h.next('receive_viewer_count', (d) => d.count === 0);
  assert.equal(await apiCount(node.base, room), 0);
});

test('the host joining late is told the current count', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const room = host.sessionKey;
  for (const name of ['a', 'b']) await (await user(t, node.base, name)).join(room);
  const h = await user(t, node.base, 'host', host.userId);
  await h.join(room);
  assert.equal((await h.next('receive_viewer_count')).count, 2);
});
