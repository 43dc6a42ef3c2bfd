// Conferences in chat and on the media path: a room streams all day through two
// scheduled talks (and a third that must not be recorded); a question asked in a talk's
// waiting room stays with that talk, live and in its replay; each talk's replay is cut
// from the room's segments and lasts its slot; a plain channel's questions asked while
// it is offline go to its next broadcast.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { FIXTURE, startLiboo, newUserId, newHost, publish, user, getJson, postJson, until } from '../helpers.js';

/** ISO 8601 with an offset, to the second, as frab files write `date`. */
function isoSeconds(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** A frab-compatible schedule.json of one room whose talks start at the given times. */
function schedule(talks) {
  const day = new Date(talks[0].start).toISOString().slice(0, 10);
  const event = (t, i) => ({
    id: 100 + i,
    guid: t.guid,
    date: isoSeconds(t.start),
    start: new Date(t.start).toISOString().slice(11, 16),
    duration: t.duration,
    room: 'Main Hall',
    slug: `talk-${i}`,
    url: '',
    title: t.title,
    subtitle: '',
    track: 'Testing',
    type: 'Talk',
    language: 'en',
    abstract: `About ${t.title}`,
    do_not_record: Boolean(t.doNotRecord),
    persons: [{ id: i, public_name: `Speaker ${i}` }],
    links: [],
  });
  return JSON.stringify({
    schedule: {
      version: 'test-1',
      conference: {
        acronym: 'chatconf',
        title: 'Chat Conf',
        start: day,
        end: day,
        daysCount: 1,
        timeslot_duration: '00:05',
        time_zone_name: 'UTC',
        rooms: [{ name: 'Main Hall', guid: '7e0c4a1e-8e2f-4a53-9d6e-3b1f2a9c0d11' }],
        days: [{ index: 1, date: day, rooms: { 'Main Hall': talks.map(event) } }],
      },
    },
  });
}

const talkOf = (base, id) => getJson(base, `/api/talks/${id}`);

/** ffprobe's duration of a playlist, seconds. */
function probeDuration(url) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', url], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ffprobe ${url}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

test('a room streams two talks: waiting-room questions stay with their talk, each talk is cut into its replay', { timeout: 240_000 }, async (t) => {
  const node = await startLiboo(t);
  const organiser = newUserId();
  const t0 = Date.now();
  const slot = 30_000;
  const aStart = t0 + 25_000;
  const talks = [
    { guid: 'a0000000-0000-4000-8000-00000000000a', title: 'Talk A', start: aStart, duration: '0:00:30' },
    { guid: 'b0000000-0000-4000-8000-00000000000b', title: 'Talk B', start: aStart + slot, duration: '0:00:30' },
    { guid: 'c0000000-0000-4000-8000-00000000000c', title: 'Talk C', start: aStart + 2 * slot, duration: '0:00:15', doNotRecord: true },
  ];
  const report = await postJson(node.base, '/api/conferences/import', { userId: organiser, body: schedule(talks), apply: true });
  assert.equal(report.added.length, 3);
  const conf = await getJson(node.base, '/api/conferences/chatconf');
  assert.equal(conf.rooms.length, 1);
  const room = conf.rooms[0];
  const byTitle = Object.fromEntries(
    (await getJson(node.base, '/api/conferences/chatconf/schedule')).talks.map((x) => [x.title, x]),
  );
  const [a, b, c] = [byTitle['Talk A'], byTitle['Talk B'], byTitle['Talk C']];
  assert.equal(a.schedStart, new Date(Math.floor(aStart / 1000) * 1000).toISOString());

  // The waiting room of talk A takes a question before anything is on air.
  const early = await user(t, node.base, 'early viewer');
  early.emit('join_room', { roomId: room.roomId, userId: early.userId, talkId: a.talkId });
  const init = await early.next('receive_init_data');
  assert.equal(init.talk.talkId, a.talkId);
  assert.equal(init.talk.questionsOpen, true);
  early.roomId = room.roomId;
  early.send('send_question', { msg: 'asked in the waiting room?' });
  const asked = await early.next('receive_question', (d) => d.msg === 'asked in the waiting room?');
  assert.equal(asked.talkId, a.talkId);

  // The room goes on air before the slot (a stream check): the talk is not live yet.
  const { streamKey } = (await postJson(node.base, '/api/conferences/chatconf/rooms/keys', { userId: organiser }))[0];
  const ff = spawn('ffmpeg', ['-v', 'error', '-re', '-stream_loop', '-1', '-i', FIXTURE, '-c', 'copy', '-f', 'flv',
    `rtmp://127.0.0.1:${node.rtmpPort}/live/${streamKey}`], { stdio: 'ignore' });
  t.after(() => ff.kill('SIGKILL'));
  await until('the room on air', async () => (await getJson(node.base, '/api/conferences/chatconf')).rooms[0].live);
  assert.notEqual((await talkOf(node.base, a.talkId)).state, 'live');

  // The slot begins: the room is told, and talk A is live.
  const live = await early.next('receive_talk_state', (d) => d.talk.talkId === a.talkId && d.talk.state === 'live', 60_000);
  assert.equal(live.roomId, room.roomId);
  assert.equal(live.current.talkId, a.talkId);
  // LiBoo's client (no talkId) joining now follows the live talk and gets its questions,
  // the waiting room's among them; the room shows the talk's title as its live title.
  const late = await user(t, node.base, 'late viewer');
  const lateInit = await late.join(room.roomId);
  assert.deepEqual(lateInit.questionList.map((q) => q.msg), ['asked in the waiting room?']);
  const liveInfo = await getJson(node.base, `/api/streams/live?liveId=${room.roomId}`);
  assert.equal(liveInfo.info.liveTitle, 'Talk A');
  assert.equal(liveInfo.info.channel.channelName, 'Speaker 0');

  // Talk B follows on the clock; the viewer who followed the room moves to it.
  const toB = await late.next('receive_talk_state', (d) => d.talk.talkId === b.talkId && d.talk.state === 'live', 60_000);
  assert.equal(toB.current.talkId, b.talkId);
  const bInit = await late.next('receive_init_data', (d) => d.talk && d.talk.talkId === b.talkId);
  assert.deepEqual(bInit.questionList, [], 'talk A\'s questions do not move to talk B');
  late.send('send_question', { msg: 'a question for B' });
  assert.equal((await late.next('receive_question', (d) => d.msg === 'a question for B')).talkId, b.talkId);
  // The viewer who chose talk A's room stays there and does not see B's question.
  assert.deepEqual(early.pending('receive_question').filter((q) => q.msg === 'a question for B'), []);

  // Talk C (do not record) runs, then the publisher stops.
  await until('talk C live', async () => (await talkOf(node.base, c.talkId)).state === 'live', 60_000);
  await until('talk C over', async () => ['no_replay', 'ended'].includes((await talkOf(node.base, c.talkId)).state), 40_000);
  ff.kill('SIGINT');

  // A and B are cut into replays that last their slots; C has none.
  for (const talk of [a, b]) {
    const done = await until(`${talk.title}'s replay`, async () => {
      const now = await talkOf(node.base, talk.talkId);
      return now.state === 'replay' ? now : null;
    }, 60_000);
    assert.ok(done.replayVideoId.startsWith('t'));
    const text = await (await fetch(done.replayUrl)).text();
    assert.match(text, /#EXT-X-ENDLIST/);
    const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)[1]);
    const offset = Number((/#EXT-X-START:TIME-OFFSET=([\d.]+)/.exec(text) ?? [0, 0])[1]);
    const duration = probeDuration(done.replayUrl);
    const played = duration - offset;
    assert.ok(Math.abs(played - slot / 1000) <= target,
      `${talk.title}: plays ${played.toFixed(2)} s from its start offset, its slot is ${slot / 1000} s, a segment ${target} s`);
    const replay = (await getJson(node.base, `/api/replay/video?videoId=${done.replayVideoId}`)).info;
    assert.equal(replay.videoTitle, talk.title);
  }
  const cAfter = await talkOf(node.base, c.talkId);
  assert.equal(cAfter.state, 'no_replay');
  assert.equal(cAfter.replayVideoId, null);

  // The waiting room's question is in talk A's replay, and only there.
  const aReplay = (await talkOf(node.base, a.talkId)).replayVideoId;
  const bReplay = (await talkOf(node.base, b.talkId)).replayVideoId;
  const listed = (await getJson(node.base, '/api/conferences/chatconf/schedule')).talks;
  assert.equal(listed.find((x) => x.talkId === a.talkId).replayVideoId, aReplay, 'the schedule links the replay');
  assert.equal(listed.find((x) => x.talkId === a.talkId).timeZone, 'UTC');
  const aQuestions = await getJson(node.base, `/api/replay/questions?videoId=${aReplay}`);
  assert.deepEqual(aQuestions.questions.map((q) => q.msg), ['asked in the waiting room?']);
  const bQuestions = await getJson(node.base, `/api/replay/questions?videoId=${bReplay}`);
  assert.deepEqual(bQuestions.questions.map((q) => q.msg), ['a question for B']);

  // The organiser moves talk A's in point 10 s later: the replay is cut again, shorter.
  const aNow = await talkOf(node.base, a.talkId);
  const before = probeDuration(aNow.replayUrl);
  const r = await fetch(`${node.base}/api/talks/${a.talkId}/cut`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: organiser, inMs: Date.parse(aNow.actualStart) + 10_000, outMs: null }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  const recut = await r.json();
  assert.equal(recut.replayVideoId, aNow.replayVideoId, 'the same replay, cut again');
  const after = probeDuration(recut.replayUrl);
  assert.ok(before - after > 6 && before - after < 14, `cut from ${before} s to ${after} s`);
  const forbidden = await fetch(`${node.base}/api/talks/${a.talkId}/cut`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: newUserId(), inMs: null, outMs: null }),
  });
  assert.equal(forbidden.status, 403);

  // The replay lists show the talks, not the room's whole day.
  await until('the room broadcast to end', async () => !(await getJson(node.base, '/api/conferences/chatconf')).rooms[0].live, 30_000);
  const replays = await getJson(node.base, '/api/replay/latest');
  const ids = [...replays.info, ...replays.appendInfo].map((r) => r.videoId);
  assert.ok(ids.includes(aReplay) && ids.includes(bReplay), JSON.stringify(ids));
  assert.equal(ids.length, 2, `only the talks' replays are listed: ${JSON.stringify(ids)}`);
  // The organiser still has the room's whole day.
  const recordings = await postJson(node.base, '/api/conferences/chatconf/recordings', { userId: organiser });
  assert.equal(recordings.length, 1);
  assert.equal(recordings[0].roomId, room.roomId);
  assert.ok(probeDuration(recordings[0].replayUrl) > 60);
});

test("a plain channel's question asked while it is offline goes to its next broadcast", async (t) => {
  const node = await startLiboo(t);
  const host = await newHost(node.base);
  const v = await user(t, node.base, 'viewer');
  await v.join(host.sessionKey);
  v.send('send_question', { msg: 'will you talk about lifetimes?' });
  const q = await v.next('receive_question', (d) => d.msg === 'will you talk about lifetimes?');
  assert.equal(q.questionDone, false);

  const live = await publish(t, node, host);
  const h = await user(t, node.base, 'host', host.userId);
  const init = await h.join(host.sessionKey);
  assert.deepEqual(init.questionList.map((x) => x.msg), ['will you talk about lifetimes?']);
  await live.stop();
  const { info } = await getJson(node.base, `/api/streams/live?liveId=${host.sessionKey}`);
  const kept = await getJson(node.base, `/api/replay/questions?videoId=${info.videoId}`);
  assert.deepEqual(kept.questions.map((x) => x.msg), ['will you talk about lifetimes?']);
});
