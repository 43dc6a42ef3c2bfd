// Importing a schedule: from a URL or a file, into a new conference or one of the
// organiser's. The first press is a dry run whose report says what would change; Apply
// sends the very same request with apply set, so what is written is what was shown.

import { useState } from 'preact/hooks';
import { ApiError, api, type ConferenceView, type ImportReport, type ImportRequest, type ImportTalkLine } from '../api';
import { describedBy } from '../components/Field';
import { Link } from '../components/Link';
import { dateRange, dayLabel, localDate, timeOfDay } from '../conference/time';
import { dictionaries, useI18n, type Key, type T } from '../i18n';
import { userId } from '../identity';

/** The importer's own cap (liboo_schedule::MAX_BYTES): a bigger file is refused before it is sent. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

type Source = 'file' | 'url';

interface Form {
  source: Source;
  url: string;
  fileName: string;
  body: string;
  format: '' | 'frab-xml' | 'frab-json';
  timeZone: string;
  slug: string;
  visibility: 'public' | 'unlisted';
  refreshMinutes: string;
}

const EMPTY: Form = { source: 'file', url: '', fileName: '', body: '', format: '', timeZone: '', slug: '', visibility: 'public', refreshMinutes: '' };

/** The request a form makes; the dry run and the apply differ only in `apply`. */
export function importRequest(f: Form, apply: boolean): ImportRequest {
  const req: ImportRequest = { apply };
  if (f.source === 'url') req.url = f.url.trim();
  else req.body = f.body;
  if (f.format) req.format = f.format;
  if (f.timeZone.trim()) req.timeZone = f.timeZone.trim();
  if (f.slug.trim()) req.slug = f.slug.trim();
  req.visibility = f.visibility;
  const minutes = Number(f.refreshMinutes);
  if (f.source === 'url' && apply && f.refreshMinutes.trim() && Number.isInteger(minutes)) req.refreshMinutes = minutes;
  return req;
}

