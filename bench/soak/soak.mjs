// The soak: one liboo node for DURATION_S with PUBLISHERS ffmpeg publishers, CLIENTS chat
// clients (the official socket.io client) sending at a steady rate into the publishers'
// rooms, and a replay read over and over. Every SAMPLE_S it records the server's RSS, open
// files, threads and live tokio tasks; at the end it ends the broadcasts, checks that every
// question a client saw acknowledged is in its replay, and counts warnings and errors in
// the server's log. Results go to OUT (default bench/soak/results/<stamp>/):
// samples.tsv, summary.json, summary.md, liboo.log.
//
// Run through bench/soak/run.sh, which builds liboo and installs the client first.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const env = (name, fallback) => process.env[name] ?? fallback;
const LIBOO_BIN = env('LIBOO_BIN', path.join(root, 'target/release/liboo'));
const FIXTURE = path.join(root, 'tests/fixtures/testsrc.flv');
const DURATION_S = Number(env('DURATION_S', 1800));
const PUBLISHERS = Number(env('PUBLISHERS', 8));
const CLIENTS = Number(env('CLIENTS', 2000));
// Each client sends one message every MSG_INTERVAL_S; every QUESTION_EVERY-th is a question.
const MSG_INTERVAL_S = Number(env('MSG_INTERVAL_S', 20));
const QUESTION_EVERY = Number(env('QUESTION_EVERY', 10));
const SAMPLE_S = Number(env('SAMPLE_S', 10));
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z');
const OUT = env('OUT', path.join(here, 'results', stamp));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}]`, ...a);
const newUserId = () => randomBytes(16).toString('base64url').slice(0, 21);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function until(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(250);
  }
}

mkdirSync(OUT, { recursive: true });
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'liboo-soak-'));
const httpPort = await freePort();
const rtmpPort = await freePort();
const base = `http://127.0.0.1:${httpPort}`;
const children = [];

async function getJson(p) {
  const r = await fetch(base + p);
  if (!r.ok) throw new Error(`GET ${p}: ${r.status}`);
  return r.json();
}
async function postJson(p, body) {
  const r = await fetch(base + p, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`POST ${p}: ${r.status}`);
  return r.json();
}
async function newHost() {
  const userId = newUserId();
  const { streamKey, sessionKey } = await postJson('/api/host/key', { userId });
  return { userId, streamKey, sessionKey };
}
const isLive = async (h) => (await getJson(`/api/host/state?sessionKey=${h.sessionKey}`)).state === true;

