// liboo's chat events (docs/CONTRACT.md), as the server sends and takes them.

export type MsgType = 'normal' | 'question' | 'notice';
export type Owner = 'host' | 'me' | 'user';

/** `receive_normal_chat`, `receive_question`, `receive_notice`. */
export interface ChatMessage {
  roomId: string;
  nickname: string;
  color: string;
  entryTime: string;
  msgTime: string;
  msg: string;
  msgType: MsgType;
  owner: Owner;
  socketId: string;
  questionId?: number;
  questionDone?: boolean;
  upvotes?: number;
  /** liboo: the talk a question belongs to, in a conference room. */
  talkId?: number | null;
  /** liboo Q&A: a question's review state and marks. */
  state?: QuestionState;
  pinned?: boolean;
  mine?: boolean;
  approvedAt?: string | null;
  pinnedAt?: string | null;
}

/** liboo: a conference talk as chat events carry it. */
export interface TalkBrief {
  talkId: number;
  title: string;
  speakers: string[];
  state: string;
  schedStart: string;
  schedEnd: string;
  actualStart?: string | null;
  actualEnd?: string | null;
  questionsOpen: boolean;
}

/**
 * liboo Q&A: where a question stands. With moderation on a new one is `pending` (seen by
 * moderators and its asker), then `approved` or `dismissed`; its asker may withdraw it
 * while pending. Answered and pinned are marks on an approved one.
 */
export type QuestionState = 'pending' | 'approved' | 'dismissed' | 'withdrawn';

/** liboo Q&A: a member's role in a room, the highest that applies. */
export type Role = 'owner' | 'moderator' | 'speaker' | 'viewer';

/**
 * A question in `receive_init_data`, `receive_question_done`, and (liboo Q&A)
 * `receive_question_pending`, `receive_question_edited`, `receive_question_pinned`.
 */
export interface QuestionView {
  roomId: string;
  questionId: number;
  nickname: string;
  msg: string;
  msgTime: string;
  msgType: 'question';
  owner: Owner;
  questionDone: boolean;
  upvotes: number;
  talkId?: number | null;
  /** The asker's socket, for a moderator's ban. */
  socketId?: string;
  color?: string;
  state?: QuestionState;
  pinned?: boolean;
  /** True in the copy sent to its asker only. */
  mine?: boolean;
  approvedAt?: string | null;
  pinnedAt?: string | null;
}

export interface Moderation {
  enabled: boolean;
  anonymous: boolean;
}

export type PollState = 'draft' | 'open' | 'closed';

/** liboo Q&A: `receive_poll`, and each of `receive_init_data.polls`. */
export interface PollView {
  roomId?: string;
  talkId?: number | null;
  pollId: number;
  question: string;
  options: string[];
  counts: number[];
  /** How many people voted (a multiple-choice vote counts once here). */
  voters: number;
  multiple: boolean;
  state: PollState;
  openedAt?: string | null;
  closedAt?: string | null;
  /** The option indices this user voted for; only in the copy sent to the voter. */
  myVote?: number[] | null;
}

export interface ChatException {
  statusCode: number;
  message: string;
  roomId?: string | null;
}

export interface ServerEvents {
  /**
   * `talk`: in a conference room, the talk whose questions these are (liboo). The rest is
   * liboo Q&A: this member's role, the moderation switches, the pending questions (all
   * of them for moderators, a viewer's own), the pinned question and the polls.
   */
  receive_init_data: {
    roomId: string;
    questionList: QuestionView[];
    talk?: TalkBrief | null;
    role?: Role;
    moderation?: Moderation;
    pendingList?: QuestionView[];
    pinned?: QuestionView | null;
    polls?: PollView[];
  };
  receive_normal_chat: ChatMessage;
  receive_question: ChatMessage;
  receive_question_done: QuestionView;
  receive_notice: ChatMessage;
  receive_question_upvote: { roomId: string; questionId: number; upvotes: number };
  receive_viewer_count: { roomId: string; count: number };
  /** liboo: one of a conference room's talks changed; `current` is its live talk, else its next. */
  receive_talk_state: { roomId: string; talk: TalkBrief; current: TalkBrief | null };
  receive_question_pending: QuestionView;
  receive_question_removed: {
    roomId: string;
    talkId?: number | null;
    questionId: number;
    state: 'dismissed' | 'withdrawn';
    reason?: string | null;
  };
  receive_question_edited: QuestionView;
  /** Both null when unpinned. */
  receive_question_pinned: { roomId: string; talkId?: number | null; questionId: number | null; question: QuestionView | null };
  receive_moderation: { roomId: string; talkId?: number | null } & Moderation;
  receive_poll: PollView;
  exception: ChatException;
}

export type ServerEvent = keyof ServerEvents;

export const SERVER_EVENTS: readonly ServerEvent[] = [
  'receive_init_data',
  'receive_normal_chat',
  'receive_question',
  'receive_question_done',
  'receive_notice',
  'receive_question_upvote',
  'receive_viewer_count',
  'receive_talk_state',
  'receive_question_pending',
  'receive_question_removed',
  'receive_question_edited',
  'receive_question_pinned',
  'receive_moderation',
  'receive_poll',
  'exception',
];

/** What a client sends; every payload also carries `roomId` and `userId`. */
export type ClientEvent =
  | 'send_normal_chat'
  | 'send_question'
  | 'send_notice'
  | 'send_question_done'
  | 'send_question_upvote'
  | 'ban_user'
  // liboo Q&A: `{questionId}`; dismiss takes an optional `reason`, edit a `msg`.
  | 'send_question_approve'
  | 'send_question_dismiss'
  | 'send_question_pin'
  | 'send_question_unpin'
  | 'send_question_edit'
  | 'send_question_withdraw'
  // liboo Q&A polls: create `{question, options[], multiple}`, open/close `{pollId}`,
  // vote `{pollId, options[]}` (option indices).
  | 'send_poll_create'
  | 'send_poll_open'
  | 'send_poll_close'
  | 'send_poll_vote';

/** liboo Q&A: a poll's limits, as the server checks them. */
export const POLL_MIN_OPTIONS = 2;
export const POLL_MAX_OPTIONS = 10;
export const POLL_OPTION_CHARS = 100;
export const POLL_QUESTION_CHARS = 150;

export const MAX_MESSAGE_CHARS = 150;
