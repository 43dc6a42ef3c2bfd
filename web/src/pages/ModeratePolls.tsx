// The moderator's polls (make one, open it, close it, its results live) and the
// moderation log (the owner's to read).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type LogEntry } from '../api';
import { POLL_MAX_OPTIONS, POLL_MIN_OPTIONS, POLL_OPTION_CHARS, POLL_QUESTION_CHARS, type Role } from '../chat/protocol';
import { pollProblem } from '../chat/qa';
import type { Chat } from '../chat/useChat';
import { PollResults } from '../components/PollResults';
import { dictionaries, useI18n, type Key } from '../i18n';
import { userId } from '../identity';

export function PollsPanel({ chat }: { chat: Chat }) {
  const { t } = useI18n();
  const { state, emit } = chat;
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(['', '']);
  const [multiple, setMultiple] = useState(false);
  const [tried, setTried] = useState(false);
  const problem = pollProblem(question, options);

  const create = (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (problem) return;
    const filled = options.map((o) => o.trim()).filter(Boolean);
    if (!emit('send_poll_create', { question: question.trim(), options: filled, multiple })) return;
    setQuestion('');
    setOptions(['', '']);
    setMultiple(false);
    setTried(false);
  };

  return (
    <section class="panel mod-polls" aria-labelledby="polls-heading" data-testid="mod-polls">
      <h2 id="polls-heading">{t('poll.title')}</h2>
      <form class="poll-new" onSubmit={create} noValidate data-testid="poll-new">
        <label for="f-poll-question">{t('poll.new.question')}</label>
        <input id="f-poll-question" value={question} maxLength={POLL_QUESTION_CHARS} onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} data-testid="poll-new-question" />
        <fieldset class="poll-new-options">
          <legend>{t('poll.new.options', { min: POLL_MIN_OPTIONS, max: POLL_MAX_OPTIONS })}</legend>
          {options.map((o, i) => (
            <div class="poll-new-option" key={i}>
              <label class="sr-only" for={`f-poll-option-${i}`}>
                {t('poll.new.option', { n: i + 1 })}
              </label>
              <input
                id={`f-poll-option-${i}`}
                value={o}
                maxLength={POLL_OPTION_CHARS}
                placeholder={t('poll.new.option', { n: i + 1 })}
                onInput={(e) => setOptions(options.map((x, j) => (j === i ? (e.target as HTMLInputElement).value : x)))}
                data-testid="poll-new-option"
              />
              {options.length > POLL_MIN_OPTIONS && (
                <button type="button" class="mod-btn small" aria-label={t('poll.new.remove', { n: i + 1 })} onClick={() => setOptions(options.filter((_, j) => j !== i))}>
                  ×
                </button>
              )}
            </div>
          ))}
          {options.length < POLL_MAX_OPTIONS && (
            <button type="button" class="button secondary small" onClick={() => setOptions([...options, ''])} data-testid="poll-new-add">
              + {t('poll.new.add')}
            </button>
          )}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={multiple} onChange={(e) => setMultiple((e.target as HTMLInputElement).checked)} data-testid="poll-new-multiple" />
          {t('poll.new.multiple')}
        </label>
        {tried && problem && (
          <p class="field-error" role="alert">
            {t(problem, { max: POLL_MAX_OPTIONS, min: POLL_MIN_OPTIONS, n: POLL_OPTION_CHARS })}
          </p>
        )}
        <button type="submit" class="button" disabled={!state.connected} data-testid="poll-new-create">
          {t('poll.new.create')}
        </button>
        <p class="hint">{t('poll.new.hint')}</p>
      </form>
      {state.polls.length === 0 ? (
        <p class="empty">{t('poll.none')}</p>
      ) : (
        <ul class="mod-poll-list">
          {state.polls.map((p) => (
            <li key={p.pollId} class={`mod-poll state-${p.state}`} data-testid="mod-poll" data-poll-id={p.pollId} data-state={p.state}>
              <div class="mod-poll-head">
                <span class={`qa-badge poll-${p.state}`}>{t(`poll.state.${p.state}`)}</span>
                <strong class="mod-poll-question">{p.question}</strong>
              </div>
              <PollResults poll={p} />
              <div class="mod-actions">
                {p.state === 'draft' && (
                  <button type="button" class="mod-btn approve" onClick={() => emit('send_poll_open', { pollId: p.pollId })} data-testid="poll-open">
                    {t('poll.open')}
                  </button>
                )}
                {p.state === 'open' && (
                  <button type="button" class="mod-btn dismiss" onClick={() => emit('send_poll_close', { pollId: p.pollId })} data-testid="poll-close">
                    {t('poll.close')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** An action's name as the log shows it: translated where known, else the server's word. */
function actionName(t: (k: Key) => string, action: string): string {
  const key = `mod.log.${action.replace(/[^a-z_]/gi, '_').toLowerCase()}`;
  return key in dictionaries.en ? t(key as Key) : action;
}

export function ModerationLog({ roomId, role, active }: { roomId: string; role: Role; active: boolean }) {
  const { lang, t } = useI18n();
  const [entries, setEntries] = useState<LogEntry[] | null>(null);
  const [status, setStatus] = useState<'idle' | 'loading' | 'forbidden' | 'error'>('idle');
  const load = () => {
    setStatus('loading');
    api
      .moderationLog(userId(), { roomId })
      .then((r) => {
        setEntries(r.entries);
        setStatus('idle');
      })
      .catch((e) => setStatus(e instanceof ApiError && e.status === 403 ? 'forbidden' : 'error'));
  };
  useEffect(() => {
    if (active || role === 'owner') load();
  }, [active]);
  const time = (iso: string) => new Date(iso).toLocaleTimeString(lang === 'ko' ? 'ko-KR' : 'en-US');
  return (
    <section class="panel mod-log" aria-labelledby="log-heading" data-testid="mod-log">
      <div class="mod-log-head">
        <h2 id="log-heading">{t('mod.log.title')}</h2>
        <button type="button" class="button secondary small" onClick={load} disabled={status === 'loading'} data-testid="mod-log-refresh">
          {t('mod.log.refresh')}
        </button>
      </div>
      {status === 'forbidden' ? (
        <p class="hint" data-testid="mod-log-forbidden">
          {t('mod.log.ownerOnly')}
        </p>
      ) : status === 'error' ? (
        <p class="field-error">{t('common.error')}</p>
      ) : !entries ? (
        <p class="page-status">{t('common.loading')}</p>
      ) : entries.length === 0 ? (
        <p class="empty">{t('mod.log.empty')}</p>
      ) : (
        <ol class="mod-log-list" data-testid="mod-log-list">
          {entries.map((e, i) => (
            <li key={i} data-testid="mod-log-entry" data-action={e.action}>
              <time dateTime={e.at}>{time(e.at)}</time>
              <span class="mod-log-actor">{e.actor}</span>
              <span class="mod-log-action">{actionName(t, e.action)}</span>
              {e.detail && <span class="mod-log-detail">{e.detail}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
