import { describe, expect, it } from 'vitest';
import type { ChatMessage, PollView, QuestionView } from './protocol';
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

const poll = (id: number, over: Partial<PollView> = {}): PollView => ({
  roomId: 'r',
  talkId: null,
  pollId: id,
  question: `poll ${id}`,
  options: ['yes', 'no'],
  counts: [0, 0],
  voters: 0,
  multiple: false,
  state: 'open',
  openedAt: null,
  closedAt: null,
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

  it('takes the questions from init data, newest first, and replaces them on a rejoin', () => {
    let s = run(initialState(false), ev('receive_init_data', { roomId: 'r', questionList: [q(2), q(1), q(0, { questionDone: true })] }));
    expect(s.questions.map((x) => [x.questionId, x.done])).toEqual([[2, false], [1, false], [0, true]]);
    s = run(s, ev('receive_init_data', { roomId: 'r', questionList: [q(2)] }));
    expect(s.questions.map((x) => x.questionId)).toEqual([2]);
  });

  it('adds a new question on top once, and drops it when answered', () => {
    const asked = msg({ msgType: 'question', questionId: 7, questionDone: false, upvotes: 0, owner: 'me' });
    let s = run(initialState(false), ev('receive_init_data', { roomId: 'r', questionList: [q(3)] }), ev('receive_question', asked), ev('receive_question', asked));
    expect(s.questions.map((x) => x.questionId)).toEqual([7, 3]);
    expect(s.questions[0].mine).toBe(true);
    s = run(s, ev('receive_question_done', q(7, { questionDone: true })));
    expect(s.questions.filter((x) => !x.done).map((x) => x.questionId)).toEqual([3]);
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

describe('chat state: Q&A', () => {
  const init = (over: Record<string, unknown> = {}) => ev('receive_init_data', { roomId: 'r', questionList: [], ...over });
  const ids = (list: { questionId: number }[]) => list.map((x) => x.questionId);

  it('takes the role, the switches, the pending list, the pinned question and the polls from init data', () => {
    const s = run(
      initialState(false),
      init({
        role: 'moderator',
        moderation: { enabled: true, anonymous: true },
        questionList: [q(1, { state: 'approved', pinned: true, approvedAt: '2024-01-01T00:00:05.000Z' }), q(2, { state: 'approved' })],
        pendingList: [q(3, { state: 'pending', socketId: 'sock3' })],
        pinned: q(1, { state: 'approved', pinned: true, pinnedAt: '2024-01-01T00:00:09.000Z' }),
        polls: [poll(5, { state: 'draft', myVote: null })],
      }),
    );
    expect(s.role).toBe('moderator');
    expect(s.moderation).toEqual({ enabled: true, anonymous: true });
    expect(ids(s.questions)).toEqual([1, 2]);
    expect(s.questions.map((x) => x.pinned)).toEqual([true, false]);
    expect(s.pending[0]).toMatchObject({ questionId: 3, state: 'pending', socketId: 'sock3' });
    expect(s.pinned).toMatchObject({ questionId: 1, pinned: true, pinnedAt: '2024-01-01T00:00:09.000Z' });
    expect(s.polls).toHaveLength(1);
    expect(s.polls[0].myVote).toBeNull();
  });

  it('falls back to a LiBoo server’s init data: owner for the host, viewer otherwise, moderation off', () => {
    expect(run(initialState(true), init()).role).toBe('owner');
    const v = run(initialState(false), init({ questionList: [q(1)] }));
    expect(v.role).toBe('viewer');
    expect(v.moderation).toEqual({ enabled: false, anonymous: false });
    expect(v.questions[0].state).toBe('approved');
  });

  it('keeps a pending question apart, then moves it to the open ones when approved, with one chat line', () => {
    let s = run(initialState(false), init(), ev('receive_question_pending', q(4, { state: 'pending', mine: true })));
    expect(ids(s.pending)).toEqual([4]);
    expect(s.pending[0].mine).toBe(true);
    expect(s.questions).toEqual([]);
    expect(s.lines).toEqual([]);
    const approved = msg({ msgType: 'question', questionId: 4, state: 'approved', approvedAt: '2024-01-01T00:00:03.000Z', mine: false });
    s = run(s, ev('receive_question', approved), ev('receive_question', approved));
    expect(s.pending).toEqual([]);
    expect(s.questions[0]).toMatchObject({ questionId: 4, state: 'approved', mine: true, approvedAt: '2024-01-01T00:00:03.000Z' });
    expect(s.lines).toHaveLength(1);
  });

  it('says politely when the asker’s question was dismissed, and drops a removed question everywhere', () => {
    let s = run(
      initialState(false),
      init({ pendingList: [q(6, { state: 'pending', mine: true, msg: 'mine' })], questionList: [q(7, { state: 'approved' })] }),
      ev('receive_question', msg({ msgType: 'question', questionId: 7, state: 'approved' })),
      ev('receive_question_removed', { roomId: 'r', questionId: 6, state: 'dismissed', reason: 'off topic' }),
      ev('receive_question_removed', { roomId: 'r', questionId: 7, state: 'dismissed', reason: null }),
    );
    expect(s.pending).toEqual([]);
    expect(s.questions).toEqual([]);
    expect(s.lines).toEqual([]);
    expect(s.removed).toEqual([{ questionId: 6, msg: 'mine', state: 'dismissed', reason: 'off topic' }]);
    s = run(s, { type: 'forgetRemoval', questionId: 6 });
    expect(s.removed).toEqual([]);
  });

  it('notes a withdrawal too, and only of this browser’s questions', () => {
    const s = run(
      initialState(false),
      init({ pendingList: [q(1, { state: 'pending', mine: true }), q(2, { state: 'pending' })] }),
      ev('receive_question_removed', { roomId: 'r', questionId: 1, state: 'withdrawn' }),
      ev('receive_question_removed', { roomId: 'r', questionId: 2, state: 'withdrawn' }),
    );
    expect(s.removed.map((r) => [r.questionId, r.state])).toEqual([[1, 'withdrawn']]);
  });

  it('takes an edited text in its list and in the chat log', () => {
    let s = run(
      initialState(false),
      init({ pendingList: [q(1, { state: 'pending', mine: true })] }),
      ev('receive_question', msg({ msgType: 'question', questionId: 2, state: 'approved', msg: 'old' })),
    );
    s = run(s, ev('receive_question_edited', q(1, { state: 'pending', msg: 'better' })), ev('receive_question_edited', q(2, { state: 'approved', msg: 'new' })));
    expect(s.pending[0]).toMatchObject({ msg: 'better', mine: true });
    expect(s.questions[0].msg).toBe('new');
    expect(s.lines[0].kind === 'message' && s.lines[0].message.msg).toBe('new');
  });

  it('pins one question at a time, unpins on null, and answering unpins', () => {
    let s = run(initialState(false), init({ questionList: [q(1), q(2)] }), ev('receive_question_pinned', { roomId: 'r', questionId: 2, question: q(2, { pinned: true }) }));
    expect(s.pinned?.questionId).toBe(2);
    expect(s.questions.map((x) => x.pinned)).toEqual([false, true]);
    s = run(s, ev('receive_question_pinned', { roomId: 'r', questionId: 1, question: q(1, { pinned: true }) }));
    expect(s.pinned?.questionId).toBe(1);
    expect(s.questions.map((x) => x.pinned)).toEqual([true, false]);
    s = run(s, ev('receive_question_pinned', { roomId: 'r', questionId: null, question: null }));
    expect(s.pinned).toBeNull();
    expect(s.questions.some((x) => x.pinned)).toBe(false);
    s = run(s, ev('receive_question_pinned', { roomId: 'r', questionId: 2, question: q(2) }), ev('receive_question_done', q(2, { questionDone: true })));
    expect(s.pinned).toBeNull();
    expect(s.questions.find((x) => x.questionId === 2)).toMatchObject({ done: true, pinned: false });
  });

  it('counts upvotes on the pinned and pending copies too', () => {
    const s = run(
      initialState(false),
      init({ questionList: [q(1)], pendingList: [q(2, { state: 'pending' })], pinned: q(1, { pinned: true }) }),
      ev('receive_question_upvote', { roomId: 'r', questionId: 1, upvotes: 3 }),
      ev('receive_question_upvote', { roomId: 'r', questionId: 2, upvotes: 1 }),
    );
    expect(s.pinned?.upvotes).toBe(3);
    expect(s.questions[0].upvotes).toBe(3);
    expect(s.pending[0].upvotes).toBe(1);
  });

  it('follows the moderation switches', () => {
    const s = run(initialState(false), init(), ev('receive_moderation', { roomId: 'r', talkId: null, enabled: true, anonymous: false }));
    expect(s.moderation).toEqual({ enabled: true, anonymous: false });
  });

  it('adds and updates polls, and keeps this browser’s vote when a count arrives without it', () => {
    let s = run(initialState(false), init(), ev('receive_poll', poll(1, { state: 'open' })));
    expect(s.polls.map((p) => [p.pollId, p.state, p.myVote])).toEqual([[1, 'open', null]]);
    s = run(s, { type: 'pollVoted', pollId: 1, options: [0] });
    expect(s.polls[0].myVote).toEqual([0]);
    s = run(s, ev('receive_poll', poll(1, { state: 'open', counts: [1, 0], voters: 1, myVote: [1] })));
    expect(s.polls[0].myVote).toEqual([1]);
    s = run(s, ev('receive_poll', poll(1, { state: 'open', counts: [1, 1], voters: 2 })));
    expect(s.polls[0].myVote).toEqual([1]);
    expect(s.polls[0].counts).toEqual([1, 1]);
    s = run(s, ev('receive_poll', poll(2, { state: 'draft' })), ev('receive_poll', poll(1, { state: 'closed', counts: [1, 1], voters: 2, myVote: null })));
    expect(s.polls.map((p) => [p.pollId, p.state])).toEqual([[2, 'draft'], [1, 'closed']]);
    expect(s.polls[1].myVote).toEqual([1]);
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
