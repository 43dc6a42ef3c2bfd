// Cards of the main page's grids.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveInfo, ReplayInfo } from '../api';
import { clock, count, date } from '../format';
import { useI18n } from '../i18n';
import { Player } from '../player/Player';
import { Link } from './Link';
import { Thumbnail } from './Thumbnail';

/** How long a pointer rests on a card before its muted preview starts. */
export const PREVIEW_DELAY_MS = 400;

export function Tags({ tags }: { tags: string[] }) {
  if (!tags.length) return null;
  return (
    <ul class="tags">
      {tags.map((tag) => (
        <li key={tag} class="tag" data-testid="tag">
          #{tag}
        </li>
      ))}
    </ul>
  );
}

export function LiveCard({ live }: { live: LiveInfo }) {
  const { lang, t } = useI18n();
  const [preview, setPreview] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const enter = () => {
    clearTimeout(timer.current);
    // Moving pictures on hover are what reduced motion asks to avoid.
    if (matchMedia('(prefers-reduced-motion: reduce)').matches) return;
    timer.current = setTimeout(() => setPreview(true), PREVIEW_DELAY_MS);
  };
  const leave = () => {
    clearTimeout(timer.current);
    setPreview(false);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <li class="card live-card" data-testid="live-card" data-live-id={live.liveId} onMouseEnter={enter} onMouseLeave={leave}>
      <Link
        href={`/live/${live.liveId}`}
        class="card-link"
        onFocus={enter}
        onBlur={leave}
        aria-label={`${live.liveTitle} · ${live.channel.channelName} · ${t('common.viewers', { n: count(live.concurrentUserCount, lang) })}`}
      >
        <div class="media">
          <Thumbnail src={live.liveImageUrl ?? live.defaultThumbnailImageUrl} title={live.liveTitle} />
          {preview && (
            <div class="preview" data-testid="card-preview">
              <Player src={live.streamUrl} mode="preview" testid="preview" />
            </div>
          )}
          <span class="badge live-badge">{t('common.live')}</span>
          <span class="badge viewers-badge" data-testid="live-card-viewers">
            {t('common.viewers', { n: count(live.concurrentUserCount, lang) })}
          </span>
        </div>
        <div class="card-body">
          <h3 class="card-title" data-testid="live-card-title">
            {live.liveTitle || t('common.untitled')}
          </h3>
          <p class="card-host">{live.channel.channelName}</p>
          {live.category && <p class="card-category">{live.category}</p>}
        </div>
      </Link>
      <div class="card-tags">
        <Tags tags={live.tags} />
      </div>
      {/* Kept for screen readers: the date the broadcast began. */}
      {live.startDate && <span class="sr-only">{date(live.startDate, lang)}</span>}
    </li>
  );
}

export function ReplayCard({ replay }: { replay: ReplayInfo }) {
  const { lang, t } = useI18n();
  return (
    <li class="card replay-card" data-testid="replay-card" data-video-id={replay.videoId}>
      <Link href={`/replay/${replay.videoId}`} class="card-link" aria-label={`${replay.videoTitle} · ${replay.channel.channelName} · ${clock(replay.duration)}`}>
        <div class="media">
          <Thumbnail src={replay.thumbnailImageUrl} title={replay.videoTitle} />
          <span class="badge duration-badge">{clock(replay.duration)}</span>
        </div>
        <div class="card-body">
          <h3 class="card-title">{replay.videoTitle || t('common.untitled')}</h3>
          <p class="card-host">{replay.channel.channelName}</p>
          <p class="card-meta">
            <span data-testid="replay-card-views">{t('common.views', { n: count(replay.readCount, lang) })}</span>
            {' · '}
            <time dateTime={replay.startDate}>{date(replay.startDate, lang)}</time>
          </p>
        </div>
      </Link>
      <div class="card-tags">
        <Tags tags={replay.tags} />
      </div>
    </li>
  );
}

/** A grid's placeholders while it loads. */
export function SkeletonGrid({ n = 4 }: { n?: number }) {
  return (
    <ul class="grid" aria-hidden="true">
      {Array.from({ length: n }, (_, i) => (
        <li key={i} class="card skeleton">
          <div class="media" />
          <div class="card-body">
            <div class="line" />
            <div class="line short" />
          </div>
        </li>
      ))}
    </ul>
  );
}
