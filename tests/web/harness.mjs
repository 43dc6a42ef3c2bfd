// What the web suites share: liboo started on ports from the OS, ffmpeg publishing the
// fixture, browser contexts whose traffic is recorded, waiting without fixed sleeps, and
// the players' state read from their <video>.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
export const LIBOO = process.env.LIBOO_BIN ?? join(root, 'target/debug/liboo');
export const FIXTURE = join(root, 'tests/fixtures/testsrc.flv');
export const SHOTS = join(here, 'screenshots');
/** For working on the app: serve a `vite build` from this folder instead of the embedded copy. */
export const WEB_DIR = process.env.LIBOO_TEST_WEB_DIR;
/** Any one wait; generous, since two cores also build and test the rest. */
export const WAIT_MS = 45_000;

/** Every process a suite started, to end in its `after`. */
export const children = [];

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export function run(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  child.log = () => stderr;
  child.exited = new Promise((ok) => child.on('exit', ok));
  children.push(child);
  return child;
}

/** Ends every process still running and waits for them to go. */
export async function endChildren() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
}

export async function until(what, fn, ms = WAIT_MS) {
  const start = Date.now();
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() - start > ms) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** liboo on loopback ports of its own, with a fresh data folder; resolves once it answers. */
export async function startLiboo(flags = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'liboo-web-'));
  const httpPort = await freePort();
  const rtmpPort = await freePort();
  const base = `http://127.0.0.1:${httpPort}`;
  const node = run(LIBOO, [
    'serve', '--http-addr', `127.0.0.1:${httpPort}`, '--rtmp-addr', `127.0.0.1:${rtmpPort}`,
    '--data-dir', dataDir, '--public-url', base,
    ...flags,
    ...(WEB_DIR ? ['--web-dir', WEB_DIR] : []),
  ]);
  await until('liboo to answer /healthz', async () => {
    if (node.exitCode !== null) throw new Error(`liboo exited: ${node.log()}`);
    return (await fetch(`${base}/healthz`)).ok;
  });
  return { base, rtmpPort, dataDir, process: node };
}

/** Every URL each browser context asked for and every API or playlist body it got. */
export const traffic = new WeakMap();

export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', ...options });
  const seen = { urls: [], bodies: [] };
  traffic.set(context, seen);
  context.on('request', (req) => seen.urls.push(req.url()));
  context.on('response', async (res) => {
    const url = res.url();
    if (!url.includes('/api/') && !url.endsWith('.m3u8') && !url.includes('.m3u8?')) return;
    try {
      seen.bodies.push({ url, body: await res.text() });
    } catch {
      // A response the page dropped (navigation): nothing to read.
    }
  });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  return page;
}

export async function shot(page, name, { top = true, ...options } = {}) {
  if (top) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), ...options });
}

/** The video element of the page's main player, as plain data. */
export function video(page, testid = 'player-video') {
  return page.getByTestId(testid).evaluate((v) => ({
    t: v.currentTime,
    w: v.videoWidth,
    h: v.videoHeight,
    paused: v.paused,
    frames: v.getVideoPlaybackQuality().totalVideoFrames,
  }));
}

/** Waits until the page's player has really played for a while. */
export async function playing(page, testid = 'player-video') {
  const first = await until('playback to start', async () => {
    const s = await video(page, testid);
    return s.t > 0.5 && s.frames > 0 ? s : undefined;
  });
  return until('playback to advance', async () => {
    const s = await video(page, testid);
    return s.t > first.t + 1.5 && s.frames > first.frames ? s : undefined;
  });
}

/** ffmpeg publishing the fixture in a loop to `url` (the RTMP server and the stream key), until stopped. */
export function publishTo(url) {
  return run('ffmpeg', ['-v', 'error', '-re', '-stream_loop', '-1', '-i', FIXTURE, '-c', 'copy', '-f', 'flv', url]);
}

/** Ends a broadcast as OBS does (ffmpeg's SIGINT unpublishes) and waits for ffmpeg to go. */
export async function stopPublishing(ffmpeg) {
  ffmpeg.kill('SIGINT');
  const killer = setTimeout(() => ffmpeg.kill('SIGKILL'), 10_000);
  await ffmpeg.exited;
  clearTimeout(killer);
}
