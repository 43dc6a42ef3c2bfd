// The speaker's view, for a screen at the lectern: the question to answer now in large
// type, the next ones by votes, and the talk's time left. Nothing else is on screen.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { shownName, useNow } from '../chat/ChatPanel';
import { secondsLeft, topQuestions } from '../chat/qa';
import type { TalkBrief } from '../chat/protocol';
import { canModerate, useChat } from '../chat/useChat';
import { clock } from '../format';
import { useI18n } from '../i18n';
import { useTitle } from './title';

/** How many of the next questions the speaker sees. */
const NEXT = 5;

/** A Q&A view's title: the followed talk's, else the broadcast's. */
export function useRoomTitle(roomId: string, talk: TalkBrief | null): string | null {
  const [live, setLive] = useState<string | null>(null);
  useEffect(() => {
    api
      .live(roomId)
      .then((r) => setLive(r.info.liveTitle))
      .catch(() => {});
  }, [roomId]);
  return talk?.title ?? live;
}

export function SpeakerPage({ roomId, talkId }: { roomId: string; talkId?: number }) {
  const { t } = useI18n();
  const { state, emit, talk } = useChat(roomId, { talkId });
  const title = useRoomTitle(roomId, talk);
  const now = useNow(1000);
  useTitle(title ? `${t('speaker.title')}: ${title}` : t('speaker.title'));
  const pinned = state.pinned;
  const next = topQuestions(state.questions, pinned?.questionId ?? null, NEXT);
  const mayAnswer = canModerate(state.role) || state.role === 'speaker';

  return (
    <div class="speaker-view" data-testid="speaker-view" data-connected={state.connected ? 'true' : 'false'}>
      <header class="speaker-top">
        <span class="speaker-title" data-testid="speaker-title">
          {title ?? ''}
        </span>
        {talk && <TalkClock talk={talk} now={now} />}
        {!state.connected && (
          <span class="speaker-status" role="status">
            {t('chat.connecting')}
          </span>
        )}
      </header>
      <section class="speaker-now" aria-live="polite" data-testid="speaker-pinned" data-question-id={pinned?.questionId ?? ''}>
        <p class="speaker-label">{t('qa.nowAnswering')}</p>
        {pinned ? (
          <>
            <p class="speaker-question" data-testid="speaker-pinned-text">
              {pinned.msg}
            </p>
            <p class="speaker-meta">
              {shownName(t, pinned.nickname)} · ▲ {pinned.upvotes}
              {mayAnswer && (
                <button type="button" class="button secondary small speaker-done" onClick={() => emit('send_question_done', { questionId: pinned.questionId })} data-testid="speaker-done">
                  ✓ {t('chat.markDone')}
                </button>
              )}
            </p>
          </>
        ) : (
          <p class="speaker-empty">{t('speaker.nonePinned')}</p>
        )}
      </section>
      <section class="speaker-next" aria-labelledby="speaker-next-heading">
        <h2 id="speaker-next-heading">{t('speaker.next')}</h2>
        {next.length ? (
          <ol class="speaker-list" data-testid="speaker-list">
            {next.map((q) => (
              <li key={q.questionId} data-testid="speaker-question" data-question-id={q.questionId}>
                <span class="speaker-votes" aria-label={t('chat.upvote', { n: q.upvotes })}>
                  ▲ {q.upvotes}
                </span>
                <span class="speaker-list-text">{q.msg}</span>
              </li>
            ))}
          </ol>
        ) : (
          <p class="speaker-empty small">{t('speaker.noQuestions')}</p>
        )}
      </section>
    </div>
  );
}

/** The talk's time: until it starts, then what is left of its slot, then how far over. */
function TalkClock({ talk, now }: { talk: TalkBrief; now: number }) {
  const { t } = useI18n();
  const toStart = secondsLeft(talk.schedStart, now);
  const left = secondsLeft(talk.schedEnd, now);
  if (left === null) return null;
  if (talk.state !== 'live' && talk.actualEnd) {
    return (
      <span class="speaker-clock" data-testid="speaker-clock">
        {t('speaker.ended')}
      </span>
    );
  }
  if (talk.state !== 'live' && toStart !== null && toStart > 0) {
    return (
      <span class="speaker-clock" data-testid="speaker-clock" data-seconds={left}>
        {t('speaker.startsIn', { t: clock(toStart) })}
      </span>
    );
  }
  const over = left < 0;
  const soon = !over && left <= 300;
  return (
    <span class={`speaker-clock${over ? ' over' : soon ? ' soon' : ''}`} role="timer" data-testid="speaker-clock" data-seconds={left}>
      {over ? t('speaker.over', { t: clock(-left) }) : t('speaker.left', { t: clock(left) })}
    </span>
  );
}
