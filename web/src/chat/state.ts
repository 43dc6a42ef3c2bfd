// A chat panel's state as a pure reducer over server events, so the rules (which
// questions are open, what is mine, how many lines are kept) are tested without a socket.
// The Q&A part (review states, the pinned question, polls, the member's role) lives here
// too: the moderator's queue, the speaker's and the projector's views read the same state.

import type {
  ChatException,
  ChatMessage,
  Moderation,
  PollView,
  QuestionState,
  QuestionView,
  Role,
  ServerEvent,
  ServerEvents,
} from './protocol';

/** Lines kept in memory; older ones scroll away for good. */
export const MAX_LINES = 300;
/** Notes about this browser's removed questions kept at once. */
const MAX_REMOVALS = 5;

export type Line =
  | { kind: 'message'; key: string; message: ChatMessage; mine: boolean }
  | { kind: 'rules'; key: string; host: string; text: string }
  | { kind: 'exception'; key: string; exception: ChatException };

export interface Question {
  questionId: number;
  nickname: string;
  msg: string;
  msgTime: string;
  upvotes: number;
  /** Asked from this browser. */
  mine: boolean;
  /** `approved` where the server says nothing (moderation off, or a LiBoo server). */
  state: QuestionState;
  /** Answered (`questionDone`). */
  done: boolean;
  pinned: boolean;
  approvedAt: string | null;
  pinnedAt: string | null;
  /** The asker's socket, for a ban. */
  socketId: string | null;
}

/** One of this browser's questions that left the queue: said once, politely. */
export interface Removal {
  questionId: number;
  msg: string;
  state: 'dismissed' | 'withdrawn';
  reason: string | null;
}

export interface Poll extends PollView {
  myVote: number[] | null;
}

export interface ChatState {
  /** Whether this panel is the room's host (the server decides; this only changes display). */
  isHost: boolean;
  connected: boolean;
  lines: Line[];
  /** Approved questions, answered ones included, newest first. */
  questions: Question[];
  /** Questions awaiting review: every one for a moderator, a viewer's own; newest first. */
  pending: Question[];
  /** The question being answered now. */
  pinned: Question | null;
  /** This browser's questions that were dismissed or withdrawn. */
  removed: Removal[];
  /** Question ids this browser voted for. */
  voted: number[];
  /** The room's polls, newest first; drafts only for moderators. */
  polls: Poll[];
  /** This member's role, once the server said (null before `receive_init_data`). */
  role: Role | null;
  moderation: Moderation;
  viewers: number | null;
  seq: number;
}

export type Action =
  | { type: 'event'; event: ServerEvent; data: unknown }
  | { type: 'status'; connected: boolean }
  | { type: 'rules'; host: string; text: string }
  | { type: 'voted'; questionId: number }
  | { type: 'pollVoted'; pollId: number; options: number[] }
  | { type: 'forgetRemoval'; questionId: number };

export function initialState(isHost: boolean): ChatState {
  return {
    isHost,
    connected: false,
    lines: [],
    questions: [],
    pending: [],
    pinned: null,
    removed: [],
    voted: [],
    polls: [],
    role: null,
    moderation: { enabled: false, anonymous: false },
    viewers: null,
    seq: 0,
  };
}

/** A line before it gets its key. */
type NewLine = Line extends infer L ? (L extends Line ? Omit<L, 'key'> : never) : never;

function push(state: ChatState, line: NewLine): ChatState {
  const seq = state.seq + 1;
  const lines: Line[] = [...state.lines, { ...line, key: `l${seq}` } as Line];
  if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
  return { ...state, lines, seq };
}

/** Whether a message came from this browser: `me`, or `host` when this panel is the host's. */
export function isMine(state: Pick<ChatState, 'isHost'>, m: { owner: string; mine?: boolean }): boolean {
  return m.mine === true || m.owner === 'me' || (m.owner === 'host' && state.isHost);
}

function toQuestion(state: ChatState, q: QuestionView | ChatMessage, fallback: QuestionState = 'approved'): Question {
  return {
    questionId: q.questionId ?? 0,
    nickname: q.nickname,
    msg: q.msg,
    msgTime: q.msgTime,
    upvotes: q.upvotes ?? 0,
    mine: isMine(state, q),
    state: q.state ?? fallback,
    done: !!q.questionDone,
    pinned: !!q.pinned,
    approvedAt: q.approvedAt ?? null,
    pinnedAt: q.pinnedAt ?? null,
    socketId: q.socketId ?? null,
  };
}

