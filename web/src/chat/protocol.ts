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
  receive_init_data: { roomId: string; questionList: QuestionView[] };
  receive_normal_chat: ChatMessage;
  receive_question: ChatMessage;
  receive_question_done: QuestionView;
  receive_notice: ChatMessage;
  receive_question_upvote: { roomId: string; questionId: number; upvotes: number };
  receive_viewer_count: { roomId: string; count: number };
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
