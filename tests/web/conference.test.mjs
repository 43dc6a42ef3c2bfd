// A conference end to end in the web app: an organiser imports a schedule file (a dry run
// first, then applied) and reads each room's OBS settings; ffmpeg streams into room A;
// the conference page shows the room live; viewers wait in a talk's waiting room, ask a
// question, and the talk's live stream takes over the page in place when its slot begins;
// after the slot the replay plays with the question. Each person has a browser context
// of their own (their own userId and chat sockets), as real people have their own browsers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { launchOptions } from '../chromium.mjs';
import { SHOTS, endChildren, openPage, playing, publishTo, shot, startLiboo, stopPublishing, until } from './harness.mjs';

/** The conference's zone: no DST, so its offset is written once. */
const ZONE = 'Asia/Seoul';
const OFFSET = '+09:00';
/**
 * From writing the schedule to the first talk's slot: long enough for the import, the
 * stream and the waiting room to be ready before it, short enough to wait out.
 */
const LEAD_MS = 45_000;
/** The first talk's slot: a minute, so the test also sees it end and its replay. */
const TALK_MS = 60_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

// Text with markup in it, as third-party schedules have: it must never run.
const XSS = '<img src=x onerror=window.__xss=1>';
const TITLE = `WebConf 2026 ${XSS}`;
const ABSTRACT = '<p>How <b>liboo</b> streams a room all day.</p><script>window.__xss=2</script>';
const QUESTION = 'Will the slides be online?';

let browser;
let server;
let workDir;
let publisher;

/** `ms` as the conference's wall clock, ISO with its offset, as frab writes `date`. */
function local(ms) {
  return new Date(ms + 9 * 3600_000).toISOString().slice(0, 19) + OFFSET;
}

/** A frab-compatible schedule.json: two rooms, the first talk `lead` ms from now. */
function scheduleJson(now) {
  const first = now + LEAD_MS;
  const event = (guid, id, title, room, start, duration, persons) => ({
    guid, id, title, room, date: local(start), start: local(start).slice(11, 16), duration,
    type: 'Talk', language: 'en', track: 'Streaming', subtitle: '', abstract: ABSTRACT, description: '',
    do_not_record: false, persons: persons.map((name, i) => ({ id: id * 10 + i, public_name: name })), links: [],
  });
  const day = (offset) => local(now + offset * 86_400_000).slice(0, 10);
  // Every talk on one schedule day whenever the test runs: midnight, unless the talks
  // might cross it (from 23:00 to 01:00), then noon.
  const hour = Number(local(now).slice(11, 13));
  const dayChange = hour >= 1 && hour <= 22 ? '00:00:00' : '12:00:00';
  return {
    schedule: {
      version: 'web-test-1',
      conference: {
        acronym: 'webconf', title: TITLE, start: day(-1), end: day(1), time_zone_name: ZONE, day_change: dayChange,
        rooms: [{ name: 'Hall A', guid: 'room-a-guid' }, { name: 'Hall B', guid: 'room-b-guid' }],
        days: [{
          index: 1, date: day(0),
          rooms: {
            'Hall A': [
              event('8d1f0c9e-1111-4a5b-9c7d-000000000001', 1, 'Opening keynote', 'Hall A', first, '0:01', ['Ada Lovelace', '김민지']),
              event('8d1f0c9e-1111-4a5b-9c7d-000000000002', 2, 'Later talk', 'Hall A', first + 20 * 60_000, '0:30', ['Grace Hopper']),
            ],
            'Hall B': [
              event('8d1f0c9e-1111-4a5b-9c7d-000000000003', 3, 'Room B talk', 'Hall B', first + 5 * 60_000, '0:20', ['Linus Torvalds']),
            ],
          },
        }],
      },
    },
  };
}

async function getJson(path) {
  const r = await fetch(`${server.base}${path}`);
  if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
  return r.json();
}

async function noScriptRan(page) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, `no injected script ran on ${page.url()}`);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), 'liboo-conference-files-'));
  server = await startLiboo(['--reconnect-grace', '2']);
  browser = await chromium.launch(launchOptions);
});