function publish(host, loop) {
  const ff = spawn('ffmpeg', [
    '-v', 'error', '-re', ...(loop ? ['-stream_loop', '-1'] : []), '-i', FIXTURE,
    '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/live/${host.streamKey}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  ff.stderr.on('data', () => {});
  ff.exited = new Promise((r) => ff.on('exit', r));
  children.push(ff);
  return ff;
}

/** The broadcast's replay id once it has ended. */
async function endedVideoId(host) {
  return until(`${host.sessionKey}'s broadcast to end`, async () => {
    const { info } = await getJson(`/api/streams/live?liveId=${host.sessionKey}`);
    return !(await isLive(host)) && info?.videoId ? info.videoId : null;
  }, 120_000);
}

// --- the server -------------------------------------------------------------------------
const serverLog = createWriteStream(path.join(OUT, 'liboo.log'));
const liboo = spawn(LIBOO_BIN, [
  'serve', '--data-dir', dataDir,
  '--http-addr', `127.0.0.1:${httpPort}`, '--rtmp-addr', `127.0.0.1:${rtmpPort}`,
  // Every client comes from 127.0.0.1; the per-address cap is for real deployments.
  '--chat-max-connections-per-ip', '0',
], { env: { ...process.env, LIBOO_LOG: env('LIBOO_LOG', 'info') }, stdio: ['ignore', 'pipe', 'pipe'] });
liboo.stdout.pipe(serverLog);
liboo.stderr.pipe(serverLog);
let serverExit = null;
liboo.on('exit', (code, signal) => { serverExit = { code, signal }; });
const pid = liboo.pid;
await until('liboo to answer /healthz', async () => {
  if (serverExit) throw new Error(`liboo exited: ${JSON.stringify(serverExit)}`);
  return (await fetch(`${base}/healthz`)).ok;
}, 60_000);
log(`liboo pid ${pid} on ${base}, rtmp ${rtmpPort}, data ${dataDir}, results ${OUT}`);

// --- a replay to read throughout ---------------------------------------------------------
const replayHost = await newHost();
const first = publish(replayHost, false);
await first.exited;
const replayVideoId = await endedVideoId(replayHost);
const { info: replayInfo } = await getJson(`/api/replay/video?videoId=${replayVideoId}`);
const replayUrl = new URL(replayInfo.replayUrl, base).toString();
log(`replay ${replayVideoId} at ${replayUrl}`);

// --- publishers ---------------------------------------------------------------------------
const hosts = [];
for (let i = 0; i < PUBLISHERS; i++) {
  const h = await newHost();
  h.ff = publish(h, true);
  hosts.push(h);
}
for (const h of hosts) await until(`${h.sessionKey} to go live`, () => isLive(h));
log(`${PUBLISHERS} publishers live`);

// --- chat ---------------------------------------------------------------------------------
const stats = {
  connected: 0, disconnects: 0, connectErrors: 0, sent: 0, questionsSent: 0,
  delivered: 0, exceptions: {}, acked: [], done: 0,
};
const hostSockets = [];
function connect(userId) {
  return io(base, { path: '/chat/socket.io', transports: ['websocket'], reconnection: true, forceNew: true });
}
for (const h of hosts) {
  const s = connect(h.userId);
  s.on('connect', () => s.emit('join_room', { roomId: h.sessionKey, userId: h.userId }));
  // The host answers every other question it sees.
  let n = 0;
  s.on('receive_question', (q) => {
    if (n++ % 2 === 0) {
      s.emit('send_question_done', { roomId: h.sessionKey, userId: h.userId, questionId: q.questionId });
      stats.done++;
    }
  });
  hostSockets.push(s);
}
const clients = [];
for (let i = 0; i < CLIENTS; i++) {
  const room = hosts[i % hosts.length].sessionKey;
  const userId = newUserId();
  const s = connect(userId);
  const c = { s, room, userId, seq: 0, pending: new Map() };
  s.on('connect', () => { stats.connected++; s.emit('join_room', { roomId: room, userId }); });
  s.on('disconnect', () => { stats.disconnects++; });
  s.on('connect_error', () => { stats.connectErrors++; });
  s.on('receive_normal_chat', () => { stats.delivered++; });
  s.on('receive_question', (q) => {
    stats.delivered++;
    if (q.owner === 'me' && c.pending.has(q.msg)) {
      c.pending.delete(q.msg);
      stats.acked.push({ room, questionId: q.questionId, msg: q.msg });
    }
  });
  s.on('exception', (e) => {
    const k = String(e?.statusCode);
    stats.exceptions[k] = (stats.exceptions[k] ?? 0) + 1;
  });
  clients.push(c);
  if (i % 100 === 99) await sleep(200);
}
await until('every chat client to connect', () => stats.connected >= CLIENTS, 120_000);
log(`${CLIENTS} chat clients connected`);

let sending = true;
for (const c of clients) {
  // Spread the clients' sends over the interval.
  const phase = Math.random() * MSG_INTERVAL_S * 1000;
  setTimeout(function tick() {
    if (!sending) return;
    c.seq++;
    const msg = `soak ${c.userId.slice(0, 6)} ${c.seq}`;
    if (c.seq % QUESTION_EVERY === 0) {
      c.pending.set(msg, Date.now());
      c.s.emit('send_question', { roomId: c.room, userId: c.userId, msg });
      stats.questionsSent++;
    } else {
      c.s.emit('send_normal_chat', { roomId: c.room, userId: c.userId, msg });
    }
    stats.sent++;
    setTimeout(tick, MSG_INTERVAL_S * 1000);
  }, phase);
}

// --- the replay reader -------------------------------------------------------------------
const replay = { rounds: 0, segments: 0, bytes: 0, errors: 0 };
let reading = true;
(async () => {
  while (reading) {
    try {
      const text = await (await fetch(replayUrl)).text();
      const uris = text.split('\n').filter((l) => l && !l.startsWith('#'));
      const maps = [...text.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]);
      for (const u of [...maps, ...uris]) {
        if (!reading) break;
        const r = await fetch(new URL(u, replayUrl));
        if (!r.ok) { replay.errors++; continue; }
        replay.bytes += (await r.arrayBuffer()).byteLength;
        replay.segments++;
        await sleep(100);
      }
      replay.rounds++;
    } catch {
      replay.errors++;
      await sleep(1000);
    }
  }
})();

// --- samples ------------------------------------------------------------------------------
function procSample() {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))?.[1] ?? NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return {
    rssMiB: kb('VmRSS') / 1024,
    threads: kb('Threads'),
    fds: readdirSync(`/proc/${pid}/fd`).length,
    cpuS: ticks / 100,
  };
}
async function tasks() {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(text.match(/^liboo_runtime_alive_tasks (\S+)/m)?.[1] ?? NaN);
}
const samples = [];
const tsv = createWriteStream(path.join(OUT, 'samples.tsv'));
tsv.write('t_s\trss_mib\tfds\tthreads\ttasks\tcpu_s\tdelivered_per_s\tsent\tquestions_acked\treplay_segments\n');
const start = Date.now();
let lastDelivered = 0;
while ((Date.now() - start) / 1000 < DURATION_S) {
  await sleep(SAMPLE_S * 1000);
  if (serverExit) throw new Error(`liboo exited during the soak: ${JSON.stringify(serverExit)}`);
  const t = Math.round((Date.now() - start) / 1000);
  const p = procSample();
  const s = { t, ...p, tasks: await tasks(), dps: (stats.delivered - lastDelivered) / SAMPLE_S };
  lastDelivered = stats.delivered;
  samples.push(s);
  tsv.write(`${t}\t${p.rssMiB.toFixed(1)}\t${p.fds}\t${p.threads}\t${s.tasks}\t${p.cpuS.toFixed(1)}\t${s.dps.toFixed(0)}\t${stats.sent}\t${stats.acked.length}\t${replay.segments}\n`);
  if (samples.length % 6 === 0 || t >= DURATION_S) {
    log(`${t}/${DURATION_S} s: rss ${p.rssMiB.toFixed(1)} MiB, fds ${p.fds}, tasks ${s.tasks}, ` +
      `${s.dps.toFixed(0)} deliveries/s, ${stats.acked.length} questions acked, replay segments read ${replay.segments}`);
  }
}

