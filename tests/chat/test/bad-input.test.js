// Bad input: every malformed or refused event gets an `exception` and the socket stays
// usable.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiboo, newHost, user } from '../helpers.js';

test('malformed events get an exception and the socket keeps working', async (t) => {
  const node = await startLiboo(t, { args: ['--chat-rate-limit', '0'] });
  const host = await newHost(node.base);
  const v = await user(t, node.base, 'viewer');
  const other = await user(t, node.base, 'other');
  await other.join(host.sessionKey);

  // Before joining, sending is refused.
  v.emit('send_normal_chat', { roomId: host.sessionKey, userId: v.userId, msg: 'too early' });
  let e = await v.next('exception');
  assert.equal(e.statusCode, 400, JSON.stringify(e));
  await v.join(host.sessionKey);
  await v.say('joined now');
  await other.next('receive_normal_chat', (d) => d.msg === 'joined now');

  const long = 'x'.repeat(151);
  const cases = [
    ['payload is a string', 'send_normal_chat', 'just a string', 400],
    ['payload is a number', 'send_normal_chat', 42, 400],
    ['payload is an array', 'send_normal_chat', [host.sessionKey, v.userId, 'hi'], 400],
    ['no payload', 'send_normal_chat', undefined, 400],
    ['null payload', 'send_question', null, 400],
    ['missing roomId', 'send_normal_chat', { userId: v.userId, msg: 'hi' }, 400],
    ['roomId a number', 'send_normal_chat', { roomId: 7, userId: v.userId, msg: 'hi' }, 400],
    ['userId an object', 'send_normal_chat', { roomId: host.sessionKey, userId: {}, msg: 'hi' }, 400],
    ['msg a number', 'send_normal_chat', { roomId: host.sessionKey, userId: v.userId, msg: 5 }, 400],
    ['msg an array', 'send_question', { roomId: host.sessionKey, userId: v.userId, msg: ['a'] }, 400],
    ['msg of 151 chars', 'send_normal_chat', { roomId: host.sessionKey, userId: v.userId, msg: long }, 406],
    ['empty msg', 'send_normal_chat', { roomId: host.sessionKey, userId: v.userId, msg: '' }, 400],
    ['blank msg', 'send_normal_chat', { roomId: host.sessionKey, userId: v.userId, msg: '   ' }, 400],
    ['missing msg', 'send_normal_chat', { roomId: host.sessionKey, userId: v.userId }, 400],
    ['another userId', 'send_normal_chat', { roomId: host.sessionKey, userId: 'someone-else-entirely', msg: 'hi' }, 400],
    ['a room not joined', 'send_normal_chat', { roomId: 'abcdef0123456789abcd', userId: v.userId, msg: 'hi' }, 400],
    ['questionId not a number', 'send_question_upvote', { roomId: host.sessionKey, userId: v.userId, questionId: { a: 1 } }, 400],
    ['join without userId', 'join_room', { roomId: host.sessionKey }, 400],
    ['join with a number roomId', 'join_room', { roomId: 1, userId: v.userId }, 400],
    ['join a room that does not exist', 'join_room', { roomId: 'no-such-room', userId: v.userId }, 404],
    ['upvote an unknown question', 'send_question_upvote', { roomId: host.sessionKey, userId: v.userId, questionId: 999999 }, 404],
    ['leave without roomId', 'leave_room', { userId: v.userId }, 400],
    ['leave with a payload not an object', 'leave_room', 'room', 400],
  ];
  let n = 0;
  for (const [name, event, payload, status] of cases) {
    if (payload === undefined) v.socket.emit(event);
    else v.emit(event, payload);
    e = await v.next('exception');
    assert.equal(e.statusCode, status, `${name}: ${JSON.stringify(e)}`);
    assert.equal(typeof e.message, 'string', name);
    assert.equal(e.msg, e.message, `${name}: LiBoo's client reads msg`);
    assert.equal(v.socket.connected, true, `${name}: still connected`);
    // Still in the room and able to talk.
    const msg = `ok after ${name} ${n++}`;
    const mine = await v.say(msg);
    assert.equal(mine.owner, 'me');
    await other.next('receive_normal_chat', (d) => d.msg === msg);
  }

  // 150 characters is allowed, and is what everyone gets.
  const max = 'y'.repeat(150);
  await v.say(max);
  await other.next('receive_normal_chat', (d) => d.msg === max);
  // Nothing refused reached the room.
  assert.deepEqual(other.pending('receive_normal_chat'), []);
  assert.deepEqual(v.pending('exception'), []);

  // Joining the same room again with another userId makes the socket that user.
  const newId = `${v.userId}-2`;
  v.emit('join_room', { roomId: host.sessionKey, userId: newId });
  await v.next('receive_init_data');
  v.emit('send_normal_chat', { roomId: host.sessionKey, userId: v.userId, msg: 'old identity' });
  assert.equal((await v.next('exception')).statusCode, 400);
  v.userId = newId;
  await v.say('new identity');
  await other.next('receive_normal_chat', (d) => d.msg === 'new identity');
});
