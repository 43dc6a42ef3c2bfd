// The moderator's queue, `/moderate/{roomId}` (`?talk=` for one conference talk): the
// questions awaiting review first, then the approved ones, each with approve, dismiss,
// edit, pin and answered (keys a, d, e, p, x; j and k move), a ban of the asker, the
// moderation switches, polls and the log. Made for a phone in one hand as much as for a
// laptop: big buttons, one column, tabs on a narrow screen. The server decides who may
// act (a refusal is an `exception`); the page only shows what the role allows.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { shownName, useNow } from '../chat/ChatPanel';
import { MAX_MESSAGE_CHARS } from '../chat/protocol';
import { moderationQueue } from '../chat/qa';
import { enterSends, exceptionKey, type Question } from '../chat/state';
import { canModerate, useChat, type Chat } from '../chat/useChat';
import { Link } from '../components/Link';
import { Switch } from '../components/Switch';
import { isOrganizerRoom } from '../conference/organizer';
import { ago, charCount } from '../format';
import { useI18n } from '../i18n';
import { userId } from '../identity';
import { load } from '../storage';
import { HOST_SESSION_KEY } from './Live';
import { ModerationLog, PollsPanel } from './ModeratePolls';
import { useRoomTitle } from './Speaker';
import { useTitle } from './title';

type Tab = 'queue' | 'polls' | 'log';
type Act = 'approve' | 'dismiss' | 'edit' | 'pin' | 'done';

/** The keys and what they do, as the legend shows them. */
const KEYS: [string, 'mod.key.approve' | 'mod.key.dismiss' | 'mod.key.edit' | 'mod.key.pin' | 'mod.key.done' | 'mod.key.move'][] = [
  ['A', 'mod.key.approve'],
  ['D', 'mod.key.dismiss'],
  ['E', 'mod.key.edit'],
  ['P', 'mod.key.pin'],
  ['X', 'mod.key.done'],
  ['J / K', 'mod.key.move'],
];

