// Glass-to-glass latency, the browser side. Two modes, both called by run.sh:
//
//   node driver.mjs measure CONFIG.json RAW.json
//     Opens one headless-Chromium page per setup (each in its own browser context), plays the
//     setup's stream with hls.js, waits for frames, warms up, then samples every presented frame
//     for SECONDS (page.js) with all pages of a phase playing at once. Writes RAW.json.
//   node driver.mjs report RAW.json WORKDIR OUT.json
//     Adds the publisher's own read-back (WORKDIR/clock.txt) for the same windows and the
//     servers' warnings (WORKDIR/*.log), writes OUT.json and prints the table.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  const r = (x) => (x === null ? null : Math.round(x));
  return { n: s.length, min: r(s[0] ?? null), median: r(quantile(s, 0.5)), p90: r(quantile(s, 0.9)),
    p99: r(quantile(s, 0.99)), max: r(s[s.length - 1] ?? null) };
}

async function measure(cfgPath, rawPath) {
  const { chromium } = await import('playwright-core');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
  const browser = await chromium.launch({
    executablePath: cfg.chromium ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
  const raw = { config: cfg, chromium: browser.version(), phases: [] };
  try {
    for (const phase of cfg.phases) {
      const pages = [];
      for (const s of phase) {
        const context = await browser.newContext({ viewport: { width: 800, height: 480 } });
        const page = await context.newPage();
        page.on('console', (m) => { if (m.type() === 'error') process.stderr.write(`[${s.name}] ${m.text()}\n`); });
        await page.goto(s.origin);
        await page.setContent('<video id="v" muted playsinline width="640" height="360"></video>');
        await page.addScriptTag({ path: join(here, 'node_modules/hls.js/dist/hls.min.js') });
        await page.addScriptTag({ path: join(here, 'page.js') });
        const ok = await page.evaluate(([src, c]) => window.startPlayer(src, c), [s.url, s.config]);
        if (ok !== 'ok') throw new Error(`${s.name}: ${ok}`);
        pages.push({ s, context, page, opened: Date.now() });
        process.stderr.write(`== ${s.name}: playing ${s.url} with ${JSON.stringify(s.config)}\n`);
      }
      // Every page shows frames whose clock reads back, or the run stops here.
      const deadline = Date.now() + 60000;
      for (const p of pages) {
        for (;;) {
          const st = await p.page.evaluate(() => window.benchStatus());
          if (st.fatal) throw new Error(`${p.s.name}: hls.js fatal error ${st.fatal}`);
          if (st.frames - st.bad > 30) { p.firstFrameMs = Date.now() - p.opened; break; }
          if (Date.now() > deadline) throw new Error(`${p.s.name}: no readable frames in 60 s: ${JSON.stringify(st)}`);
          await sleep(250);
        }
      }
      process.stderr.write(`== warm-up ${cfg.warmup} s, then ${cfg.seconds} s of samples\n`);
      await sleep(cfg.warmup * 1000);
      const start = Date.now();
      await Promise.all(pages.map((p) => p.page.evaluate(() => { window.bench.sampling = true; })));
      await sleep(cfg.seconds * 1000);
      await Promise.all(pages.map((p) => p.page.evaluate(() => { window.bench.sampling = false; })));
      const end = Date.now();
      const results = [];
      for (const p of pages) {
        const [bench, status] = await p.page.evaluate(() => [window.bench, window.benchStatus()]);
        results.push({ ...p.s, firstFrameMs: p.firstFrameMs, bench, status });
        await p.context.close();
      }
      raw.phases.push({ start, end, results });
    }
  } finally {
    await browser.close();
  }
  writeFileSync(rawPath, JSON.stringify(raw));
}

function analyse(r) {
  const b = r.bench;
  const delays = b.samples.map((x) => x[1]);
  // Consecutive samples: the delay jumps down when hls.js seeks ahead (catch-up), up on a freeze.
  let seeks = 0;
  for (let i = 1; i < b.samples.length; i += 1) if (b.samples[i][1] < b.samples[i - 1][1] - 200) seeks += 1;
  const lat = summary(b.latency.map((x) => x * 1000));
  return {
    name: r.name, label: r.label, url: r.url, hlsConfig: r.config, firstFrameMs: r.firstFrameMs,
    delayMs: summary(delays),
    framesRead: b.samples.length, unreadableFrames: b.badSampling,
    freezesOver250ms: b.freezes, frozenMs: Math.round(b.frozenMs), catchUpSeeks: seeks,
    waitingEvents: b.waitingSampling, waitingEventsTotal: b.waiting,
    hlsErrors: b.errors, fatal: b.fatal,
    hlsJsLatencyMs: lat, maxPlaybackRate: Math.max(1, ...b.rates),
    decodedFrames: r.status.decoded, droppedFrames: r.status.dropped, visibility: r.status.visibility,
    size: `${r.status.w}x${r.status.h}`,
  };
}

function report(rawPath, work, outPath) {
  const raw = JSON.parse(readFileSync(rawPath, 'utf8'));
  const extra = existsSync(join(work, 'meta.json')) ? JSON.parse(readFileSync(join(work, 'meta.json'), 'utf8')) : {};
  const clock = existsSync(join(work, 'clock.txt'))
    ? readFileSync(join(work, 'clock.txt'), 'utf8').trim().split('\n').map((l) => l.split(' ')) : [];
  const phases = raw.phases.map((ph) => {
    const inWin = clock.filter((c) => +c[0] >= ph.start && +c[0] <= ph.end);
    const good = inWin.filter((c) => c[1] !== 'bad');
    const steps = good.map((c) => +c[2]).filter((x) => x > 0);
    return {
      start: new Date(ph.start).toISOString(), seconds: (ph.end - ph.start) / 1000,
      publisherReadBack: { delayMs: summary(good.map((c) => +c[1])), unreadableFrames: inWin.length - good.length,
        clockStepMs: summary(steps), stepsOver50ms: steps.filter((x) => x > 50).length },
      setups: ph.results.map(analyse),
    };
  });
  const logs = {};
  for (const [name, file] of Object.entries(extra.logs ?? {})) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
        // liboo: WARN/ERROR levels; nginx: [warn] and worse; ffmpeg (-v warning): every line.
    const bad = lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '')).filter((l) => l.trim() !== '')
      .filter((l) => name === 'publisher' || name === 'readback'
        || /\b(WARN|ERROR)\b|\[(warn|error|crit|alert|emerg)\]|panicked/.test(l));
    logs[name] = { lines: lines.length, warnOrError: bad.length, examples: [...new Set(bad.map((l) => l.slice(0, 300)))].slice(0, 12) };
  }
  const out = { date: new Date(raw.phases[0]?.start ?? Date.now()).toISOString(), ...extra, chromium: raw.chromium,
    warmupSeconds: raw.config.warmup, sampleSeconds: raw.config.seconds, phases, logs };
  writeFileSync(outPath, `${JSON.stringify(out, null, 1)}\n`);

  // Ratios to liboo LL-HLS in the same phase (same minute, same machine load).
  const ratio = (p, s, k) => {
    const base = p.setups.find((x) => x.name === 'liboo-ll');
    return base && s.delayMs[k] && base.delayMs[k] ? (s.delayMs[k] / base.delayMs[k]).toFixed(2) : '-';
  };
  const rows = [['phase', 'setup', 'frames', 'median ms', 'p90 ms', 'max ms', 'x LL median', 'x LL p90', 'x LL max',
    'freezes', 'waiting', 'seeks', 'unread', 'hls.js latency ms']];
  phases.forEach((p, i) => {
    const f = p.publisherReadBack.delayMs;
    rows.push([String(i + 1), 'publisher read-back (floor)', String(f.n), String(f.median), String(f.p90), String(f.max),
      '', '', '', '', '', '', String(p.publisherReadBack.unreadableFrames), '']);
    for (const s of p.setups) {
      rows.push([String(i + 1), s.label, String(s.framesRead), String(s.delayMs.median), String(s.delayMs.p90),
        String(s.delayMs.max), ratio(p, s, 'median'), ratio(p, s, 'p90'), ratio(p, s, 'max'), String(s.freezesOver250ms),
        String(s.waitingEvents), String(s.catchUpSeeks), String(s.unreadableFrames), String(s.hlsJsLatencyMs.median)]);
    }
  });
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((x, c) => x.padEnd(w[c])).join('  '));
  for (const [n, l] of Object.entries(logs)) console.log(`${n}: ${l.warnOrError} warning/error lines of ${l.lines}`);
  console.log(`results: ${outPath}`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'measure') await measure(...args);
else if (mode === 'report') report(...args);
else { console.error('usage: driver.mjs measure CONFIG RAW | report RAW WORKDIR OUT'); process.exit(2); }
