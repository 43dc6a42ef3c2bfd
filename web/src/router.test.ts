import { describe, expect, it } from 'vitest';
import { parseRoute, talkParam } from './router';

describe('parseRoute', () => {
  it.each([
    ['/', { page: 'home' }],
    ['/host', { page: 'host' }],
    ['/host/', { page: 'host' }],
    ['/live/abc123', { page: 'live', id: 'abc123' }],
    ['/replay/v-1_2', { page: 'replay', id: 'v-1_2' }],
    ['/live/', { page: 'notFound' }],
    ['/live/a/b', { page: 'notFound' }],
    ['/live/%3Cscript%3E', { page: 'notFound' }],
    ['/nothing', { page: 'notFound' }],
    ['/c/rustconf-2026', { page: 'conference', slug: 'rustconf-2026' }],
    ['/c/fosdem/', { page: 'conference', slug: 'fosdem' }],
    ['/c/RustConf', { page: 'notFound' }],
    ['/c/x', { page: 'notFound' }],
    ['/c/-dash', { page: 'notFound' }],
    ['/c/a/b', { page: 'notFound' }],
    ['/talk/42', { page: 'talk', id: 42 }],
    ['/talk/0', { page: 'notFound' }],
    ['/talk/4a', { page: 'notFound' }],
    ['/talk/1234567890123456', { page: 'notFound' }],
    ['/organize', { page: 'organize' }],
    ['/organize/', { page: 'organize' }],
    ['/organize/rustconf', { page: 'organizeConference', slug: 'rustconf' }],
    ['/organize/Bad_Slug', { page: 'notFound' }],
    ['/moderate/abc123', { page: 'moderate', id: 'abc123' }],
    ['/speaker/abc123/', { page: 'speaker', id: 'abc123' }],
    ['/projector/abc123', { page: 'projector', id: 'abc123' }],
    ['/projector/', { page: 'notFound' }],
    ['/invite', { page: 'invite' }],
    ['/invite/x', { page: 'notFound' }],
  ])('%s', (path, route) => expect(parseRoute(path)).toEqual(route));
});

describe('talkParam', () => {
  it.each([
    ['?talk=42', 42],
    ['?talk=0', undefined],
    ['?talk=4a', undefined],
    ['', undefined],
    ['?x=1&talk=7', 7],
  ])('%s', (search, talk) => expect(talkParam(search)).toBe(talk));
});
