// A talk replay's cut as the organiser types it: the in and out points as times of day on
// the venue's clock, or as seconds from the talk's actual start and end (negative is
// earlier). Either way the server takes Unix ms. Pure, so the arithmetic is tested.

import { clockField, localDate, zonedToMs } from './time';

export type CutMode = 'clock' | 'offset';

/** What a cut is measured from: the talk as it actually ran (its slot where it has no marks). */
export interface CutBase {
  startMs: number;
  endMs: number;
  timeZone: string;
}

export type CutResult = { inMs: number; outMs: number } | { error: 'in' | 'out' | 'order' };

/** The in and out points the fields say. */
export function cutPoints(mode: CutMode, inText: string, outText: string, base: CutBase): CutResult {
  const inMs = point(mode, inText, base.startMs, base.timeZone);
  if (inMs === null) return { error: 'in' };
  let outMs = point(mode, outText, base.endMs, base.timeZone);
  if (outMs === null) return { error: 'out' };
  // A time of day past midnight belongs to the next day (a talk running over 00:00).
  if (mode === 'clock' && outMs <= inMs && outMs + 86_400_000 - inMs < 12 * 3600_000) outMs += 86_400_000;
  if (outMs <= inMs) return { error: 'order' };
  return { inMs, outMs };
}

function point(mode: CutMode, text: string, reference: number, timeZone: string): number | null {
  const s = text.trim();
  if (mode === 'offset') {
    if (!/^[+-]?\d+(\.\d+)?$/.test(s)) return null;
    return reference + Math.round(Number(s) * 1000);
  }
  return zonedToMs(localDate(reference, timeZone), s, timeZone);
}

/** The fields' text for a cut at `inMs` and `outMs` (the stored cut, else the talk's own). */
export function cutFields(mode: CutMode, inMs: number, outMs: number, base: CutBase): { inText: string; outText: string } {
  if (mode === 'clock') return { inText: clockField(inMs, base.timeZone), outText: clockField(outMs, base.timeZone) };
  const seconds = (ms: number) => String(Math.round(ms / 100) / 10);
  return { inText: seconds(inMs - base.startMs), outText: seconds(outMs - base.endMs) };
}
