// The questions of a replay, each with a button to the moment it was asked: the replay
// page's and a talk's replay's.

import type { ReplayQuestion } from '../api';
import { clock } from '../format';
import { useI18n } from '../i18n';

export function QuestionTimeline({ questions, onSeek }: { questions: ReplayQuestion[]; onSeek: (seconds: number) => void }) {
  const { t } = useI18n();
  return (
    <aside class="watch-chat replay-questions" aria-labelledby="questions-heading">
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
