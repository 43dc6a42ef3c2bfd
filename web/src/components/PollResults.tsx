// A poll's results as bars, each with its count and share: in the viewer's card, the
// moderator's list, the projector (large) and a replay's page.

import { pollShares } from '../chat/qa';
import { useI18n } from '../i18n';

interface PollLike {
  options: string[];
  counts: number[];
  voters: number;
  multiple: boolean;
}

export function PollResults({ poll, myVote, large }: { poll: PollLike; myVote?: number[] | null; large?: boolean }) {
  const { t } = useI18n();
  const shares = pollShares(poll);
  return (
    <div class={`poll-results${large ? ' large' : ''}`}>
      <ol class="poll-bars" data-testid="poll-results">
        {shares.map((s, i) => (
          <li
            key={i}
            class={`poll-bar${s.leading ? ' leading' : ''}${myVote?.includes(i) ? ' mine' : ''}`}
            data-testid="poll-result"
            data-count={s.count}
            data-percent={s.percent}
          >
            <div class="poll-bar-text">
              <span class="poll-option-text">
                {s.option}
                {myVote?.includes(i) && <span class="poll-my-mark"> ✓ {t('poll.yourChoice')}</span>}
              </span>
              <span class="poll-numbers">
                <strong data-testid="poll-result-count">{s.count}</strong> · <span data-testid="poll-result-percent">{s.percent}%</span>
              </span>
            </div>
            <div class="poll-bar-track" aria-hidden="true">
              <div class="poll-bar-fill" style={{ width: `${s.percent > 100 ? 100 : s.percent}%` }} />
            </div>
          </li>
        ))}
      </ol>
      <p class="poll-voters" data-testid="poll-voters" data-voters={poll.voters}>
        {t('poll.voters', { n: poll.voters })}
        {poll.multiple && ` · ${t('poll.multipleNote')}`}
      </p>
    </div>
  );
}
