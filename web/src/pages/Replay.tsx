// A replay: the player with a seek bar, what it was, and the questions asked during the
// broadcast, each a link to the moment it was asked, and its polls' results.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type ReplayInfo, type ReplayPoll, type ReplayQuestion } from '../api';
import { Tags } from '../components/Cards';
import { Link } from '../components/Link';
import { QuestionTimeline } from '../components/QuestionTimeline';
import { clock, count, date } from '../format';
import { useI18n } from '../i18n';
import { Player } from '../player/Player';
import { useTitle } from './title';

type Status = 'loading' | 'missing' | 'error' | 'ok';

export function ReplayPage({ id }: { id: string }) {
  const { lang, t } = useI18n();
  const [status, setStatus] = useState<Status>('loading');
  const [info, setInfo] = useState<ReplayInfo | null>(null);
  const [questions, setQuestions] = useState<ReplayQuestion[]>([]);
  const [polls, setPolls] = useState<ReplayPoll[]>([]);
  const video = useRef<HTMLVideoElement | null>(null);

  useEffect(() => {
    let stop = false;
    setStatus('loading');
    api
      .replay(id)
      .then((r) => {
        if (stop) return;
        setInfo(r.info);
        setStatus('ok');
      })
      .catch((e) => !stop && setStatus(e instanceof ApiError && e.status === 404 ? 'missing' : 'error'));
    api
      .questions(id)
      .then((r) => !stop && setQuestions(r.questions))
      .catch(() => {});
    // A server without polls answers 404: no polls to show.
    api
      .replayPolls(id)
      .then((r) => !stop && setPolls(r.polls ?? []))
      .catch(() => {});
    return () => {
      stop = true;
    };
  }, [id]);

  useTitle(info?.videoTitle);

  if (status === 'loading') return <p class="page-status">{t('common.loading')}</p>;
  if (status === 'missing') {
    return (
      <div class="notice-page" data-testid="replay-missing">
        <h1>{t('replay.missing')}</h1>
        <Link href="/" class="button">
          {t('live.home')}
        </Link>
      </div>
    );
  }
  if (status === 'error' || !info) return <p class="page-status">{t('common.error')}</p>;

  const seek = (at: number) => {
    const v = video.current;
    if (!v) return;
    v.currentTime = Math.max(0, at);
    v.play().catch(() => {});
    v.closest('[data-testid=player]')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  };

  return (
    <div class="watch replay">
      <div class="watch-main">
        <Player src={info.replayUrl} mode="vod" title={info.videoTitle} poster={info.thumbnailImageUrl} onVideo={(v) => (video.current = v)} pageKeys />
        <div class="watch-info">
          <h1 data-testid="replay-title">{info.videoTitle}</h1>
          <p class="watch-meta">
            <span data-testid="replay-host">{info.channel.channelName}</span>
            {info.category && <span class="category">{info.category}</span>}
            <span data-testid="replay-views">{t('replay.views', { n: count(info.readCount, lang) })}</span>
            <time data-testid="replay-date" dateTime={info.startDate}>
              {date(info.startDate, lang)}
            </time>
            <span>{t('replay.duration', { t: clock(info.duration) })}</span>
          </p>
          <Tags tags={info.tags} />
        </div>
      </div>
      <QuestionTimeline questions={questions} polls={polls} onSeek={seek} />
    </div>
  );
}
