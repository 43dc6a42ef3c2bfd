// The video player: hls.js (low-latency mode) wherever the browser has MediaSource,
// the browser's own HLS where it has not (Safari on iOS). Chromium also claims native
// HLS, so hls.js is checked first.
//
// `live` shows the delay behind the live edge and a "go live" button instead of a seek
// bar; `vod` has a seek bar; `preview` is muted, without controls, for thumbnails.

// The light build: no subtitles, alternate audio or DRM, which liboo's streams never have.
import Hls from 'hls.js/light';
import type { HlsConfig } from 'hls.js';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { clock } from '../format';
import { useI18n } from '../i18n';
import { Icon } from '../components/Icon';
import { load, save } from '../storage';

export type PlayerMode = 'live' | 'vod' | 'preview';

interface Props {
  src: string;
  mode: PlayerMode;
  /** What is playing, for the player's accessible name. */
  title?: string;
  poster?: string | null;
  /** Receives the video element, for pages that seek (replay questions). */
  onVideo?: (video: HTMLVideoElement | null) => void;
  /** Handles Space, F, M and the arrows anywhere on the page (one main player per page). */
  pageKeys?: boolean;
  testid?: string;
}

const VOLUME = 'liboo.volume';
const MUTED = 'liboo.muted';

function hlsConfig(mode: PlayerMode): Partial<HlsConfig> {
  const base: Partial<HlsConfig> = { enableWorker: true, backBufferLength: 30, capLevelToPlayerSize: mode === 'preview' };
  if (mode === 'vod') return base;
  // No liveSyncDuration(Count): set by the page, hls.js would use it instead of the
  // playlist's PART-HOLD-BACK and play LL-HLS seconds later than it can.
  return {
    ...base,
    lowLatencyMode: true,
    maxLiveSyncPlaybackRate: 1.5,
    maxBufferLength: mode === 'preview' ? 6 : 20,
  };
}

/** The live edge: the end of what can be played. */
function liveEdge(v: HTMLVideoElement): number {
  return v.seekable.length ? v.seekable.end(v.seekable.length - 1) : v.duration;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  // Form fields and the chat log keep their own keys (typing, scrolling).
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable || !!el.closest?.('[role=log]');
}

