// One day of a conference: on a wide screen a grid with a column per room and time
// running down, on a phone a list by start time. Each talk links to its page and shows
// its state (live highlighted, cancelled struck through); today, a line marks the time.

import { useEffect, useState } from 'preact/hooks';
import type { TalkInfo } from '../api';
import { byStart, dayGrid, nowInGrid } from '../conference/schedule';
import { timeOfDay } from '../conference/time';
import { useI18n, type T } from '../i18n';
import { Link } from './Link';

/** Below this width the grid would squeeze its columns: the list reads better. */
export const PHONE_QUERY = '(max-width: 700px)';

/** Whether the media query matches, following changes (a rotated phone). */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => typeof matchMedia !== 'undefined' && matchMedia(query).matches);
  useEffect(() => {
    const m = matchMedia(query);
    const on = () => setMatches(m.matches);
    on();
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, [query]);
  return matches;
}

/** A row's height from its length: readable when short, not endless when long (a lunch break). */
function rowHeight(minutes: number): string {
  return `minmax(${Math.round(Math.min(Math.max(minutes * 1.6, 34), 200))}px, auto)`;
}

/** The state's badge, for states worth a word. */
export function StateBadge({ state }: { state: string }) {
  const { t } = useI18n();
  switch (state) {
    case 'live':
      return <span class="badge live-badge">{t('common.live')}</span>;
    case 'cancelled':
      return <span class="badge state-badge cancelled">{t('talk.state.cancelled')}</span>;
    case 'replay':
      return <span class="badge state-badge replay">{t('talk.state.replay')}</span>;
    default:
      return null;
  }
}

function speakers(talk: TalkInfo): string {
  return talk.speakers.map((s) => s.name).join(', ');
}

/** A talk in the schedule: time, title (its page), speakers and state. */
function TalkCell({ talk, timeZone, showRoom, style }: { talk: TalkInfo; timeZone: string; showRoom: boolean; style?: Record<string, string> }) {
  const { lang } = useI18n();
  const cancelled = talk.state === 'cancelled';
  return (
    <div class={`talk-cell state-${talk.state}`} style={style} data-testid="schedule-talk" data-talk-id={talk.talkId} data-state={talk.state} role="listitem">
      <p class="talk-cell-time">
        <time dateTime={talk.schedStart}>{timeOfDay(talk.schedStart, timeZone, lang)}</time>–<time dateTime={talk.schedEnd}>{timeOfDay(talk.schedEnd, timeZone, lang)}</time>
        <span class={showRoom ? 'talk-cell-room' : 'sr-only'}> · {talk.roomName}</span>
      </p>
      <Link href={`/talk/${talk.talkId}`} class="talk-cell-title" data-testid="schedule-talk-link">
        {cancelled ? <s>{talk.title}</s> : talk.title}
      </Link>
      {talk.speakers.length > 0 && <p class="talk-cell-speakers">{speakers(talk)}</p>}
      <StateBadge state={talk.state} />
    </div>
  );
}

interface Props {
  talks: TalkInfo[];
  rooms: { roomId: string; name: string }[];
  timeZone: string;
  /** The clock, when the day shown is today (for the line), else null. */
  now: number | null;
}

export function ScheduleGrid(props: Props) {
  const phone = useMedia(PHONE_QUERY);
  const { t } = useI18n();
  if (!props.talks.length) return <p class="empty" data-testid="schedule-empty">{t('conf.dayEmpty')}</p>;
  return phone ? <ScheduleList {...props} /> : <Grid {...props} t={t} />;
}

function Grid({ talks, rooms, timeZone, now, t }: Props & { t: T }) {
  const { lang } = useI18n();
  const grid = dayGrid(talks, rooms.map((r) => r.roomId), now);
  const line = now === null ? null : nowInGrid(grid.times, now);
  const template = {
    gridTemplateColumns: `4.5rem repeat(${rooms.length}, minmax(11rem, 1fr))`,
    gridTemplateRows: ['auto', ...grid.minutes.map(rowHeight)].join(' '),
  };
  // In reading order (by start, then room), whatever the columns look like.
  const placed = [...grid.placed].sort((a, b) => a.rowStart - b.rowStart || a.column - b.column);
  return (
    <div class="schedule-scroll" data-testid="schedule-grid">
      <div class="schedule-grid" style={template} role="list" aria-label={t('conf.schedule')}>
        <div class="grid-corner" aria-hidden="true" />
        {rooms.map((r, i) => (
          <div key={r.roomId} class="grid-room" style={{ gridColumn: String(i + 2), gridRow: '1' }} aria-hidden="true" data-testid="schedule-room">
            {r.name}
          </div>
        ))}
        {grid.times.slice(0, -1).map((ms, i) => (
          <div key={ms} class="grid-time" style={{ gridColumn: '1', gridRow: String(i + 2) }} aria-hidden="true">
            {timeOfDay(ms, timeZone, lang)}
          </div>
        ))}
        {placed.map((p) => (
          <TalkCell
            key={p.talk.talkId}
            talk={p.talk}
            timeZone={timeZone}
            showRoom={false}
            style={{ gridColumn: String(p.column + 2), gridRow: `${p.rowStart + 1} / ${p.rowEnd + 1}` }}
          />
        ))}
        {line && (
          <div class="now-row" style={{ gridColumn: '1 / -1', gridRow: String(line.row + 2) }} aria-hidden="true">
            <div class="now-line" data-testid="now-line" style={{ top: `${(line.fraction * 100).toFixed(2)}%` }}>
              <span>{timeOfDay(now!, timeZone, lang)}</span>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

function ScheduleList({ talks, timeZone, now }: Props) {
  const { lang, t } = useI18n();
  const groups = byStart(talks);
  // The line goes before the first slot that has not begun.
  const nextIndex = now === null ? -1 : groups.findIndex((g) => g.start > now);
  const marker =
    now === null ? null : (
      <li key="now" class="now-marker" data-testid="now-line">
        <span>{t('conf.nowAt', { t: timeOfDay(now, timeZone, lang) })}</span>
      </li>
    );
  return (
    <ol class="schedule-list" data-testid="schedule-list">
      {groups.map((g, i) => [
        i === nextIndex ? marker : null,
        <li key={g.start} class="slot">
          <h3 class="slot-time">
            <time dateTime={new Date(g.start).toISOString()}>{timeOfDay(g.start, timeZone, lang)}</time>
          </h3>
          <div role="list">
            {g.talks.map((talk) => (
              <TalkCell key={talk.talkId} talk={talk} timeZone={timeZone} showRoom />
            ))}
          </div>
        </li>,
      ])}
      {nextIndex === -1 && now !== null && now >= groups[0].start ? marker : null}
    </ol>
  );
}