export function ImportSchedule({ mine, onApplied }: { mine: ConferenceView[]; onApplied: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<Form>(EMPTY);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // A report describes the form it came from: any change makes it stale.
  const set = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setReport(null);
    setError(null);
  };

  const onFile = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return set({ fileName: '', body: '' });
    if (file.size > MAX_FILE_BYTES) {
      set({ fileName: '', body: '' });
      setError(t('org.import.tooBig'));
      return;
    }
    set({ fileName: file.name, body: await file.text() });
  };

  const ready = form.source === 'url' ? /^https?:\/\/\S+$/i.test(form.url.trim()) : form.body.length > 0;
  const run = async (apply: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.importSchedule(userId(), importRequest(form, apply));
      setReport(r);
      if (r.applied) onApplied();
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel import" aria-labelledby="import-heading" data-testid="import-schedule">
      <h2 id="import-heading">{t('org.import.title')}</h2>
      <p class="hint">{t('org.import.lead')}</p>
      <form
        class="settings"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (ready && !busy) run(false);
        }}
      >
        <fieldset class="source-choice">
          <legend>{t('org.import.source')}</legend>
          {(['file', 'url'] as const).map((s) => (
            <label key={s} class="radio">
              <input type="radio" name="import-source" value={s} checked={form.source === s} onChange={() => set({ source: s })} data-testid={`import-source-${s}`} />
              {t(s === 'file' ? 'org.import.fromFile' : 'org.import.fromUrl')}
            </label>
          ))}
        </fieldset>
        {form.source === 'file' ? (
          <div class="field">
            <label for="f-import-file">{t('org.import.file')}</label>
            <input
              id="f-import-file"
              type="file"
              accept=".json,.xml,application/json,application/xml,text/xml"
              onChange={onFile}
              data-testid="import-file"
              aria-describedby="hint-import-file"
            />
            <p class="hint" id="hint-import-file">
              {form.fileName ? t('org.import.fileChosen', { name: form.fileName, kb: Math.max(1, Math.round(form.body.length / 1024)) }) : t('org.import.fileHint')}
            </p>
          </div>
        ) : (
          <>
            <div class="field">
              <label for="f-import-url">{t('org.import.url')}</label>
              <input
                id="f-import-url"
                type="url"
                inputMode="url"
                placeholder="https://pretalx.example/conf/schedule/export/schedule.json"
                value={form.url}
                onInput={(e) => set({ url: (e.target as HTMLInputElement).value })}
                data-testid="import-url"
              />
            </div>
            <div class="field">
              <label for="f-import-refresh">{t('org.import.refresh')}</label>
              <input
                id="f-import-refresh"
                type="number"
                min={0}
                max={1440}
                inputMode="numeric"
                value={form.refreshMinutes}
                aria-describedby="hint-import-refresh"
                onInput={(e) => set({ refreshMinutes: (e.target as HTMLInputElement).value })}
              />
              <p class="hint" id="hint-import-refresh">
                {t('org.import.refreshHint')}
              </p>
            </div>
          </>
        )}
        <div class="field-row">
          <div class="field">
            <label for="f-import-slug">{t('org.import.into')}</label>
            <input
              id="f-import-slug"
              list="my-slugs"
              value={form.slug}
              autocapitalize="none"
              spellcheck={false}
              aria-describedby={describedBy('import-slug', undefined, true)}
              onInput={(e) => set({ slug: (e.target as HTMLInputElement).value })}
              data-testid="import-slug"
            />
            <datalist id="my-slugs">
              {mine.map((c) => (
                <option key={c.slug} value={c.slug}>
                  {c.title}
                </option>
              ))}
            </datalist>
            <p class="hint" id="hint-import-slug">
              {t('org.import.intoHint')}
            </p>
          </div>
          <div class="field">
            <label for="f-import-zone">{t('org.import.zone')}</label>
            <input
              id="f-import-zone"
              list="time-zones"
              value={form.timeZone}
              autocapitalize="none"
              spellcheck={false}
              aria-describedby="hint-import-zone"
              onInput={(e) => set({ timeZone: (e.target as HTMLInputElement).value })}
              data-testid="import-zone"
            />
            <p class="hint" id="hint-import-zone">
              {t('org.import.zoneHint')}
            </p>
          </div>
        </div>
        <div class="field-row">
          <div class="field">
            <label for="f-import-format">{t('org.import.format')}</label>
            <select id="f-import-format" value={form.format} onChange={(e) => set({ format: (e.target as HTMLSelectElement).value as Form['format'] })}>
              <option value="">{t('org.import.formatAuto')}</option>
              <option value="frab-json">schedule.json</option>
              <option value="frab-xml">schedule.xml</option>
            </select>
          </div>
          <div class="field">
            <label for="f-import-visibility">{t('org.field.visibility')}</label>
            <select
              id="f-import-visibility"
              value={form.visibility}
              onChange={(e) => set({ visibility: (e.target as HTMLSelectElement).value as Form['visibility'] })}
            >
              <option value="public">{t('org.public')}</option>
              <option value="unlisted">{t('org.unlistedOption')}</option>
            </select>
          </div>
        </div>
        <div class="form-actions">
          <button type="submit" class="button" disabled={!ready || busy} data-testid="import-check">
            {busy && !report ? t('org.import.checking') : t('org.import.check')}
          </button>
        </div>
      </form>
      {error && (
        <p class="field-error import-error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}
      {report && <Report report={report} busy={busy} onApply={() => run(true)} />}
    </section>
  );
}

