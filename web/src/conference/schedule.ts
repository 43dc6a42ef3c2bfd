// A conference day as the schedule grid draws it, the day to open first, and the search
// over talks. Pure: talks and the clock in, layout out, so a table of cases tests it.

import type { TalkInfo } from '../api';
import { scheduleDay } from './time';

/** The day to show first: today while the conference runs, else its first day. */
export function firstDay(days: string[], today: string): string | null {
  if (days.includes(today)) return today;
  return days[0] ?? null;
}

/** One talk placed in the grid: its column, and the grid lines it spans (1-based, after the head row). */
export interface Placed {
  talk: TalkInfo;
  column: number;
  rowStart: number;
  rowEnd: number;
}

export interface DayGrid {
  /** The instants where some talk starts or ends, in order: row `i` runs from `times[i]` to `times[i + 1]`. */
  times: number[];
  placed: Placed[];
  /** Each row's length in minutes, for its height. */
  minutes: number[];
}

const QUARTER_MS = 15 * 60_000;

/**
 * Lays out one day: a column per room (in the conference's order), a row between each two
 * instants at which something starts or ends. Rows follow the schedule's own breaks, so
 * a five-minute lightning talk and a two-hour workshop side by side both stay readable,
 * and nothing overlaps. Given the clock (the day is today), a day not yet begun or
 * already over gets a row reaching to the quarter hour around it, for the time's line.
 */
export function dayGrid(talks: TalkInfo[], roomIds: string[], nowMs?: number | null): DayGrid {
  const column = new Map(roomIds.map((id, i) => [id, i]));
  const shown = talks.filter((t) => column.has(t.roomId));
  const set = new Set<number>();
  for (const t of shown) {
    set.add(Date.parse(t.schedStart));
    set.add(Date.parse(t.schedEnd));
  }
  const times = [...set].filter(Number.isFinite).sort((a, b) => a - b);
  if (nowMs != null && times.length) {
    if (nowMs < times[0]) times.unshift(Math.floor(nowMs / QUARTER_MS) * QUARTER_MS);
    else if (nowMs >= times[times.length - 1]) times.push((Math.floor(nowMs / QUARTER_MS) + 1) * QUARTER_MS);
  }
  const index = new Map(times.map((ms, i) => [ms, i]));
  const placed = shown
    .map((talk) => ({
      talk,
      column: column.get(talk.roomId)!,
      rowStart: index.get(Date.parse(talk.schedStart))! + 1,
      rowEnd: index.get(Date.parse(talk.schedEnd))! + 1,
    }))
    .filter((p) => p.rowEnd > p.rowStart);
  const minutes = times.slice(1).map((ms, i) => (ms - times[i]) / 60_000);
  return { times, placed, minutes };
}

/** Where `nowMs` falls in the grid: the row and how far into it (0-1), or null outside the day. */
export function nowInGrid(times: number[], nowMs: number): { row: number; fraction: number } | null {
  for (let i = 0; i + 1 < times.length; i++) {
    if (nowMs >= times[i] && nowMs < times[i + 1]) {
      return { row: i, fraction: (nowMs - times[i]) / (times[i + 1] - times[i]) };
    }
  }
  return null;
}

/** The talks by start, grouped by the instant they start (the phone's list). */
export function byStart(talks: TalkInfo[]): { start: number; talks: TalkInfo[] }[] {
  const groups = new Map<number, TalkInfo[]>();
  for (const t of [...talks].sort((a, b) => Date.parse(a.schedStart) - Date.parse(b.schedStart))) {
    const start = Date.parse(t.schedStart);
    groups.set(start, [...(groups.get(start) ?? []), t]);
  }
  return [...groups].map(([start, talks]) => ({ start, talks }));
}

/** The talks of one schedule day: the server's `day`, else the day their start falls in. */
export function talksOfDay(talks: TalkInfo[], day: string, timeZone: string, dayChange: string): TalkInfo[] {
  return talks.filter((t) => (t.day || scheduleDay(Date.parse(t.schedStart), timeZone, dayChange)) === day);
}

/**
 * A schedule's text as plain text. Schedules come from third parties and hold HTML (frab,
 * pretalx) or Markdown: shown as HTML they could run script or load trackers, shown raw
 * they are full of tags. So tags are dropped (block ends become line breaks), the
 * entities a text needs are decoded, and the result is rendered as text, never as markup.
 */
export function plainText(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6]|blockquote|pre|tr)\s*>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '• ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      const n = name.toLowerCase();
      if (n.startsWith('#x')) return safeChar(parseInt(n.slice(2), 16)) ?? whole;
      if (n.startsWith('#')) return safeChar(parseInt(n.slice(1), 10)) ?? whole;
      return ENTITIES[n] ?? whole;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…' };

function safeChar(code: number): string | undefined {
  return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/** The folded text a search compares: lower case, compatibility forms (full-width letters) unified. */
function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/** Whether every word of `query` is in the talk's title, subtitle, abstract, speakers or track. */
export function matchesTalk(talk: TalkInfo, query: string): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const text = fold(
    [talk.title, talk.subtitle, plainText(talk.abstract), talk.track, talk.roomName, ...talk.speakers.map((s) => s.name)].join('\n'),
  );
  return words.every((w) => text.includes(w));
}