/** The same question with what a newer view of it says; "mine" once known stays. */
function merge(old: Question | undefined, next: Question): Question {
  return old ? { ...next, mine: old.mine || next.mine, socketId: next.socketId ?? old.socketId } : next;
}

const without = (list: Question[], id: number) => list.filter((q) => q.questionId !== id);
const find = (state: ChatState, id: number) =>
  state.questions.find((q) => q.questionId === id) ??
  state.pending.find((q) => q.questionId === id) ??
  (state.pinned?.questionId === id ? state.pinned : undefined);

/** Puts `q` in its list by its state, replacing any older copy wherever it was. */
function place(state: ChatState, q: Question): ChatState {
  const old = find(state, q.questionId);
  const next = merge(old, q);
  const id = q.questionId;
  const upsert = (list: Question[]) =>
    list.some((x) => x.questionId === id) ? list.map((x) => (x.questionId === id ? next : x)) : [next, ...list];
  let { questions, pending, pinned } = state;
  if (next.state === 'pending') {
    pending = upsert(pending);
    questions = without(questions, id);
  } else if (next.state === 'approved') {
    questions = upsert(questions);
    pending = without(pending, id);
  } else {
    questions = without(questions, id);
    pending = without(pending, id);
  }
  if (pinned?.questionId === id) pinned = next.state === 'approved' && !next.done ? { ...next, pinned: true } : null;
  return { ...state, questions, pending, pinned };
}

/** Changes the chat lines of question `id`. */
function mapLines(state: ChatState, id: number, fn: (m: ChatMessage) => ChatMessage | null): Line[] {
  const out: Line[] = [];
  for (const l of state.lines) {
    if (l.kind !== 'message' || l.message.questionId !== id) {
      out.push(l);
      continue;
    }
    const m = fn(l.message);
    if (m) out.push({ ...l, message: m });
  }
  return out;
}

function onEvent<E extends ServerEvent>(state: ChatState, event: E, data: ServerEvents[E]): ChatState {
  switch (event) {
    case 'receive_init_data': {
      const init = data as ServerEvents['receive_init_data'];
      const questions = (init.questionList ?? [])
        .map((q) => toQuestion(state, q))
        .filter((q) => q.state === 'approved');
      const pending = (init.pendingList ?? []).map((q) => toQuestion(state, q, 'pending'));
      const pinnedView = init.pinned ?? null;
      const pinned = pinnedView
        ? { ...toQuestion(state, pinnedView), pinned: true }
        : questions.find((q) => q.pinned && !q.done) ?? null;
      return {
        ...state,
        questions: questions.map((q) => ({ ...q, pinned: q.questionId === pinned?.questionId })),
        pending,
        pinned,
        polls: (init.polls ?? []).map((p) => ({ ...p, myVote: p.myVote ?? null })),
        role: init.role ?? (state.isHost ? 'owner' : 'viewer'),
        moderation: init.moderation ?? state.moderation,
      };
    }
    case 'receive_normal_chat':
    case 'receive_notice': {
      const m = data as ChatMessage;
      return push(state, { kind: 'message', message: m, mine: isMine(state, m) });
    }
    case 'receive_question': {
      const m = data as ChatMessage;
      if (m.questionId === undefined) return push(state, { kind: 'message', message: m, mine: isMine(state, m) });
      const q = toQuestion(state, m);
      const hasLine = state.lines.some((l) => l.kind === 'message' && l.message.questionId === m.questionId);
      const next = hasLine || q.state !== 'approved' ? state : push(state, { kind: 'message', message: m, mine: q.mine });
      return place(next, q);
    }
    case 'receive_question_pending': {
      const v = data as QuestionView;
      return place(state, toQuestion(state, v, 'pending'));
    }
    case 'receive_question_done': {
      const { questionId } = data as QuestionView;
      return {
        ...state,
        lines: mapLines(state, questionId, (m) => ({ ...m, questionDone: true })),
        questions: state.questions.map((q) => (q.questionId === questionId ? { ...q, done: true, pinned: false } : q)),
        pinned: state.pinned?.questionId === questionId ? null : state.pinned,
      };
    }
    case 'receive_question_upvote': {
      const { questionId, upvotes } = data as ServerEvents['receive_question_upvote'];
      const up = (q: Question) => (q.questionId === questionId ? { ...q, upvotes } : q);
      return {
        ...state,
        questions: state.questions.map(up),
        pending: state.pending.map(up),
        pinned: state.pinned && up(state.pinned),
      };
    }
    case 'receive_question_removed': {
      const r = data as ServerEvents['receive_question_removed'];
      const old = find(state, r.questionId);
      const removed =
        old?.mine && !state.removed.some((x) => x.questionId === r.questionId)
          ? [...state.removed, { questionId: r.questionId, msg: old.msg, state: r.state, reason: r.reason ?? null }].slice(-MAX_REMOVALS)
          : state.removed;
      return {
        ...state,
        lines: mapLines(state, r.questionId, () => null),
        questions: without(state.questions, r.questionId),
        pending: without(state.pending, r.questionId),
        pinned: state.pinned?.questionId === r.questionId ? null : state.pinned,
        removed,
      };
    }
    case 'receive_question_edited': {
      const v = data as QuestionView;
      const old = find(state, v.questionId);
      const q = toQuestion(state, v, old?.state ?? 'approved');
      const next = place(state, { ...q, done: q.done || !!old?.done, pinned: q.pinned || !!old?.pinned });
      return { ...next, lines: mapLines(next, v.questionId, (m) => ({ ...m, msg: v.msg })) };
    }
    case 'receive_question_pinned': {
      const p = data as ServerEvents['receive_question_pinned'];
      const id = p.question?.questionId ?? p.questionId ?? null;
      const known = id === null ? undefined : find(state, id);
      const pinned = id === null ? null : p.question ? { ...merge(known, toQuestion(state, p.question)), pinned: true } : known ? { ...known, pinned: true } : null;
      const mark = (q: Question) => ({ ...q, pinned: q.questionId === id });
      return { ...state, pinned, questions: state.questions.map(mark), pending: state.pending.map(mark) };
    }
    case 'receive_moderation': {
      const m = data as ServerEvents['receive_moderation'];
      return { ...state, moderation: { enabled: !!m.enabled, anonymous: !!m.anonymous } };
    }
    case 'receive_poll': {
      const p = data as PollView;
      const old = state.polls.find((x) => x.pollId === p.pollId);
      // Only the voter's own copy carries `myVote`: everyone's copy keeps what this browser knew.
      const myVote = Array.isArray(p.myVote) ? p.myVote : old?.myVote ?? null;
      const poll: Poll = { ...p, myVote };
      const polls = old ? state.polls.map((x) => (x.pollId === p.pollId ? poll : x)) : [poll, ...state.polls];
      return { ...state, polls };
    }
    case 'receive_viewer_count':
      return { ...state, viewers: (data as ServerEvents['receive_viewer_count']).count };
    case 'exception':
      return push(state, { kind: 'exception', exception: data as ChatException });
    default:
      return state;
  }
}

