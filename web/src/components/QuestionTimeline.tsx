// The questions of a replay, each with a button to the moment it was asked, and its
// polls with their results and the moment each opened: the replay page's and a talk's
// replay's.

import type { ReplayPoll, ReplayQuestion } from '../api';
import { clock } from '../format';
import { useI18n } from '../i18n';
import { PollResults } from './PollResults';

export function QuestionTimeline({ questions, polls = [], onSeek }: { questions: ReplayQuestion[]; polls?: ReplayPoll[]; onSeek: (seconds: number) => void }) {
  const { t } = useI18n();
  return (
    <aside class="watch-chat replay-questions" aria-labelledby="questions-heading">
      {polls.length > 0 && (
        <section class="replay-polls" aria-labelledby="replay-polls-heading" data-testid="replay-polls">
          <h2 id="replay-polls-heading">{t('replay.polls')}</h2>
          <ol class="replay-poll-list">
            {polls.map((p) => (
              <li key={p.pollId} class="replay-poll" data-testid="replay-poll" data-poll-id={p.pollId}>
                <div class="replay-poll-head">
                  {typeof p.openedAt === 'number' && (
                    <button type="button" class="time-link" onClick={() => onSeek(p.openedAt as number)} aria-label={t('replay.jump', { t: clock(p.openedAt) })} data-testid="replay-poll-seek">
                      {clock(p.openedAt)}
                    </button>
                  )}
                  <strong class="replay-poll-question">{p.question}</strong>
                </div>
                <PollResults poll={p} />
              </li>
            ))}
          </ol>
        </section>
      )}
      <h2 id="questions-heading">{t('replay.questions')}</h2>
      {questions.length === 0 ? (
        <p class="empty">{t('replay.noQuestions')}</p>
      ) : (
        <ol class="question-timeline" data-testid="replay-questions">
          {questions.map((q) => (
            <li key={q.questionId} class="question" data-testid="replay-question">
              <button type="button" class="time-link" onClick={() => onSeek(q.askedAt)} aria-label={t('replay.jump', { t: clock(q.askedAt) })} data-testid="replay-question-seek" data-at={q.askedAt}>
                {clock(q.askedAt)}
              </button>
              <div>
                <p class="question-text" data-testid="replay-question-text">
                  {q.msg}
                </p>
                <p class="question-meta">
                  <span class="nick">{q.nickname}</span> · ▲ {q.upvotes}
                  {q.questionDone && <span class="done-mark"> · ✓ {t('replay.answered')}</span>}
                </p>
              </div>
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
