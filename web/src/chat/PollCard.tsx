// The viewer's card of a poll beside chat: the choices while it is open and this browser
// has not voted (or wants to change its vote), the results after voting or once closed.

import { useEffect, useState } from 'preact/hooks';
import { PollResults } from '../components/PollResults';
import { useI18n } from '../i18n';
import { validVote } from './qa';
import type { Poll } from './state';

export function PollCard({ poll, canVote, onVote }: { poll: Poll; canVote: boolean; onVote: (options: number[]) => void }) {
  const { t } = useI18n();
  const voted = !!poll.myVote && poll.myVote.length > 0;
  const [changing, setChanging] = useState(false);
  const [choice, setChoice] = useState<number[]>(poll.myVote ?? []);
  const [collapsed, setCollapsed] = useState(false);
  // A new poll starts afresh.
  useEffect(() => {
    setChanging(false);
    setChoice(poll.myVote ?? []);
  }, [poll.pollId]);
  const open = poll.state === 'open';
  const choosing = open && (!voted || changing);

  const vote = (options: number[]) => {
    if (!validVote(poll, options)) return;
    onVote(options);
    setChanging(false);
  };
  const toggle = (i: number) => {
    if (!poll.multiple) {
      setChoice([i]);
      vote([i]);
      return;
    }
    setChoice((c) => (c.includes(i) ? c.filter((x) => x !== i) : [...c, i].sort((a, b) => a - b)));
  };

  return (
    <section class={`poll-card state-${poll.state}`} data-testid="poll-card" data-poll-id={poll.pollId} data-state={poll.state} aria-labelledby={`poll-q-${poll.pollId}`}>
      <div class="poll-card-head">
        <span class={`poll-state ${poll.state}`}>{open ? t('poll.live') : t('poll.closed')}</span>
        <button type="button" class="link-button" aria-expanded={!collapsed} onClick={() => setCollapsed(!collapsed)} data-testid="poll-collapse">
          {collapsed ? t('poll.show') : t('poll.hide')}
        </button>
      </div>
      <h3 class="poll-question" id={`poll-q-${poll.pollId}`} data-testid="poll-question">
        {poll.question}
      </h3>
      {!collapsed &&
        (choosing ? (
          <form
            class="poll-choices"
            onSubmit={(e) => {
              e.preventDefault();
              vote(choice);
            }}
          >
            <p class="hint">{poll.multiple ? t('poll.pickMany') : t('poll.pickOne')}</p>
            <ul role={poll.multiple ? 'group' : 'radiogroup'} aria-labelledby={`poll-q-${poll.pollId}`}>
              {poll.options.map((o, i) => (
                <li key={i}>
                  <button
                    type="button"
                    role={poll.multiple ? 'checkbox' : 'radio'}
                    aria-checked={choice.includes(i)}
                    class={`poll-option${choice.includes(i) ? ' selected' : ''}`}
                    disabled={!canVote}
                    onClick={() => toggle(i)}
                    data-testid="poll-option"
                    data-index={i}
                  >
                    <span class="poll-option-mark" aria-hidden="true">
                      {poll.multiple ? (choice.includes(i) ? '☑' : '☐') : choice.includes(i) ? '●' : '○'}
                    </span>
                    {o}
                  </button>
                </li>
              ))}
            </ul>
            <div class="poll-card-actions">
              {poll.multiple && (
                <button type="submit" class="button" disabled={!canVote || !validVote(poll, choice)} data-testid="poll-vote">
                  {t('poll.vote')}
                </button>
              )}
              {changing && (
                <button type="button" class="button secondary" onClick={() => setChanging(false)}>
                  {t('poll.keepVote')}
                </button>
              )}
            </div>
          </form>
        ) : (
          <>
            <PollResults poll={poll} myVote={poll.myVote} />
            {open && voted && (
              <button
                type="button"
                class="button secondary small"
                onClick={() => {
                  setChoice(poll.myVote ?? []);
                  setChanging(true);
                }}
                data-testid="poll-change"
              >
                {t('poll.change')}
              </button>
            )}
          </>
        ))}
    </section>
  );
}
