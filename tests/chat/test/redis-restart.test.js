// Redis restarted under a busy chat: each node keeps serving its own clients while it
// is gone, and rooms span both nodes again once it is back, without restarting liboo.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  startLiboo, newHost, user, until, mariadb, mysqlUrl, freePort, tempDir, sleep,
} from '../helpers.js';

/** A redis-server of this test's own, so that killing it touches nothing else. */
async function privateRedis(t, port) {
  const dir = await tempDir(t);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
    '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const exit = new Promise((resolve) => child.on('exit', resolve));
  const redis = {
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exit;
    },
  };
  t.after(() => redis.kill());
  await until('the private redis-server', async () => {
    const net = await import('node:net');
    return new Promise((ok) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); ok(true); });
      s.on('error', () => ok(false));
    });
  });
  return redis;
}

test('a Redis restart: nodes serve their own clients meanwhile, then rooms are whole again', async (t) => {
  const tag = randomBytes(6).toString('hex');
  const database = `liboo_redis_${tag}`;
  await mariadb(`CREATE DATABASE ${database}`);
  t.after(async () => mariadb(`DROP DATABASE IF EXISTS ${database}`));
  const port = await freePort();
  let redis = await privateRedis(t, port);
  const shared = {
    env: { LIBOO_SECRET: `redis-restart-test-secret-${tag}` },
    args: ['--chat-rate-limit', '0', '--redis-url', `redis://127.0.0.1:${port}`,
      '--database-url', mysqlUrl(database)],
  };
  const a = await startLiboo(t, shared);
  const b = await startLiboo(t, { ...shared, args: [...shared.args, '--roles', 'api,chat'] });
  const host = await newHost(a.base);
  const room = host.sessionKey;
  const h = await user(t, a.base, 'host on A', host.userId);
  const va = await user(t, a.base, 'viewer on A');
  const vb = await user(t, b.base, 'viewer on B');
  const vb2 = await user(t, b.base, 'second viewer on B');
  for (const u of [h, va, vb, vb2]) await u.join(room);
  await va.say('before');
  await vb.next('receive_normal_chat', (d) => d.msg === 'before');

  await redis.kill();
  // Each node goes on serving its own clients: A to A, B to B.
  for (let i = 0; i < 3; i += 1) {
    await va.say(`outage A ${i}`);
    await h.next('receive_normal_chat', (d) => d.msg === `outage A ${i}`);
    await vb.say(`outage B ${i}`);
    await vb2.next('receive_normal_chat', (d) => d.msg === `outage B ${i}`);
    await sleep(300);
  }

  redis = await privateRedis(t, port);
  // Once the nodes have reconnected, messages cross between them again.
  let n = 0;
  await until('B to hear A again', async () => {
    n += 1;
    await va.say(`after A ${n}`);
    return vb.next('receive_normal_chat', (d) => d.msg === `after A ${n}`, 1000).then(() => true, () => false);
  }, 60_000);
  await until('A to hear B again', async () => {
    n += 1;
    await vb.say(`after B ${n}`);
    return h.next('receive_normal_chat', (d) => d.msg === `after B ${n}`, 1000).then(() => true, () => false);
  }, 60_000);
  // And a newcomer on B sees the room whole.
  const late = await user(t, b.base, 'late viewer on B');
  await late.join(room);
  await h.say('welcome');
  await late.next('receive_normal_chat', (d) => d.msg === 'welcome');
  assert.ok(true);
});
