// A host publishes with ffmpeg; hls.js in headless Chromium plays the live stream and,
// after the broadcast, the whole replay. Real browser, real player, real publisher.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { launchOptions } from '../chromium.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const LIBOO = process.env.LIBOO_BIN ?? join(root, 'target/debug/liboo');
const FIXTURE = join(root, 'tests/fixtures/testsrc.flv');
const HLS_JS = join(here, 'node_modules/hls.js/dist/hls.min.js');

const children = [];
let browser;
let dataDir;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

function run(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.log = () => stderr;
  children.push(child);
  return child;
}

async function until(what, fn, ms = 20000) {
  const start = Date.now();
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value) return value;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts a liboo of its own; resolves to its HTTP base URL and RTMP URL. */
async function startLiboo(extra) {
  const dir = mkdtempSync(join(dataDir, 'node-'));
  const [httpPort, rtmpPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${httpPort}`;
  const liboo = run(LIBOO, ['serve', '--http-addr', `127.0.0.1:${httpPort}`, '--rtmp-addr', `127.0.0.1:${rtmpPort}`,
    '--data-dir', dir, '--public-url', base, '--reconnect-grace', '0.5', ...extra]);
  await until('liboo', async () => (await fetch(`${base}/healthz`)).ok).catch((e) => {
    throw new Error(`${e.message}\n${liboo.log()}`);
  });
  return { base, rtmp: `rtmp://127.0.0.1:${rtmpPort}/live` };
}

let classic; let lowLatency; let ladder;
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'liboo-player-'));
  classic = await startLiboo(['--hls-format', 'ts']);
  lowLatency = await startLiboo(['--hls-format', 'll']);
  ladder = await startLiboo(['--transcode', '--ladder', '240,180']);
  browser = await chromium.launch(launchOptions);
});

after(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Opens a page on liboo's origin with a muted video element and hls.js loaded. */
async function playerPage(base) {
  const page = await browser.newPage();
  await page.goto(`${base}/healthz`);
  await page.setContent('<video id="v" muted playsinline width="640" height="360"></video>');
  await page.addScriptTag({ path: HLS_JS });
  return page;
}

async function play(page, url, config = { liveSyncDurationCount: 2 }) {
  return page.evaluate(([src, cfg]) => {
    const v = document.getElementById('v');
    window.fatal = null;
    if (!window.Hls || !window.Hls.isSupported()) return 'hls.js unsupported';
    const hls = new window.Hls(cfg);
    window.hls = hls;
    hls.on(window.Hls.Events.ERROR, (_e, d) => { if (d.fatal) window.fatal = `${d.type}: ${d.details}`; });
    hls.loadSource(src);
    hls.attachMedia(v);
    v.play().catch(() => {});
    return 'ok';
  }, [url, config]);
}

/**
 * A host on `server` publishes the fixture (`loops` more times after the first) with
 * ffmpeg; resolves once the API shows the broadcast and its stream URL answers with a
 * playlist that `ready` accepts.
 */
async function goLive({ base, rtmp }, userId, loops, ready) {
  const keys = await (await fetch(`${base}/api/host/key`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) })).json();
  const publisher = run('ffmpeg', ['-v', 'error', '-re', '-stream_loop', String(loops), '-i', FIXTURE, '-c', 'copy',
    '-f', 'flv', `${rtmp}/${keys.streamKey}`]);
  const live = await until('live', async () => {
    const r = await (await fetch(`${base}/api/streams/live?liveId=${keys.sessionKey}`)).json();
    const p = await fetch(r.info.streamUrl);
    return r.info.startDate && p.ok && ready(await p.text()) ? r.info : undefined;
  });
  return { keys, publisher, live };
}

/**
 * Once `publisher` is done, the newest replay lasts `seconds` and hls.js plays it to the
 * end (at 4x, without a fatal error).
 */
