// A broadcast's chat: messages, the open questions (the one being answered on top),
// the viewer's own questions awaiting review, the open poll, notices, the host's rules,
// user cards, and the box to write in. Everything people typed is rendered as JSX text.

import { createPortal } from 'preact/compat';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { Icon } from '../components/Icon';
import { Link } from '../components/Link';
import { ago, charCount } from '../format';
import { useI18n, type T } from '../i18n';
import { PollCard } from './PollCard';
import { MAX_MESSAGE_CHARS, type ChatMessage, type ClientEvent, type ServerEvents, type TalkBrief } from './protocol';
import { sortQuestions, viewerPoll, type QuestionSort } from './qa';
import { enterSends, exceptionKey, type Line, type Question } from './state';
import { canModerate, useChat } from './useChat';

/** What chat says of a conference room's talks: the followed one on joining, then each change. */
export type TalkUpdate =
  | { kind: 'followed'; talk: TalkBrief }
  | { kind: 'changed'; talk: TalkBrief; current: TalkBrief | null };

interface Props {
  roomId: string;
  isHost: boolean;
  /** In a conference room: the talk whose questions to follow (else the room's current one). */
  talkId?: number;
  /** The message type selected at first. */
  initialMode?: Mode;
  /** Told the room's viewer count whenever the server pushes it. */
  onViewers?: (count: number) => void;
  /** Told what chat learns of the room's talks. */
  onTalk?: (update: TalkUpdate) => void;
  /**
   * Where the page wants the poll card (beside the player, where a phone's viewer sees it
   * without scrolling through chat); inside the panel without one.
   */
  pollSlot?: HTMLElement | null;
}

export type Mode = 'normal' | 'question' | 'notice';

const SEND: Record<Mode, ClientEvent> = {
  normal: 'send_normal_chat',
  question: 'send_question',
  notice: 'send_notice',
};

/** A clock for relative times, ticking every `ms`. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** Pixels from the bottom within which the log counts as "at the bottom". */
const STICK_PX = 48;

/** A nickname as shown: the server's "anonymous" in the interface's language. */
export function shownName(t: T, nickname: string): string {
  return nickname === 'anonymous' ? t('qa.anonymous') : nickname;
}

