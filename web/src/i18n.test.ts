import { describe, expect, it } from 'vitest';
import { dictionaries, initialLang, translate } from './i18n';

describe('i18n', () => {
  it('has every English string in Korean', () => {
    expect(Object.keys(dictionaries.ko).sort()).toEqual(Object.keys(dictionaries.en).sort());
    for (const [k, v] of Object.entries(dictionaries.ko)) expect(v, k).not.toBe('');
  });
  it('starts from the saved choice, else the browser’s first known language', () => {
    expect(initialLang('en', ['ko-KR'])).toBe('en');
    expect(initialLang(null, ['ko-KR', 'en-US'])).toBe('ko');
    expect(initialLang(null, ['fr-FR', 'en-GB', 'ko'])).toBe('en');
    expect(initialLang('xx', ['fr'])).toBe('en');
  });
  it('fills placeholders and picks the singular for one', () => {
    expect(translate('en', 'common.views', { n: 1 })).toBe('1 view');
    expect(translate('en', 'common.views', { n: '1,234' })).toBe('1,234 views');
    expect(translate('ko', 'common.viewers', { n: 3 })).toBe('3명 시청 중');
    expect(translate('en', 'home.results', { q: '<b>' })).toBe('Results for “<b>”');
  });
});
