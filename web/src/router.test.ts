import { describe, expect, it } from 'vitest';
import { parseRoute } from './router';

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
  ])('%s', (path, route) => expect(parseRoute(path)).toEqual(route));
});