function Report({ report, busy, onApply }: { report: ImportReport; busy: boolean; onApply: () => void }) {
  const { lang, t } = useI18n();
  const c = report.conference;
  const newRooms = report.rooms.filter((r) => r.new);
  const counts: [string, number, string][] = [
    ['added', report.added.length, t('org.report.added')],
    ['changed', report.changed.length, t('org.report.changed')],
    ['cancelled', report.cancelled.length, t('org.report.cancelled')],
    ['unchanged', report.unchanged, t('org.report.unchanged')],
    ['rooms', report.rooms.length, t('org.report.rooms')],
    ['warnings', report.warnings.length, t('org.report.warnings')],
  ];
  return (
    <div class="import-report" data-testid="import-report" data-applied={report.applied ? 'true' : 'false'} aria-live="polite">
      <h3>{report.applied ? t('org.report.appliedTitle') : t('org.report.title')}</h3>
      <p class="report-conference">
        <strong data-testid="report-title">{c.title}</strong> <code>{c.slug}</code>
        <br />
        {dateRange(c.startDate, c.endDate, lang)} · {c.timeZone} · {c.format}
        {c.version && <> · {t('org.report.version', { v: c.version })}</>}
      </p>
      <ul class="report-counts">
        {counts.map(([key, n, label]) => (
          <li key={key} data-testid={`report-${key}`} data-count={n} class={key === 'warnings' && n > 0 ? 'warn' : ''}>
            <strong>{n}</strong> {label}
          </li>
        ))}
      </ul>
      {newRooms.length > 0 && (
        <p data-testid="report-new-rooms">
          {t('org.report.newRooms')} {newRooms.map((r) => `${r.name} (${t('org.report.talks', { n: r.talks })})`).join(', ')}
        </p>
      )}
      {report.warnings.length > 0 && (
        <details open class="report-warnings">
          <summary>{t('org.report.warnings')}</summary>
          <ul>
            {report.warnings.map((w, i) => (
              <li key={i} data-code={w.code}>
                {w.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      <TalkLines title={t('org.report.added')} lines={report.added} timeZone={c.timeZone} testid="report-added-list" />
      <TalkLines title={t('org.report.changed')} lines={report.changed} timeZone={c.timeZone} testid="report-changed-list" />
      <TalkLines title={t('org.report.cancelled')} lines={report.cancelled} timeZone={c.timeZone} testid="report-cancelled-list" />
      {report.applied ? (
        <p class="report-done" role="status" data-testid="import-applied">
          {t('org.report.done')}{' '}
          <Link href={`/organize/${c.slug}`} class="button" data-testid="import-open">
            {t('org.report.open')}
          </Link>
        </p>
      ) : (
        <div class="form-actions">
          <button type="button" class="button" onClick={onApply} disabled={busy} data-testid="import-apply">
            {busy ? t('org.import.applying') : t('org.import.apply')}
          </button>
          <span class="hint">{t('org.import.applyHint')}</span>
        </div>
      )}
    </div>
  );
}

/** What changed in a talk, in the interface's language where the word is known. */
function changeName(t: T, change: string): string {
  const key = `org.change.${change}`;
  return key in dictionaries.en ? t(key as Key) : change;
}

/** Lists past this many lines start folded: a first import of FOSDEM adds a thousand talks. */
const OPEN_UP_TO = 12;

function TalkLines({ title, lines, timeZone, testid }: { title: string; lines: ImportTalkLine[]; timeZone: string; testid: string }) {
  const { lang, t } = useI18n();
  if (!lines.length) return null;
  return (
    <details class="report-lines" open={lines.length <= OPEN_UP_TO} data-testid={testid}>
      <summary>
        {title} ({lines.length})
      </summary>
      <ul>
        {lines.map((l) => (
          <li key={l.key}>
            <span class="when">
              {dayLabel(localDate(Date.parse(l.start), timeZone), lang)} {timeOfDay(l.start, timeZone, lang)}
            </span>{' '}
            <span class="room">{l.room}</span> <span class="title">{l.title}</span>
            {l.changes && l.changes.length > 0 && <span class="changes"> ({l.changes.map((c) => changeName(t, c)).join(', ')})</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}
