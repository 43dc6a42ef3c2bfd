// The main page: a hero player over up to four random live broadcasts, the public
// conferences, the grid of live broadcasts (or search results), and the grid of replays.

import { useEffect, useState } from 'preact/hooks';
import { api, type ConferenceView, type LiveInfo, type Page, type ReplayInfo } from '../api';
import { LiveCard, ReplayCard, SkeletonGrid } from '../components/Cards';
import { Link } from '../components/Link';
import { Thumbnail } from '../components/Thumbnail';
import { dateRange } from '../conference/time';
import { count } from '../format';
import { useI18n } from '../i18n';
import { Player } from '../player/Player';
import { useTitle } from './title';

const PAGE = 8;
/** Live lists and counts are refreshed this often while the page is open. */
const REFRESH_MS = 20_000;

interface Paged<T> {
  items: T[];
  visible: number;
  loading: boolean;
  error: boolean;
  hasMore: boolean;
  more(): void;
  less(): void;
  reload(): void;
}

/** A list shown PAGE at a time; "more" shows the next page, fetching ahead of it. */
function usePaged<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  keyOf: (item: T) => string,
  key: string,
  refresh = 0,
): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [visible, setVisible] = useState(PAGE);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(false);
  const [exhausted, setExhausted] = useState(false);
  const [tick, setTick] = useState(0);

  // (Re)load the pages shown so far.
  useEffect(() => {
    let live = true;
    setError(false);
    fetchPage(0, Math.max(visible, PAGE))
      .then((p) => {
        if (!live) return;
        const all = [...p.info, ...(p.appendInfo ?? [])];
        setItems(all);
        setExhausted((p.appendInfo ?? []).length < Math.max(visible, PAGE));
      })
      .catch(() => live && setError(true))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // `visible` is read on purpose only when the key or tick changes.
  }, [key, tick]);

  useEffect(() => {
    setVisible(PAGE);
    setLoading(true);
  }, [key]);

  useEffect(() => {
    if (!refresh) return;
    const id = setInterval(() => setTick((x) => x + 1), refresh);
    return () => clearInterval(id);
  }, [refresh]);

  return {
    items,
    visible,
    loading,
    error,
    hasMore: items.length > visible,
    more() {
      const next = visible + PAGE;
      setVisible(next);
      if (!exhausted && items.length < next + PAGE) {
        fetchPage(items.length, PAGE)
          .then((p) => {
            const add = [...p.info, ...(p.appendInfo ?? [])];
            setItems((old) => {
              const seen = new Set(old.map(keyOf));
              return [...old, ...add.filter((x) => !seen.has(keyOf(x)))];
            });
            if ((p.appendInfo ?? []).length < PAGE) setExhausted(true);
          })
          .catch(() => setError(true));
      }
    },
    less() {
      setVisible(PAGE);
    },
    reload() {
      setLoading(true);
      setTick((x) => x + 1);
    },
  };
}

function MoreLess({ list, id }: { list: Paged<unknown>; id: string }) {
  const { t } = useI18n();
  if (!list.hasMore && list.visible <= PAGE) return null;
  return (
    <div class="more-less">
      {list.hasMore && (
        <button type="button" class="button secondary" onClick={list.more} data-testid={`more-${id}`}>
          {t('home.more')}
        </button>
      )}
      {list.visible > PAGE && (
        <button type="button" class="button secondary" onClick={list.less} data-testid={`less-${id}`}>
          {t('home.less')}
        </button>
      )}
    </div>
  );
}

