// What the Q&A views show, as pure functions of the chat state: the moderator's queue
// order, the viewers' sort and filter, the speaker's top questions, a poll's shares and
// a talk's time left, a new poll's checks and an invitation link's token. Tested without
// a browser.

import { charCount } from '../format';
import { POLL_MAX_OPTIONS, POLL_MIN_OPTIONS, POLL_OPTION_CHARS, POLL_QUESTION_CHARS } from './protocol';
import type { Poll, Question } from './state';

export type QuestionSort = 'votes' | 'newest';

const time = (q: Question) => Date.parse(q.msgTime) || 0;
const byVotes = (a: Question, b: Question) => b.upvotes - a.upvotes || time(a) - time(b);
const newest = (a: Question, b: Question) => time(b) - time(a);

/** Approved questions for viewers: most votes first (older first among equals) or newest first; answered ones hidden unless asked. */
export function sortQuestions(list: Question[], sort: QuestionSort, hideAnswered: boolean): Question[] {
  const shown = hideAnswered ? list.filter((q) => !q.done) : [...list];
  return shown.sort(sort === 'votes' ? byVotes : newest);
}

/**
 * The moderator's queue: pending questions first, oldest first (the order they came in),
 * then the open approved ones, the pinned one first, then by votes.
 */
export function moderationQueue(pending: Question[], approved: Question[]): Question[] {
  const waiting = pending.filter((q) => q.state === 'pending').sort((a, b) => time(a) - time(b));
  const open = approved
    .filter((q) => q.state === 'approved' && !q.done)
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || byVotes(a, b));
  return [...waiting, ...open];
}

/** The speaker's list: the open approved questions by votes, without the pinned one, at most `n`. */
export function topQuestions(approved: Question[], pinnedId: number | null, n: number): Question[] {
  return approved.filter((q) => !q.done && q.state === 'approved' && q.questionId !== pinnedId).sort(byVotes).slice(0, n);
}

export interface Share {
  option: string;
  count: number;
  /** Whole percent of the voters who chose it (a multiple-choice poll's add up to more than 100). */
  percent: number;
  /** The most chosen (ties included), once anyone voted. */
  leading: boolean;
}

/** Each option's count and share of the poll's voters. */
export function pollShares(poll: Pick<Poll, 'options' | 'counts' | 'voters' | 'multiple'>): Share[] {
  const counts = poll.options.map((_, i) => Math.max(0, poll.counts[i] ?? 0));
  const sum = counts.reduce((a, b) => a + b, 0);
  // A single-choice poll's voters are its votes; a multiple-choice one's are fewer.
  const base = poll.multiple ? poll.voters || sum : sum || poll.voters;
  const top = Math.max(0, ...counts);
  return poll.options.map((option, i) => ({
    option,
    count: counts[i],
    percent: base > 0 ? Math.round((counts[i] / base) * 100) : 0,
    leading: top > 0 && counts[i] === top,
  }));
}

/** The open poll people should see now: the newest open one. */
export function openPoll(polls: Poll[]): Poll | null {
  return polls.find((p) => p.state === 'open') ?? null;
}

/** The poll a viewer's card shows: the open one, else the one that closed last (its results). */
export function viewerPoll(polls: Poll[]): Poll | null {
  const open = openPoll(polls);
  if (open) return open;
  const closed = polls.filter((p) => p.state === 'closed');
  closed.sort((a, b) => (Date.parse(b.closedAt ?? '') || 0) - (Date.parse(a.closedAt ?? '') || 0));
  return closed[0] ?? null;
}

/** Whether `options` is a vote the poll takes: one option for single choice, at least one for multiple. */
export function validVote(poll: Pick<Poll, 'options' | 'multiple'>, options: number[]): boolean {
  if (options.some((i) => !Number.isInteger(i) || i < 0 || i >= poll.options.length)) return false;
  if (new Set(options).size !== options.length) return false;
  return poll.multiple ? options.length >= 1 : options.length === 1;
}

/** Seconds until `endIso` from `nowMs`: negative once over. Null without an end. */
export function secondsLeft(endIso: string | null | undefined, nowMs: number): number | null {
  const end = endIso ? Date.parse(endIso) : NaN;
  return Number.isFinite(end) ? Math.round((end - nowMs) / 1000) : null;
}

/** What is wrong with a new poll, as a text key, or null when the server would take it. */
export function pollProblem(question: string, options: string[]): 'poll.new.badQuestion' | 'poll.new.badCount' | 'poll.new.badOption' | null {
  const q = charCount(question);
  if (q < 1 || q > POLL_QUESTION_CHARS) return 'poll.new.badQuestion';
  const filled = options.map((o) => o.trim()).filter(Boolean);
  if (filled.length < POLL_MIN_OPTIONS || filled.length > POLL_MAX_OPTIONS) return 'poll.new.badCount';
  if (filled.some((o) => charCount(o) > POLL_OPTION_CHARS)) return 'poll.new.badOption';
  return null;
}

/** The token in a `#token` fragment, if it looks like one. */
export function tokenFromHash(hash: string): string | null {
  let token: string;
  try {
    token = decodeURIComponent(hash.replace(/^#/, '')).trim();
  } catch {
    return null;
  }
  return token && /^[A-Za-z0-9._~+/=-]{8,2048}$/.test(token) ? token : null;
}