async function replayPlaysToTheEnd(base, publisher, seconds) {
  await new Promise((ok) => publisher.on('exit', ok));
  const replay = await until('replay', async () => {
    const r = await (await fetch(`${base}/api/replay/latest`)).json();
    return r.info[0];
  });
  assert.ok(Math.abs(replay.duration - seconds) < 0.5, `replay lasts ${replay.duration} s of ${seconds}`);
  const vod = await playerPage(base);
  await vod.evaluate(() => { document.getElementById('v').playbackRate = 4; });
  assert.equal(await play(vod, replay.replayUrl), 'ok');
  const end = await until('the replay to end', async () => {
    const s = await state(vod);
    assert.equal(s.fatal, null);
    return s.ended ? s : undefined;
  }, seconds * 1000 + 10_000);
  assert.ok(end.t > seconds - 0.5, `replay played to ${end.t} s`);
  await vod.close();
}

const state = (page) => page.evaluate(() => {
  const v = document.getElementById('v');
  const q = v.getVideoPlaybackQuality();
  return { t: v.currentTime, w: v.videoWidth, h: v.videoHeight, frames: q.totalVideoFrames,
    ended: v.ended, fatal: window.fatal };
});

test('hls.js plays the classic live stream, then the whole replay', async () => {
  const { base } = classic;
  const { publisher, live } = await goLive(classic, 'player-host', 2, (text) => text.includes('.ts'));

  const page = await playerPage(base);
  assert.equal(await play(page, live.streamUrl), 'ok');
  const first = await until('live playback', async () => {
    const s = await state(page);
    assert.equal(s.fatal, null);
    return s.t > 0.5 && s.frames > 0 ? s : undefined;
  });
  assert.equal(first.w, 640);
  assert.equal(first.h, 360);
  await new Promise((r) => setTimeout(r, 3000));
  const later = await state(page);
  assert.equal(later.fatal, null);
  assert.ok(later.t > first.t + 1.5, `live playback advanced ${later.t - first.t} s in 3 s`);
  assert.ok(later.frames > first.frames, 'frames keep being decoded');
  await page.close();

  await replayPlaysToTheEnd(base, publisher, 18);
});

test('hls.js plays the low-latency stream within 2 s of the live edge, then the replay', async (t) => {
  const { base } = lowLatency;
  const { publisher, live } = await goLive(lowLatency, 'll-host', 4, (text) => text.includes('#EXT-X-PART:'));

  const page = await playerPage(base);
  const blocking = [];
  page.on('request', (req) => { if (req.url().includes('_HLS_msn=')) blocking.push(req.url()); });
  assert.equal(await play(page, live.streamUrl, { lowLatencyMode: true }), 'ok');
  const first = await until('low-latency playback', async () => {
    const s = await state(page);
    assert.equal(s.fatal, null);
    return s.t > 0.5 && s.frames > 0 ? s : undefined;
  });
  assert.equal(first.w, 640);
  assert.equal(first.h, 360);
  // How far behind the live edge hls.js plays, sampled over 6 s of playback.
  const behind = [];
  for (let i = 0; i < 12; i += 1) {
    await new Promise((r) => setTimeout(r, 500));
    const s = await state(page);
    assert.equal(s.fatal, null);
    behind.push(await page.evaluate(() => window.hls.latency));
  }
  const later = await state(page);
  assert.ok(later.t > first.t + 4, `live playback advanced ${later.t - first.t} s in 6 s`);
  behind.sort((a, b) => a - b);
  const median = behind[behind.length >> 1];
  t.diagnostic(`median ${median.toFixed(2)} s behind the live edge (${behind.length} samples)`);
  assert.ok(median > 0 && median < 2, `median ${median.toFixed(2)} s behind live: ${behind.map((b) => b.toFixed(2))}`);
  assert.ok(blocking.length > 0, 'hls.js used blocking playlist reloads');
  await page.close();

  await replayPlaysToTheEnd(base, publisher, 30);
});

