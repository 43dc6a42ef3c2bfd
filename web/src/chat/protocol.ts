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
  talkId?: number;
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

/** A question in `receive_init_data` and `receive_question_done`. */
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
}

export interface ChatException {
  statusCode: number;
  message: string;
  roomId?: string | null;
}

export interface ServerEvents {
  /** `talk`: in a conference room, the talk whose questions these are (liboo). */
  receive_init_data: { roomId: string; questionList: QuestionView[]; talk?: TalkBrief | null };
  receive_normal_chat: ChatMessage;
  receive_question: ChatMessage;
  receive_question_done: QuestionView;
  receive_notice: ChatMessage;
  receive_question_upvote: { roomId: string; questionId: number; upvotes: number };
  receive_viewer_count: { roomId: string; count: number };
  /** liboo: one of a conference room's talks changed; `current` is its live talk, else its next. */
  receive_talk_state: { roomId: string; talk: TalkBrief; current: TalkBrief | null };
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
  'exception',
];

/** What a client sends; every payload also carries `roomId` and `userId`. */
export type ClientEvent =
  | 'send_normal_chat'
  | 'send_question'
  | 'send_notice'
  | 'send_question_done'
  | 'send_question_upvote'
  | 'ban_user';

export const MAX_MESSAGE_CHARS = 150;
