// Numbers, times and dates as the interface shows them. Pure functions of their inputs
// (the clock is a parameter), so they are tested without a browser.

import type { Lang } from './i18n';

const locale = (lang: Lang) => (lang === 'ko' ? 'ko-KR' : 'en-US');

/** Seconds as `m:ss` or `h:mm:ss`. */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(totalSeconds) ? totalSeconds : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A count, compact once large (1.2K, 1.2천). */
export function count(n: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { notation: n >= 10000 ? 'compact' : 'standard', maximumFractionDigits: 1 }).format(n);
}

/** How long ago `thenMs` was, relative to `nowMs`: "3 minutes ago", "방금". */
export function ago(thenMs: number, nowMs: number, lang: Lang): string {
  const seconds = Math.round((thenMs - nowMs) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale(lang), { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(seconds / 86400), 'day');
  if (abs < 86400 * 365) return rtf.format(Math.round(seconds / (86400 * 30)), 'month');
  return rtf.format(Math.round(seconds / (86400 * 365)), 'year');
}

/** A calendar date with time, in the interface's language. */
export function date(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** Characters as a person counts them (code points, as the server's 150-character limit). */
export function charCount(text: string): number {
  return [...text.trim()].length;
}

/** `text` cut to at most `max` code points. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max).join('') : text;
}