test('hls.js plays the quality ladder and switches between its variants', async (t) => {
  const { base } = ladder;
  const { publisher, live } = await goLive(ladder, 'ladder-host', 4, (text) => text.includes('#EXT-X-STREAM-INF'));
  const page = await playerPage(base);
  assert.equal(await play(page, live.streamUrl, { lowLatencyMode: true }), 'ok');
  await until('playback', async () => {
    const s = await state(page);
    assert.equal(s.fatal, null);
    return s.t > 0.5 && s.frames > 0 ? s : undefined;
  });
  const levels = await page.evaluate(() => window.hls.levels.map((l) => `${l.width}x${l.height}`));
  assert.deepEqual(levels.slice().sort(), ['320x180', '426x240', '640x360'].sort());
  // Ask for each variant in turn: hls.js switches, and the picture has that size.
  for (const [w, h] of [[320, 180], [426, 240], [640, 360]]) {
    const index = levels.indexOf(`${w}x${h}`);
    await page.evaluate((i) => { window.hls.currentLevel = i; }, index);
    const s = await until(`the ${w}x${h} variant to play`, async () => {
      const now = await state(page);
      assert.equal(now.fatal, null);
      return now.w === w && now.h === h ? now : undefined;
    }, 30000);
    t.diagnostic(`switched to ${w}x${h} at ${s.t.toFixed(1)} s`);
    const before = s.t;
    await until(`${w}x${h} to keep playing`, async () => (await state(page)).t > before + 1);
  }
  await page.close();
  publisher.kill('SIGINT');
});

test("hls.js plays a talk's replay from the talk's first second to its end", async () => {
  const organiser = `organiser-${Date.now()}`;
  const start = Date.now() + 8_000;
  const iso = new Date(Math.floor(start / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const day = iso.slice(0, 10);
  const body = JSON.stringify({ schedule: { version: '1', conference: {
    acronym: 'playconf', title: 'Play Conf', start: day, end: day, daysCount: 1, timeslot_duration: '00:05',
    time_zone_name: 'UTC', days: [{ index: 1, date: day, rooms: { Stage: [{
      id: 1, guid: 'd0000000-0000-4000-8000-00000000000d', date: iso, start: iso.slice(11, 16),
      duration: '0:00:12', room: 'Stage', title: 'A short talk', slug: 's', url: '', subtitle: '', track: '',
      type: 'Talk', language: 'en', abstract: '', persons: [], links: [] }] } }] } } });
  const post = async (path, data) => (await fetch(`${lowLatency.base}${path}`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) })).json();
  await post('/api/conferences/import', { userId: organiser, body, apply: true });
  const [{ streamKey }] = await post('/api/conferences/playconf/rooms/keys', { userId: organiser });
  const { talks: [talk] } = await (await fetch(`${lowLatency.base}/api/conferences/playconf/schedule`)).json();
  const publisher = run('ffmpeg', ['-v', 'error', '-re', '-stream_loop', '3', '-i', FIXTURE, '-c', 'copy',
    '-f', 'flv', `${lowLatency.rtmp}/${streamKey}`]);
  await new Promise((ok) => publisher.on('exit', ok));
  const cut = await until('the talk replay', async () => {
    const t = await (await fetch(`${lowLatency.base}/api/talks/${talk.talkId}`)).json();
    return t.state === 'replay' ? t : undefined;
  }, 40_000);
  const text = await (await fetch(cut.replayUrl)).text();
  const offset = Number((/#EXT-X-START:TIME-OFFSET=([\d.]+)/.exec(text) ?? [0, 0])[1]);
  const page = await playerPage(lowLatency.base);
  await page.evaluate(() => { document.getElementById('v').playbackRate = 2; });
  assert.equal(await play(page, cut.replayUrl, {}), 'ok');
  const first = await until('playback to start', async () => {
    const s = await state(page);
    return s.t > 0 ? s : undefined;
  });
  assert.ok(first.t >= offset - 0.5, `starts at ${first.t} s, the talk at ${offset} s`);
  assert.equal(first.w, 640);
  const end = await until('the talk replay to end', async () => {
    const s = await state(page);
    assert.equal(s.fatal, null);
    return s.ended ? s : undefined;
  }, 30_000);
  assert.ok(end.t - offset > 12 - 2.5, `played ${end.t - offset} s of the 12 s talk`);
  await page.close();
});
