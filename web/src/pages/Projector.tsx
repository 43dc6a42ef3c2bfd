// The projector's view, for the hall's big screen: while a poll is open its results, else
// the question being answered, in type readable from the back row; a quiet screen with
// where to ask when there is neither. Live, without reloads; `F` or the button goes full screen.

import { useEffect, useRef, useState } from 'preact/hooks';
import { shownName } from '../chat/ChatPanel';
import { openPoll } from '../chat/qa';
import { useChat } from '../chat/useChat';
import { PollResults } from '../components/PollResults';
import { useI18n } from '../i18n';
import { useRoomTitle } from './Speaker';
import { useTitle } from './title';

/** The full-screen button hides after this long without the pointer moving. */
const IDLE_MS = 3000;

export function ProjectorPage({ roomId, talkId }: { roomId: string; talkId?: number }) {
  const { t } = useI18n();
  const { state, talk } = useChat(roomId, { talkId });
  const title = useRoomTitle(roomId, talk);
  useTitle(title ? `${t('projector.title')}: ${title}` : t('projector.title'));
  const root = useRef<HTMLDivElement>(null);
  const [controls, setControls] = useState(true);
  const [full, setFull] = useState(false);

  useEffect(() => {
    let timer = setTimeout(() => setControls(false), IDLE_MS);
    const wake = () => {
      setControls(true);
      clearTimeout(timer);
      timer = setTimeout(() => setControls(false), IDLE_MS);
    };
    const onKey = (e: KeyboardEvent) => {
      if ((e.key === 'f' || e.key === 'F') && !e.metaKey && !e.ctrlKey && !e.altKey) toggleFull();
    };
    const onFull = () => setFull(!!document.fullscreenElement);
    window.addEventListener('pointermove', wake);
    window.addEventListener('keydown', onKey);
    document.addEventListener('fullscreenchange', onFull);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointermove', wake);
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('fullscreenchange', onFull);
    };
  }, []);

  const toggleFull = () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else root.current?.requestFullscreen?.().catch(() => {});
  };

  const poll = openPoll(state.polls);
  const pinned = state.pinned;
  const askAt = `${location.host}${talk ? `/talk/${talk.talkId}` : `/live/${roomId}`}`;
  const showing = poll ? 'poll' : pinned ? 'question' : 'idle';

  return (
    <div class={`projector show-${showing}`} ref={root} data-testid="projector" data-showing={showing} data-connected={state.connected ? 'true' : 'false'}>
      {poll ? (
        <section class="projector-poll" data-testid="projector-poll" data-poll-id={poll.pollId} aria-live="polite">
          <p class="projector-label">{t('projector.poll')}</p>
          <h1 class="projector-poll-question">{poll.question}</h1>
          <PollResults poll={poll} large />
        </section>
      ) : pinned ? (
        <section class="projector-question" data-testid="projector-question" data-question-id={pinned.questionId} aria-live="polite">
          <p class="projector-label">{t('qa.nowAnswering')}</p>
          <p class="projector-text" data-testid="projector-question-text">
            {pinned.msg}
          </p>
          <p class="projector-asker">— {shownName(t, pinned.nickname)}</p>
        </section>
      ) : (
        <section class="projector-idle" data-testid="projector-idle">
          {title && <p class="projector-idle-title">{title}</p>}
          <p class="projector-ask">{t('projector.ask')}</p>
          <p class="projector-url">{askAt}</p>
        </section>
      )}
      <footer class="projector-foot">
        {title && showing !== 'idle' && <span>{title}</span>}
        <span class="projector-foot-url">{askAt}</span>
      </footer>
      {!state.connected && (
        <p class="projector-status" role="status">
          {t('chat.connecting')}
        </p>
      )}
      <button type="button" class={`projector-full${controls ? '' : ' hidden'}`} onClick={toggleFull} data-testid="projector-fullscreen">
        {full ? t('player.exitFullscreen') : t('player.fullscreen')} (F)
      </button>
    </div>
  );
}