// --- the end: stop, end broadcasts, check the questions -----------------------------------
sending = false;
reading = false;
await sleep(5000);
const pendingAtEnd = clients.reduce((n, c) => n + c.pending.size, 0);
for (const c of clients) c.s.disconnect();
for (const s of hostSockets) s.disconnect();
for (const h of hosts) h.ff.kill('SIGINT');
await Promise.all(hosts.map((h) => h.ff.exited));
const byRoom = new Map();
for (const h of hosts) {
  h.videoId = await endedVideoId(h);
  const { questions } = await getJson(`/api/replay/questions?videoId=${h.videoId}`);
  byRoom.set(h.sessionKey, new Map(questions.map((q) => [q.questionId, q])));
}
const lost = stats.acked.filter((a) => byRoom.get(a.room)?.get(a.questionId)?.msg !== a.msg);
const stored = [...byRoom.values()].reduce((n, m) => n + m.size, 0);
const answered = [...byRoom.values()].reduce((n, m) => n + [...m.values()].filter((q) => q.questionDone).length, 0);

const logText = readFileSync(path.join(OUT, 'liboo.log'), 'utf8');
const levelLines = (lvl) => logText.split('\n').filter((l) => new RegExp(`\\b${lvl}\\b`).test(l));
const warnLines = levelLines('WARN');
const errorLines = levelLines('ERROR');