export function ChatPanel({ roomId, isHost, talkId, initialMode = 'normal', onViewers, onTalk, pollSlot }: Props) {
  const { lang, t } = useI18n();
  // The latest callback, so that a page re-rendering does not reopen the socket.
  const talkListener = useRef(onTalk);
  talkListener.current = onTalk;
  const { state, dispatch, emit } = useChat(roomId, {
    isHost,
    talkId,
    onEvent: (event, data) => {
      const update = talkUpdate(event, data);
      if (update) talkListener.current?.(update);
    },
  });
  const log = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [unseen, setUnseen] = useState(false);
  const [mode, setMode] = useState<Mode>(initialMode);
  const [text, setText] = useState('');
  const [card, setCard] = useState<ChatMessage | null>(null);
  /** The nickname button that opened the card, to return focus to when it closes. */
  const opener = useRef<HTMLElement | null>(null);
  const [banned, setBanned] = useState<string[]>([]);
  const [expanded, setExpanded] = useState(false);
  const [sort, setSort] = useState<QuestionSort>('newest');
  const [hideAnswered, setHideAnswered] = useState(true);
  const [editing, setEditing] = useState<{ id: number; text: string } | null>(null);
  const now = useNow();

  useEffect(() => {
    api
      .notice(roomId)
      .then((n) => dispatch({ type: 'rules', host: n.channelName, text: n.notice }))
      .catch(() => {});
  }, [roomId]);

  useEffect(() => {
    if (state.viewers !== null) onViewers?.(state.viewers);
  }, [state.viewers]);

  // Stay at the bottom, unless the reader scrolled up: then offer a button.
  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    if (atBottom.current) el.scrollTop = el.scrollHeight;
    else setUnseen(true);
  }, [state.lines]);

  const onScroll = () => {
    const el = log.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    if (atBottom.current) setUnseen(false);
  };

  const toBottom = () => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(false);
  };

  const n = charCount(text);
  const tooLong = n > MAX_MESSAGE_CHARS;
  const send = () => {
    if (!n || tooLong || !emit(SEND[mode], { msg: text.trim() })) return;
    setText('');
    toBottom();
  };

  const upvote = (q: Question) => {
    if (emit('send_question_upvote', { questionId: q.questionId })) dispatch({ type: 'voted', questionId: q.questionId });
  };

  const moderator = isHost || canModerate(state.role);
  const answerer = moderator || state.role === 'speaker';
  // A moderator may post notices too (liboo Q&A); the host asks no questions of themself.
  const modes: Mode[] = isHost ? ['normal', 'notice'] : canModerate(state.role) ? ['normal', 'question', 'notice'] : ['normal', 'question'];
  const placeholder = mode === 'question' ? t(talkId ? 'chat.speakerPlaceholder' : 'chat.questionPlaceholder') : mode === 'notice' ? t('chat.noticePlaceholder') : t('chat.placeholder');
  const pinned = state.pinned;
  const all = sortQuestions(state.questions, sort, hideAnswered).filter((q) => q.questionId !== pinned?.questionId);
  const openCount = state.questions.filter((q) => !q.done).length;
  const shownQuestions = expanded ? all : all.slice(0, 1);
  const waiting = state.pending.filter((q) => q.mine && q.state === 'pending');
  const othersWaiting = moderator ? state.pending.filter((q) => q.state === 'pending').length : 0;
  const poll = viewerPoll(state.polls);
  const hasQa = !!pinned || waiting.length > 0 || state.removed.length > 0 || state.questions.length > 0 || othersWaiting > 0;
  const queueHref = `/moderate/${roomId}${talkId ? `?talk=${talkId}` : ''}`;
  const pollCard = poll && (
    <PollCard
      poll={poll}
      canVote={state.connected}
      onVote={(options) => {
        if (emit('send_poll_vote', { pollId: poll.pollId, options })) dispatch({ type: 'pollVoted', pollId: poll.pollId, options });
      }}
    />
  );

  const questionActions = (q: Question) => (
    <div class="question-actions">
      <button
        type="button"
        class="chip-button"
        disabled={isHost || q.mine || state.voted.includes(q.questionId) || q.done}
        aria-label={t('chat.upvote', { n: q.upvotes })}
        onClick={() => upvote(q)}
        data-testid="question-upvote"
      >
        ▲ {q.upvotes}
      </button>
      {answerer && !q.done && (
        <button type="button" class="chip-button primary" onClick={() => emit('send_question_done', { questionId: q.questionId })} data-testid="question-done">
          ✓ {t('chat.markDone')}
        </button>
      )}
      {q.done && <span class="done-mark">✓ {t('chat.done')}</span>}
    </div>
  );

  return (
    <section
      class="chat"
      data-testid="chat-panel"
      data-connected={state.connected ? 'true' : 'false'}
      data-role={state.role ?? ''}
      data-moderation={state.moderation.enabled ? 'on' : 'off'}
      aria-label={t('chat.title')}
    >
      <header class="chat-header">
        <h2>{t('chat.title')}</h2>
        {!state.connected && (
          <span class="chat-status" role="status">
            {state.seq || state.lines.length ? t('chat.disconnected') : t('chat.connecting')}
          </span>
        )}
        {state.connected && moderator && (
          <Link href={queueHref} class="chat-queue-link" data-testid="chat-queue-link">
            {othersWaiting ? t('qa.queueWaiting', { n: othersWaiting }) : t('qa.queue')}
          </Link>
        )}
      </header>

      {pollCard && (pollSlot ? createPortal(pollCard, pollSlot) : <div class="chat-poll">{pollCard}</div>)}

      {hasQa && (
        <div class="questions" data-testid="question-list">
          {pinned && (
            <div class="question pinned-question" data-testid="pinned-question" data-question-id={pinned.questionId}>
              <span class="now-answering">
                <Icon name="megaphone" size={14} /> {t('qa.nowAnswering')}
              </span>
              <p class="question-text" data-testid="pinned-question-text">
                {pinned.msg}
              </p>
              <div class="question-meta">
                <span class="nick">{shownName(t, pinned.nickname)}</span>
              </div>
              {questionActions(pinned)}
            </div>
          )}

          {state.removed.map((r) => (
            <div key={r.questionId} class={`question-note ${r.state}`} role="status" data-testid="question-removed" data-state={r.state}>
              <p>
                {r.state === 'dismissed' ? t('qa.dismissedNote', { q: r.msg }) : t('qa.withdrawnNote', { q: r.msg })}
                {r.reason && r.state === 'dismissed' && <span class="question-note-reason"> {t('qa.reason', { reason: r.reason })}</span>}
              </p>
              <button type="button" class="link-button" onClick={() => dispatch({ type: 'forgetRemoval', questionId: r.questionId })}>
                {t('common.close')}
              </button>
            </div>
          ))}

          {waiting.length > 0 && (
            <ul class="my-pending" aria-label={t('qa.myPending')}>
              {waiting.map((q) => (
                <li key={q.questionId} class="question mine-pending" data-testid="my-pending-question" data-question-id={q.questionId} data-state={q.state}>
                  <span class="qa-badge pending" data-testid="question-state">
                    {t('qa.awaitingReview')}
                  </span>
                  {editing?.id === q.questionId ? (
                    <form
                      class="question-edit"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const msg = editing.text.trim();
                        if (!msg || charCount(msg) > MAX_MESSAGE_CHARS) return;
                        if (emit('send_question_edit', { questionId: q.questionId, msg })) setEditing(null);
                      }}
                    >
                      <label class="sr-only" for={`edit-${q.questionId}`}>
                        {t('qa.editLabel')}
                      </label>
                      <textarea
                        id={`edit-${q.questionId}`}
                        rows={2}
                        value={editing.text}
                        data-testid="my-question-edit-input"
                        onInput={(e) => setEditing({ id: q.questionId, text: (e.target as HTMLTextAreaElement).value })}
                      />
                      <div class="question-actions">
                        <button type="submit" class="chip-button primary" data-testid="my-question-save">
                          {t('qa.save')}
                        </button>
                        <button type="button" class="chip-button" onClick={() => setEditing(null)}>
                          {t('qa.cancel')}
                        </button>
                      </div>
                    </form>
                  ) : (
                    <>
                      <p class="question-text" data-testid="my-pending-text">
                        {q.msg}
                      </p>
                      <div class="question-actions">
                        <button type="button" class="chip-button" onClick={() => setEditing({ id: q.questionId, text: q.msg })} data-testid="my-question-edit">
                          {t('qa.edit')}
                        </button>
                        <button type="button" class="chip-button" onClick={() => emit('send_question_withdraw', { questionId: q.questionId })} data-testid="my-question-withdraw">
                          {t('qa.withdraw')}
                        </button>
                      </div>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}

          {(state.questions.length > 0 || othersWaiting > 0) && (
            <div class="questions-head">
              <strong>{t('chat.questions', { n: openCount })}</strong>
              {state.questions.length > 1 && (
                <span class="questions-tools">
                  <label class="sr-only" for={`sort-${roomId}`}>
                    {t('qa.sort')}
                  </label>
                  <select id={`sort-${roomId}`} value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value as QuestionSort)} data-testid="question-sort">
                    <option value="newest">{t('qa.sortNewest')}</option>
                    <option value="votes">{t('qa.sortVotes')}</option>
                  </select>
                  <label class="check">
                    <input type="checkbox" checked={hideAnswered} onChange={(e) => setHideAnswered((e.target as HTMLInputElement).checked)} data-testid="question-hide-answered" />
                    {t('qa.hideAnswered')}
                  </label>
                </span>
              )}
              {all.length > 1 && (
                <button type="button" class="link-button" aria-expanded={expanded} onClick={() => setExpanded(!expanded)} data-testid="questions-toggle">
                  {expanded ? t('chat.showLess') : t('chat.showAll')}
                </button>
              )}
            </div>
          )}
          {shownQuestions.length > 0 && (
            <ul>
              {shownQuestions.map((q) => (
                <li key={q.questionId} class={`question${q.done ? ' done' : ''}${q.mine ? ' mine' : ''}`} data-testid="question-item" data-question-id={q.questionId}>
                  <div class="question-meta">
                    <span class="nick">{shownName(t, q.nickname)}</span>
                    {q.mine && <span class="role me-role">{t('chat.me')}</span>}
                    <time dateTime={q.msgTime}>{ago(Date.parse(q.msgTime), now, lang)}</time>
                  </div>
                  <p class="question-text" data-testid="question-text">
                    {q.msg}
                  </p>
                  {questionActions(q)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      <div class="chat-log" ref={log} onScroll={onScroll} role="log" aria-live="polite" data-testid="chat-log" tabIndex={0}>
        {state.lines.length === 0 && <p class="chat-empty">{t('chat.empty')}</p>}
        {state.lines.map((line) => (
          <ChatLine
            key={line.key}
            line={line}
            onNick={(m) => {
              opener.current = document.activeElement as HTMLElement | null;
              setCard(m);
            }}
          />
        ))}
      </div>
      {unseen && (
        <button type="button" class="new-messages" onClick={toBottom} data-testid="new-messages">
          ↓ {t('chat.newMessages')}
        </button>
      )}

      {card && (
        <UserCard
          user={card}
          canBan={moderator && card.owner !== 'host'}
          banned={banned.includes(card.socketId)}
          onBan={() => {
            emit('ban_user', { socketId: card.socketId });
            setBanned((b) => [...b, card.socketId]);
          }}
          onClose={() => {
            setCard(null);
            opener.current?.focus();
          }}
          now={now}
        />
      )}

      <form
        class="chat-form"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <div class="chat-modes" role="radiogroup" aria-label={t('chat.mode')}>
          {modes.map((m) => (
            <button
              type="button"
              key={m}
              role="radio"
              aria-checked={mode === m}
              class={mode === m ? 'selected' : ''}
              onClick={() => setMode(m)}
              data-testid={`chat-mode-${m}`}
            >
              {t(`chat.${m}`)}
            </button>
          ))}
        </div>
        {mode === 'question' && (state.moderation.enabled || state.moderation.anonymous) && (
          <p class="hint qa-hint" data-testid="qa-hint">
            {[state.moderation.enabled ? t('qa.reviewedHint') : '', state.moderation.anonymous ? t('qa.anonymousHint') : ''].filter(Boolean).join(' ')}
          </p>
        )}
        <div class="chat-input-row">
          <label class="sr-only" for={`chat-input-${roomId}`}>
            {placeholder}
          </label>
          <textarea
            id={`chat-input-${roomId}`}
            rows={2}
            value={text}
            placeholder={placeholder}
            data-testid="chat-input"
            aria-invalid={tooLong}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              // Enter sends, except while an IME is composing (Hangul): that Enter commits
              // the syllable, and sending then would send half a word.
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                if (enterSends(e)) send();
              }
            }}
          />
          <button type="submit" class="button" disabled={!n || tooLong || !state.connected} data-testid="chat-send">
            {t('chat.send')}
          </button>
        </div>
        <span class={`counter${tooLong ? ' over' : ''}`} data-testid="chat-counter" aria-live="polite">
          {t('chat.counter', { n })}
        </span>
      </form>
    </section>
  );
}

/** The talk news in a server event, if it carries any. */
export function talkUpdate(event: string, data: unknown): TalkUpdate | null {
  if (!data || typeof data !== 'object') return null;
  if (event === 'receive_init_data') {
    const talk = (data as ServerEvents['receive_init_data']).talk;
    return talk ? { kind: 'followed', talk } : null;
  }
  if (event === 'receive_talk_state') {
    const { talk, current } = data as ServerEvents['receive_talk_state'];
    return talk ? { kind: 'changed', talk, current: current ?? null } : null;
  }
  return null;
}

function ChatLine({ line, onNick }: { line: Line; onNick: (m: ChatMessage) => void }) {
  const { lang, t } = useI18n();
  if (line.kind === 'rules') {
    return (
      <div class="line rules" data-testid="chat-rules">
        <strong>{t('chat.rules', { host: line.host })}</strong>
        <p>{line.text}</p>
      </div>
    );
  }
  if (line.kind === 'exception') {
    const key = exceptionKey(line.exception);
    return (
      <div class="line exception" role="alert" data-testid="chat-exception" data-status={line.exception.statusCode}>
        ⚠ {t(key, { msg: line.exception.message })}
      </div>
    );
  }
  const m = line.message;
  return (
    <div
      class={`line msg-${m.msgType}${line.mine ? ' mine' : ''}${m.owner === 'host' ? ' from-host' : ''}${m.questionDone ? ' done' : ''}`}
      data-testid="chat-message"
      data-type={m.msgType}
      data-owner={m.owner}
      data-mine={line.mine ? 'true' : 'false'}
      title={new Date(m.msgTime).toLocaleTimeString(lang === 'ko' ? 'ko-KR' : 'en-US')}
    >
      {m.msgType === 'notice' && <span class="kind notice-kind">
          <Icon name="megaphone" size={14} /> {t('chat.notice')}
        </span>}
      {m.msgType === 'question' && <span class="kind question-kind">Q</span>}
      <button type="button" class="nick" style={{ color: m.color }} onClick={() => onNick(m)} data-testid="chat-nickname">
        {shownName(t, m.nickname)}
      </button>
      {m.owner === 'host' && <span class="role host-role">{t('chat.host')}</span>}
      {line.mine && <span class="role me-role">{t('chat.me')}</span>}
      <span class="text" data-testid="chat-text">
        {m.msg}
      </span>
      {m.questionDone && <span class="done-mark">✓ {t('chat.done')}</span>}
    </div>
  );
}

function UserCard(props: { user: ChatMessage; canBan: boolean; banned: boolean; onBan: () => void; onClose: () => void; now: number }) {
  const { lang, t } = useI18n();
  const { user } = props;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [user.socketId]);
  return (
    <div
      class="user-card"
      role="dialog"
      aria-label={t('chat.userCard', { name: user.nickname })}
      tabIndex={-1}
      ref={ref}
      data-testid="user-card"
      onKeyDown={(e) => e.key === 'Escape' && props.onClose()}
    >
      <div class="user-card-head">
        <span class="swatch" style={{ background: user.color }} aria-hidden="true" />
        <strong data-testid="user-card-name">{user.nickname}</strong>
        {user.owner === 'host' && <span class="role host-role">{t('chat.host')}</span>}
      </div>
      <p>{t('chat.joined', { t: ago(Date.parse(user.entryTime), props.now, lang) })}</p>
      {props.canBan &&
        (props.banned ? (
          <p role="status" data-testid="ban-sent">
            {t('chat.banSent')}
          </p>
        ) : (
          <button type="button" class="button danger" onClick={props.onBan} data-testid="ban-user">
            {t('chat.ban')}
          </button>
        ))}
      <button type="button" class="button secondary" onClick={props.onClose} data-testid="user-card-close">
        {t('common.close')}
      </button>
    </div>
  );
}
