// Shared pieces of the chat tests: a liboo node on ports from the OS, ffmpeg as the
// publisher, and chat users as official socket.io clients that record every event.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';

const here = path.dirname(fileURLToPath(import.meta.url));
export const LIBOO_BIN = process.env.LIBOO_BIN ?? path.resolve(here, '../../target/debug/liboo');
export const FIXTURE = path.resolve(here, '../fixtures/testsrc.flv');
export const REDIS_URL = process.env.LIBOO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The test MariaDB server, as the Rust suites name it; each test makes its own database. */
const MYSQL = new URL(process.env.LIBOO_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');

/** How long any single wait may take before the test fails. */
export const WAIT_MS = 15_000;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A random id shaped like LiBoo's 21-char nanoid. */
export function newUserId() {
  return randomBytes(16).toString('base64url').slice(0, 21);
}

/** A port the OS says is free now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value, failing with `what` after `ms`. */
export async function until(what, check, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await sleep(100);
  }
}

export async function tempDir(t) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'liboo-chat-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts `liboo serve` with `args` on fresh ports and waits for /healthz. Stopped (SIGKILL
 * to this one process) when the test ends. Options: dataDir, httpPort, rtmpPort, env, args.
 */
export async function startLiboo(t, opts = {}) {
  const dataDir = opts.dataDir ?? (await tempDir(t));
  const httpPort = opts.httpPort ?? (await freePort());
  const rtmpPort = opts.rtmpPort ?? (await freePort());
  const args = [
    'serve',
    '--data-dir', dataDir,
    '--http-addr', `127.0.0.1:${httpPort}`,
    '--rtmp-addr', `127.0.0.1:${rtmpPort}`,
    '--reconnect-grace', '0.5',
    ...(opts.args ?? []),
  ];
  const child = spawn(LIBOO_BIN, args, {
    env: { ...process.env, LIBOO_LOG: 'warn', ...(opts.env ?? {}) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => {
    log += d;
    if (log.length > 200_000) log = log.slice(-100_000);
  });
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));
  const node = {
    child,
    dataDir,
    httpPort,
    rtmpPort,
    base: `http://127.0.0.1:${httpPort}`,
    log: () => log,
    exit,
    /** SIGKILL, as a crash would. */
    async kill() {
      if (exited) return;
      child.kill('SIGKILL');
      await exit;
    },
  };
  t.after(() => node.kill());
  await until(`liboo on port ${httpPort} to answer /healthz`, async () => {
    if (exited) throw new Error(`liboo exited early (${JSON.stringify(exited)}):\n${log}`);
    const r = await fetch(`${node.base}/healthz`);
    return r.ok;
  }, 30_000).catch((e) => {
    throw new Error(`${e.message}\n--- liboo log ---\n${log}`);
  });
  return node;
}