after(async () => {
  await browser?.close();
  if (publisher) await stopPublishing(publisher);
  await endChildren();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('an organiser imports a schedule, a room streams, and a talk goes from waiting room to live to replay', { timeout: 600_000 }, async (t) => {
  const { base, rtmpPort } = server;
  const organiser = await openPage(browser, { viewport: DESKTOP });
  let talks;
  let roomA;
  let slotStart;

  await t.test('the organiser checks the import of a schedule file, applies it and gets each room’s OBS settings', async () => {
    await organiser.goto(`${base}/organize`);
    await organiser.getByTestId('my-conferences-empty').waitFor();
    const now = Date.now();
    slotStart = now + LEAD_MS;
    const file = join(workDir, 'schedule.json');
    writeFileSync(file, JSON.stringify(scheduleJson(now), null, 2));
    await organiser.getByTestId('import-file').setInputFiles(file);
    await organiser.getByTestId('import-check').click();

    const report = organiser.getByTestId('import-report');
    await report.waitFor();
    assert.equal(await report.getAttribute('data-applied'), 'false', 'the first press is a dry run');
    const counts = {};
    for (const key of ['added', 'changed', 'cancelled', 'unchanged', 'rooms']) {
      counts[key] = Number(await organiser.getByTestId(`report-${key}`).getAttribute('data-count'));
      // The number is on the page, not only in an attribute.
      assert.match(await organiser.getByTestId(`report-${key}`).textContent(), new RegExp(`^${counts[key]}\\D`));
    }
    assert.deepEqual(counts, { added: 3, changed: 0, cancelled: 0, unchanged: 0, rooms: 2 });
    assert.match(await organiser.getByTestId('report-new-rooms').textContent(), /Hall A \(2 talks\), Hall B \(1 talk\)/);
    assert.equal(await organiser.getByTestId('report-added-list').locator('li').count(), 3);
    assert.equal(await organiser.getByTestId('report-title').textContent(), TITLE, 'the file’s markup shows as text');
    // A dry run writes nothing.
    assert.deepEqual((await getJson('/api/conferences')).info, []);
    await shot(organiser, 'organize-import-desktop', { fullPage: true });
    await organiser.setViewportSize({ width: 390, height: 844 });
    await report.scrollIntoViewIfNeeded();
    await shot(organiser, 'organize-report-phone', { top: false });
    await organiser.setViewportSize(DESKTOP);

    await organiser.getByTestId('import-apply').click();
    await organiser.getByTestId('import-applied').waitFor();
    assert.equal(await report.getAttribute('data-applied'), 'true');
    await organiser.locator('[data-testid=my-conference][data-slug=webconf]').waitFor();
    await noScriptRan(organiser);

    await organiser.getByTestId('import-open').click();
    await organiser.waitForURL(`${base}/organize/webconf`);
    const rooms = organiser.getByTestId('room-keys');
    await until('both rooms’ OBS settings', async () => (await rooms.count()) === 2);
    const hallA = rooms.filter({ hasText: 'Hall A' });
    assert.match(await hallA.getByTestId('stream-key').textContent(), /^•+$/, 'the key is masked until shown');
    await hallA.getByTestId('stream-key-toggle').click();
    const streamKey = (await hallA.getByTestId('stream-key').textContent()).trim();
    assert.match(streamKey, /^[0-9a-f]{20}$/);
    const server_ = await hallA.getByTestId('rtmp-url').textContent();
    assert.equal(server_, `rtmp://127.0.0.1:${rtmpPort}/live`);
    roomA = await hallA.getAttribute('data-room-id');

    // The room's stream starts now, before the first talk's slot, as OBS would.
    publisher = publishTo(`${server_}/${streamKey}`);
    talks = Object.fromEntries((await getJson('/api/conferences/webconf/schedule')).talks.map((x) => [x.title, x]));
    assert.equal(talks['Opening keynote'].roomId, roomA);

    // Starting a talk in a room that is off the air is refused with the server's reason.
    const roomBTalk = organiser.locator(`[data-testid=desk-talk][data-talk-id="${talks['Room B talk'].talkId}"]`);
    await roomBTalk.getByTestId('talk-start').click();
    assert.match(await roomBTalk.getByTestId('talk-action-error').textContent(), /not on air/);
    await until('room A to be on air on the desk', async () =>
      (await hallA.getByTestId('room-state').getAttribute('data-live')) === 'true');
    await shot(organiser, 'organize-rooms-desktop', { fullPage: true });
  });

  const viewer = await openPage(browser, PHONE);
  const watcher = await openPage(browser, { viewport: DESKTOP });
  const talkUrl = () => `${base}/talk/${talks['Opening keynote'].talkId}`;

  await t.test('viewers wait in the talk’s waiting room, with a countdown, and ask a question ahead', async () => {
    for (const page of [viewer, watcher]) {
      await page.goto(talkUrl());
      await page.getByTestId('talk-waiting').waitFor();
      // Set before the talk starts, looked for after: the page must not reload.
      await page.evaluate(() => (window.__sameDocument = 'yes'));
    }
    const left = Number(await viewer.getByTestId('talk-countdown').getAttribute('data-seconds'));
    assert.ok(left > 0 && left <= LEAD_MS / 1000, `the countdown shows ${left} s`);
    assert.equal(await viewer.getByTestId('talk-page').getAttribute('data-state'), 'waiting');
    assert.equal(await viewer.getByTestId('talk-speakers').textContent(), 'Ada Lovelace, 김민지');
    assert.match(await viewer.getByTestId('talk-time').textContent(), /GMT\+9/, 'the time is in the conference’s zone');
    // Headless Chromium runs in the machine's zone; the viewer's own time shows where it differs.
    const viewerZone = await viewer.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    if (!['Asia/Seoul', 'Asia/Tokyo'].includes(viewerZone)) await viewer.getByTestId('talk-local-time').waitFor();
    const abstract = await viewer.getByTestId('talk-abstract').textContent();
    assert.equal(abstract, 'How liboo streams a room all day.', 'the abstract shows as text, without its markup');

    const chat = viewer.getByTestId('chat-panel');
    await until('chat to connect', async () => (await chat.getAttribute('data-connected')) === 'true');
    assert.equal(await viewer.getByTestId('chat-mode-question').getAttribute('aria-checked'), 'true', 'a waiting room asks questions');
    await viewer.getByTestId('chat-input').fill(QUESTION);
    await viewer.getByTestId('chat-input').press('Enter');
    for (const page of [viewer, watcher]) {
      await page.getByTestId('question-text').filter({ hasText: QUESTION }).waitFor();
    }
    await noScriptRan(viewer);
    await shot(viewer, 'talk-waiting-phone');
  });

  await t.test('the conference page lists both rooms and marks room A live', async () => {
    const visitor = await openPage(browser, { viewport: DESKTOP });
    await until('room A on air', async () => (await getJson('/api/conferences/webconf/now')).rooms.some((r) => r.roomId === roomA && r.live));
    // The main page lists the conference, on air; its card leads to the conference page.
    await visitor.goto(`${base}/`);
    const card = visitor.locator('[data-testid=conference-card][data-slug=webconf]');
    await card.waitFor();
    assert.match(await card.textContent(), /LIVE/);
    await card.getByRole('link').click();
    await visitor.waitForURL(`${base}/c/webconf`);
    const rooms = visitor.getByTestId('room-now');
    await until('both rooms', async () => (await rooms.count()) === 2);
    assert.deepEqual(await rooms.locator('h3').allTextContents(), ['Hall A', 'Hall B']);
    const a = visitor.locator(`[data-testid=room-now][data-room-id="${roomA}"]`);
    assert.equal(await a.getAttribute('data-live'), 'true');
    await a.getByTestId('room-live').waitFor();
    assert.equal(await a.getByTestId('room-watch').getAttribute('href'), `/live/${roomA}`);
    assert.equal(await visitor.locator('[data-testid=room-now][data-live=true]').count(), 1, 'room B is off the air');
    assert.equal(await visitor.getByTestId('conference-title').textContent(), TITLE);
    // The day's grid: a column per room, each talk linking its page, today's line drawn.
    assert.deepEqual(await visitor.getByTestId('schedule-room').allTextContents(), ['Hall A', 'Hall B']);
    assert.equal(await visitor.getByTestId('schedule-talk').count(), 3);
    await visitor.getByTestId('now-line').waitFor();
    assert.equal(await visitor.locator(`[data-talk-id="${talks['Opening keynote'].talkId}"] a`).getAttribute('href'),
      `/talk/${talks['Opening keynote'].talkId}`);
    // The search covers speakers too.
    await visitor.getByTestId('talk-search').fill('hopper');
    await until('a search by speaker', async () => (await visitor.getByTestId('search-result').count()) === 1);
    assert.match(await visitor.getByTestId('search-result').textContent(), /Later talk/);
    await visitor.getByTestId('talk-search').fill('');
    await visitor.getByTestId('talk-search').blur();
    await visitor.getByTestId('schedule-grid').waitFor();
    await noScriptRan(visitor);
    await shot(visitor, 'conference-desktop', { fullPage: true });
    // On a phone, in Korean: the list by start time instead of the grid.
    const phone = await openPage(browser, { ...PHONE, locale: 'ko-KR' });
    await phone.goto(`${base}/c/webconf`);
    await phone.getByTestId('schedule-list').waitFor();
    await phone.getByRole('heading', { name: '지금과 다음' }).waitFor();
    await phone.locator(`[data-testid=room-now][data-room-id="${roomA}"][data-live=true]`).waitFor();
    await shot(phone, 'conference-phone', { fullPage: true });
    await visitor.context().close();
    await phone.context().close();
  });

  await t.test('when the slot begins the live player takes over the talk page, without a reload', async () => {
    assert.ok(Date.now() < slotStart, `the steps before took ${Math.round((Date.now() - slotStart + LEAD_MS) / 1000)} s: more than the lead`);
    for (const page of [viewer, watcher]) {
      await until('the talk to go live on the page', async () =>
        (await page.getByTestId('talk-page').getAttribute('data-state')) === 'live', LEAD_MS + 30_000);
      assert.equal(await page.evaluate(() => window.__sameDocument), 'yes', 'the page did not reload');
      await playing(page);
    }
    const late = (Date.now() - slotStart) / 1000;
    t.diagnostic(`both players were playing ${late.toFixed(1)} s after the slot began`);
    // The question asked in the waiting room is still there, for both.
    for (const page of [viewer, watcher]) {
      await page.getByTestId('question-text').filter({ hasText: QUESTION }).waitFor();
    }
    await shot(watcher, 'talk-live-desktop');
  });

  await t.test('the room’s live page names the talk on now, and the next one when it ends', async () => {
    const visitor = await openPage(browser, { viewport: DESKTOP });
    await visitor.goto(`${base}/live/${roomA}`);
    const now = visitor.getByTestId('live-talk');
    await until('the live talk above the player', async () =>
      (await now.getAttribute('data-talk-id')) === String(talks['Opening keynote'].talkId));
    assert.equal(await now.getAttribute('data-state'), 'live');
    assert.equal(await visitor.getByTestId('live-talk-link').getAttribute('href'), `/talk/${talks['Opening keynote'].talkId}`);
    await playing(visitor);
    await until('the next talk, once the slot is over', async () =>
      (await now.getAttribute('data-talk-id')) === String(talks['Later talk'].talkId), TALK_MS + 30_000);
    await visitor.context().close();
  });

  await t.test('after the slot the page says so, then plays the replay with the question', async () => {
    await until('the talk page to leave live', async () =>
      (await viewer.getByTestId('talk-page').getAttribute('data-state')) !== 'live', TALK_MS + 30_000);
    await until('the replay', async () =>
      (await viewer.getByTestId('talk-page').getAttribute('data-state')) === 'replay', 60_000);
    assert.equal(await viewer.evaluate(() => window.__sameDocument), 'yes', 'still no reload');
    await viewer.getByTestId('replay-question-text').filter({ hasText: QUESTION }).waitFor();
    await playing(viewer);
    await watcher.getByTestId('replay-questions').waitFor();
    await shot(watcher, 'talk-replay-desktop');
  });

  await t.test('the organiser still has room A’s whole day, which the public lists leave out', async () => {
    const recording = organiser.locator(`[data-testid=recording]`);
    await until('room A’s recording on the desk', async () => (await recording.count()) === 1, 15_000);
    const videoId = await recording.first().getAttribute('data-video-id');
    assert.ok(!videoId.startsWith('t'), `the room's own broadcast, not a talk's replay: ${videoId}`);
    const replays = await getJson('/api/replay/latest');
    assert.ok(![...replays.info, ...replays.appendInfo].some((r) => r.videoId === videoId));
    await shot(organiser, 'organize-recordings-desktop', { fullPage: true });
    await organiser.setViewportSize({ width: 390, height: 844 });
    await shot(organiser, 'organize-recordings-phone', { fullPage: true });
  });
});
