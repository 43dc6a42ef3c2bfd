// The organiser moves a talk replay's in and out points: as times of day on the venue's
// clock or as seconds from the talk's actual start and end. The server cuts the replay
// again at once from the stored segments.

import { useState } from 'preact/hooks';
import { api, type TalkInfo } from '../api';
import { cutFields, cutPoints, type CutBase, type CutMode } from '../conference/cut';
import { clock } from '../format';
import { useI18n } from '../i18n';
import { userId } from '../identity';

function baseOf(talk: TalkInfo, timeZone: string): CutBase {
  return {
    startMs: Date.parse(talk.actualStart ?? talk.schedStart),
    endMs: Date.parse(talk.actualEnd ?? talk.schedEnd),
    timeZone,
  };
}

export function CutEditor({ talk, timeZone, onSaved }: { talk: TalkInfo; timeZone: string; onSaved: (t: TalkInfo) => void }) {
  const { t } = useI18n();
  const base = baseOf(talk, timeZone);
  const storedIn = talk.cutIn ? Date.parse(talk.cutIn) : base.startMs;
  const storedOut = talk.cutOut ? Date.parse(talk.cutOut) : base.endMs;
  const [mode, setMode] = useState<CutMode>('clock');
  const [fields, setFields] = useState(() => cutFields('clock', storedIn, storedOut, base));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const result = cutPoints(mode, fields.inText, fields.outText, base);
  const invalid = 'error' in result ? result.error : null;
  const switchMode = (next: CutMode) => {
    // Keep the points the fields say, written the other way.
    const r = cutPoints(mode, fields.inText, fields.outText, base);
    setFields('error' in r ? cutFields(next, storedIn, storedOut, base) : cutFields(next, r.inMs, r.outMs, base));
    setMode(next);
  };
  const save = async (inMs: number | null, outMs: number | null) => {
    setBusy(true);
    setMessage(null);
    try {
      const updated = await api.cutTalk(userId(), talk.talkId, inMs, outMs);
      onSaved(updated);
      setMessage({ ok: true, text: t('org.cut.saved') });
    } catch (e) {
      setMessage({ ok: false, text: e instanceof Error ? e.message : t('common.error') });
    } finally {
      setBusy(false);
    }
  };
  const id = `cut-${talk.talkId}`;
  const hint = mode === 'clock' ? t('org.cut.clockHint', { zone: timeZone }) : t('org.cut.offsetHint');
  return (
    <form
      class="cut-editor"
      data-testid="cut-editor"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!('error' in result)) save(result.inMs, result.outMs);
      }}
    >
      <div class="cut-modes" role="radiogroup" aria-label={t('org.cut.mode')}>
        {(['clock', 'offset'] as const).map((m) => (
          <button type="button" key={m} role="radio" aria-checked={mode === m} class={mode === m ? 'selected' : ''} onClick={() => switchMode(m)}>
            {t(m === 'clock' ? 'org.cut.clock' : 'org.cut.offset')}
          </button>
        ))}
      </div>
      <div class="cut-fields">
        <label for={`${id}-in`}>{t('org.cut.in')}</label>
        <input
          id={`${id}-in`}
          value={fields.inText}
          inputMode={mode === 'clock' ? 'text' : 'decimal'}
          aria-invalid={invalid === 'in' || invalid === 'order'}
          aria-describedby={`${id}-hint`}
          onInput={(e) => setFields({ ...fields, inText: (e.target as HTMLInputElement).value })}
          data-testid="cut-in"
        />
        <label for={`${id}-out`}>{t('org.cut.out')}</label>
        <input
          id={`${id}-out`}
          value={fields.outText}
          inputMode={mode === 'clock' ? 'text' : 'decimal'}
          aria-invalid={invalid === 'out' || invalid === 'order'}
          aria-describedby={`${id}-hint`}
          onInput={(e) => setFields({ ...fields, outText: (e.target as HTMLInputElement).value })}
          data-testid="cut-out"
        />
      </div>
      <p class="hint" id={`${id}-hint`}>
        {hint}{' '}
        {'error' in result ? (
          <span class="status-bad">{t(result.error === 'order' ? 'org.cut.order' : 'org.cut.unreadable')}</span>
        ) : (
          t('org.cut.length', { t: clock((result.outMs - result.inMs) / 1000) })
        )}
      </p>
      <div class="form-actions">
        <button type="submit" class="button small" disabled={busy || !!invalid} data-testid="cut-save">
          {t('org.cut.save')}
        </button>
        <button type="button" class="button small secondary" disabled={busy || (!talk.cutIn && !talk.cutOut)} onClick={() => save(null, null)}>
          {t('org.cut.reset')}
        </button>
        {message && (
          <span role="status" class={message.ok ? 'status-good' : 'status-bad'}>
            {message.text}
          </span>
        )}
      </div>
    </form>
  );
}
