import { describe, expect, it } from 'vitest';
import type { TalkInfo } from '../api';
import { byStart, dayGrid, firstDay, matchesTalk, nowInGrid, plainText, talksOfDay } from './schedule';

function talk(id: number, roomId: string, start: string, end: string, more: Partial<TalkInfo> = {}): TalkInfo {
  return {
    talkId: id, key: `k${id}`, conference: 'c', roomId, roomName: roomId.toUpperCase(), title: `Talk ${id}`, subtitle: '',
    abstract: '', description: '', track: '', type: '', language: '', url: '', doNotRecord: false, day: '2026-12-04',
    schedStart: `2026-12-04T${start}:00Z`, schedEnd: `2026-12-04T${end}:00Z`, speakers: [], links: [], state: 'scheduled',
    questionsOpen: false, ...more,
  };
}

describe('the schedule grid', () => {
  it('puts rooms in columns and splits rows where talks start or end', () => {
    const g = dayGrid([talk(1, 'a', '01:00', '02:00'), talk(2, 'b', '01:30', '02:00'), talk(3, 'a', '02:00', '02:05')], ['a', 'b']);
    expect(g.times.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['01:00', '01:30', '02:00', '02:05']);
    expect(g.placed.map((p) => [p.talk.talkId, p.column, p.rowStart, p.rowEnd])).toEqual([[1, 0, 1, 3], [2, 1, 2, 3], [3, 0, 3, 4]]);
    expect(g.minutes).toEqual([30, 30, 5]);
  });

  it('reaches to the quarter hour around the clock before the day begins and after it ends', () => {
    const day = [talk(1, 'a', '01:00', '02:00')];
    const at = (hhmm: string) => Date.parse(`2026-12-04T${hhmm}:00Z`);
    const hours = (g: { times: number[] }) => g.times.map((t) => new Date(t).toISOString().slice(11, 16));
    expect(hours(dayGrid(day, ['a'], at('00:20')))).toEqual(['00:15', '01:00', '02:00']);
    expect(dayGrid(day, ['a'], at('00:20')).placed[0]).toMatchObject({ rowStart: 2, rowEnd: 3 });
    expect(hours(dayGrid(day, ['a'], at('02:00')))).toEqual(['01:00', '02:00', '02:15']);
    expect(hours(dayGrid(day, ['a'], at('01:30')))).toEqual(['01:00', '02:00']);
    expect(hours(dayGrid(day, ['a'], null))).toEqual(['01:00', '02:00']);
  });

  it('leaves out talks of rooms it does not show', () => {
    expect(dayGrid([talk(1, 'gone', '01:00', '02:00')], ['a']).placed).toEqual([]);
  });

  it('finds the current time in its row', () => {
    const times = [0, 100, 300];
    expect(nowInGrid(times, 50)).toEqual({ row: 0, fraction: 0.5 });
    expect(nowInGrid(times, 150)).toEqual({ row: 1, fraction: 0.25 });
    expect(nowInGrid(times, 300)).toBeNull();
    expect(nowInGrid(times, -1)).toBeNull();
  });

  it('groups the phone list by start', () => {
    const groups = byStart([talk(2, 'b', '02:00', '03:00'), talk(1, 'a', '01:00', '02:00'), talk(3, 'a', '02:00', '02:30')]);
    expect(groups.map((g) => g.talks.map((t) => t.talkId))).toEqual([[1], [2, 3]]);
  });

  it('takes a day by the server’s day, and by its start where there is none', () => {
    const late = talk(1, 'a', '17:30', '18:00', { day: '' });
    expect(talksOfDay([late], '2026-12-04', 'Asia/Seoul', '04:00')).toEqual([late]);
    expect(talksOfDay([talk(2, 'a', '01:00', '02:00', { day: '2026-12-05' })], '2026-12-04', 'UTC', '04:00')).toEqual([]);
  });

  it('opens today while the conference runs, else its first day', () => {
    expect(firstDay(['2026-12-04', '2026-12-05'], '2026-12-05')).toBe('2026-12-05');
    expect(firstDay(['2026-12-04', '2026-12-05'], '2027-01-01')).toBe('2026-12-04');
    expect(firstDay([], '2027-01-01')).toBeNull();
  });
});

describe('schedule text', () => {
  it.each([
    ['tags dropped', '<p>Hello <b>world</b></p><p>Again</p>', 'Hello world\nAgain'],
    ['script and style dropped with their content', 'a<script>alert(1)</script><style>p{}</style>b', 'ab'],
    ['an image tag leaves nothing', '<img src=x onerror=alert(1)>text', 'text'],
    ['entities decoded once', '&lt;b&gt; &amp;amp; &#39;q&#x27; &nbsp;', "<b> &amp; 'q'"],
    ['lists', '<ul><li>one</li><li>two</li></ul>', '• one\n• two'],
    ['markdown left as written', '**bold** and `code`', '**bold** and `code`'],
    ['an unknown entity left as is', '&bogus; &#0;', '&bogus; &#0;'],
  ])('%s', (_name, html, text) => expect(plainText(html)).toBe(text));

  it('searches titles, abstracts and speakers, every word, any case and width', () => {
    const t = talk(1, 'a', '01:00', '02:00', { title: 'Async Rust', abstract: '<p>Tokio <em>internals</em></p>', speakers: [{ name: 'Ada Lovelace', biography: '', avatar: '' }] });
    expect(matchesTalk(t, 'rust')).toBe(true);
    expect(matchesTalk(t, 'ＲＵＳＴ tokio')).toBe(true);
    expect(matchesTalk(t, 'lovelace internals')).toBe(true);
    expect(matchesTalk(t, 'em')).toBe(false);
    expect(matchesTalk(t, 'python')).toBe(false);
    expect(matchesTalk(t, '  ')).toBe(true);
  });
});
