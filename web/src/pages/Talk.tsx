// A conference talk, on one page for its whole life: before it, the waiting room (what,
// who, where, when in the venue's clock and the viewer's own, a countdown, and questions
// taken ahead); when chat says it is live, the room's stream takes over the page in
// place; afterwards, the replay is being prepared, then plays with its questions.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type ConferenceView, type ReplayPoll, type ReplayQuestion, type TalkInfo } from '../api';
import { ChatPanel, useNow, type TalkUpdate } from '../chat/ChatPanel';
import { Link } from '../components/Link';
import { QuestionTimeline } from '../components/QuestionTimeline';
import { StateBadge } from '../components/ScheduleGrid';
import { isOrganizerRoom } from '../conference/organizer';
import { plainText } from '../conference/schedule';
import { countdown, dayLabel, differentZone, timeOfDay, viewerZone, zoneLabel } from '../conference/time';
import { useI18n } from '../i18n';
import { Player } from '../player/Player';
import { useTitle } from './title';

type Status = 'loading' | 'missing' | 'error' | 'ok';

/** Asked again this often as a fallback to chat's push (a dropped socket misses it). */
const POLL_MS = 30_000;
/** Asked more often around the moments that change the page: the start, the replay's cut. */
const FAST_POLL_MS = 4000;

const BEFORE = ['scheduled', 'waiting'];
const OVER = ['replay', 'no_replay', 'cancelled'];

export function TalkPage({ id }: { id: number }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<Status>('loading');
  const [talk, setTalk] = useState<TalkInfo | null>(null);
  const [conf, setConf] = useState<ConferenceView | null>(null);
  const [questions, setQuestions] = useState<ReplayQuestion[]>([]);
  const [polls, setPolls] = useState<ReplayPoll[]>([]);
  const video = useRef<HTMLVideoElement | null>(null);
  const now = useNow(1000);
  // Where chat puts the open poll: under the stage.
  const [pollSlot, setPollSlot] = useState<HTMLDivElement | null>(null);

  const refetch = useRef(() => {});
  refetch.current = () => {
    api
      .talk(id)
      .then((next) => {
        // Same talk, same object: the player and chat below keep their state.
        setTalk((old) => (old && JSON.stringify(old) === JSON.stringify(next) ? old : next));
        setStatus('ok');
      })
      .catch((e) => setStatus((s) => (e instanceof ApiError && e.status === 404 ? 'missing' : s === 'ok' ? s : 'error')));
  };

  useEffect(() => {
    setStatus('loading');
    setTalk(null);
    refetch.current();
  }, [id]);

  const slug = talk?.conference;
  useEffect(() => {
    if (!slug) return;
    api
      .conference(slug)
      .then(setConf)
      .catch(() => {});
  }, [slug]);

  const state = talk?.state;
  const start = talk ? Date.parse(talk.schedStart) : 0;
  const nearStart = !!talk && BEFORE.includes(talk.state) && now >= start - 15_000;
  useEffect(() => {
    if (!state || OVER.includes(state)) return;
    const ms = state === 'ended' || nearStart ? FAST_POLL_MS : POLL_MS;
    const timer = setInterval(() => refetch.current(), ms);
    return () => clearInterval(timer);
  }, [state, nearStart]);

  useEffect(() => {
    if (state !== 'replay') return;
    api
      .talkQuestions(id)
      .then((r) => setQuestions(r.questions))
      .catch(() => {});
    api
      .talkPolls(id)
      .then((r) => setPolls(r.polls ?? []))
      .catch(() => {});
  }, [id, state]);

  useTitle(talk?.title);

  // Chat tells of this talk's changes within a second or two: then ask for the talk,
  // whose answer has what the new state needs (the stream, the replay).
  const onTalk = (u: TalkUpdate) => {
    if (u.talk.talkId === id && u.talk.state !== talk?.state) refetch.current();
  };

  if (status === 'loading') return <p class="page-status">{t('common.loading')}</p>;
  if (status === 'missing') {
    return (
      <div class="notice-page" data-testid="talk-missing">
        <h1>{t('talk.missing')}</h1>
        <Link href="/" class="button">
          {t('live.home')}
        </Link>
      </div>
    );
  }
  if (status === 'error' || !talk) return <p class="page-status">{t('common.error')}</p>;

  const timeZone = conf?.timeZone ?? 'UTC';
  const seek = (at: number) => {
    const v = video.current;
    if (!v) return;
    v.currentTime = Math.max(0, at);
    v.play().catch(() => {});
  };
  const withChat = !OVER.includes(talk.state);

  let stage;
  switch (talk.state) {
    case 'scheduled':
    case 'waiting':
      stage = <Countdown talk={talk} now={now} timeZone={timeZone} />;
      break;
    case 'live':
      stage = (
        <Player
          key="live"
          src={talk.streamUrl ?? `/media/live/${talk.roomId}/index.m3u8`}
          mode="live"
          title={talk.title}
          pageKeys
        />
      );
      break;
    case 'ended':
      stage = <StageNotice testid="talk-ended" text={talk.doNotRecord ? t('talk.noRecording') : t('talk.ended')} />;
      break;
    case 'replay':
      stage = talk.replayUrl ? (
        <Player key="replay" src={talk.replayUrl} mode="vod" title={talk.title} onVideo={(v) => (video.current = v)} pageKeys />
      ) : (
        <StageNotice testid="talk-ended" text={t('talk.ended')} />
      );
      break;
    case 'cancelled':
      stage = <StageNotice testid="talk-cancelled" text={t('talk.cancelled')} />;
      break;
    default:
      stage = <StageNotice testid="talk-no-replay" text={t('talk.noRecording')} />;
  }

  return (
    <div class={`watch talk-page${withChat || talk.state === 'replay' ? '' : ' single'}`} data-testid="talk-page" data-state={talk.state}>
      <div class="watch-main">
        {stage}
        <div class="poll-slot" ref={setPollSlot} />
        <TalkDetails talk={talk} conf={conf} timeZone={timeZone} />
      </div>
      {withChat ? (
        <aside class="watch-chat">
          <ChatPanel roomId={talk.roomId} talkId={talk.talkId} isHost={isOrganizerRoom(talk.roomId)} initialMode="question" onTalk={onTalk} pollSlot={pollSlot} />
        </aside>
      ) : talk.state === 'replay' ? (
        <QuestionTimeline questions={questions} polls={polls} onSeek={seek} />
      ) : null}
    </div>
  );
}

