// A chat panel's state as a pure reducer over server events, so the rules (which
// questions are open, what is mine, how many lines are kept) are tested without a socket.

import type { ChatException, ChatMessage, QuestionView, ServerEvent, ServerEvents } from './protocol';

/** Lines kept in memory; older ones scroll away for good. */
export const MAX_LINES = 300;

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
}

export interface ChatState {
  /** Whether this panel is the room's host (the server decides; this only changes display). */
  isHost: boolean;
  connected: boolean;
  lines: Line[];
  /** Unanswered questions, newest first. */
  questions: Question[];
  /** Question ids this browser voted for. */
  voted: number[];
  viewers: number | null;
  seq: number;
}

export type Action =
  | { type: 'event'; event: ServerEvent; data: unknown }
  | { type: 'status'; connected: boolean }
  | { type: 'rules'; host: string; text: string }
  | { type: 'voted'; questionId: number };

export function initialState(isHost: boolean): ChatState {
  return { isHost, connected: false, lines: [], questions: [], voted: [], viewers: null, seq: 0 };
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
export function isMine(state: Pick<ChatState, 'isHost'>, m: { owner: string }): boolean {
  return m.owner === 'me' || (m.owner === 'host' && state.isHost);
}

function toQuestion(state: ChatState, q: QuestionView | ChatMessage): Question {
  return {
    questionId: q.questionId ?? 0,
    nickname: q.nickname,
    msg: q.msg,
    msgTime: q.msgTime,
    upvotes: q.upvotes ?? 0,
    mine: isMine(state, q),
  };
}

function onEvent<E extends ServerEvent>(state: ChatState, event: E, data: ServerEvents[E]): ChatState {
  switch (event) {
    case 'receive_init_data': {
      const { questionList } = data as ServerEvents['receive_init_data'];
      const questions = questionList.filter((q) => !q.questionDone).map((q) => toQuestion(state, q));
      return { ...state, questions };
    }
    case 'receive_normal_chat':
    case 'receive_notice': {
      const m = data as ChatMessage;
      return push(state, { kind: 'message', message: m, mine: isMine(state, m) });
    }
    case 'receive_question': {
      const m = data as ChatMessage;
      const next = push(state, { kind: 'message', message: m, mine: isMine(state, m) });
      if (m.questionId === undefined || next.questions.some((q) => q.questionId === m.questionId)) return next;
      return { ...next, questions: [toQuestion(state, m), ...next.questions] };
    }
    case 'receive_question_done': {
      const { questionId } = data as QuestionView;
      const lines = state.lines.map((l) =>
        l.kind === 'message' && l.message.questionId === questionId
          ? { ...l, message: { ...l.message, questionDone: true } }
          : l,
      );
      return { ...state, lines, questions: state.questions.filter((q) => q.questionId !== questionId) };
    }
    case 'receive_question_upvote': {
      const { questionId, upvotes } = data as ServerEvents['receive_question_upvote'];
      return {
        ...state,
        questions: state.questions.map((q) => (q.questionId === questionId ? { ...q, upvotes } : q)),
      };
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
