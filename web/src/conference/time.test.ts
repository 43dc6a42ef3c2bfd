import { describe, expect, it } from 'vitest';
import { countdown, dateRange, dayLabel, localDate, scheduleDay, timeOfDay, zoneOffset, zonedToMs, clockField } from './time';

describe('conference time', () => {
  it.each([
    ['Seoul, no DST', '2026-12-04T01:30:00Z', 'Asia/Seoul', 9 * 3600e3],
    ['Brussels in winter', '2026-02-01T12:00:00Z', 'Europe/Brussels', 3600e3],
    ['Brussels in summer', '2026-07-01T12:00:00Z', 'Europe/Brussels', 7200e3],
    ['New York', '2026-01-15T12:00:00Z', 'America/New_York', -5 * 3600e3],
  ])('offset: %s', (_name, iso, zone, offset) => expect(zoneOffset(Date.parse(iso), zone)).toBe(offset));

  it.each([
    ['the local date', '2026-12-04T20:00:00Z', 'Asia/Seoul', '04:00', '2026-12-05'],
    ['after midnight, before the day change: the day before', '2026-12-04T17:30:00Z', 'Asia/Seoul', '04:00', '2026-12-04'],
    ['at the day change: the new day', '2026-12-04T19:00:00Z', 'Asia/Seoul', '04:00', '2026-12-05'],
    ['day change at midnight', '2026-12-04T15:30:00Z', 'Asia/Seoul', '00:00', '2026-12-05'],
  ])('schedule day: %s', (_name, iso, zone, change, day) => expect(scheduleDay(Date.parse(iso), zone, change)).toBe(day));

  it.each([
    ['Seoul', '2026-12-04', '10:30', 'Asia/Seoul', '2026-12-04T01:30:00.000Z'],
    ['with seconds', '2026-12-04', '10:30:15', 'Asia/Seoul', '2026-12-04T01:30:15.000Z'],
    ['Brussels, the day DST begins', '2026-03-29', '12:00', 'Europe/Brussels', '2026-03-29T10:00:00.000Z'],
    ['Brussels, the night before it', '2026-03-29', '01:00', 'Europe/Brussels', '2026-03-29T00:00:00.000Z'],
  ])('wall clock to an instant: %s', (_name, date, time, zone, iso) =>
    expect(new Date(zonedToMs(date, time, zone)!).toISOString()).toBe(iso));

  it('refuses a time that is not one', () => {
    expect(zonedToMs('2026-12-04', '25:00', 'UTC')).toBeNull();
    expect(zonedToMs('04.12.2026', '10:00', 'UTC')).toBeNull();
    expect(zonedToMs('2026-12-04', 'noon', 'UTC')).toBeNull();
  });

  it('formats in the conference zone', () => {
    expect(timeOfDay('2026-12-04T01:30:00Z', 'Asia/Seoul', 'en')).toBe('10:30');
    expect(timeOfDay('2026-12-04T01:30:00Z', 'Europe/Brussels', 'en')).toBe('02:30');
    expect(clockField(Date.parse('2026-12-04T01:30:05Z'), 'Asia/Seoul')).toBe('10:30:05');
    expect(localDate(Date.parse('2026-12-04T20:00:00Z'), 'Asia/Seoul')).toBe('2026-12-05');
    expect(dayLabel('2026-12-04', 'en')).toBe('Fri, Dec 4');
    expect(dateRange('2026-12-04', '2026-12-06', 'en').replace(/\s/g, ' ')).toBe('Dec 4 – 6, 2026');
    expect(dateRange('2026-12-04', '2026-12-04', 'en')).toBe('Dec 4, 2026');
  });

  it('counts down in whole seconds, never below zero', () => {
    expect(countdown(90_500, 0)).toEqual({ days: 0, hours: 0, minutes: 1, seconds: 31, total: 91 });
    expect(countdown(2 * 86400e3 + 3600e3, 0)).toMatchObject({ days: 2, hours: 1, minutes: 0, seconds: 0 });
    expect(countdown(0, 5000).total).toBe(0);
  });
});
