// A broadcast's chat: messages, the pinned open questions, notices, the host's rules,
// user cards, and the box to write in. Everything people typed is rendered as JSX text.

import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { Icon } from '../components/Icon';
import { ago, charCount } from '../format';
import { useI18n } from '../i18n';
import { userId } from '../identity';
import { openChat, type ChatConnection } from './client';
import { MAX_MESSAGE_CHARS, type ChatMessage, type ClientEvent, type ServerEvents, type TalkBrief } from './protocol';
import { enterSends, exceptionKey, initialState, reduce, type Line, type Question } from './state';

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

export function ChatPanel({ roomId, isHost, talkId, initialMode = 'normal', onViewers, onTalk }: Props) {
  const { lang, t } = useI18n();
  const [state, dispatch] = useReducer(reduce, isHost, initialState);
  const conn = useRef<ChatConnection | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [unseen, setUnseen] = useState(false);
  const [mode, setMode] = useState<Mode>(initialMode);
  // The latest callback, so that a page re-rendering does not reopen the socket.
  const talkListener = useRef(onTalk);
  talkListener.current = onTalk;
  const [text, setText] = useState('');
  const [card, setCard] = useState<ChatMessage | null>(null);
  /** The nickname button that opened the card, to return focus to when it closes. */
  const opener = useRef<HTMLElement | null>(null);
  const [banned, setBanned] = useState<string[]>([]);
  const [expanded, setExpanded] = useState(false);
  const now = useNow();

  useEffect(() => {
    const c = openChat(
      roomId,
      userId(),
      {
        onEvent: (event, data) => {
          dispatch({ type: 'event', event, data });
          const update = talkUpdate(event, data);
          if (update) talkListener.current?.(update);
        },
        onStatus: (connected) => dispatch({ type: 'status', connected }),
      },
      talkId,
    );
    conn.current = c;
    api
      .notice(roomId)
      .then((n) => dispatch({ type: 'rules', host: n.channelName, text: n.notice }))
      .catch(() => {});
    return () => {
      c.close();
      conn.current = null;
    };
  }, [roomId, talkId]);

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
    // While disconnected, socket.io would queue the message ahead of the rejoin, and the
    // server would refuse it as sent from outside the room.
    if (!n || tooLong || !conn.current || !state.connected) return;
    conn.current.emit(SEND[mode], { msg: text.trim() });
    setText('');
    toBottom();
  };

  const upvote = (q: Question) => {
    conn.current?.emit('send_question_upvote', { questionId: q.questionId });
    dispatch({ type: 'voted', questionId: q.questionId });
  };

  const modes: Mode[] = isHost ? ['normal', 'notice'] : ['normal', 'question'];
  const placeholder = mode === 'question' ? t(talkId ? 'chat.speakerPlaceholder' : 'chat.questionPlaceholder') : mode === 'notice' ? t('chat.noticePlaceholder') : t('chat.placeholder');
  const open = state.questions.filter((q) => !q.done);
  const shownQuestions = expanded ? open : open.slice(0, 1);

  return (
    <section class="chat" data-testid="chat-panel" data-connected={state.connected ? 'true' : 'false'} aria-label={t('chat.title')}>
      <header class="chat-header">
        <h2>{t('chat.title')}</h2>
        {!state.connected && (
          <span class="chat-status" role="status">
            {state.seq || state.lines.length ? t('chat.disconnected') : t('chat.connecting')}
          </span>
        )}
      </header>

      {open.length > 0 && (
        <div class="questions" data-testid="question-list">
          <div class="questions-head">
            <strong>{t('chat.questions', { n: open.length })}</strong>
            {open.length > 1 && (
              <button type="button" class="link-button" aria-expanded={expanded} onClick={() => setExpanded(!expanded)} data-testid="questions-toggle">
                {expanded ? t('chat.showLess') : t('chat.showAll')}
              </button>
            )}
          </div>
          <ul>
            {shownQuestions.map((q) => (
              <li key={q.questionId} class="question" data-testid="question-item" data-question-id={q.questionId}>
                <div class="question-meta">
                  <span class="nick">{q.nickname}</span>
                  <time dateTime={q.msgTime}>{ago(Date.parse(q.msgTime), now, lang)}</time>
                </div>
                <p class="question-text" data-testid="question-text">
                  {q.msg}
                </p>
                <div class="question-actions">
                  <button
                    type="button"
                    class="chip-button"
                    disabled={isHost || q.mine || state.voted.includes(q.questionId)}
                    aria-label={t('chat.upvote', { n: q.upvotes })}
                    onClick={() => upvote(q)}
                    data-testid="question-upvote"
                  >
                    ▲ {q.upvotes}
                  </button>
                  {isHost && (
                    <button
                      type="button"
                      class="chip-button primary"
                      onClick={() => conn.current?.emit('send_question_done', { questionId: q.questionId })}
                      data-testid="question-done"
                    >
                      ✓ {t('chat.markDone')}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
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
          canBan={isHost && card.owner !== 'host'}
          banned={banned.includes(card.socketId)}
          onBan={() => {
            conn.current?.emit('ban_user', { socketId: card.socketId });
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
        {m.nickname}
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
