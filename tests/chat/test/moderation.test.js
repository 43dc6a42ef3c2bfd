// Moderated Q&A with the official socket.io client: roles by invitation, pending
// questions only moderators and their asker see, approval, pins, edits, withdrawals and
// dismissals, polls with one vote per user, the log, the export; then the same on two
// nodes over Redis and MariaDB, with one node SIGKILLed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  startLiboo, newHost, publish, user, getJson, postJson, until, mariadb, mysqlUrl, redisCleanup,
  REDIS_URL, sleep, untilRefused,
} from '../helpers.js';

/** `fetch` with a JSON body and any method; returns `{status, body}` whatever the status. */
async function call(base, method, p, body) {
  const r = await fetch(`${base}${p}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, body: json, headers: r.headers };
}

/** The owner invites, `u` accepts: `u` holds `role` from now on. */
async function grant(base, owner, u, role, name) {
  const inv = await postJson(base, '/api/host/invitations', { userId: owner.userId, role });
  assert.equal(inv.url, `/invite#${inv.token}`);
  const accepted = await postJson(base, '/api/roles/accept', { userId: u.userId, token: inv.token, name });
  assert.equal(accepted.role, role);
  return inv;
}

/** An exception with this status, the next one `u` gets. */
async function refused(u, status) {
  const e = await u.next('exception', (d) => d.statusCode === status);
  return e;
}

/** No event `event` matching `pred` reached `u` (after giving it time to arrive). */
async function never(u, event, pred, ms = 300) {
  await sleep(ms);
  const got = u.events.filter((e) => e.event === event && pred(e.data));
  assert.deepEqual(got.map((e) => e.data), [], `${u.name} must not get this ${event}`);
}

test('moderated questions: roles by invitation, pending, approve, pin, edit, withdraw, dismiss', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const live = await publish(t, node, host);
  const room = host.sessionKey;

  const h = await user(t, node.base, 'host', host.userId);
  const mod = await user(t, node.base, 'moderator');
  const speaker = await user(t, node.base, 'speaker');
  const v1 = await user(t, node.base, 'viewer1');
  const v2 = await user(t, node.base, 'viewer2');

  // Moderation is off until switched on, and only the owner or a moderator may switch it.
  assert.equal((await h.join(room)).moderation.enabled, false);
  const forged = await call(node.base, 'PUT', '/api/host/moderation', { userId: v1.userId, roomId: room, enabled: true });
  assert.equal(forged.status, 403);
  const on = await call(node.base, 'PUT', '/api/host/moderation', { userId: host.userId, enabled: true });
  assert.equal(on.status, 200);
  assert.deepEqual(on.body, { roomId: room, talkId: null, enabled: true, anonymous: false });
  // Members already in the room hear of it.
  assert.equal((await h.next('receive_moderation')).enabled, true);

  await grant(node.base, host, mod, 'moderator', 'Mia');
  await grant(node.base, host, speaker, 'speaker', 'Sam');
  const inits = {};
  for (const u of [mod, speaker, v1, v2]) inits[u.name] = await u.join(room);
  assert.equal(inits.moderator.role, 'moderator');
  assert.equal(inits.speaker.role, 'speaker');
  assert.equal(inits.viewer1.role, 'viewer');
  assert.equal(inits.viewer1.moderation.enabled, true);

  // A question is pending: its asker and the moderators see it, no one else does.
  v1.send('send_question', { msg: 'is it pending?' });
  const mine = await v1.next('receive_question_pending', (d) => d.msg === 'is it pending?');
  assert.equal(mine.state, 'pending');
  assert.equal(mine.mine, true);
  const seen = await mod.next('receive_question_pending', (d) => d.questionId === mine.questionId);
  assert.equal(seen.mine, false);
  await h.next('receive_question_pending', (d) => d.questionId === mine.questionId);
  const q1 = mine.questionId;
  for (const u of [v2, speaker]) {
    await never(u, 'receive_question_pending', (d) => d.questionId === q1);
    await never(u, 'receive_question', (d) => d.questionId === q1, 0);
  }
  // A joiner who is not a moderator does not get it; the asker gets their own back.
  const late = await user(t, node.base, 'late viewer');
  const lateInit = await late.join(room);
  assert.deepEqual(lateInit.pendingList, []);
  assert.deepEqual(lateInit.questionList, []);
  const askerAgain = await user(t, node.base, 'viewer1 second tab', v1.userId);
  assert.deepEqual((await askerAgain.join(room)).pendingList.map((q) => [q.questionId, q.mine]), [[q1, true]]);
  const modAgain = await user(t, node.base, 'moderator second tab', mod.userId);
  assert.deepEqual((await modAgain.join(room)).pendingList.map((q) => q.questionId), [q1]);
  // Neither upvotes nor answers reach a pending question.
  v2.send('send_question_upvote', { questionId: q1 });
  await refused(v2, 404);

  // A viewer and the speaker forging moderator events are refused with 403.
  for (const [u, event] of [[v2, 'send_question_approve'], [v2, 'send_question_pin'], [speaker, 'send_question_approve'],
    [v2, 'send_question_dismiss'], [v2, 'send_notice'], [v2, 'send_poll_create']]) {
    u.send(event, { questionId: q1, msg: 'forged', question: 'q', options: ['a', 'b'] });
    const e = await refused(u, 403);
    assert.match(e.message, /host or a moderator/);
  }

  // The moderator approves: everyone gets LiBoo's receive_question, with the time asked.
  mod.send('send_question_approve', { questionId: q1 });
  for (const u of [h, mod, speaker, v1, v2, late]) {
    const q = await u.next('receive_question', (d) => d.questionId === q1);
    assert.equal(q.msg, 'is it pending?');
    assert.equal(q.msgType, 'question');
    assert.equal(q.questionDone, false);
    assert.equal(q.state, 'approved');
    assert.ok(q.approvedAt);
    assert.ok(q.msgTime <= q.approvedAt);
  }
  mod.send('send_question_approve', { questionId: q1 });
  assert.match((await refused(mod, 409)).message, /awaiting review/);

  // Pinned: one at a time, for everyone; the speaker answers it, which unpins it.
  mod.send('send_question_pin', { questionId: q1 });
  for (const u of [h, speaker, v2]) {
    const p = await u.next('receive_question_pinned', (d) => d.questionId === q1);
    assert.equal(p.question.msg, 'is it pending?');
  }
  const pinnedInit = await (await user(t, node.base, 'projector')).join(room);
  assert.equal(pinnedInit.pinned.questionId, q1);
  speaker.send('send_question_done', { questionId: q1 });
  assert.equal((await v2.next('receive_question_done', (d) => d.questionId === q1)).questionDone, true);
  assert.equal((await v2.next('receive_question_pinned', (d) => d.questionId === null)).question, null);
  mod.send('send_question_pin', { questionId: q1 });
  assert.match((await refused(mod, 409)).message, /not yet answered/);

  // The asker edits and withdraws their own pending question; the room never sees it.
  v1.send('send_question', { msg: 'typo quesiton?' });
  const q2 = (await v1.next('receive_question_pending', (d) => d.msg === 'typo quesiton?')).questionId;
  v1.send('send_question_edit', { questionId: q2, msg: 'typo question?' });
  assert.equal((await v1.next('receive_question_edited', (d) => d.questionId === q2)).mine, true);
  assert.equal((await mod.next('receive_question_edited', (d) => d.questionId === q2)).msg, 'typo question?');
  v2.send('send_question_edit', { questionId: q2, msg: 'hijacked' });
  await refused(v2, 404);
  v2.send('send_question_withdraw', { questionId: q2 });
  await refused(v2, 404);
  v1.send('send_question_withdraw', { questionId: q2 });
  const withdrawn = await mod.next('receive_question_removed', (d) => d.questionId === q2);
  assert.equal(withdrawn.state, 'withdrawn');
  await v1.next('receive_question_removed', (d) => d.questionId === q2);
  await never(v2, 'receive_question_removed', (d) => d.questionId === q2);

  // Dismissed, with a reason the asker reads; the room hears nothing of it.
  v1.send('send_question', { msg: 'off topic?' });
  const q3 = (await v1.next('receive_question_pending', (d) => d.msg === 'off topic?')).questionId;
  mod.send('send_question_dismiss', { questionId: q3, reason: 'off topic for this talk' });
  const dismissed = await v1.next('receive_question_removed', (d) => d.questionId === q3);
  assert.deepEqual([dismissed.state, dismissed.reason], ['dismissed', 'off topic for this talk']);
  await never(v2, 'receive_question_removed', (d) => d.questionId === q3);
  mod.send('send_question_approve', { questionId: q3 });
  await refused(mod, 409);
  // The asker may not edit an approved question; a moderator fixes its typo for everyone.
  v1.send('send_question_edit', { questionId: q1, msg: 'changed after approval' });
  assert.match((await refused(v1, 409)).message, /awaiting review/);
  mod.send('send_question_edit', { questionId: q1, msg: 'is it pending? (fixed)' });
  assert.equal((await v2.next('receive_question_edited', (d) => d.questionId === q1)).msg, 'is it pending? (fixed)');

  // A moderator's own question needs no screening.
  mod.send('send_question', { msg: 'from the moderator' });
  await v2.next('receive_question', (d) => d.msg === 'from the moderator');

  // Anonymous mode: a new question shows no nickname.
  await call(node.base, 'PUT', '/api/host/moderation', { userId: mod.userId, roomId: room, enabled: false, anonymous: true });
  await v2.next('receive_moderation', (d) => d.anonymous === true && d.enabled === false);
  v1.send('send_question', { msg: 'who asked?' });
  assert.equal((await v2.next('receive_question', (d) => d.msg === 'who asked?')).nickname, 'anonymous');

  // A moderator sends notices and bans; a ban never holds the owner.
  mod.send('send_notice', { msg: 'Q&A opens after the talk' });
  await v2.next('receive_notice', (d) => d.msg === 'Q&A opens after the talk');
  mod.send('ban_user', { socketId: v2.id });
  await untilRefused(v2, 'the banned viewer');
  mod.send('ban_user', { socketId: h.id });
  await sleep(300);
  await h.say('the owner still speaks');

  // The owner's log has every action with who did it; a moderator may not read it.
  const log = await postJson(node.base, '/api/host/moderation/log', { userId: host.userId });
  const actions = log.entries.map((e) => `${e.actor}:${e.action}`);
  for (const a of ['owner:moderation_on', 'Mia:approve', 'Mia:pin', 'Sam:done', 'Mia:dismiss', 'Mia:edit', 'Mia:moderation_off', 'Mia:notice', 'Mia:ban']) {
    assert.ok(actions.includes(a), `${a} in the log: ${actions}`);
  }
  assert.equal(JSON.stringify(log).includes(mod.userId), false, 'no userId in the log');
  assert.equal((await call(node.base, 'POST', '/api/host/moderation/log', { userId: mod.userId, roomId: room })).status, 403);

  // The export has every question in every state, as JSON and as CSV.
  const json = await call(node.base, 'POST', '/api/host/qa-export', { userId: host.userId, format: 'json' });
  assert.equal(json.status, 200);
  const states = Object.fromEntries(json.body.questions.map((q) => [q.questionId, q.state]));
  assert.deepEqual([states[q1], states[q2], states[q3]], ['approved', 'withdrawn', 'dismissed']);
  const answered = json.body.questions.find((q) => q.questionId === q1);
  assert.ok(answered.answered && answered.pinnedMedia !== null && answered.approvedMedia >= answered.askedMedia);
  const csv = await call(node.base, 'POST', '/api/host/qa-export', { userId: host.userId, format: 'csv' });
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /attachment; filename=".*\.csv"/);
  assert.match(csv.body, /^kind,id,state,nickname,text,/);
  assert.match(csv.body, /question,\d+,dismissed,/);

  // Roles are listed and revoked; the revoked moderator is refused at their next event.
  const roles = await postJson(node.base, '/api/host/roles', { userId: host.userId });
  assert.deepEqual(roles.roles.map((r) => [r.role, r.name]).sort(), [['moderator', 'Mia'], ['speaker', 'Sam']]);
  assert.equal(roles.invitations.length, 2);
  assert.equal(JSON.stringify(roles).includes('token'), false, 'the list never shows a token');
  assert.equal((await call(node.base, 'POST', '/api/host/roles', { userId: mod.userId, roomId: room })).status, 403);
  const modRole = roles.roles.find((r) => r.role === 'moderator');
  assert.equal((await call(node.base, 'DELETE', `/api/host/roles/${modRole.roleId}`, { userId: v1.userId })).status, 403);
  assert.deepEqual((await call(node.base, 'DELETE', `/api/host/roles/${modRole.roleId}`, { userId: host.userId })).body, { revoked: true });
  mod.send('send_question_pin', { questionId: q1 });
  await refused(mod, 403);

  // The replay keeps the approved questions with their states and media times.
  await live.stop();
  const { info } = await getJson(node.base, `/api/streams/live?liveId=${room}`);
  const { questions } = await getJson(node.base, `/api/replay/questions?videoId=${info.videoId}`);
  assert.equal(questions.some((q) => q.questionId === q3 || q.questionId === q2), false, 'removed questions stay out of the replay');
  const forbidden = await call(node.base, 'POST', '/api/host/qa-export', { userId: v2.userId, videoId: info.videoId });
  assert.equal(forbidden.status, 403);
  const kept = questions.find((q) => q.questionId === q1);
  assert.equal(kept.state, 'approved');
  assert.equal(typeof kept.approvedAt, 'number');
  assert.equal(typeof kept.pinnedAt, 'number');
});

