import { describe, expect, it } from 'vitest';
import { validTag, validateSettings } from './settings';

describe('validTag follows the API', () => {
  it.each(['C++', 'node.js', 'C#', 'rust', '한국어', 'web-rtc', 'a_b', '123456789012345'])('accepts %s', (t) => expect(validTag(t)).toBe(true));
  it.each(['', 'two words', 'emoji🎉', 'semi;colon', '1234567890123456', '<b>'])('refuses %s', (t) => expect(validTag(t)).toBe(false));
});

describe('validateSettings', () => {
  const ok = { liveTitle: 't', hostName: 'h', category: '', tags: [], notice: '' };
  it('accepts a minimal form', () => expect(validateSettings(ok)).toEqual({}));
  it('names each bad field', () => {
    const e = validateSettings({ liveTitle: ' ', hostName: 'x'.repeat(101), category: 'c'.repeat(51), tags: ['a b'], notice: 'n'.repeat(501) });
    expect(Object.keys(e).sort()).toEqual(['category', 'hostName', 'liveTitle', 'notice', 'tags']);
  });
  it('allows ten tags, not eleven', () => {
    const tags = Array.from({ length: 11 }, (_, i) => `t${i}`);
    expect(validateSettings({ ...ok, tags: tags.slice(0, 10) })).toEqual({});
    expect(validateSettings({ ...ok, tags }).tags?.key).toBe('valid.tooManyTags');
  });
});
