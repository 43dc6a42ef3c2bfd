// Q&A the way conferences run it, end to end in the web app: a host turns moderation on in
// the studio and invites a moderator and a speaker with links; each opens their link in a
// browser of their own and accepts. A viewer's question waits for review (the rest of the
// audience does not see it), the moderator approves it from a phone and pins it, and the
// viewers, the projector and the speaker view show it live. A poll is voted in five
// browsers and every screen shows the same counts. Each person has a browser context of
// their own (their own userId and chat socket), as real people have their own browsers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { launchOptions } from '../chromium.mjs';
import { SHOTS, endChildren, openPage, publishTo, shot, startLiboo, stopPublishing, until } from './harness.mjs';

const DESKTOP = { width: 1280, height: 800 };
const PHONE_SIZE = { width: 390, height: 844 };
const PHONE = { viewport: PHONE_SIZE, isMobile: true, hasTouch: true };

const QUESTION = 'How does liboo keep questions when a chat node dies?';
const TYPO = 'Will the slides be onlne?';
const FIXED = 'Will the slides be online?';
const WITHDRAWN = 'Never mind this one';
const SECOND = 'Can the projector view run on a Raspberry Pi?';
const THIRD = '발표 자료는 어디서 볼 수 있나요?';
const POLL = 'Which part should the next talk cover?';
const OPTIONS = ['Ingest', 'Chat', 'Replays'];

let browser;
let server;
let publisher;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startLiboo(['--reconnect-grace', '2']);
  browser = await chromium.launch(launchOptions);
});

