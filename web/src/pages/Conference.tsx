// A conference: what is on now and next in each room (live rooms marked, linking their
// stream), the schedule of a day as a grid of rooms and times, a search over every talk,
// the replays, and the schedule for calendar apps and other programs.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, scheduleExportUrl, type ConferenceView, type RoomView, type TalkInfo } from '../api';
import { useNow } from '../chat/ChatPanel';
import { Link } from '../components/Link';
import { ScheduleGrid, StateBadge } from '../components/ScheduleGrid';
import { firstDay, matchesTalk, plainText, talksOfDay } from '../conference/schedule';
import { dateRange, dayLabel, scheduleDay, timeOfDay } from '../conference/time';
import { useI18n } from '../i18n';
import { useTitle } from './title';

/** How often the rooms' now and next, and the talks' states, are asked again. */
export const REFRESH_MS = 30_000;

type Status = 'loading' | 'missing' | 'error' | 'ok';

export function ConferencePage({ slug }: { slug: string }) {
  const { lang, t } = useI18n();
  const [status, setStatus] = useState<Status>('loading');
  const [conf, setConf] = useState<ConferenceView | null>(null);
  const [talks, setTalks] = useState<TalkInfo[]>([]);
  const [rooms, setRooms] = useState<RoomView[]>([]);
  const [day, setDay] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const now = useNow(REFRESH_MS);

  useEffect(() => {
    let stop = false;
    const loadSchedule = () =>
      api.schedule(slug).then((s) => {
        if (stop) return;
        setConf(s.conference);
        setTalks(s.talks);
        setStatus('ok');
        return s.conference;
      });
    loadSchedule()
      .then((c) => {
        if (stop || !c) return;
        setRooms(c.rooms);
        setDay((d) => d ?? firstDay(c.days, scheduleDay(Date.now(), c.timeZone, c.dayChange)));
      })
      .catch((e) => !stop && setStatus(e instanceof ApiError && e.status === 404 ? 'missing' : 'error'));
    const timer = setInterval(() => {
      api
        .conferenceNow(slug)
        .then((n) => !stop && setRooms(n.rooms))
        .catch(() => {});
      loadSchedule().catch(() => {});
    }, REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [slug]);

  useTitle(conf?.title);

  if (status === 'loading') return <p class="page-status">{t('common.loading')}</p>;
  if (status === 'missing') {
    return (
      <div class="notice-page" data-testid="conference-missing">
        <h1>{t('conf.missing')}</h1>
        <Link href="/" class="button">
          {t('live.home')}
        </Link>
      </div>
    );
  }
  if (status === 'error' || !conf) return <p class="page-status">{t('common.error')}</p>;

  const today = scheduleDay(now, conf.timeZone, conf.dayChange);
  const shownDay = day ?? conf.days[0] ?? null;
  const q = query.trim();
  return (
    <div class="conference" data-testid="conference" data-slug={conf.slug}>
      <ConferenceHead conf={conf} />
      <NowNext rooms={rooms} timeZone={conf.timeZone} />

      <section aria-labelledby="schedule-heading" class="schedule">
        <div class="schedule-head">
          <h2 id="schedule-heading">{t('conf.schedule')}</h2>
          <form class="search schedule-search" role="search" onSubmit={(e) => e.preventDefault()}>
            <label for="talk-search" class="sr-only">
              {t('conf.searchLabel')}
            </label>
            <input
              id="talk-search"
              type="search"
              value={query}
              maxLength={100}
              placeholder={t('conf.search')}
              data-testid="talk-search"
              onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
            />
          </form>
        </div>
        {q ? (
          <SearchResults talks={talks} query={q} timeZone={conf.timeZone} />
        ) : (
          <>
            {conf.days.length > 1 && (
              <div class="day-picker" role="group" aria-label={t('conf.day')} data-testid="day-picker">
                {conf.days.map((d) => (
                  <button
                    type="button"
                    key={d}
                    class={d === shownDay ? 'selected' : ''}
                    aria-pressed={d === shownDay}
                    onClick={() => setDay(d)}
                    data-testid="day-button"
                    data-day={d}
                  >
                    {dayLabel(d, lang)}
                    {d === today && <span class="today-mark"> · {t('conf.today')}</span>}
                  </button>
                ))}
              </div>
            )}
            {conf.days.length === 1 && shownDay && (
              <p class="one-day" data-testid="day-picker">
                {dayLabel(shownDay, lang)}
              </p>
            )}
            {shownDay ? (
              <ScheduleGrid
                talks={talksOfDay(talks, shownDay, conf.timeZone, conf.dayChange)}
                rooms={rooms.map((r) => ({ roomId: r.roomId, name: r.name }))}
                timeZone={conf.timeZone}
                now={shownDay === today ? now : null}
              />
            ) : (
              <p class="empty">{t('conf.noTalks')}</p>
            )}
          </>
        )}
      </section>

      <Replays talks={talks} timeZone={conf.timeZone} />
    </div>
  );
}

function ConferenceHead({ conf }: { conf: ConferenceView }) {
  const { lang, t } = useI18n();
  const about = plainText(conf.description);
  return (
    <header class="conference-head">
      <h1 data-testid="conference-title">{conf.title}</h1>
      <p class="conference-meta">
        <span data-testid="conference-dates">{dateRange(conf.startDate, conf.endDate, lang)}</span>
        <span>{t('conf.zone', { zone: conf.timeZone })}</span>
        {conf.url && /^https?:\/\//.test(conf.url) && (
          <a href={conf.url} rel="noopener noreferrer" target="_blank">
            {t('conf.website')}
          </a>
        )}
      </p>
      {about && <p class="plain-text">{about}</p>}
      <p class="exports">
        <a href={scheduleExportUrl(conf.slug, 'ics')} download data-testid="export-ics">
          {t('conf.ical')}
        </a>
        <a href={scheduleExportUrl(conf.slug, 'frab-json')} download>
          schedule.json
        </a>
        <a href={scheduleExportUrl(conf.slug, 'xml')} download>
          schedule.xml
        </a>
      </p>
    </header>
  );
}

function TalkTime({ talk, timeZone }: { talk: TalkInfo; timeZone: string }) {
  const { lang } = useI18n();
  return (
    <time dateTime={talk.schedStart}>
      {timeOfDay(talk.schedStart, timeZone, lang)}–{timeOfDay(talk.schedEnd, timeZone, lang)}
    </time>
  );
}

/** Each room's live talk (else its next) and the one after. */
function NowNext({ rooms, timeZone }: { rooms: RoomView[]; timeZone: string }) {
  const { t } = useI18n();
  if (!rooms.length) return null;
  return (
    <section aria-labelledby="now-heading">
      <h2 id="now-heading">{t('conf.nowNext')}</h2>
      <ul class="room-now-list">
        {rooms.map((r) => {
          const current = r.current;
          const liveTalk = current?.state === 'live';
          return (
            <li key={r.roomId} class={`room-now${r.live ? ' on-air' : ''}`} data-testid="room-now" data-room-id={r.roomId} data-live={r.live ? 'true' : 'false'}>
              <div class="room-now-head">
                <h3>{r.name}</h3>
                {r.live && (
                  <span class="badge live-badge" data-testid="room-live">
                    {t('common.live')}
                  </span>
                )}
              </div>
              {current ? (
                <p class="room-now-talk">
                  <span class="label">{liveTalk ? t('conf.now') : t('conf.next')}</span>{' '}
                  <TalkTime talk={current} timeZone={timeZone} />{' '}
                  <Link href={`/talk/${current.talkId}`} data-testid="room-current">
                    {current.title}
                  </Link>
                </p>
              ) : (
                <p class="room-now-talk empty">{t('conf.roomDone')}</p>
              )}
              {r.next && (
                <p class="room-now-talk then">
                  <span class="label">{t('conf.then')}</span> <TalkTime talk={r.next} timeZone={timeZone} />{' '}
                  <Link href={`/talk/${r.next.talkId}`}>{r.next.title}</Link>
                </p>
              )}
              <Link href={`/live/${r.roomId}`} class={`button small${r.live ? '' : ' secondary'}`} data-testid="room-watch">
                {r.live ? t('conf.watchRoom') : t('conf.roomPage')}
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function TalkLine({ talk, timeZone }: { talk: TalkInfo; timeZone: string }) {
  const { lang } = useI18n();
  return (
    <>
      <span class="talk-line-when">
        {dayLabel(talk.day, lang)} <TalkTime talk={talk} timeZone={timeZone} /> · {talk.roomName}
      </span>
      <Link href={`/talk/${talk.talkId}`} class="talk-line-title">
        {talk.state === 'cancelled' ? <s>{talk.title}</s> : talk.title}
      </Link>
      {talk.speakers.length > 0 && <span class="talk-line-speakers">{talk.speakers.map((s) => s.name).join(', ')}</span>}
      <StateBadge state={talk.state} />
    </>
  );
}

function SearchResults({ talks, query, timeZone }: { talks: TalkInfo[]; query: string; timeZone: string }) {
  const { t } = useI18n();
  const hits = talks.filter((talk) => matchesTalk(talk, query));
  return (
    <div data-testid="search-results">
      <p role="status" class="search-count">
        {hits.length ? t('conf.results', { n: hits.length, q: query }) : t('conf.noResults', { q: query })}
      </p>
      <ul class="talk-lines">
        {hits.map((talk) => (
          <li key={talk.talkId} class={`talk-line state-${talk.state}`} data-testid="search-result">
            <TalkLine talk={talk} timeZone={timeZone} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function Replays({ talks, timeZone }: { talks: TalkInfo[]; timeZone: string }) {
  const { lang, t } = useI18n();
  const replays = talks.filter((talk) => talk.state === 'replay');
  return (
    <section aria-labelledby="conf-replays-heading" data-testid="conference-replays">
      <h2 id="conf-replays-heading">{t('home.replays')}</h2>
      {replays.length ? (
        <ul class="talk-lines">
          {replays.map((talk) => (
            <li key={talk.talkId} class="talk-line" data-testid="conference-replay">
              <span class="talk-line-when">
                {dayLabel(talk.day, lang)} <TalkTime talk={talk} timeZone={timeZone} /> · {talk.roomName}
              </span>
              {/* The schedule may leave out the replay's id; the talk's page plays its replay too. */}
              <Link href={talk.replayVideoId ? `/replay/${talk.replayVideoId}` : `/talk/${talk.talkId}`} class="talk-line-title">
                {talk.title}
              </Link>
              {talk.speakers.length > 0 && <span class="talk-line-speakers">{talk.speakers.map((s) => s.name).join(', ')}</span>}
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">{t('conf.noReplays')}</p>
      )}
    </section>
  );
}
