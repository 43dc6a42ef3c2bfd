// A live broadcast: the player, what is on, the viewer count and the chat; a clear page
// when the broadcast has ended (with its replay) or the channel does not exist. A
// conference room's page also says which talk is on, as chat tells it.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, findReplay, type LiveInfo } from '../api';
import { ChatPanel, useNow, type TalkUpdate } from '../chat/ChatPanel';
import type { TalkBrief } from '../chat/protocol';
import { Tags } from '../components/Cards';
import { Icon } from '../components/Icon';
import { Link } from '../components/Link';
import { isOrganizerRoom } from '../conference/organizer';
import { clock, count } from '../format';
import { useI18n } from '../i18n';
import { Player } from '../player/Player';
import { load } from '../storage';
import { useTitle } from './title';

/** How often the page asks whether the broadcast is still on (or has started). */
const POLL_MS = 5000;
export const HOST_SESSION_KEY = 'liboo.sessionKey';

type Status = 'loading' | 'missing' | 'error' | 'ok';

export function isOnAir(info: LiveInfo): boolean {
  return info.id > 0 && !!info.startDate && !info.endDate;
}

export function LivePage({ id }: { id: string }) {
  const { lang, t } = useI18n();
  const [status, setStatus] = useState<Status>('loading');
  const [info, setInfo] = useState<LiveInfo | null>(null);
  const [viewers, setViewers] = useState<number | null>(null);
  const [replay, setReplay] = useState<string | null>(null);
  // In a conference room: its live talk, else its next one.
  const [talk, setTalk] = useState<TalkBrief | null>(null);
  const now = useNow(1000);
  // Where chat puts the open poll: under the player.
  const [pollSlot, setPollSlot] = useState<HTMLDivElement | null>(null);
  const onTalk = (u: TalkUpdate) => setTalk(u.kind === 'followed' ? u.talk : u.current);

  useEffect(() => {
    let stop = false;
    setStatus('loading');
    setInfo(null);
    setViewers(null);
    setReplay(null);
    const poll = async () => {
      try {
        const r = await api.live(id);
        if (stop) return;
        setInfo((old) => (old && JSON.stringify(old) === JSON.stringify(r.info) ? old : r.info));
        setStatus('ok');
        if (r.info.endDate && r.info.id > 0) {
          const found = await findReplay(id, r.info.id, r.info.videoId).catch(() => null);
          if (!stop && found) setReplay(found);
        }
      } catch (e) {
        if (!stop) setStatus(e instanceof ApiError && e.status === 404 ? 'missing' : (s) => (s === 'ok' ? s : 'error'));
      }
    };
    poll();
    const timer = setInterval(poll, POLL_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [id]);

  useTitle(info?.liveTitle);

  if (status === 'loading') return <p class="page-status">{t('common.loading')}</p>;
  if (status === 'missing') {
    return (
      <div class="notice-page" data-testid="live-missing">
        <h1>{t('live.missing')}</h1>
        <Link href="/" class="button">
          {t('live.home')}
        </Link>
      </div>
    );
  }
  if (status === 'error' || !info) return <p class="page-status">{t('common.error')}</p>;

  // A conference room has no host name before its first talk: the room's name stands in.
  const host = info.channel.channelName || info.liveTitle;
  if (!isOnAir(info)) {
    const ended = !!info.endDate;
    return (
      <div class="notice-page" data-testid={ended ? 'live-ended' : 'live-offline'}>
        <h1 data-testid="live-title">{info.liveTitle}</h1>
        <p class="host-line">{host}</p>
        {ended ? (
          <>
            <p class="ended-text">{t('live.ended')}</p>
            {replay ? (
              <Link href={`/replay/${replay}`} class="button" data-testid="replay-link">
                {t('live.endedReplay')}
              </Link>
            ) : (
              <p>{t('live.replayPending')}</p>
            )}
          </>
        ) : (
          <p>{t('live.offline', { host })}</p>
        )}
        <Link href="/" class="button secondary">
          {t('live.home')}
        </Link>
      </div>
    );
  }

  const started = info.startDate ? Date.parse(info.startDate) : now;
  const shownViewers = viewers ?? info.concurrentUserCount;
  return (
    <div class="watch">
      <div class="watch-main">
        {talk && <TalkNow talk={talk} />}
        <Player
          key={`${info.liveId}:${info.id}`}
          src={info.streamUrl}
          mode="live"
          title={info.liveTitle}
          poster={info.liveImageUrl}
          pageKeys
        />
        <div class="poll-slot" ref={setPollSlot} />
        <div class="watch-info">
          <h1 data-testid="live-title">{info.liveTitle}</h1>
          <p class="watch-meta">
            <span class="badge live-badge">{t('common.live')}</span>
            <span data-testid="live-host">{host}</span>
            {info.category && (
              <span class="category" data-testid="live-category">
                {info.category}
              </span>
            )}
            <span data-testid="viewer-count" data-count={shownViewers}>
              <Icon name="eye" /> {t('common.viewers', { n: count(shownViewers, lang) })}
            </span>
            <span data-testid="live-elapsed"><Icon name="clock" /> {t('live.startedAgo', { t: clock((now - started) / 1000) })}</span>
          </p>
          <Tags tags={info.tags} />
        </div>
      </div>
      <aside class="watch-chat">
        <ChatPanel
          roomId={info.liveId}
          isHost={load(HOST_SESSION_KEY) === info.liveId || isOrganizerRoom(info.liveId)}
          onViewers={setViewers}
          onTalk={onTalk}
          pollSlot={pollSlot}
        />
      </aside>
    </div>
  );
}

/** The room's talk: on now, or next. */
function TalkNow({ talk }: { talk: TalkBrief }) {
  const { t } = useI18n();
  const live = talk.state === 'live';
  return (
    <p class={`live-talk${live ? ' is-live' : ''}`} data-testid="live-talk" data-talk-id={talk.talkId} data-state={talk.state}>
      <span class="label">{live ? t('conf.now') : t('conf.next')}</span>
      <Link href={`/talk/${talk.talkId}`} data-testid="live-talk-link">
        {talk.title}
      </Link>
      {talk.speakers.length > 0 && <span class="live-talk-speakers">{talk.speakers.join(', ')}</span>}
    </p>
  );
}