export function reduce(state: ChatState, action: Action): ChatState {
  switch (action.type) {
    case 'event':
      if (!action.data || typeof action.data !== 'object') return state;
      return onEvent(state, action.event, action.data as never);
    case 'status':
      return { ...state, connected: action.connected };
    case 'rules':
      if (!action.text.trim() || state.lines.some((l) => l.kind === 'rules')) return state;
      return push(state, { kind: 'rules', host: action.host, text: action.text });
    case 'voted':
      return state.voted.includes(action.questionId) ? state : { ...state, voted: [...state.voted, action.questionId] };
    case 'pollVoted':
      // Shown at once; the server's next count of the poll confirms it.
      return { ...state, polls: state.polls.map((p) => (p.pollId === action.pollId ? { ...p, myVote: action.options } : p)) };
    case 'forgetRemoval':
      return { ...state, removed: state.removed.filter((r) => r.questionId !== action.questionId) };
  }
}

/** The exception's text key: what a person should read for each status code. */
export function exceptionKey(e: ChatException):
  | 'chat.ex.400' | 'chat.ex.403' | 'chat.ex.403banned' | 'chat.ex.404' | 'chat.ex.406'
  | 'chat.ex.409' | 'chat.ex.429' | 'chat.ex.503' | 'chat.ex.other' {
  switch (e.statusCode) {
    case 400: return 'chat.ex.400';
    case 403: return /bann/i.test(e.message) ? 'chat.ex.403banned' : 'chat.ex.403';
    case 404: return 'chat.ex.404';
    case 406: return 'chat.ex.406';
    case 409: return 'chat.ex.409';
    case 429: return 'chat.ex.429';
    case 503: return 'chat.ex.503';
    default: return 'chat.ex.other';
  }
}

/** Whether Enter in the chat box should send: never while an IME is composing (Korean). */
export function enterSends(e: { key: string; isComposing?: boolean; keyCode?: number; shiftKey?: boolean }): boolean {
  return e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229;
}
