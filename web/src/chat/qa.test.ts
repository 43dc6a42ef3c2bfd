import { describe, expect, it } from 'vitest';
import { moderationQueue, openPoll, pollProblem, pollShares, secondsLeft, sortQuestions, tokenFromHash, topQuestions, validVote, viewerPoll } from './qa';
import type { Poll, Question } from './state';

const q = (id: number, over: Partial<Question> = {}): Question => ({
  questionId: id,
  nickname: 'n',
  msg: `q${id}`,
  msgTime: `2024-01-01T00:00:${String(id).padStart(2, '0')}.000Z`,
  upvotes: 0,
  mine: false,
  state: 'approved',
  done: false,
  pinned: false,
  approvedAt: null,
  pinnedAt: null,
  socketId: null,
  ...over,
});

const poll = (id: number, over: Partial<Poll> = {}): Poll => ({
  pollId: id,
  question: 'p',
  options: ['a', 'b', 'c'],
  counts: [0, 0, 0],
  voters: 0,
  multiple: false,
  state: 'open',
  myVote: null,
  ...over,
});

const ids = (list: Question[]) => list.map((x) => x.questionId);

describe('Q&A views', () => {
  it('sorts by votes (older first among equals) or newest, and hides answered ones when asked', () => {
    const list = [q(1, { upvotes: 2 }), q(2, { upvotes: 5 }), q(3, { upvotes: 2 }), q(4, { done: true, upvotes: 9 })];
    expect(ids(sortQuestions(list, 'votes', true))).toEqual([2, 1, 3]);
    expect(ids(sortQuestions(list, 'newest', true))).toEqual([3, 2, 1]);
    expect(ids(sortQuestions(list, 'votes', false))).toEqual([4, 2, 1, 3]);
  });

  it('puts pending questions first in the order they came, then the pinned one, then by votes', () => {
    const pending = [q(9, { state: 'pending' }), q(5, { state: 'pending' })];
    const approved = [q(1, { upvotes: 1 }), q(2, { upvotes: 4 }), q(3, { pinned: true }), q(4, { done: true })];
    expect(ids(moderationQueue(pending, approved))).toEqual([5, 9, 3, 2, 1]);
  });

  it('gives the speaker the open questions by votes without the pinned one', () => {
    const approved = [q(1, { upvotes: 1 }), q(2, { upvotes: 4 }), q(3, { upvotes: 7 }), q(4, { done: true, upvotes: 9 })];
    expect(ids(topQuestions(approved, 3, 5))).toEqual([2, 1]);
    expect(ids(topQuestions(approved, null, 2))).toEqual([3, 2]);
  });

  it('shares a single-choice poll’s votes out of 100 and a multiple-choice one’s of its voters', () => {
    expect(pollShares(poll(1, { counts: [3, 1, 0], voters: 4 })).map((s) => [s.count, s.percent, s.leading])).toEqual([
      [3, 75, true],
      [1, 25, false],
      [0, 0, false],
    ]);
    expect(pollShares(poll(1, { multiple: true, counts: [2, 2, 1], voters: 2 })).map((s) => s.percent)).toEqual([100, 100, 50]);
    expect(pollShares(poll(1)).map((s) => [s.percent, s.leading])).toEqual([[0, false], [0, false], [0, false]]);
  });

  it('shows the open poll, else the one that closed last', () => {
    const closedEarly = poll(1, { state: 'closed', closedAt: '2024-01-01T00:01:00.000Z' });
    const closedLate = poll(2, { state: 'closed', closedAt: '2024-01-01T00:02:00.000Z' });
    expect(openPoll([closedEarly, poll(3, { state: 'draft' })])).toBeNull();
    expect(viewerPoll([closedEarly, closedLate, poll(3, { state: 'draft' })])?.pollId).toBe(2);
    expect(viewerPoll([closedLate, poll(4)])?.pollId).toBe(4);
    expect(viewerPoll([poll(3, { state: 'draft' })])).toBeNull();
  });

  it('takes exactly one option for single choice and at least one distinct for multiple', () => {
    expect(validVote(poll(1), [0])).toBe(true);
    expect(validVote(poll(1), [0, 1])).toBe(false);
    expect(validVote(poll(1), [])).toBe(false);
    expect(validVote(poll(1), [3])).toBe(false);
    expect(validVote(poll(1, { multiple: true }), [0, 2])).toBe(true);
    expect(validVote(poll(1, { multiple: true }), [1, 1])).toBe(false);
  });

  it('counts the seconds left, negative once over', () => {
    const now = Date.parse('2024-01-01T10:00:00Z');
    expect(secondsLeft('2024-01-01T10:05:00Z', now)).toBe(300);
    expect(secondsLeft('2024-01-01T09:59:30Z', now)).toBe(-30);
    expect(secondsLeft(null, now)).toBeNull();
  });
});

describe('pollProblem', () => {
  it.each([
    ['Which?', ['a', 'b'], null],
    ['', ['a', 'b'], 'poll.new.badQuestion'],
    ['x'.repeat(151), ['a', 'b'], 'poll.new.badQuestion'],
    ['Which?', ['a', '  '], 'poll.new.badCount'],
    ['Which?', Array.from({ length: 11 }, (_, i) => `o${i}`), 'poll.new.badCount'],
    ['Which?', ['a', 'b'.repeat(101)], 'poll.new.badOption'],
    ['어느 쪽?', ['가', '나', ''], null],
  ])('%s %j', (question, options, problem) => expect(pollProblem(question as string, options as string[])).toBe(problem));
});

describe('tokenFromHash', () => {
  it('reads the token from the fragment, and nothing that is not one', () => {
    expect(tokenFromHash('#inv12.abcDEF-_9')).toBe('inv12.abcDEF-_9');
    expect(tokenFromHash('#inv12.abc%3D')).toBe('inv12.abc=');
    expect(tokenFromHash('')).toBeNull();
    expect(tokenFromHash('#')).toBeNull();
    expect(tokenFromHash('#<script>')).toBeNull();
    expect(tokenFromHash('#short')).toBeNull();
    expect(tokenFromHash('#inv12.%E0%A4%A')).toBeNull();
  });
});