function Hero() {
  const { lang, t } = useI18n();
  const [lives, setLives] = useState<LiveInfo[] | null>(null);
  const [index, setIndex] = useState(0);
  useEffect(() => {
    api
      .random()
      .then((r) => setLives(r.info))
      .catch(() => setLives([]));
  }, []);
  if (lives === null) return <section class="hero loading" aria-busy="true" aria-label={t('home.hero')} />;
  if (!lives.length) {
    return (
      <section class="hero empty" data-testid="hero-empty">
        <p>{t('home.heroEmpty')}</p>
        <Link href="/host" class="button">
          {t('nav.studio')}
        </Link>
      </section>
    );
  }
  const live = lives[Math.min(index, lives.length - 1)];
  return (
    <section class="hero" aria-label={t('home.hero')} data-testid="hero">
      <div class="hero-stage">
        <Player key={live.liveId} src={live.streamUrl} mode="preview" title={live.liveTitle} testid="hero-player" />
        <div class="hero-info">
          <span class="badge live-badge">{t('common.live')}</span>
          <h2 data-testid="hero-title">{live.liveTitle}</h2>
          <p>
            {live.channel.channelName} · {t('common.viewers', { n: count(live.concurrentUserCount, lang) })}
          </p>
          <Link href={`/live/${live.liveId}`} class="button" data-testid="hero-watch">
            {t('home.watch')}
          </Link>
        </div>
      </div>
      {lives.length > 1 && (
        <ul class="hero-strip">
          {lives.map((l, i) => (
            <li key={l.liveId}>
              <button
                type="button"
                class={i === index ? 'selected' : ''}
                aria-pressed={i === index}
                aria-label={l.liveTitle}
                data-testid="hero-thumb"
                onMouseEnter={() => setIndex(i)}
                onFocus={() => setIndex(i)}
                onClick={() => setIndex(i)}
              >
                <Thumbnail src={l.liveImageUrl ?? l.defaultThumbnailImageUrl} title={l.liveTitle} />
                <span class="strip-title">{l.liveTitle}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Public conferences, those on air first; nothing at all when there are none. */
function Conferences() {
  const { lang, t } = useI18n();
  const [list, setList] = useState<ConferenceView[]>([]);
  useEffect(() => {
    let stop = false;
    const load = () =>
      api
        .conferences()
        .then((r) => !stop && setList(r.info))
        .catch(() => {});
    load();
    const id = setInterval(load, REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, []);
  if (!list.length) return null;
  const onAir = (c: ConferenceView) => c.rooms.filter((r) => r.live).length;
  const sorted = [...list].sort((a, b) => Number(onAir(b) > 0) - Number(onAir(a) > 0));
  return (
    <section aria-labelledby="conferences-heading" data-testid="conferences-section">
      <h2 id="conferences-heading">{t('home.conferences')}</h2>
      <ul class="conference-cards">
        {sorted.map((c) => {
          const live = c.rooms.filter((r) => r.live && r.current?.state === 'live');
          return (
            <li key={c.slug} class="card conference-card" data-testid="conference-card" data-slug={c.slug}>
              <Link href={`/c/${c.slug}`} class="card-link">
                <div class="card-body">
                  <h3 class="card-title">
                    {c.title} {onAir(c) > 0 && <span class="badge live-badge">{t('common.live')}</span>}
                  </h3>
                  <p class="card-meta">
                    {dateRange(c.startDate, c.endDate, lang)} · {t('org.roomCount', { n: c.rooms.length })}
                  </p>
                  {live.slice(0, 2).map((r) => (
                    <p key={r.roomId} class="card-host">
                      {r.name}: {r.current!.title}
                    </p>
                  ))}
                </div>
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function Home() {
  const { t } = useI18n();
  useTitle(null);
  const [input, setInput] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const [query, setQuery] = useState(input.trim());
  useEffect(() => {
    const id = setTimeout(() => setQuery(input.trim().slice(0, 100)), 300);
    return () => clearTimeout(id);
  }, [input]);
  useEffect(() => {
    const url = query ? `/?q=${encodeURIComponent(query)}` : '/';
    history.replaceState(null, '', url);
  }, [query]);

  const lives = usePaged<LiveInfo>(
    (offset, limit) => (query ? api.search(query, offset, limit) : api.latest(offset, limit)),
    (l) => l.liveId,
    `live:${query}`,
    REFRESH_MS,
  );
  const replays = usePaged<ReplayInfo>(
    (offset, limit) => (query ? api.searchReplays(query, offset, limit) : api.replays(offset, limit)),
    (r) => r.videoId,
    `replays:${query}`,
  );
  const shownReplays = replays.items;

  return (
    <div class="home">
      <Hero />
      <form class="search" role="search" onSubmit={(e) => (e.preventDefault(), setQuery(input.trim()))}>
        <label for="search" class="sr-only">
          {t('home.searchLabel')}
        </label>
        <input
          id="search"
          type="search"
          value={input}
          maxLength={100}
          placeholder={t('home.search')}
          data-testid="search-input"
          onInput={(e) => setInput((e.target as HTMLInputElement).value)}
        />
      </form>

      <Conferences />

      <section aria-labelledby="live-heading" data-testid="live-section">
        <h2 id="live-heading">{query ? t('home.results', { q: query }) : t('home.live')}</h2>
        {lives.loading ? (
          <SkeletonGrid />
        ) : lives.error && !lives.items.length ? (
          <p class="empty">
            {t('common.error')}{' '}
            <button type="button" class="button secondary" onClick={lives.reload}>
              {t('common.retry')}
            </button>
          </p>
        ) : !lives.items.length ? (
          <p class="empty" data-testid="live-empty">
            {query ? t('home.noResults', { q: query }) : t('home.liveEmpty')}
          </p>
        ) : (
          <ul class="grid" data-testid="live-grid">
            {lives.items.slice(0, lives.visible).map((l) => (
              <LiveCard key={l.liveId} live={l} />
            ))}
          </ul>
        )}
        <MoreLess list={lives as Paged<unknown>} id="live" />
      </section>

      <section aria-labelledby="replay-heading" data-testid="replay-section">
        <h2 id="replay-heading">{t('home.replays')}</h2>
        {replays.loading ? (
          <SkeletonGrid />
        ) : !shownReplays.length ? (
          <p class="empty" data-testid="replay-empty">
            {t('home.replaysEmpty')}
          </p>
        ) : (
          <ul class="grid" data-testid="replay-grid">
            {shownReplays.slice(0, replays.visible).map((r) => (
              <ReplayCard key={r.videoId} replay={r} />
            ))}
          </ul>
        )}
        <MoreLess list={replays as Paged<unknown>} id="replays" />
      </section>
    </div>
  );
}

