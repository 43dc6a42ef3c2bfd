// A conference's clock: its times are shown in its own zone (a viewer abroad plans by
// the venue's clock), with the viewer's own beside them where it differs. Pure functions
// of their inputs, on Intl's zone data, so they are tested without a browser.

import type { Lang } from '../i18n';

const locale = (lang: Lang) => (lang === 'ko' ? 'ko-KR' : 'en-US');

/** Formatters are costly to make and a schedule formats hundreds of times. */
const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(loc: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${loc}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(loc, options)));
  return f;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock in `timeZone` at `ms`. */
function wallClock(ms: number, timeZone: string): Fields {
  const f = formatter('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year, month: out.month, day: out.day, hour: out.hour % 24, minute: out.minute, second: out.second };
}

/** How far `timeZone` is ahead of UTC at `ms`, in ms. */
export function zoneOffset(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The date `YYYY-MM-DD` in `timeZone` at `ms`. */
export function localDate(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** Minutes of `HH:MM` (the conference's day change), or 0 when unreadable. */
export function minutesOf(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

/**
 * The schedule day that `ms` falls in: the local date, less one before the day change
 * (at 01:00 the party of the day before is still on, as frab files count it).
 */
export function scheduleDay(ms: number, timeZone: string, dayChange: string): string {
  return localDate(ms - minutesOf(dayChange) * 60_000, timeZone);
}

/** The instant at which the wall clock in `timeZone` reads `date` `time` (`HH:MM[:SS]`). */
export function zonedToMs(date: string, time: string, timeZone: string): number | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time.trim());
  if (!d || !t) return null;
  const [h, m, s] = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
  if (h > 23 || m > 59 || s > 59) return null;
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), h, m, s);
  // Twice: the offset at the guess may differ from the offset at the answer (a DST change).
  const first = wall - zoneOffset(wall, timeZone);
  return wall - zoneOffset(first, timeZone);
}

/** `HH:MM` (or `HH:MM:SS`) in `timeZone`, as the interface's language writes it. */
export function timeOfDay(iso: string | number, timeZone: string, lang: Lang, seconds = false): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  return formatter(locale(lang), {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(new Date(ms));
}

/** `HH:MM:SS` in `timeZone` for a time field, whatever the language. */
export function clockField(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** The zone's short name at `ms` ("GMT+9", "CET"), for a label after a time. */
export function zoneLabel(ms: number, timeZone: string, lang: Lang): string {
  const parts = formatter(locale(lang), { timeZone, timeZoneName: 'short' }).formatToParts(new Date(ms));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** A schedule day (`YYYY-MM-DD`) as a tab says it: "Fri, Dec 4" / "12월 4일 (금)". */
export function dayLabel(day: string, lang: Lang): string {
  const ms = Date.parse(`${day}T12:00:00Z`);
  if (!Number.isFinite(ms)) return day;
  return formatter(locale(lang), { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }).format(new Date(ms));
}

/** A conference's dates, `start` to `end` (`YYYY-MM-DD`), as one range. */
export function dateRange(start: string, end: string, lang: Lang): string {
  const a = Date.parse(`${start}T12:00:00Z`);
  const b = Date.parse(`${end}T12:00:00Z`);
  if (!Number.isFinite(a)) return start;
  const f = formatter(locale(lang), { timeZone: 'UTC', dateStyle: 'medium' });
  if (!Number.isFinite(b) || b <= a) return f.format(new Date(a));
  return f.formatRange(new Date(a), new Date(b));
}

/** Whether the viewer's clock reads differently from `timeZone`'s at `ms`. */
export function differentZone(ms: number, timeZone: string, viewerZone: string): boolean {
  return zoneOffset(ms, timeZone) !== zoneOffset(ms, viewerZone);
}

/** The viewer's own zone. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whole seconds from `nowMs` until `targetMs`, split for a countdown (never negative). */
export function countdown(targetMs: number, nowMs: number): { days: number; hours: number; minutes: number; seconds: number; total: number } {
  const total = Math.max(0, Math.ceil((targetMs - nowMs) / 1000));
  return {
    days: Math.floor(total / 86400),
    hours: Math.floor((total % 86400) / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
    total,
  };
}
