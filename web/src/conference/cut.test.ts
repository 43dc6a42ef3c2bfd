import { describe, expect, it } from 'vitest';
import { cutFields, cutPoints } from './cut';

// A talk in Seoul that ran 10:30:00 to 11:00:00 (01:30-02:00 UTC).
const base = { startMs: Date.parse('2026-12-04T01:30:00Z'), endMs: Date.parse('2026-12-04T02:00:00Z'), timeZone: 'Asia/Seoul' };
const iso = (r: ReturnType<typeof cutPoints>) => ('error' in r ? r : { in: new Date(r.inMs).toISOString(), out: new Date(r.outMs).toISOString() });

describe('replay cuts', () => {
  it.each([
    ['times of day on the venue clock', 'clock', '10:31:15', '10:58', { in: '2026-12-04T01:31:15.000Z', out: '2026-12-04T01:58:00.000Z' }],
    ['offsets from the actual start and end', 'offset', '75', '-120', { in: '2026-12-04T01:31:15.000Z', out: '2026-12-04T01:58:00.000Z' }],
    ['an offset before the start', 'offset', '-30', '+0', { in: '2026-12-04T01:29:30.000Z', out: '2026-12-04T02:00:00.000Z' }],
    ['an unreadable in point', 'clock', 'ten thirty', '11:00', { error: 'in' }],
    ['an unreadable out point', 'offset', '0', '1m', { error: 'out' }],
    ['out before in', 'offset', '0', '-1900', { error: 'order' }],
  ] as const)('%s', (_name, mode, a, b, want) => expect(iso(cutPoints(mode, a, b, base))).toEqual(want));

  it('takes an out point past midnight as the next day', () => {
    const late = { startMs: Date.parse('2026-12-04T14:30:00Z'), endMs: Date.parse('2026-12-04T14:59:00Z'), timeZone: 'Asia/Seoul' };
    expect(iso(cutPoints('clock', '23:30', '00:10', late))).toEqual({ in: '2026-12-04T14:30:00.000Z', out: '2026-12-04T15:10:00.000Z' });
  });

  it('fills the fields from a cut', () => {
    expect(cutFields('clock', base.startMs + 5000, base.endMs, base)).toEqual({ inText: '10:30:05', outText: '11:00:00' });
    expect(cutFields('offset', base.startMs + 5000, base.endMs - 2500, base)).toEqual({ inText: '5', outText: '-2.5' });
  });
});