after(async () => {
  await browser?.close();
  if (publisher) await stopPublishing(publisher);
  await endChildren();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

/** A screenshot of one part of the page, scrolled into view. */
async function part(locator, name) {
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Takes the same page's screenshot at a phone's width, then back at its own. */
async function atPhoneWidth(page, fn) {
  const size = page.viewportSize();
  await page.setViewportSize(PHONE_SIZE);
  try {
    await fn();
  } finally {
    await page.setViewportSize(size);
  }
}

/** Scrolls the chat panel's lists back to their tops, as a person arriving would see them. */
async function chatAtTop(page) {
  await page.evaluate(() => document.querySelectorAll('.questions, .chat-poll').forEach((el) => (el.scrollTop = 0)));
}

async function chatReady(page) {
  await until('chat to connect', async () => (await page.getByTestId('chat-panel').getAttribute('data-connected')) === 'true');
}

async function ask(page, text) {
  await page.getByTestId('chat-mode-question').click();
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-input').press('Enter');
}

/** The counts a page's poll results show, option by option, and its voters. */
async function results(scope) {
  const bars = scope.getByTestId('poll-result');
  const counts = (await bars.evaluateAll((els) => els.map((e) => Number(e.dataset.count))));
  const shown = await scope.getByTestId('poll-result-count').allTextContents();
  assert.deepEqual(shown.map(Number), counts, 'the numbers on screen are the counts');
  const voters = Number(await scope.getByTestId('poll-voters').getAttribute('data-voters'));
  return { counts, voters };
}

/** Whether a page's poll results show `want` ({counts, voters}) now. */
async function shows(scope, want) {
  try {
    const got = await results(scope);
    return JSON.stringify(got) === JSON.stringify(want);
  } catch {
    return false;
  }
}

test('a moderator screens questions from a phone, the hall sees the pinned one, and a poll counts alike everywhere', { timeout: 600_000 }, async (t) => {
  const { base } = server;
  const host = await openPage(browser, { viewport: DESKTOP });
  let roomId;
  let moderatorLink;
  let speakerLink;

  await t.test('the host goes on air, turns moderation on and makes invitation links', async () => {
    await host.goto(`${base}/host`);
    const studio = host.getByTestId('studio');
    await studio.waitFor();
    roomId = await studio.getAttribute('data-session-key');
    await host.getByTestId('stream-key-toggle').click();
    const streamKey = (await host.getByTestId('stream-key').textContent()).trim();
    const rtmp = (await host.getByTestId('rtmp-url').textContent()).trim();
    publisher = publishTo(`${rtmp}/${streamKey}`);
    await until('the studio to say on air', async () => (await host.getByTestId('host-state').getAttribute('data-live')) === 'true');

    const qa = host.getByTestId('qa-admin');
    await until('the switches to know the room', async () => !(await qa.getByTestId('qa-switch-moderation').isDisabled()));
    assert.equal(await qa.getByTestId('qa-switch-moderation').getAttribute('data-on'), 'false', 'moderation is off until turned on');
    await qa.getByTestId('qa-switch-moderation').click();
    await until('moderation on', async () => (await qa.getByTestId('qa-switch-moderation').getAttribute('data-on')) === 'true');

    await qa.getByTestId('qa-invite-role').selectOption('moderator');
    await qa.getByTestId('qa-invite-create').click();
    moderatorLink = (await qa.getByTestId('qa-invite-url').textContent()).trim();
    assert.match(moderatorLink, new RegExp(`^${base}/invite#.+`), 'the link is the app’s /invite with the token in the fragment');
    await qa.getByTestId('qa-invite-role').selectOption('speaker');
    await qa.getByTestId('qa-invite-create').click();
    await until('a second link', async () => (await qa.getByTestId('qa-invite-url').textContent()).trim() !== moderatorLink);
    speakerLink = (await qa.getByTestId('qa-invite-url').textContent()).trim();
    await until('both open invitations listed', async () => (await qa.getByTestId('qa-invitation').count()) === 2);
    for (const testid of ['qa-moderate-link', 'qa-speaker-link', 'qa-projector-link']) {
      assert.match(await qa.getByTestId(testid).getAttribute('href'), new RegExp(`/${roomId}$`));
    }
  });

  const moderator = await openPage(browser, { ...PHONE, locale: 'ko-KR' });
  const speaker = await openPage(browser, { viewport: DESKTOP });

  await t.test('the moderator and the speaker accept their links, each in their own browser', async () => {
    await moderator.goto(moderatorLink);
    await moderator.getByTestId('invite-form').waitFor();
    await moderator.getByTestId('invite-name').fill('민지 (moderator)');
    await shot(moderator, 'qa-invite-phone');
    await moderator.getByTestId('invite-accept').click();
    const done = moderator.getByTestId('invite-done');
    await done.waitFor();
    assert.equal(await done.getAttribute('data-role'), 'moderator');
    assert.ok(!moderator.url().includes('#'), 'the token leaves the address bar once used');
    await shot(moderator, 'qa-invite-accepted-phone');

    await speaker.goto(speakerLink);
    await speaker.getByTestId('invite-form').waitFor();
    await shot(speaker, 'qa-invite-desktop');
    await speaker.getByTestId('invite-accept').click();
    assert.equal(await speaker.getByTestId('invite-done').getAttribute('data-role'), 'speaker');
    await shot(speaker, 'qa-invite-accepted-desktop');

    await moderator.getByTestId('invite-moderate-link').click();
    await moderator.waitForURL(`${base}/moderate/${roomId}`);
    await until('the queue for a moderator', async () => (await moderator.getByTestId('moderate').getAttribute('data-role')) === 'moderator');
    // The owner's list names them now.
    await host.reload();
    await until('two roles in the studio', async () => (await host.getByTestId('qa-role').count()) === 2);
    await part(host.getByTestId('qa-admin'), 'qa-studio-desktop');
    await atPhoneWidth(host, () => part(host.getByTestId('qa-admin'), 'qa-studio-phone'));
  });

  const viewer = await openPage(browser, { viewport: DESKTOP });
  const audience = await openPage(browser, PHONE);
  const projector = await openPage(browser, { viewport: DESKTOP });

  await t.test('a question waits for review, unseen by the audience, until the moderator approves it', async () => {
    for (const page of [viewer, audience]) {
      await page.goto(`${base}/live/${roomId}`);
      await chatReady(page);
    }
    await projector.goto(`${base}/projector/${roomId}`);
    await until('the projector idle', async () => (await projector.getByTestId('projector').getAttribute('data-showing')) === 'idle');
    await until('the viewer told questions are reviewed', async () => (await viewer.getByTestId('chat-panel').getAttribute('data-moderation')) === 'on');

    await ask(viewer, QUESTION);
    const mine = viewer.getByTestId('my-pending-question').filter({ hasText: QUESTION });
    await mine.waitFor();
    assert.equal(await mine.getAttribute('data-state'), 'pending');
    const item = moderator.getByTestId('mod-question').filter({ hasText: QUESTION });
    await item.waitFor();
    assert.equal(await item.getAttribute('data-state'), 'pending');
    // The rest of the room has heard nothing of it, not even in the chat log.
    assert.equal(await audience.getByText(QUESTION).count(), 0, 'a pending question is not shown to the audience');
    assert.equal(await projector.getByText(QUESTION).count(), 0);
    await shot(moderator, 'qa-moderate-phone');

    // A typo fixed while it waits, and one withdrawn.
    await ask(viewer, TYPO);
    const typo = viewer.getByTestId('my-pending-question').filter({ hasText: TYPO });
    await typo.getByTestId('my-question-edit').click();
    await viewer.getByTestId('my-question-edit-input').fill(FIXED);
    await viewer.getByTestId('my-question-save').click();
    await moderator.getByTestId('mod-question').filter({ hasText: FIXED }).waitFor();
    await ask(viewer, WITHDRAWN);
    await moderator.getByTestId('mod-question').filter({ hasText: WITHDRAWN }).waitFor();
    await viewer.getByTestId('my-pending-question').filter({ hasText: WITHDRAWN }).getByTestId('my-question-withdraw').click();
    await moderator.getByTestId('mod-question').filter({ hasText: WITHDRAWN }).waitFor({ state: 'detached' });

    await item.getByTestId('mod-approve').click();
    await until('the moderator’s copy approved', async () => (await item.getAttribute('data-state')) === 'approved');
    for (const page of [viewer, audience]) {
      await page.getByTestId('question-item').filter({ hasText: QUESTION }).waitFor();
    }
    assert.equal(await viewer.getByTestId('my-pending-question').filter({ hasText: QUESTION }).count(), 0, 'no longer awaiting review');
    assert.equal(await audience.getByText(FIXED).count(), 0, 'the other one still waits');

    // Dismissed: its asker is told politely, the audience never saw it.
    await moderator.getByTestId('mod-question').filter({ hasText: FIXED }).getByTestId('mod-dismiss').click();
    await viewer.locator('[data-testid=question-removed][data-state=dismissed]').filter({ hasText: FIXED }).waitFor();
    await viewer.locator('[data-testid=question-removed][data-state=withdrawn]').filter({ hasText: WITHDRAWN }).waitFor();
    assert.equal(await audience.getByText(FIXED).count(), 0);

    // Two more from the audience: one approved now, the other left for the owner's keyboard.
    await ask(audience, SECOND);
    await ask(audience, THIRD);
    const second = moderator.getByTestId('mod-question').filter({ hasText: SECOND });
    await second.getByTestId('mod-approve').click();
    await moderator.getByTestId('mod-question').filter({ hasText: THIRD }).waitFor();
    await viewer.getByTestId('questions-toggle').click();
    // The viewer has just sent five events; the server takes at most five in five seconds
    // from one user (an exception 429 after that), so the upvote waits out the window.
    await viewer.waitForTimeout(5500);
    await viewer.getByTestId('question-item').filter({ hasText: SECOND }).getByTestId('question-upvote').click();
    await until('the vote counted', async () => (await second.textContent()).includes('▲ 1'));
  });

  await t.test('the moderator pins it: the viewers, the projector and the speaker view show it', async () => {
    await moderator.getByTestId('mod-question').filter({ hasText: QUESTION }).getByTestId('mod-pin').click();
    await until('the projector to show the question', async () => (await projector.getByTestId('projector').getAttribute('data-showing')) === 'question');
    assert.equal(await projector.getByTestId('projector-question-text').textContent(), QUESTION);
    for (const page of [viewer, audience]) {
      assert.equal(await page.getByTestId('pinned-question-text').textContent({ timeout: 15_000 }), QUESTION);
    }
    await speaker.goto(`${base}/speaker/${roomId}`);
    await speaker.getByTestId('speaker-pinned-text').waitFor();
    assert.equal(await speaker.getByTestId('speaker-pinned-text').textContent(), QUESTION);
    await shot(projector, 'qa-projector-question-desktop');
    await atPhoneWidth(projector, () => shot(projector, 'qa-projector-question-phone'));
    await chatAtTop(viewer);
    await shot(viewer, 'qa-live-pinned-desktop');
    await shot(moderator, 'qa-moderate-pinned-phone');
  });

  const voters = [viewer, audience];
  for (let i = 0; i < 3; i++) voters.push(await openPage(browser, i === 0 ? { ...PHONE, locale: 'ko-KR' } : { viewport: DESKTOP }));

  await t.test('a poll voted in five browsers shows the same counts on every screen', async () => {
    for (const page of voters.slice(2)) {
      await page.goto(`${base}/live/${roomId}`);
      await chatReady(page);
    }
    await moderator.getByTestId('mod-tab-polls').click();
    await moderator.getByTestId('poll-new-question').fill(POLL);
    const inputs = moderator.getByTestId('poll-new-option');
    await moderator.getByTestId('poll-new-add').click();
    for (let i = 0; i < OPTIONS.length; i++) await inputs.nth(i).fill(OPTIONS[i]);
    await moderator.getByTestId('poll-new-create').click();
    const poll = moderator.getByTestId('mod-poll').filter({ hasText: POLL });
    await poll.waitFor();
    assert.equal(await poll.getAttribute('data-state'), 'draft');
    assert.equal(await viewer.getByTestId('poll-card').count(), 0, 'a draft is the moderators’ only');
    await poll.getByTestId('poll-open').click();
    await until('the poll open', async () => (await poll.getAttribute('data-state')) === 'open');
    await until('the projector to show the poll', async () => (await projector.getByTestId('projector').getAttribute('data-showing')) === 'poll');

    const choices = [0, 0, 1, 2, 0];
    for (const [i, page] of voters.entries()) {
      const card = page.getByTestId('poll-card');
      await card.waitFor();
      await card.locator(`[data-testid=poll-option][data-index="${choices[i]}"]`).click();
      await card.getByTestId('poll-results').waitFor();
    }
    let want = { counts: [3, 1, 1], voters: 5 };
    const everywhere = [...voters.map((p) => p.getByTestId('poll-card')), poll, projector.getByTestId('projector-poll')];
    for (const scope of everywhere) await until('the counts to agree', () => shows(scope, want));

    // One voter changes their mind while it is open.
    const last = voters[4].getByTestId('poll-card');
    await last.getByTestId('poll-change').click();
    await last.locator('[data-testid=poll-option][data-index="2"]').click();
    want = { counts: [2, 1, 2], voters: 5 };
    for (const scope of everywhere) await until('the changed vote everywhere', () => shows(scope, want));
    const percents = await projector.getByTestId('poll-result-percent').allTextContents();
    assert.deepEqual(percents, ['40%', '20%', '40%']);

    await shot(projector, 'qa-projector-poll-desktop');
    await atPhoneWidth(projector, () => shot(projector, 'qa-projector-poll-phone'));
    await chatAtTop(viewer);
    await shot(viewer, 'qa-live-poll-desktop');
    await shot(voters[2], 'qa-live-poll-phone');
    await shot(moderator, 'qa-moderate-poll-phone', { top: false });

    await poll.getByTestId('poll-close').click();
    for (const page of voters) {
      await until('the card to show the closed poll', async () => (await page.getByTestId('poll-card').getAttribute('data-state')) === 'closed');
    }
    await until('the projector back to the pinned question', async () => (await projector.getByTestId('projector').getAttribute('data-showing')) === 'question');
    assert.ok(await shows(viewer.getByTestId('poll-card'), want), 'the results stay once closed');
  });

  await t.test('the owner works the queue by keyboard and reads the log; a viewer opening the queue is told it is not theirs', async () => {
    await host.goto(`${base}/moderate/${roomId}`);
    await until('the owner’s queue', async () => (await host.getByTestId('moderate').getAttribute('data-role')) === 'owner');
    const items = host.getByTestId('mod-question');
    await items.filter({ hasText: QUESTION }).waitFor();
    // Pending first: the one left waiting is at the top, and selected.
    assert.match(await items.first().textContent(), new RegExp(THIRD));
    assert.equal(await items.first().getAttribute('aria-current'), 'true');
    await host.keyboard.press('j');
    await until('j to move the selection down', async () => (await items.nth(1).getAttribute('aria-current')) === 'true');
    await host.keyboard.press('k');
    await until('k to move it back', async () => (await items.first().getAttribute('aria-current')) === 'true');
    await host.keyboard.press('a');
    const third = items.filter({ hasText: THIRD });
    await until('a to approve it', async () => (await third.getAttribute('data-state')) === 'approved');
    await until('the log', async () => (await host.getByTestId('mod-log-entry').count()) > 0);
    await shot(host, 'qa-moderate-desktop');

    // The speaker sees the pinned question, then the others by votes.
    await until('the speaker’s next questions', async () =>
      JSON.stringify(await speaker.getByTestId('speaker-question').allTextContents()) === JSON.stringify([`▲ 1${SECOND}`, `▲ 0${THIRD}`]));
    await shot(speaker, 'qa-speaker-desktop');
    await atPhoneWidth(speaker, () => shot(speaker, 'qa-speaker-phone'));

    await audience.goto(`${base}/moderate/${roomId}`);
    const denied = audience.getByTestId('moderate-denied');
    await denied.waitFor();
    assert.equal(await denied.getAttribute('data-role'), 'viewer');

    // Answered: the pin goes, the projector rests.
    await moderator.getByTestId('mod-tab-queue').click();
    await moderator.getByTestId('mod-question').filter({ hasText: QUESTION }).getByTestId('mod-done').click();
    await until('the projector idle again', async () => (await projector.getByTestId('projector').getAttribute('data-showing')) === 'idle');
    await viewer.getByTestId('pinned-question').waitFor({ state: 'detached' });
    await shot(projector, 'qa-projector-idle-desktop');
  });

  await t.test('the owner exports the questions and polls; after the broadcast its replay lists the poll beside the questions', async () => {
    await host.goto(`${base}/host`);
    const qa = host.getByTestId('qa-admin');
    const [download] = await Promise.all([host.waitForEvent('download'), qa.getByTestId('qa-export-json').click()]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    t.diagnostic(`the export is named ${download.suggestedFilename()}`);
    const states = Object.fromEntries(exported.questions.map((q) => [q.msg, q.state]));
    assert.equal(states[QUESTION], 'approved');
    assert.equal(states[FIXED], 'dismissed');
    assert.equal(states[WITHDRAWN], 'withdrawn');
    assert.deepEqual(exported.polls.map((p) => [p.question, p.counts]), [[POLL, [2, 1, 2]]]);
    const [csv] = await Promise.all([host.waitForEvent('download'), qa.getByTestId('qa-export-csv').click()]);
    assert.match(readFileSync(await csv.path(), 'utf8'), new RegExp(SECOND.replace('?', '\\?')));

    await stopPublishing(publisher);
    publisher = null;
    await viewer.getByTestId('replay-link').click({ timeout: 60_000 });
    await viewer.waitForURL(/\/replay\//);
    const replayPoll = viewer.getByTestId('replay-poll').filter({ hasText: POLL });
    await replayPoll.waitFor();
    assert.deepEqual((await results(replayPoll)).counts, [2, 1, 2]);
    const asked = await viewer.getByTestId('replay-question-text').allTextContents();
    assert.ok(asked.includes(QUESTION) && asked.includes(SECOND), 'the approved questions are listed');
    assert.ok(!asked.includes(FIXED) && !asked.includes(WITHDRAWN), 'a dismissed or withdrawn one is not');
    await shot(viewer, 'qa-replay-desktop');

    // The Q&A screens are routes of the app: the server answers them with the app.
    for (const path of [`/moderate/${roomId}`, `/speaker/${roomId}`, `/projector/${roomId}`, '/invite']) {
      const r = await fetch(`${base}${path}`);
      assert.match(await r.text(), /<div id="app">/);
      t.diagnostic(`GET ${path}: ${r.status}`);
    }
  });
});

/** A frab-compatible schedule.json: one room, one talk of 30 minutes `lead` ms from now. */
function scheduleJson(now, lead) {
  const local = (ms) => new Date(ms).toISOString().slice(0, 19) + '+00:00';
  const start = now + lead;
  const day = local(start).slice(0, 10);
  return {
    schedule: {
      version: 'qa-test-1',
      conference: {
        acronym: 'qaconf', title: 'QA Conf', start: day, end: day, time_zone_name: 'UTC', day_change: '00:00:00',
        rooms: [{ name: 'Main Hall', guid: 'qa-room-guid' }],
        days: [{
          index: 1, date: day,
          rooms: {
            'Main Hall': [{
              guid: '6c2a3f1e-2222-4b5b-9c7d-000000000001', id: 1, title: 'Questions at scale', room: 'Main Hall',
              date: local(start), start: local(start).slice(11, 16), duration: '0:30', type: 'Talk', language: 'en',
              track: 'Q&A', subtitle: '', abstract: '', description: '', do_not_record: false,
              persons: [{ id: 10, public_name: 'Grace Hopper' }], links: [],
            }],
          },
        }],
      },
    },
  };
}

test('an organiser invites a conference-wide speaker from the desk, whose view counts down the live talk', { timeout: 300_000 }, async (t) => {
  const { base } = server;
  const organiser = await openPage(browser, { viewport: DESKTOP });
  await organiser.goto(`${base}/organize`);
  const userId = await organiser.evaluate(() => localStorage.getItem('liboo.userId'));
  const post = async (path, body) => {
    const r = await fetch(`${base}/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, ...body }) });
    if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  // The schedule by the API (the conference web test imports through the page).
  const report = await post('/conferences/import', { body: JSON.stringify(scheduleJson(Date.now(), 10 * 60_000)), format: 'frab-json', apply: true });
  const slug = report.conference.slug;
  const [room] = await post(`/conferences/${slug}/rooms/keys`, {});
  const roomPublisher = publishTo(`${room.ingestUrl}/${room.streamKey}`);
  const talks = (await (await fetch(`${base}/api/conferences/${slug}/schedule`)).json()).talks;
  const talk = talks[0];

  await organiser.goto(`${base}/organize/${slug}`);
  const deskTalk = organiser.locator(`[data-testid=desk-talk][data-talk-id="${talk.talkId}"]`);
  await until('the room on air and the talk started', async () => {
    if ((await deskTalk.getAttribute('data-state')) === 'live') return true;
    await deskTalk.getByTestId('talk-start').click();
    await organiser.waitForTimeout(1000);
    return (await deskTalk.getAttribute('data-state')) === 'live';
  });

  const qa = organiser.getByTestId('desk-qa');
  await qa.getByTestId('qa-invite-role').selectOption('speaker');
  await qa.getByTestId('qa-invite-create').click();
  const link = (await qa.getByTestId('qa-invite-url').textContent()).trim();
  await part(qa, 'qa-desk-desktop');
  await atPhoneWidth(organiser, () => part(qa, 'qa-desk-phone'));

  const speaker = await openPage(browser, PHONE);
  await speaker.goto(link);
  await speaker.getByTestId('invite-accept').click();
  const done = speaker.getByTestId('invite-done');
  await done.waitFor();
  assert.equal(await done.getAttribute('data-role'), 'speaker');
  const roomLink = speaker.getByTestId('invite-room').filter({ hasText: 'Main Hall' }).getByTestId('invite-speaker-link');
  await roomLink.click();
  await speaker.waitForURL(`${base}/speaker/${room.roomId}`);
  const clock = speaker.getByTestId('speaker-clock');
  await clock.waitFor();
  const left = Number(await clock.getAttribute('data-seconds'));
  // The slot ends 40 minutes from the import; the talk started early and runs to it.
  assert.ok(left > 30 * 60 && left <= 40 * 60, `the clock shows ${left} s left`);
  assert.match(await speaker.getByTestId('speaker-title').textContent(), /Questions at scale/);
  await shot(speaker, 'qa-speaker-talk-phone');
  t.diagnostic(`the speaker's clock: ${await clock.textContent()}`);
  await stopPublishing(roomPublisher);
});