export function Player({ src, mode, title, poster, onVideo, pageKeys, testid = 'player' }: Props) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const hls = useRef<Hls | null>(null);
  const [playing, setPlaying] = useState(false);
  const [muted, setMuted] = useState(mode === 'preview' || load(MUTED) === '1');
  const [volume, setVolume] = useState(() => {
    const v = Number(load(VOLUME) ?? '1');
    return Number.isFinite(v) && v >= 0 && v <= 1 ? v : 1;
  });
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [behind, setBehind] = useState<number | null>(null);
  const [atLive, setAtLive] = useState(true);
  const [failed, setFailed] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  // The stream's variants (a quality ladder), and the chosen one (-1: automatic).
  const [levels, setLevels] = useState<number[]>([]);
  const [level, setLevel] = useState(-1);

  // Attach the source.
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    onVideo?.(v);
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const start = () => {
      const p = v.play();
      p?.catch((e: DOMException) => {
        // Autoplay with sound is refused until the user interacts: start muted instead.
        if (e.name === 'NotAllowedError' && !v.muted) {
          v.muted = true;
          setMuted(true);
          v.play().catch(() => {});
        }
      });
    };
    const attach = () => {
      if (stopped) return;
      if (Hls.isSupported()) {
        const h = new Hls(hlsConfig(mode));
        hls.current = h;
        h.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
          setLevels(data.levels.map((l) => l.height));
          setFailed(false);
          start();
        });
        h.on(Hls.Events.FRAG_BUFFERED, () => setFailed(false));
        // Classic HLS (no parts): hls.js would hold back three target durations (6 s
        // for 1 s segments); one keeps the delay under 4 s (docs/BENCHMARKS.md). LL-HLS
        // keeps the playlist's PART-HOLD-BACK.
        h.on(Hls.Events.LEVEL_LOADED, (_e, data) => {
          if (mode !== 'vod' && data.details.live && !data.details.partTarget && !h.userConfig.liveSyncDurationCount) {
            h.userConfig.liveSyncDurationCount = 1;
            h.config.liveSyncDurationCount = 1;
          }
        });
        h.on(Hls.Events.ERROR, (_e, data) => {
          if (!data.fatal) return;
          setFailed(true);
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
            h.recoverMediaError();
          } else {
            // A live playlist can be missing for a moment around a (re)start: try again.
            h.destroy();
            hls.current = null;
            retry = setTimeout(attach, 3000);
          }
        });
        h.loadSource(src);
        h.attachMedia(v);
      } else if (v.canPlayType('application/vnd.apple.mpegurl')) {
        v.src = src;
        start();
      } else {
        setFailed(true);
      }
    };
    attach();
    return () => {
      stopped = true;
      clearTimeout(retry);
      hls.current?.destroy();
      hls.current = null;
      v.removeAttribute('src');
      v.load();
      onVideo?.(null);
    };
  }, [src, mode]);

  // Volume and mute, remembered for the main players.
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    v.volume = volume;
    v.muted = muted;
    if (mode !== 'preview') {
      save(VOLUME, String(volume));
      save(MUTED, muted ? '1' : '0');
    }
  }, [volume, muted, mode]);

  const togglePlay = useCallback(() => {
    const v = video.current;
    if (!v) return;
    if (v.paused) v.play().catch(() => {});
    else v.pause();
  }, []);

  const toggleFullscreen = useCallback(() => {
    const el = box.current as (HTMLDivElement & { webkitRequestFullscreen?: () => void }) | null;
    const v = video.current as (HTMLVideoElement & { webkitEnterFullscreen?: () => void }) | null;
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(() => {});
    } else if (el?.requestFullscreen) {
      el.requestFullscreen().catch(() => {});
    } else if (el?.webkitRequestFullscreen) {
      el.webkitRequestFullscreen();
    } else {
      v?.webkitEnterFullscreen?.();
    }
  }, []);

  const goLive = useCallback(() => {
    const v = video.current;
    if (!v) return;
    const target = hls.current?.liveSyncPosition ?? liveEdge(v) - 3;
    if (Number.isFinite(target)) v.currentTime = Math.max(0, target);
    v.play().catch(() => {});
  }, []);

  const seekBy = useCallback(
    (delta: number) => {
      const v = video.current;
      if (!v) return;
      const end = mode === 'live' ? liveEdge(v) : v.duration;
      const start = v.seekable.length ? v.seekable.start(0) : 0;
      if (!Number.isFinite(end)) return;
      v.currentTime = Math.min(Math.max(start, v.currentTime + delta), end);
    },
    [mode],
  );

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      if (mode === 'preview' || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const onButton = (e.target as HTMLElement | null)?.tagName === 'BUTTON';
      switch (e.key) {
        case ' ':
        case 'k':
          if (onButton && e.key === ' ') return;
          togglePlay();
          break;
        case 'f':
        case 'F':
          toggleFullscreen();
          break;
        case 'm':
        case 'M':
          setMuted((m) => !m);
          break;
        case 'ArrowLeft':
          seekBy(-5);
          break;
        case 'ArrowRight':
          seekBy(5);
          break;
        case 'ArrowUp':
          setMuted(false);
          setVolume((x) => Math.min(1, Math.round((x + 0.1) * 10) / 10));
          break;
        case 'ArrowDown':
          setVolume((x) => Math.max(0, Math.round((x - 0.1) * 10) / 10));
          break;
        default:
          return;
      }
      e.preventDefault();
    },
    [mode, togglePlay, toggleFullscreen, seekBy],
  );

  useEffect(() => {
    if (!pageKeys) return;
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pageKeys, onKey]);

  useEffect(() => {
    const f = () => setFullscreen(document.fullscreenElement === box.current);
    document.addEventListener('fullscreenchange', f);
    return () => document.removeEventListener('fullscreenchange', f);
  }, []);

  const onTime = () => {
    const v = video.current;
    if (!v) return;
    setTime(v.currentTime);
    if (mode === 'live') {
      const edge = liveEdge(v);
      if (Number.isFinite(edge)) {
        const d = Math.max(0, edge - v.currentTime);
        setBehind(d);
        const sync = hls.current?.liveSyncPosition;
        const target = sync != null && Number.isFinite(sync) ? edge - sync : 4;
        // How far behind live hls.js aims to play, for tests and curious users.
        const latency = hls.current?.targetLatency;
        if (latency != null) v.dataset.targetLatency = latency.toFixed(3);
        setAtLive(d <= target + 2.5);
      }
    } else if (Number.isFinite(v.duration)) {
      setDuration(v.duration);
    }
  };

  const controls = mode !== 'preview';
  return (
    <div
      ref={box}
      class={`player player-${mode}${fullscreen ? ' is-fullscreen' : ''}`}
      data-testid={testid}
      role={controls ? 'region' : undefined}
      aria-label={controls ? `${t('player.label')}${title ? `: ${title}` : ''}` : undefined}
      tabIndex={controls && !pageKeys ? 0 : undefined}
      aria-keyshortcuts={controls ? 'Space K F M ArrowLeft ArrowRight ArrowUp ArrowDown' : undefined}
      onKeyDown={controls && !pageKeys ? onKey : undefined}
    >
      <video
        ref={video}
        data-testid={`${testid}-video`}
        playsInline
        muted={muted}
        poster={poster ?? undefined}
        onClick={controls ? togglePlay : undefined}
        onDblClick={controls ? toggleFullscreen : undefined}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onTimeUpdate={onTime}
        onDurationChange={onTime}
        onVolumeChange={() => {
          const v = video.current;
          if (v) setMuted(v.muted);
        }}
      />
      {failed && controls && (
        <div class="player-message" role="status">
          {t('player.unavailable')}
        </div>
      )}
      {controls && (
        <div class="player-controls">
          <button type="button" class="icon-button" onClick={togglePlay} aria-label={playing ? t('player.pause') : t('player.play')} data-testid="player-play">
            <Icon name={playing ? 'pause' : 'play'} />
          </button>
          <button type="button" class="icon-button" onClick={() => setMuted(!muted)} aria-label={muted ? t('player.unmute') : t('player.mute')} data-testid="player-mute">
            <Icon name={muted || volume === 0 ? 'mute' : 'volume'} />
          </button>
          <input
            class="volume"
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={muted ? 0 : volume}
            aria-label={t('player.volume')}
            onInput={(e) => {
              const x = Number((e.target as HTMLInputElement).value);
              setVolume(x);
              setMuted(x === 0);
            }}
          />
          {mode === 'live' ? (
            <>
              <button
                type="button"
                class={`go-live${atLive ? ' at-live' : ''}`}
                onClick={goLive}
                data-testid="go-live"
                aria-label={t('player.goLive')}
              >
                <span class="dot" aria-hidden="true" /> {atLive ? t('player.atLive') : t('player.goLive')}
              </button>
              <span class="delay" data-testid="live-delay">
                {behind !== null ? t('player.behind', { s: behind.toFixed(1) }) : ''}
              </span>
            </>
          ) : (
            <>
              <span class="time">{clock(time)}</span>
              <input
                class="seek"
                type="range"
                min={0}
                max={duration || 0}
                step={0.1}
                value={time}
                aria-label={t('player.seek')}
                aria-valuetext={`${clock(time)} / ${clock(duration)}`}
                data-testid="seek-bar"
                onInput={(e) => {
                  const v = video.current;
                  if (v) v.currentTime = Number((e.target as HTMLInputElement).value);
                }}
              />
              <span class="time">{clock(duration)}</span>
            </>
          )}
          {levels.length > 1 && (
            <select
              class="quality"
              aria-label={t('player.quality')}
              data-testid="player-quality"
              value={level}
              onChange={(e) => {
                const next = Number((e.target as HTMLSelectElement).value);
                setLevel(next);
                if (hls.current) hls.current.currentLevel = next;
              }}
            >
              <option value={-1}>{t('player.auto')}</option>
              {levels
                .map((height, index) => ({ height, index }))
                .sort((a, b) => b.height - a.height)
                .map(({ height, index }) => (
                  <option key={index} value={index}>
                    {height}p
                  </option>
                ))}
            </select>
          )}
          <button
            type="button"
            class="icon-button"
            onClick={toggleFullscreen}
            aria-label={fullscreen ? t('player.exitFullscreen') : t('player.fullscreen')}
            data-testid="player-fullscreen"
          >
            <Icon name={fullscreen ? 'exitFullscreen' : 'fullscreen'} />
          </button>
        </div>
      )}
    </div>
  );
}
