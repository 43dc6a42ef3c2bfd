import { describe, expect, it } from 'vitest';
import type { ChatMessage, QuestionView } from './protocol';
import { MAX_LINES, enterSends, exceptionKey, initialState, reduce, type Action, type ChatState } from './state';

const msg = (over: Partial<ChatMessage> = {}): ChatMessage => ({
  roomId: 'r',
  nickname: '빠른 고양이',
  color: '#ff0',
  entryTime: '2024-01-01T00:00:00.000Z',
  msgTime: '2024-01-01T00:00:01.000Z',
  msg: 'hello',
  msgType: 'normal',
  owner: 'user',
  socketId: 's1',
  ...over,
});

const q = (id: number, over: Partial<QuestionView> = {}): QuestionView => ({
  roomId: 'r',
  questionId: id,
  nickname: 'n',
  msg: `q${id}`,
  msgTime: '2024-01-01T00:00:01.000Z',
  msgType: 'question',
  owner: 'user',
  questionDone: false,
  upvotes: 0,
  ...over,
});

const ev = (event: (Action & { type: 'event' })['event'], data: unknown): Action => ({ type: 'event', event, data });
const run = (s: ChatState, ...actions: Action[]) => actions.reduce(reduce, s);

describe('chat state', () => {
  it('marks a viewer’s own messages by owner me, and the host’s by owner host in the studio', () => {
    const viewer = run(initialState(false), ev('receive_normal_chat', msg({ owner: 'me' })), ev('receive_normal_chat', msg({ owner: 'host' })));
    expect(viewer.lines.map((l) => l.kind === 'message' && l.mine)).toEqual([true, false]);
    const host = run(initialState(true), ev('receive_normal_chat', msg({ owner: 'host' })), ev('receive_normal_chat', msg()));
    expect(host.lines.map((l) => l.kind === 'message' && l.mine)).toEqual([true, false]);
  });

  it('takes the open questions from init data, newest first, and replaces them on a rejoin', () => {
    let s = run(initialState(false), ev('receive_init_data', { roomId: 'r', questionList: [q(2), q(1), q(0, { questionDone: true })] }));
    expect(s.questions.map((x) => x.questionId)).toEqual([2, 1]);
    s = run(s, ev('receive_init_data', { roomId: 'r', questionList: [q(2)] }));
    expect(s.questions.map((x) => x.questionId)).toEqual([2]);
  });

  it('adds a new question on top once, and drops it when answered', () => {
    const asked = msg({ msgType: 'question', questionId: 7, questionDone: false, upvotes: 0, owner: 'me' });
    let s = run(initialState(false), ev('receive_init_data', { roomId: 'r', questionList: [q(3)] }), ev('receive_question', asked), ev('receive_question', asked));
    expect(s.questions.map((x) => x.questionId)).toEqual([7, 3]);
    expect(s.questions[0].mine).toBe(true);
    s = run(s, ev('receive_question_done', q(7, { questionDone: true })));
    expect(s.questions.map((x) => x.questionId)).toEqual([3]);
    const line = s.lines.find((l) => l.kind === 'message' && l.message.questionId === 7);
    expect(line?.kind === 'message' && line.message.questionDone).toBe(true);
  });

  it('counts upvotes and remembers this browser’s votes', () => {
    const s = run(
      initialState(false),
      ev('receive_init_data', { roomId: 'r', questionList: [q(1), q(2)] }),
      ev('receive_question_upvote', { roomId: 'r', questionId: 2, upvotes: 5 }),
      { type: 'voted', questionId: 2 },
      { type: 'voted', questionId: 2 },
    );
    expect(s.questions.map((x) => x.upvotes)).toEqual([0, 5]);
    expect(s.voted).toEqual([2]);
  });

  it('keeps the viewer count, connection state and exceptions', () => {
    const s = run(
      initialState(false),
      { type: 'status', connected: true },
      ev('receive_viewer_count', { roomId: 'r', count: 4 }),
      ev('exception', { statusCode: 403, message: 'you are banned from this channel', roomId: 'r' }),
    );
    expect(s.connected).toBe(true);
    expect(s.viewers).toBe(4);
    expect(s.lines[0].kind).toBe('exception');
  });

  it('shows the rules once, and not when empty', () => {
    const s = run(initialState(false), { type: 'rules', host: 'h', text: '  ' }, { type: 'rules', host: 'h', text: 'be kind' }, { type: 'rules', host: 'h', text: 'again' });
    expect(s.lines).toHaveLength(1);
    expect(s.lines[0]).toMatchObject({ kind: 'rules', text: 'be kind' });
  });

  it(`keeps the last ${MAX_LINES} lines with unique keys`, () => {
    let s = initialState(false);
    for (let i = 0; i < MAX_LINES + 20; i++) s = reduce(s, ev('receive_normal_chat', msg({ msg: `m${i}` })));
    expect(s.lines).toHaveLength(MAX_LINES);
    expect(s.lines[0].kind === 'message' && s.lines[0].message.msg).toBe('m20');
    expect(new Set(s.lines.map((l) => l.key)).size).toBe(MAX_LINES);
  });

  it('ignores payloads that are not objects', () => {
    const s = initialState(false);
    expect(reduce(s, ev('receive_normal_chat', null))).toBe(s);
    expect(reduce(s, ev('receive_normal_chat', 'x'))).toBe(s);
  });
});

describe('exceptionKey', () => {
  it.each([
    [403, 'you are banned from this channel', 'chat.ex.403banned'],
    [403, 'only the host may do this', 'chat.ex.403'],
    [406, 'too long', 'chat.ex.406'],
    [409, 'not live', 'chat.ex.409'],
    [429, 'slow', 'chat.ex.429'],
    [418, 'teapot', 'chat.ex.other'],
  ])('%i %s', (statusCode, message, key) => expect(exceptionKey({ statusCode, message })).toBe(key));
});

describe('enterSends', () => {
  it('sends on Enter but not while composing Hangul, nor with Shift', () => {
    expect(enterSends({ key: 'Enter' })).toBe(true);
    expect(enterSends({ key: 'Enter', isComposing: true })).toBe(false);
    expect(enterSends({ key: 'Enter', keyCode: 229 })).toBe(false);
    expect(enterSends({ key: 'Enter', shiftKey: true })).toBe(false);
    expect(enterSends({ key: 'a' })).toBe(false);
  });
});
