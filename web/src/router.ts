// Client-side routes on the History API. liboo answers every unknown GET path with
// index.html, so a reload or a shared link lands on the right page.

import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'home' }
  | { page: 'live'; id: string }
  | { page: 'replay'; id: string }
  | { page: 'host' }
  | { page: 'conference'; slug: string }
  | { page: 'talk'; id: number }
  | { page: 'organize' }
  | { page: 'organizeConference'; slug: string }
  | { page: 'moderate'; id: string }
  | { page: 'speaker'; id: string }
  | { page: 'projector'; id: string }
  | { page: 'invite' }
  | { page: 'notFound' };

const ID = '([A-Za-z0-9_-]{1,128})';
/** A conference's URL name, as the server allows it. */
const SLUG = '([a-z0-9][a-z0-9-]{1,63})';
/** A talk id: a positive integer that fits a double exactly. */
const TALK = '([1-9][0-9]{0,14})';

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'home' };
  if (path === '/host') return { page: 'host' };
  if (path === '/organize') return { page: 'organize' };
  if (path === '/invite') return { page: 'invite' };
  let m = new RegExp(`^/live/${ID}$`).exec(path);
  if (m) return { page: 'live', id: m[1] };
  m = new RegExp(`^/replay/${ID}$`).exec(path);
  if (m) return { page: 'replay', id: m[1] };
  m = new RegExp(`^/c/${SLUG}$`).exec(path);
  if (m) return { page: 'conference', slug: m[1] };
  m = new RegExp(`^/talk/${TALK}$`).exec(path);
  if (m) return { page: 'talk', id: Number(m[1]) };
  m = new RegExp(`^/organize/${SLUG}$`).exec(path);
  if (m) return { page: 'organizeConference', slug: m[1] };
  m = new RegExp(`^/(moderate|speaker|projector)/${ID}$`).exec(path);
  if (m) return { page: m[1] as 'moderate' | 'speaker' | 'projector', id: m[2] };
  return { page: 'notFound' };
}

/** The `?talk=` of a Q&A view's URL: the conference talk it follows, if any. */
export function talkParam(search: string): number | undefined {
  const v = new URLSearchParams(search).get('talk');
  return v && new RegExp(`^${TALK}$`).test(v) ? Number(v) : undefined;
}

const listeners = new Set<() => void>();

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  window.scrollTo(0, 0);
  for (const l of listeners) l();
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    for (const l of listeners) l();
  });
}

/** The current path; re-renders on navigation. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const l = () => setPath(location.pathname);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return path;
}

/** Follows a same-origin link without reloading, unless the user asked for a new tab. */
export function onLinkClick(e: MouseEvent): void {
  const a = (e.currentTarget as HTMLAnchorElement) ?? null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.target && a.target !== '_self') return;
  const url = new URL(a.href);
  if (url.origin !== location.origin) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
}