test('invitations: a forged, revoked or reused-by-owner token grants nothing', async (t) => {
  const node = await startLiboo(t);
  const host = await newHost(node.base);
  const other = await newHost(node.base);
  const guest = { userId: randomBytes(12).toString('base64url') };

  // Only an owner may invite, and only to their own place.
  const notOwner = await call(node.base, 'POST', '/api/host/invitations', { userId: other.userId, role: 'moderator', roomId: host.sessionKey });
  assert.equal(notOwner.status, 403);
  const badRole = await call(node.base, 'POST', '/api/host/invitations', { userId: host.userId, role: 'owner' });
  assert.equal(badRole.status, 400);
  const badHours = await call(node.base, 'POST', '/api/host/invitations', { userId: host.userId, role: 'speaker', hours: 10_000 });
  assert.equal(badHours.status, 400);

  const inv = await postJson(node.base, '/api/host/invitations', { userId: host.userId, role: 'moderator', hours: 1 });
  assert.ok(Date.parse(inv.expiresAt) - Date.now() > 3_500_000);
  const [id, sig] = inv.token.split('.');
  const flipped = sig.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
  for (const token of [`${id}.${flipped}`, `${Number(id) + 1}.${sig}`, 'nonsense', '']) {
    const r = await call(node.base, 'POST', '/api/roles/accept', { userId: guest.userId, token });
    assert.ok([400, 403].includes(r.status), `${token}: ${r.status}`);
  }
  // The owner's own link is no use to them.
  assert.equal((await call(node.base, 'POST', '/api/roles/accept', { userId: host.userId, token: inv.token })).status, 409);
  // Revoked (by id, with the userId in the body, never the URL): 410, and nothing granted.
  assert.equal((await call(node.base, 'DELETE', `/api/host/invitations/${id}`, { userId: other.userId })).status, 403);
  assert.deepEqual((await call(node.base, 'DELETE', `/api/host/invitations/${id}`, { userId: host.userId })).body, { revoked: true });
  const gone = await call(node.base, 'POST', '/api/roles/accept', { userId: guest.userId, token: inv.token });
  assert.equal(gone.status, 410);
  assert.match(gone.body.message, /revoked/);
  const u = await user(t, node.base, 'guest', guest.userId);
  assert.equal((await u.join(host.sessionKey)).role, 'viewer');
  assert.deepEqual((await postJson(node.base, '/api/host/roles', { userId: host.userId })).roles, []);
});