// Flatness: the first and last fifth of the samples after the first two minutes.
const steady = samples.filter((s) => s.t >= Math.min(120, DURATION_S / 4));
const k = Math.max(1, Math.floor(steady.length / 5));
const mean = (xs, f) => xs.reduce((a, x) => a + f(x), 0) / xs.length;
const trend = (f) => ({
  early: +mean(steady.slice(0, k), f).toFixed(1),
  late: +mean(steady.slice(-k), f).toFixed(1),
  max: +Math.max(...samples.map(f)).toFixed(1),
});
const summary = {
  date: new Date().toISOString(),
  durationS: DURATION_S, publishers: PUBLISHERS, clients: CLIENTS, msgIntervalS: MSG_INTERVAL_S,
  rssMiB: trend((s) => s.rssMiB), fds: trend((s) => s.fds), threads: trend((s) => s.threads),
  tasks: trend((s) => s.tasks),
  serverCpuS: samples.at(-1).cpuS,
  deliveredPerS: +mean(steady, (s) => s.dps).toFixed(0),
  chat: {
    sent: stats.sent, questionsSent: stats.questionsSent, questionsAcked: stats.acked.length,
    questionsUnackedAtEnd: pendingAtEnd, questionsStored: stored, questionsAnswered: answered,
    questionsLost: lost.length, delivered: stats.delivered, disconnects: stats.disconnects,
    connectErrors: stats.connectErrors, exceptions: stats.exceptions, doneSent: stats.done,
  },
  replay,
  log: { warn: warnLines.length, error: errorLines.length, firstWarns: warnLines.slice(0, 10), firstErrors: errorLines.slice(0, 10) },
};
writeFileSync(path.join(OUT, 'summary.json'), JSON.stringify(summary, null, 2));
const row = (name, v) => `| ${name} | ${v.early} | ${v.late} | ${v.max} |`;
writeFileSync(path.join(OUT, 'summary.md'), [
  `Soak ${summary.date}: ${DURATION_S} s, ${PUBLISHERS} publishers, ${CLIENTS} chat clients (one message each every ${MSG_INTERVAL_S} s, every ${QUESTION_EVERY}th a question), one replay read in a loop.`,
  '',
  '| measure | early mean | late mean | max |',
  '|---|---|---|---|',
  row('RSS MiB', summary.rssMiB), row('open fds', summary.fds), row('threads', summary.threads), row('tokio tasks', summary.tasks),
  '',
  `Server CPU ${summary.serverCpuS} s; ${summary.deliveredPerS} chat deliveries/s; ${stats.sent} messages sent, ${stats.acked.length} questions acknowledged, ${stored} stored, ${lost.length} lost (${pendingAtEnd} unacknowledged at the end); ${answered} answered; ${stats.disconnects} disconnects, ${stats.connectErrors} connect errors, exceptions ${JSON.stringify(stats.exceptions)}; replay: ${replay.rounds} rounds, ${replay.segments} objects, ${replay.errors} errors; log: ${warnLines.length} WARN, ${errorLines.length} ERROR lines.`,
  '',
].join('\n'));
log(readFileSync(path.join(OUT, 'summary.md'), 'utf8'));

liboo.kill('SIGTERM');
await new Promise((r) => (serverExit ? r() : liboo.on('exit', r)));
rmSync(dataDir, { recursive: true, force: true });
log(`liboo exited with ${JSON.stringify(serverExit)}`);
process.exit(lost.length === 0 ? 0 : 1);