export async function getJson(base, pathAndQuery) {
  const r = await fetch(`${base}${pathAndQuery}`);
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`GET ${pathAndQuery}: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

export async function postJson(base, p, body) {
  const r = await fetch(`${base}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`POST ${p}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** A host: its userId and the keys the API derives from it. */
export async function newHost(base) {
  const userId = newUserId();
  const { streamKey, sessionKey } = await postJson(base, '/api/host/key', { userId });
  return { userId, streamKey, sessionKey };
}

export async function isLive(base, sessionKey) {
  const { state } = await getJson(base, `/api/host/state?sessionKey=${sessionKey}`);
  return state === true;
}

/**
 * Publishes the committed fixture with ffmpeg until stopped, and waits until the channel
 * is live. Returns `{stop()}`; stop waits for the broadcast to end unless told not to.
 */
export async function publish(t, node, host, apiBase = node.base) {
  const ff = spawn('ffmpeg', [
    '-v', 'error', '-re', '-stream_loop', '-1', '-i', FIXTURE,
    '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${node.rtmpPort}/live/${host.streamKey}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  ff.stderr.on('data', (d) => { err += d; });
  let done = false;
  const exit = new Promise((resolve) => ff.on('exit', () => { done = true; resolve(); }));
  const stopFfmpeg = async () => {
    if (!done) {
      ff.kill('SIGKILL');
      await exit;
    }
  };
  t.after(stopFfmpeg);
  await until('the channel to go live', async () => {
    if (done) throw new Error(`ffmpeg exited: ${err}`);
    return isLive(apiBase, host.sessionKey);
  });
  return {
    stopFfmpeg,
    async stop() {
      await stopFfmpeg();
      await until('the broadcast to end', async () => !(await isLive(apiBase, host.sessionKey)));
    },
  };
}

/** The chat events a server sends. */
const EVENTS = [
  'receive_init_data', 'receive_normal_chat', 'receive_question', 'receive_question_done',
  'receive_notice', 'receive_question_upvote', 'receive_viewer_count', 'receive_talk_state', 'exception',
];

/**
 * One chat user: a socket.io client with its own userId. Every event is recorded, and
 * `next` takes the oldest one not yet taken that matches.
 */
export class ChatUser {
  constructor(base, userId = newUserId(), name = 'user') {
    this.base = base;
    this.userId = userId;
    this.name = name;
    this.events = [];
    this.waiters = [];
    this.socket = null;
  }

  async connect() {
    const socket = io(this.base, {
      path: '/chat/socket.io',
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: WAIT_MS,
    });
    this.socket = socket;
    socket.onAny((event, data) => this.record(event, data));
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', (e) => reject(new Error(`${this.name} could not connect: ${e.message}`)));
    });
    return this;
  }

  get id() {
    return this.socket.id;
  }

  record(event, data) {
    const e = { event, data, taken: false };
    this.events.push(e);
    const w = this.waiters.find((x) => x.match(e));
    if (w) {
      e.taken = true;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      clearTimeout(w.timer);
      w.resolve(e);
    }
  }

  /** The next event (`{event, data}`) `match` accepts, recorded already or still to come. */
  nextWhere(what, match, ms = WAIT_MS) {
    const found = this.events.find((e) => !e.taken && match(e));
    if (found) {
      found.taken = true;
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const w = { match, resolve };
      this.waiters.push(w);
      w.timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          const seen = this.events.map((e) => `${e.event} ${JSON.stringify(e.data)}`).join('\n  ');
          reject(new Error(`${this.name} got no ${what} within ${ms} ms; events so far:\n  ${seen}`));
        }
      }, ms);
    });
  }

  /** The next `event` matching `pred`. */
  async next(event, pred = () => true, ms = WAIT_MS) {
    const e = await this.nextWhere(event, (x) => x.event === event && pred(x.data), ms);
    return e.data;
  }

  /** Events of this kind not taken yet. */
  pending(event) {
    return this.events.filter((e) => !e.taken && e.event === event).map((e) => e.data);
  }

  emit(event, data) {
    this.socket.emit(event, data);
  }

  async join(roomId) {
    this.roomId = roomId;
    this.emit('join_room', { roomId, userId: this.userId });
    return this.next('receive_init_data', (d) => d.roomId === roomId);
  }

  send(event, fields = {}) {
    this.emit(event, { roomId: this.roomId, userId: this.userId, ...fields });
  }

  /** Sends a normal message and waits until it comes back to the sender. */
  async say(msg) {
    this.send('send_normal_chat', { msg });
    return this.next('receive_normal_chat', (d) => d.msg === msg && d.socketId === this.id);
  }

  close() {
    if (this.socket) this.socket.disconnect();
  }
}

/** Connects a user and closes it when the test ends. */
export async function user(t, base, name, userId) {
  const u = new ChatUser(base, userId, name);
  t.after(() => u.close());
  await u.connect();
  return u;
}

/** The `--database-url` of database `name` on the test MariaDB server. */
export function mysqlUrl(name) {
  const u = new URL(MYSQL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs SQL with the `mariadb` client on the test server. */
export function mariadb(sql) {
  const args = ['-h', MYSQL.hostname, '-P', MYSQL.port || '3306', '-u', decodeURIComponent(MYSQL.username), '-e', sql];
  const env = { ...process.env };
  if (MYSQL.password) env.MYSQL_PWD = decodeURIComponent(MYSQL.password);
  return new Promise((resolve, reject) => {
    const p = spawn('mariadb', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`mariadb: ${out}`))));
  });
}

/** Deletes every Redis key under `prefix` (what killed nodes leave behind). */
export function redisCleanup(prefix) {
  const url = new URL(REDIS_URL);
  const conn = ['-h', url.hostname, '-p', url.port || '6379'];
  return new Promise((resolve) => {
    const p = spawn('sh', ['-c', 'redis-cli "$@" --scan --pattern "$0*" | xargs -r redis-cli "$@" del >/dev/null', prefix, ...conn], { stdio: 'ignore' });
    p.on('exit', resolve);
  });
}

/**
 * Sends probes from `u` until one is refused with 403 (the host's ban has no reply, so
 * the test learns it took effect from the banned user's side).
 */
export async function untilRefused(u, label) {
  let i = 0;
  await until(`${label} to be refused`, async () => {
    const msg = `probe ${label} ${i++}`;
    u.send('send_normal_chat', { msg });
    const r = await u.nextWhere(
      'a reply to the probe',
      (e) => e.event === 'exception' || (e.event === 'receive_normal_chat' && e.data.msg === msg),
    );
    return r.event === 'exception' && r.data.statusCode === 403;
  });
}