test('polls: drafts for moderators, one vote per user, results exact everywhere and kept with the replay', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const live = await publish(t, node, host);
  const room = host.sessionKey;
  const h = await user(t, node.base, 'host', host.userId);
  await h.join(room);
  const voters = [];
  for (let i = 0; i < 5; i++) {
    const v = await user(t, node.base, `voter${i}`);
    await v.join(room);
    voters.push(v);
  }

  // Bad polls are refused with the reason.
  h.send('send_poll_create', { question: 'Which?', options: ['only one'] });
  assert.match((await refused(h, 400)).message, /2 to 10 options/);

  h.send('send_poll_create', { question: 'Which language?', options: ['Rust', 'Go', 'Zig'], multiple: false });
  const draft = await h.next('receive_poll', (d) => d.question === 'Which language?');
  assert.equal(draft.state, 'draft');
  assert.deepEqual(draft.counts, [0, 0, 0]);
  await never(voters[0], 'receive_poll', () => true);
  voters[0].send('send_poll_vote', { pollId: draft.pollId, options: [0] });
  await refused(voters[0], 404);

  h.send('send_poll_open', { pollId: draft.pollId });
  for (const v of voters) assert.equal((await v.next('receive_poll', (d) => d.state === 'open')).pollId, draft.pollId);

  // Five votes, one changed, one refused for choosing two in a single-choice poll.
  const choices = [0, 0, 1, 2, 0];
  voters.forEach((v, i) => v.send('send_poll_vote', { pollId: draft.pollId, options: [choices[i]] }));
  // socket.io runs a socket's events concurrently: the change waits for the first vote.
  await voters[4].next('receive_poll', (d) => Array.isArray(d.myVote) && d.myVote[0] === 0);
  voters[3].send('send_poll_vote', { pollId: draft.pollId, options: [0, 1] });
  assert.match((await refused(voters[3], 400)).message, /exactly one/);
  voters[4].send('send_poll_vote', { pollId: draft.pollId, options: [1] });
  const own = await voters[4].next('receive_poll', (d) => Array.isArray(d.myVote) && d.myVote[0] === 1);
  assert.deepEqual(own.myVote, [1]);
  const expected = [2, 2, 1];
  // The throttled pushes converge: the last one every client gets is exact.
  for (const u of [h, ...voters]) {
    await until(`${u.name} to see the final counts`, () => {
      const polls = u.events.filter((e) => e.event === 'receive_poll' && e.data.pollId === draft.pollId);
      const last = polls[polls.length - 1]?.data;
      return last && JSON.stringify(last.counts) === JSON.stringify(expected) && last.voters === 5;
    });
  }
  // A joiner gets the poll with their own vote.
  const again = await user(t, node.base, 'voter0 again', voters[0].userId);
  const init = await again.join(room);
  assert.deepEqual(init.polls.map((p) => [p.pollId, p.myVote, p.counts]), [[draft.pollId, [0], expected]]);

  h.send('send_poll_close', { pollId: draft.pollId });
  const closed = await voters[1].next('receive_poll', (d) => d.state === 'closed');
  assert.deepEqual(closed.counts, expected);
  voters[1].send('send_poll_vote', { pollId: draft.pollId, options: [2] });
  assert.match((await refused(voters[1], 409)).message, /closed/);
  h.send('send_poll_close', { pollId: draft.pollId });
  await refused(h, 409);

  await live.stop();
  const { info } = await getJson(node.base, `/api/streams/live?liveId=${room}`);
  const { polls } = await getJson(node.base, `/api/replay/polls?videoId=${info.videoId}`);
  assert.equal(polls.length, 1);
  assert.deepEqual([polls[0].counts, polls[0].voters, polls[0].state], [expected, 5, 'closed']);
  assert.ok(polls[0].closedAt >= polls[0].openedAt);
});

