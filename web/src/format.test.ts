import { describe, expect, it } from 'vitest';
import { ago, charCount, clip, clock, count, date } from './format';

describe('clock', () => {
  it.each([
    [0, '0:00'],
    [5.9, '0:05'],
    [65, '1:05'],
    [3600, '1:00:00'],
    [3725, '1:02:05'],
    [-3, '0:00'],
    [Number.NaN, '0:00'],
  ])('%s s is %s', (s, text) => expect(clock(s)).toBe(text));
});

describe('ago', () => {
  const now = Date.UTC(2024, 0, 1, 12);
  it('says now for the last seconds', () => {
    expect(ago(now - 10_000, now, 'en')).toBe('now');
    expect(ago(now - 10_000, now, 'ko')).toBe('지금');
  });
  it('counts minutes, hours and days', () => {
    expect(ago(now - 5 * 60_000, now, 'en')).toBe('5 minutes ago');
    expect(ago(now - 2 * 3600_000, now, 'en')).toBe('2 hours ago');
    expect(ago(now - 3 * 86400_000, now, 'en')).toBe('3 days ago');
    expect(ago(now - 5 * 60_000, now, 'ko')).toBe('5분 전');
  });
});

describe('count', () => {
  it('is plain below ten thousand and compact above', () => {
    expect(count(0, 'en')).toBe('0');
    expect(count(1234, 'en')).toBe('1,234');
    expect(count(12_345, 'en')).toBe('12.3K');
    expect(count(12_345, 'ko')).toBe('1.2만');
  });
});

describe('date', () => {
  it('is empty for missing or bad dates', () => {
    expect(date(null, 'en')).toBe('');
    expect(date('nonsense', 'en')).toBe('');
  });
  it('formats a real date', () => {
    expect(date('2024-03-05T10:00:00.000Z', 'en')).toMatch(/2024/);
  });
});

describe('characters', () => {
  it('counts code points, not UTF-16 units, after trimming', () => {
    expect(charCount('  안녕하세요 ')).toBe(5);
    expect(charCount('😀😀')).toBe(2);
  });
  it('clips by code points', () => {
    expect(clip('😀😀😀', 2)).toBe('😀😀');
    expect(clip('abc', 5)).toBe('abc');
  });
});