/** Whether a key press belongs to a text field rather than to the queue. */
function typing(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function ModeratePage({ roomId, talkId }: { roomId: string; talkId?: number }) {
  const { t } = useI18n();
  const chat = useChat(roomId, { talkId, isHost: load(HOST_SESSION_KEY) === roomId || isOrganizerRoom(roomId) });
  const { state } = chat;
  const title = useRoomTitle(roomId, chat.talk);
  useTitle(title ? `${t('mod.title')}: ${title}` : t('mod.title'));
  const [tab, setTab] = useState<Tab>('queue');
  const query = talkId ? `?talk=${talkId}` : '';

  if (state.role === null) {
    return (
      <p class="page-status" role="status" data-testid="moderate-loading">
        {t('chat.connecting')}
      </p>
    );
  }
  if (!canModerate(state.role)) {
    return (
      <div class="notice-page" data-testid="moderate-denied" data-role={state.role}>
        <h1>{t('mod.denied')}</h1>
        <p>{t('mod.deniedBody')}</p>
        {state.role === 'speaker' && (
          <Link href={`/speaker/${roomId}${query}`} class="button">
            {t('invite.openSpeaker')}
          </Link>
        )}
        <Link href={`/live/${roomId}`} class="button secondary">
          {t('mod.watch')}
        </Link>
      </div>
    );
  }

  const pending = state.pending.filter((q) => q.state === 'pending').length;
  const openPolls = state.polls.filter((p) => p.state === 'open').length;
  return (
    <div class="moderate" data-testid="moderate" data-role={state.role} data-connected={state.connected ? 'true' : 'false'}>
      <div class="mod-head">
        <div class="mod-title">
          <h1>{t('mod.title')}</h1>
          {title && <p class="mod-room" data-testid="mod-room">{title}</p>}
        </div>
        <nav class="mod-links" aria-label={t('mod.views')}>
          <Link href={`/speaker/${roomId}${query}`} data-testid="mod-speaker-link">
            {t('qa.speakerView')}
          </Link>
          <Link href={`/projector/${roomId}${query}`} data-testid="mod-projector-link">
            {t('qa.projectorView')}
          </Link>
          <Link href={talkId ? `/talk/${talkId}` : `/live/${roomId}`}>{t('mod.watch')}</Link>
        </nav>
        {!state.connected && (
          <p class="chat-status" role="status">
            {t('chat.disconnected')}
          </p>
        )}
      </div>
      <Exceptions chat={chat} />
      <div class="mod-tabs" role="tablist" aria-label={t('mod.title')}>
        {(['queue', 'polls', 'log'] as Tab[]).map((x) => (
          <button type="button" role="tab" key={x} aria-selected={tab === x} class={tab === x ? 'selected' : ''} onClick={() => setTab(x)} data-testid={`mod-tab-${x}`}>
            {x === 'queue' ? t('mod.tab.queue', { n: pending }) : x === 'polls' ? t('mod.tab.polls', { n: openPolls }) : t('mod.tab.log')}
          </button>
        ))}
      </div>
      <div class="mod-grid">
        <div class={`mod-section mod-main${tab === 'queue' ? ' active' : ''}`}>
          <Switches chat={chat} roomId={roomId} talkId={talkId} />
          <Queue chat={chat} />
        </div>
        <div class="mod-side">
          <div class={`mod-section${tab === 'polls' ? ' active' : ''}`}>
            <PollsPanel chat={chat} />
          </div>
          <div class={`mod-section${tab === 'log' ? ' active' : ''}`}>
            <ModerationLog roomId={roomId} role={state.role} active={tab === 'log'} />
          </div>
        </div>
      </div>
    </div>
  );
}

/** The server's refusals, newest one shown until closed. */
function Exceptions({ chat }: { chat: Chat }) {
  const { t } = useI18n();
  const [closed, setClosed] = useState('');
  const last = [...chat.state.lines].reverse().find((l) => l.kind === 'exception');
  if (!last || last.kind !== 'exception' || last.key === closed) return null;
  return (
    <div class="mod-alert" role="alert" data-testid="mod-exception" data-status={last.exception.statusCode}>
      <span>⚠ {last.exception.statusCode === 409 ? t('mod.ex.409') : t(exceptionKey(last.exception), { msg: last.exception.message })}</span>
      <button type="button" class="link-button" onClick={() => setClosed(last.key)}>
        {t('common.close')}
      </button>
    </div>
  );
}

function Switches({ chat, roomId, talkId }: { chat: Chat; roomId: string; talkId?: number }) {
  const { t } = useI18n();
  const { state } = chat;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = async (patch: { enabled?: boolean; anonymous?: boolean }) => {
    setBusy(true);
    setError(null);
    const next = { ...state.moderation, ...patch };
    try {
      const r = await api.setModeration(userId(), { enabled: next.enabled, anonymous: next.anonymous, roomId, ...(talkId ? { talkId } : {}) });
      // The room hears it as `receive_moderation`; this page too, but take the answer at once.
      chat.dispatch({ type: 'event', event: 'receive_moderation', data: { ...r, roomId } });
    } catch (e) {
      setError(t('mod.switchFailed', { why: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="mod-switches" data-testid="mod-switches">
      <Switch label={t('qa.moderation')} checked={state.moderation.enabled} disabled={busy} onChange={(on) => set({ enabled: on })} testid="switch-moderation" hint={t('qa.moderationHint')} />
      <Switch label={t('qa.anonymousSwitch')} checked={state.moderation.anonymous} disabled={busy} onChange={(on) => set({ anonymous: on })} testid="switch-anonymous" hint={t('qa.anonymousSwitchHint')} />
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function Queue({ chat }: { chat: Chat }) {
  const { lang, t } = useI18n();
  const { state, emit } = chat;
  const now = useNow();
  const queue = moderationQueue(state.pending, state.questions);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [editing, setEditing] = useState<{ id: number; text: string } | null>(null);
  const [banning, setBanning] = useState<number | null>(null);
  const [banned, setBanned] = useState<string[]>([]);
  const lastIndex = useRef(0);
  const list = useRef<HTMLOListElement>(null);

  // The selection follows its question; when that one leaves, the next in its place.
  let index = queue.findIndex((q) => q.questionId === selectedId);
  if (index < 0) index = Math.min(lastIndex.current, queue.length - 1);
  const selected = index >= 0 ? queue[index] : null;
  if (index >= 0) lastIndex.current = index;

  const act = (q: Question, what: Act) => {
    const questionId = q.questionId;
    setSelectedId(questionId);
    switch (what) {
      case 'approve':
        if (q.state === 'pending') emit('send_question_approve', { questionId });
        break;
      case 'dismiss':
        emit('send_question_dismiss', { questionId });
        break;
      case 'edit':
        setEditing({ id: questionId, text: q.msg });
        break;
      case 'pin':
        if (q.state !== 'approved' || q.done) break;
        if (q.pinned) emit('send_question_unpin', {});
        else emit('send_question_pin', { questionId });
        break;
      case 'done':
        if (q.state === 'approved' && !q.done) emit('send_question_done', { questionId });
        break;
    }
  };

  const latest = useRef({ queue, selected, index, editing, act });
  latest.current = { queue, selected, index, editing, act };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e) || e.metaKey || e.ctrlKey || e.altKey) return;
      const { queue: q, selected: sel, index: i, editing: ed, act: run } = latest.current;
      if (ed) return;
      const key = e.key.toLowerCase();
      const move = (to: number) => {
        const next = q[Math.max(0, Math.min(q.length - 1, to))];
        if (!next) return;
        setSelectedId(next.questionId);
        requestAnimationFrame(() =>
          list.current?.querySelector(`[data-question-id="${next.questionId}"]`)?.scrollIntoView({ block: 'nearest' }),
        );
      };
      if (key === 'j') move(i + 1);
      else if (key === 'k') move(i - 1);
      else if (sel && key in ACTS) run(sel, ACTS[key]);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const pinned = state.pinned;
  return (
    <section class="mod-queue" aria-labelledby="queue-heading">
      <h2 id="queue-heading" class="sr-only">
        {t('mod.queue')}
      </h2>
      {pinned && (
        <div class="mod-pinned" data-testid="mod-pinned" data-question-id={pinned.questionId}>
          <span class="now-answering">{t('qa.nowAnswering')}</span>
          <p>{pinned.msg}</p>
          <button type="button" class="button secondary small" onClick={() => emit('send_question_unpin', {})} data-testid="mod-unpin">
            {t('mod.unpin')}
          </button>
        </div>
      )}
      <p class="mod-keys" aria-hidden="true">
        {KEYS.map(([k, what]) => (
          <span key={k}>
            <kbd>{k}</kbd> {t(what)}
          </span>
        ))}
      </p>
      {queue.length === 0 ? (
        <p class="empty mod-empty" data-testid="mod-empty">
          {state.moderation.enabled ? t('mod.emptyModerated') : t('mod.empty')}
        </p>
      ) : (
        <ol class="mod-list" ref={list} data-testid="mod-queue">
          {queue.map((q) => {
            const isSel = selected?.questionId === q.questionId;
            const pendingQ = q.state === 'pending';
            const badge = pendingQ ? 'pending' : q.pinned ? 'pinned' : 'approved';
            return (
              <li
                key={q.questionId}
                class={`mod-item state-${badge}${isSel ? ' selected' : ''}`}
                data-testid="mod-question"
                data-question-id={q.questionId}
                data-state={q.state}
                data-pinned={q.pinned ? 'true' : 'false'}
                aria-current={isSel ? 'true' : undefined}
                onClick={() => setSelectedId(q.questionId)}
              >
                <div class="mod-item-head">
                  <span class={`qa-badge ${badge}`} data-testid="mod-question-state">
                    {t(`mod.state.${badge}`)}
                  </span>
                  <span class="nick">{shownName(t, q.nickname)}</span>
                  <time dateTime={q.msgTime}>{ago(Date.parse(q.msgTime), now, lang)}</time>
                  <span class="mod-votes" aria-label={t('chat.upvote', { n: q.upvotes })}>
                    ▲ {q.upvotes}
                  </span>
                </div>
                {editing?.id === q.questionId ? (
                  <EditBox
                    text={editing.text}
                    onText={(text) => setEditing({ id: q.questionId, text })}
                    onCancel={() => setEditing(null)}
                    onSave={() => {
                      const msg = editing.text.trim();
                      if (msg && charCount(msg) <= MAX_MESSAGE_CHARS && emit('send_question_edit', { questionId: q.questionId, msg })) setEditing(null);
                    }}
                  />
                ) : (
                  <p class="mod-text" data-testid="mod-question-text">
                    {q.msg}
                  </p>
                )}
                <div class="mod-actions">
                  {pendingQ ? (
                    <button type="button" class="mod-btn approve" onClick={() => act(q, 'approve')} data-testid="mod-approve">
                      ✓ {t('mod.approve')} <kbd class="key-hint">A</kbd>
                    </button>
                  ) : (
                    <>
                      <button type="button" class={`mod-btn pin${q.pinned ? ' on' : ''}`} aria-pressed={q.pinned} onClick={() => act(q, 'pin')} data-testid="mod-pin">
                        {q.pinned ? t('mod.unpin') : t('mod.pin')} <kbd class="key-hint">P</kbd>
                      </button>
                      <button type="button" class="mod-btn done" onClick={() => act(q, 'done')} data-testid="mod-done">
                        {t('mod.done')} <kbd class="key-hint">X</kbd>
                      </button>
                    </>
                  )}
                  <button type="button" class="mod-btn dismiss" onClick={() => act(q, 'dismiss')} data-testid="mod-dismiss">
                    {t('mod.dismiss')} <kbd class="key-hint">D</kbd>
                  </button>
                  <button type="button" class="mod-btn" onClick={() => act(q, 'edit')} data-testid="mod-edit">
                    {t('qa.edit')} <kbd class="key-hint">E</kbd>
                  </button>
                  {q.socketId &&
                    (banned.includes(q.socketId) ? (
                      <span class="mod-banned" data-testid="mod-banned">
                        {t('mod.banned')}
                      </span>
                    ) : (
                      <button type="button" class="mod-btn ban" onClick={() => setBanning(banning === q.questionId ? null : q.questionId)} aria-expanded={banning === q.questionId} data-testid="mod-ban">
                        {t('mod.ban')}
                      </button>
                    ))}
                </div>
                {banning === q.questionId && q.socketId && (
                  <div class="mod-confirm" role="group" aria-label={t('mod.ban')}>
                    <p>{t('mod.banConfirm', { name: shownName(t, q.nickname) })}</p>
                    <button
                      type="button"
                      class="button danger"
                      onClick={() => {
                        if (emit('ban_user', { socketId: q.socketId })) setBanned((b) => [...b, q.socketId!]);
                        setBanning(null);
                      }}
                      data-testid="mod-ban-yes"
                    >
                      {t('mod.banYes')}
                    </button>
                    <button type="button" class="button secondary" onClick={() => setBanning(null)}>
                      {t('qa.cancel')}
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

const ACTS: Record<string, Act> = { a: 'approve', d: 'dismiss', e: 'edit', p: 'pin', x: 'done' };

function EditBox(props: { text: string; onText: (s: string) => void; onSave: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  const n = charCount(props.text);
  return (
    <form
      class="mod-edit"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave();
      }}
    >
      <label class="sr-only" for="mod-edit-text">
        {t('mod.editLabel')}
      </label>
      <textarea
        id="mod-edit-text"
        ref={ref}
        rows={3}
        value={props.text}
        aria-invalid={n > MAX_MESSAGE_CHARS}
        data-testid="mod-edit-input"
        onInput={(e) => props.onText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onCancel();
          else if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            if (enterSends(e)) props.onSave();
          }
        }}
      />
      <div class="mod-actions">
        <button type="submit" class="mod-btn approve" disabled={!n || n > MAX_MESSAGE_CHARS} data-testid="mod-edit-save">
          {t('qa.save')}
        </button>
        <button type="button" class="mod-btn" onClick={props.onCancel}>
          {t('qa.cancel')}
        </button>
        <span class={`counter${n > MAX_MESSAGE_CHARS ? ' over' : ''}`}>{t('chat.counter', { n })}</span>
      </div>
    </form>
  );
}