function StageNotice({ text, testid }: { text: string; testid: string }) {
  return (
    <div class="stage stage-notice" data-testid={testid} role="status">
      <p>{text}</p>
    </div>
  );
}

/** The waiting room's stage: how long until the slot, then that the room is about to start. */
function Countdown({ talk, now, timeZone }: { talk: TalkInfo; now: number; timeZone: string }) {
  const { lang, t } = useI18n();
  const start = Date.parse(talk.schedStart);
  const left = countdown(start, now);
  const hms = [left.hours, left.minutes, left.seconds].map((n) => String(n).padStart(2, '0')).join(':');
  return (
    <div class="stage waiting-stage" data-testid="talk-waiting">
      <p class="waiting-label">{t('talk.waitingRoom')}</p>
      {left.total > 0 ? (
        <>
          <p class="countdown-label" id="countdown-label">
            {t('talk.startsIn')}
          </p>
          {/* Read out once, not every second: the live region is the label below. */}
          <p class="countdown" data-testid="talk-countdown" data-seconds={left.total} aria-labelledby="countdown-label" role="timer">
            {left.days > 0 ? t('talk.daysAnd', { d: left.days, t: hms }) : hms}
          </p>
          <p class="waiting-at">
            {t('talk.startsAt', { t: timeOfDay(start, timeZone, lang), zone: zoneLabel(start, timeZone, lang) })}
          </p>
        </>
      ) : (
        <p class="countdown soon" data-testid="talk-countdown" data-seconds="0" role="status">
          {t('talk.startingSoon')}
        </p>
      )}
      <p class="waiting-hint">{t('talk.askAhead')}</p>
    </div>
  );
}

function TalkDetails({ talk, conf, timeZone }: { talk: TalkInfo; conf: ConferenceView | null; timeZone: string }) {
  const { lang, t } = useI18n();
  const start = Date.parse(talk.schedStart);
  const mine = viewerZone();
  const about = plainText(talk.abstract);
  const more = plainText(talk.description);
  const links = talk.links.filter((l) => /^https?:\/\//i.test(l.url));
  const range = (zone: string) =>
    `${timeOfDay(talk.schedStart, zone, lang)}–${timeOfDay(talk.schedEnd, zone, lang)} ${zoneLabel(start, zone, lang)}`;
  return (
    <div class="watch-info talk-info">
      {conf && (
        <p class="talk-conference">
          <Link href={`/c/${conf.slug}`} data-testid="talk-conference">
            {conf.title}
          </Link>
        </p>
      )}
      <h1 data-testid="talk-title">
        {talk.state === 'cancelled' ? <s>{talk.title}</s> : talk.title} <StateBadge state={talk.state} />
      </h1>
      {talk.subtitle && <p class="talk-subtitle">{talk.subtitle}</p>}
      {talk.speakers.length > 0 && (
        <p class="talk-speakers" data-testid="talk-speakers">
          {talk.speakers.map((s) => s.name).join(', ')}
        </p>
      )}
      <dl class="talk-facts">
        <dt>{t('talk.when')}</dt>
        <dd>
          <span data-testid="talk-time">
            {dayLabel(talk.day, lang)} · {range(timeZone)}
          </span>
          {differentZone(start, timeZone, mine) && (
            <span class="local-time" data-testid="talk-local-time">
              {t('talk.yourTime', { t: range(mine) })}
            </span>
          )}
        </dd>
        <dt>{t('talk.room')}</dt>
        <dd>
          <Link href={`/live/${talk.roomId}`} data-testid="talk-room">
            {talk.roomName}
          </Link>
        </dd>
        {talk.track && (
          <>
            <dt>{t('talk.track')}</dt>
            <dd>{talk.track}</dd>
          </>
        )}
        {talk.language && (
          <>
            <dt>{t('talk.language')}</dt>
            <dd>{talk.language}</dd>
          </>
        )}
      </dl>
      {about && (
        <p class="plain-text talk-abstract" data-testid="talk-abstract">
          {about}
        </p>
      )}
      {more && more !== about && <p class="plain-text talk-description">{more}</p>}
      {links.length > 0 && (
        <ul class="talk-links">
          {links.map((l) => (
            <li key={l.url}>
              <a href={l.url} rel="noopener noreferrer" target="_blank">
                {l.title || l.url}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
