// The organiser's desk for one conference: each room's OBS settings and whether it is on
// air, adding a room, and each day's talks with the buttons that run a room (start the
// talk, end it) and, once a talk is over, its replay's cut.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type ConferenceView, type RoomKeys, type RoomRecording, type TalkInfo } from '../api';
import { Link } from '../components/Link';
import { ObsSettings } from '../components/ObsSettings';
import { ExportButtons, QaAdmin } from '../components/QaAdmin';
import { StateBadge } from '../components/ScheduleGrid';
import { rememberOrganizerRooms } from '../conference/organizer';
import { firstDay, talksOfDay } from '../conference/schedule';
import { dateRange, dayLabel, scheduleDay, timeOfDay } from '../conference/time';
import { useI18n, type Key } from '../i18n';
import { userId } from '../identity';
import { CutEditor } from './CutEditor';
import { useTitle } from './title';

/** The desk follows the rooms and talks this often: the organiser acts on what it shows. */
const POLL_MS = 5000;

type Status = 'loading' | 'missing' | 'notMine' | 'error' | 'ok';

export function OrganizeConferencePage({ slug }: { slug: string }) {
  const { lang, t } = useI18n();
  const [status, setStatus] = useState<Status>('loading');
  const [conf, setConf] = useState<ConferenceView | null>(null);
  const [keys, setKeys] = useState<RoomKeys[]>([]);
  const [talks, setTalks] = useState<TalkInfo[]>([]);
  const [day, setDay] = useState<string | null>(null);
  const [recordings, setRecordings] = useState<RoomRecording[]>([]);

  const loadKeys = () =>
    api.roomKeys(userId(), slug).then((k) => {
      setKeys(k);
      rememberOrganizerRooms(k.map((r) => r.roomId));
    });

  useEffect(() => {
    let stop = false;
    const poll = () =>
      api.schedule(slug).then((s) => {
        if (stop) return;
        setConf(s.conference);
        setTalks(s.talks);
        setDay((d) => d ?? firstDay(s.conference.days, scheduleDay(Date.now(), s.conference.timeZone, s.conference.dayChange)));
        // Only the organiser may list them; a failure here leaves the list as it was.
        api.recordings(userId(), slug).then((r) => !stop && setRecordings(r)).catch(() => {});
      });
    // The keys answer only the organiser: they say whether this conference is ours.
    loadKeys()
      .then(() => poll())
      .then(() => !stop && setStatus('ok'))
      .catch((e) => {
        if (stop) return;
        if (e instanceof ApiError && e.status === 404) setStatus('missing');
        else if (e instanceof ApiError && e.status === 403) setStatus('notMine');
        else setStatus('error');
      });
    const timer = setInterval(() => poll().catch(() => {}), POLL_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [slug]);

  useTitle(conf ? `${t('org.title')}: ${conf.title}` : t('org.title'));

  if (status === 'loading') return <p class="page-status">{t('common.loading')}</p>;
  if (status === 'missing' || status === 'notMine') {
    return (
      <div class="notice-page" data-testid={`desk-${status}`}>
        <h1>{t(status === 'missing' ? 'conf.missing' : 'org.notMine')}</h1>
        <Link href="/organize" class="button">
          {t('org.back')}
        </Link>
      </div>
    );
  }
  if (status === 'error' || !conf) return <p class="page-status">{t('common.error')}</p>;

  const updateTalk = (next: TalkInfo) => setTalks((all) => all.map((x) => (x.talkId === next.talkId ? next : x)));
  const shownDay = day ?? conf.days[0] ?? null;
  const live = new Map(conf.rooms.map((r) => [r.roomId, r.live]));
  return (
    <div class="organize desk" data-testid="desk" data-slug={conf.slug}>
      <p class="breadcrumb">
        <Link href="/organize">{t('org.title')}</Link>
      </p>
      <h1 data-testid="desk-title">{conf.title}</h1>
      <p class="conference-meta">
        <span>{dateRange(conf.startDate, conf.endDate, lang)}</span>
        <span>{conf.timeZone}</span>
        <Link href={`/c/${conf.slug}`} data-testid="desk-public">
          {t('org.publicPage')}
        </Link>
        {conf.source?.importedAt && <span>{t('org.importedAt', { t: new Date(conf.source.importedAt).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US') })}</span>}
      </p>

      <section aria-labelledby="rooms-heading" class="desk-rooms">
        <h2 id="rooms-heading">{t('org.rooms')}</h2>
        <p class="hint">{t('org.roomsHint')}</p>
        <ul class="room-keys-list">
          {keys.map((k) => (
            <li key={k.roomId} class="panel room-keys" data-testid="room-keys" data-room-id={k.roomId}>
              <div class="room-keys-head">
                <h3>{k.name}</h3>
                <span class={`state ${live.get(k.roomId) ? 'online' : 'offline'}`} data-testid="room-state" data-live={live.get(k.roomId) ? 'true' : 'false'}>
                  <span class="dot" aria-hidden="true" /> {live.get(k.roomId) ? t('host.online') : t('host.offline')}
                </span>
              </div>
              <ObsSettings server={k.ingestUrl} streamKey={k.streamKey} name={k.name} />
              <Link href={`/live/${k.roomId}`}>{t('org.roomPage')}</Link>
            </li>
          ))}
        </ul>
        <AddRoom slug={conf.slug} onAdded={() => loadKeys().catch(() => {})} />
        <p class="hint">{t('host.keySecret')}</p>
      </section>

      <DeskQa slug={conf.slug} rooms={keys} />

      <section aria-labelledby="recordings-heading" class="desk-recordings" data-testid="recordings">
        <h2 id="recordings-heading">{t('org.recordings')}</h2>
        <p class="hint">{t('org.recordingsHint')}</p>
        {recordings.length === 0 ? (
          <p class="hint">{t('org.recordingsNone')}</p>
        ) : (
          <ul class="recordings-list">
            {recordings.map((r) => (
              <li key={r.videoId} data-testid="recording" data-video-id={r.videoId}>
                <span class="recording-room">{r.roomName}</span>{' '}
                <span>
                  {timeOfDay(Date.parse(r.startDate), conf.timeZone, lang)}
                  {r.endDate ? `–${timeOfDay(Date.parse(r.endDate), conf.timeZone, lang)}` : ''}
                </span>{' '}
                {r.live ? <span class="state online">{t('org.recordingLive')}</span> : <Link href={`/replay/${r.videoId}`}>{t('org.recordingPlay')}</Link>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="talks-heading" class="desk-talks">
        <h2 id="talks-heading">{t('org.talks')}</h2>
        {conf.days.length > 1 && (
          <div class="day-picker" role="group" aria-label={t('conf.day')}>
            {conf.days.map((d) => (
              <button type="button" key={d} class={d === shownDay ? 'selected' : ''} aria-pressed={d === shownDay} onClick={() => setDay(d)}>
                {dayLabel(d, lang)}
              </button>
            ))}
          </div>
        )}
        {shownDay ? (
          <ul class="desk-talk-list">
            {talksOfDay(talks, shownDay, conf.timeZone, conf.dayChange).map((talk) => (
              <DeskTalk key={talk.talkId} talk={talk} timeZone={conf.timeZone} onChange={updateTalk} />
            ))}
          </ul>
        ) : (
          <p class="empty">{t('conf.noTalks')}</p>
        )}
      </section>
    </div>
  );
}

/** The Q&A of the whole conference or of one room: roles, invitations, switches, screens. */
function DeskQa({ slug, rooms }: { slug: string; rooms: RoomKeys[] }) {
  const { t } = useI18n();
  const [roomId, setRoomId] = useState('');
  const room = rooms.find((r) => r.roomId === roomId);
  return (
    <section class="desk-qa" aria-labelledby="desk-qa-heading" data-testid="desk-qa">
      <h2 id="desk-qa-heading">{t('org.qa')}</h2>
      <p class="hint">{t('org.qaHint')}</p>
      <label class="desk-qa-scope">
        <span>{t('org.qaScope')}</span>
        <select value={roomId} onChange={(e) => setRoomId((e.target as HTMLSelectElement).value)} data-testid="desk-qa-scope">
          <option value="">{t('org.qaWhole')}</option>
          {rooms.map((r) => (
            <option key={r.roomId} value={r.roomId}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      <QaAdmin
        key={roomId || slug}
        roomId={room?.roomId}
        scope={room ? { roomId: room.roomId } : { conference: slug }}
        heading={room ? t('org.qaRoom', { room: room.name }) : t('org.qaConference')}
      />
    </section>
  );
}

function AddRoom({ slug, onAdded }: { slug: string; onAdded: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="add-room"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!name.trim()) return;
        setBusy(true);
        setError(null);
        try {
          await api.addRoom(userId(), slug, name.trim());
          setName('');
          onAdded();
        } catch (err) {
          setError(err instanceof Error ? err.message : t('common.error'));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label for="f-room-name">{t('org.addRoom')}</label>
      <div class="inline-field">
        <input id="f-room-name" value={name} maxLength={100} onInput={(e) => setName((e.target as HTMLInputElement).value)} data-testid="room-name" />
        <button type="submit" class="button" disabled={busy || !name.trim()} data-testid="add-room">
          {t('org.add')}
        </button>
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** One talk on the desk: when, where, its state, and what the organiser can do with it now. */
function DeskTalk({ talk, timeZone, onChange }: { talk: TalkInfo; timeZone: string; onChange: (t: TalkInfo) => void }) {
  const { lang, t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [cutting, setCutting] = useState(false);
  // The schedule's talks leave out their replay's id: the talk's own answer has it.
  const [replayId, setReplayId] = useState<string | null>(null);
  const videoId = talk.replayVideoId ?? replayId;
  useEffect(() => {
    if (talk.state !== 'replay' || talk.replayVideoId) return;
    api
      .talk(talk.talkId)
      .then((full) => setReplayId(full.replayVideoId ?? null))
      .catch(() => {});
  }, [talk.talkId, talk.state, talk.replayVideoId]);
  const act = async (action: 'start' | 'end') => {
    setBusy(true);
    setError(null);
    try {
      onChange(await (action === 'start' ? api.startTalk(userId(), talk.talkId) : api.endTalk(userId(), talk.talkId)));
    } catch (e) {
      // The server says why (the room is off air, the talk has begun): its words.
      setError(e instanceof Error ? e.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };
  const canStart = talk.state === 'scheduled' || talk.state === 'waiting';
  const canCut = talk.state === 'ended' || talk.state === 'replay';
  return (
    <li class={`desk-talk state-${talk.state}`} data-testid="desk-talk" data-talk-id={talk.talkId} data-state={talk.state}>
      <div class="desk-talk-row">
        <span class="when">
          {timeOfDay(talk.schedStart, timeZone, lang)}–{timeOfDay(talk.schedEnd, timeZone, lang)}
        </span>
        <span class="room">{talk.roomName}</span>
        <Link href={`/talk/${talk.talkId}`} class="title">
          {talk.state === 'cancelled' ? <s>{talk.title}</s> : talk.title}
        </Link>
        <span class="desk-state" data-testid="desk-talk-state">
          {talk.state === 'live' ? <StateBadge state="live" /> : t(`talk.state.${talk.state}` as Key)}
        </span>
        <span class="desk-actions">
          {canStart && (
            <button type="button" class="button small" disabled={busy} onClick={() => act('start')} data-testid="talk-start">
              {t('org.start')}
            </button>
          )}
          {talk.state === 'live' && (
            <button type="button" class="button small danger" disabled={busy} onClick={() => act('end')} data-testid="talk-end">
              {t('org.end')}
            </button>
          )}
          {canCut && (
            <button type="button" class="button small secondary" aria-expanded={cutting} onClick={() => setCutting(!cutting)} data-testid="talk-cut-toggle">
              {t('org.cut.title')}
            </button>
          )}
          {videoId && (
            <Link href={`/replay/${videoId}`} class="button small secondary" data-testid="talk-replay-link">
              {t('org.cut.watch')}
            </Link>
          )}
          {talk.state === 'live' && (
            <Link href={`/moderate/${talk.roomId}?talk=${talk.talkId}`} class="button small secondary" data-testid="talk-moderate-link">
              {t('qa.queue')}
            </Link>
          )}
        </span>
      </div>
      {talk.state !== 'scheduled' && talk.state !== 'cancelled' && <ExportButtons req={{ talkId: talk.talkId }} label={t('qa.export.talk')} small />}
      {error && (
        <p class="field-error" role="alert" data-testid="talk-action-error">
          {error}
        </p>
      )}
      {canCut && cutting && <CutEditor talk={talk} timeZone={timeZone} onSaved={onChange} />}
    </li>
  );
}