test('two nodes on Redis agree on every state; a SIGKILLed node loses no approved question or vote', async (t) => {
  const tag = randomBytes(6).toString('hex');
  const database = `liboo_qa_${tag}`;
  const prefix = `liboo-qa-test-${tag}:`;
  let a;
  let b;
  await mariadb(`CREATE DATABASE ${database}`);
  t.after(async () => {
    await a?.kill();
    await b?.kill();
    await redisCleanup(prefix);
    await mariadb(`DROP DATABASE IF EXISTS ${database}`);
  });
  const shared = {
    env: { LIBOO_SECRET: `qa-cluster-test-secret-${tag}` },
    args: ['--chat-rate-limit', '0', '--redis-url', REDIS_URL, '--redis-prefix', prefix, '--database-url', mysqlUrl(database)],
  };
  a = await startLiboo(t, shared);
  b = await startLiboo(t, { ...shared, args: [...shared.args, '--roles', 'api,chat'] });
  const host = await newHost(a.base);
  const room = host.sessionKey;
  await call(a.base, 'PUT', '/api/host/moderation', { userId: host.userId, enabled: true });

  // The moderator is invited on A and moderates on B; viewers on both.
  const mod = await user(t, b.base, 'moderator on B');
  await grant(a.base, host, mod, 'moderator', 'Mo');
  const va = await user(t, a.base, 'viewer on A');
  const vb = await user(t, b.base, 'viewer on B');
  assert.equal((await mod.join(room)).role, 'moderator');
  await va.join(room);
  await vb.join(room);

  va.send('send_question', { msg: 'asked on A' });
  const q = (await mod.next('receive_question_pending', (d) => d.msg === 'asked on A')).questionId;
  await never(vb, 'receive_question_pending', () => true);
  mod.send('send_question_approve', { questionId: q });
  await va.next('receive_question', (d) => d.questionId === q);
  await vb.next('receive_question', (d) => d.questionId === q);
  mod.send('send_question_pin', { questionId: q });
  await va.next('receive_question_pinned', (d) => d.questionId === q);

  mod.send('send_poll_create', { question: 'Across nodes?', options: ['yes', 'no'] });
  const poll = await mod.next('receive_poll', (d) => d.state === 'draft');
  mod.send('send_poll_open', { pollId: poll.pollId });
  await va.next('receive_poll', (d) => d.state === 'open');
  va.send('send_poll_vote', { pollId: poll.pollId, options: [0] });
  vb.send('send_poll_vote', { pollId: poll.pollId, options: [1] });
  await va.next('receive_poll', (d) => Array.isArray(d.myVote));
  await vb.next('receive_poll', (d) => Array.isArray(d.myVote));
  for (const u of [va, vb, mod]) {
    await until(`${u.name} to see both votes`, () => u.events.some((e) => e.event === 'receive_poll' && e.data.voters === 2));
  }

  // An invitation past its expiry grants nothing (its expiry moved back in the database,
  // the only clock a test can turn).
  const late = await postJson(a.base, '/api/host/invitations', { userId: host.userId, role: 'moderator', hours: 1 });
  await mariadb(`UPDATE ${database}.invitations SET expires_ms = 1 WHERE id = ${Number(late.token.split('.')[0])}`);
  const expired = await call(b.base, 'POST', '/api/roles/accept', { userId: va.userId, token: late.token });
  assert.equal(expired.status, 410);
  assert.match(expired.body.message, /expired/);
  va.send('send_question_approve', { questionId: q });
  await refused(va, 403);

  // A dies mid-session; B and its clients keep every approved question, pin and vote.
  await a.kill();
  const fresh = await user(t, b.base, 'joiner on B');
  const init = await fresh.join(room);
  assert.deepEqual(init.questionList.map((x) => x.questionId), [q]);
  assert.equal(init.pinned.questionId, q);
  assert.deepEqual(init.polls.map((p) => [p.counts, p.voters]), [[[1, 1], 2]]);
});
