// The organiser's start page: their conferences, importing a schedule (checked first, then
// applied), and making a conference by hand. The organiser is this browser's userId, as
// a channel's host is: whoever made the conference.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type ConferenceView, type NewConference } from '../api';
import { Field, describedBy } from '../components/Field';
import { Link } from '../components/Link';
import { dateRange, viewerZone } from '../conference/time';
import { useI18n } from '../i18n';
import { userId } from '../identity';
import { navigate } from '../router';
import { ImportSchedule } from './OrganizeImport';
import { useTitle } from './title';

/** The zones a browser knows, for the zone fields' suggestions. */
export function TimeZones() {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return (
    <datalist id="time-zones">
      {zones.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}

export function OrganizePage() {
  const { t } = useI18n();
  useTitle(t('org.title'));
  const [mine, setMine] = useState<ConferenceView[] | null>(null);
  const [failed, setFailed] = useState(false);
  const reload = () =>
    api
      .myConferences(userId())
      .then((r) => {
        setMine(r.info);
        setFailed(false);
      })
      .catch(() => setFailed(true));
  useEffect(() => {
    reload();
  }, []);

  return (
    <div class="organize" data-testid="organize">
      <h1>{t('org.title')}</h1>
      <p class="lead">{t('org.lead')}</p>
      <TimeZones />
      <div class="organize-grid">
        <div class="organize-main">
          <ImportSchedule mine={mine ?? []} onApplied={reload} />
        </div>
        <div class="organize-side">
          <section class="panel" aria-labelledby="mine-heading" data-testid="my-conferences">
            <h2 id="mine-heading">{t('org.mine')}</h2>
            {failed ? (
              <p class="empty">
                {t('common.error')}{' '}
                <button type="button" class="button secondary small" onClick={reload}>
                  {t('common.retry')}
                </button>
              </p>
            ) : mine === null ? (
              <p class="page-status">{t('common.loading')}</p>
            ) : mine.length === 0 ? (
              <p class="empty" data-testid="my-conferences-empty">
                {t('org.none')}
              </p>
            ) : (
              <ul class="conference-list">
                {mine.map((c) => (
                  <MyConference key={c.slug} conf={c} />
                ))}
              </ul>
            )}
          </section>
          <NewConferenceForm />
        </div>
      </div>
    </div>
  );
}

function MyConference({ conf }: { conf: ConferenceView }) {
  const { lang, t } = useI18n();
  const live = conf.rooms.filter((r) => r.live).length;
  return (
    <li class="conference-item" data-testid="my-conference" data-slug={conf.slug}>
      <Link href={`/organize/${conf.slug}`} class="conference-item-title">
        {conf.title}
      </Link>
      <p class="conference-item-meta">
        {dateRange(conf.startDate, conf.endDate, lang)} · {t('org.roomCount', { n: conf.rooms.length })}
        {conf.visibility === 'unlisted' && <> · {t('org.unlisted')}</>}
        {live > 0 && (
          <>
            {' '}
            <span class="badge live-badge">{t('common.live')}</span>
          </>
        )}
      </p>
      <p class="conference-item-links">
        <Link href={`/organize/${conf.slug}`} class="button small">
          {t('org.manage')}
        </Link>
        <Link href={`/c/${conf.slug}`} class="button small secondary">
          {t('org.publicPage')}
        </Link>
      </p>
    </li>
  );
}

const today = () => new Date().toISOString().slice(0, 10);

function NewConferenceForm() {
  const { t } = useI18n();
  const [form, setForm] = useState<Required<NewConference>>(() => ({
    slug: '',
    title: '',
    timeZone: viewerZone(),
    dayChange: '04:00',
    startDate: today(),
    endDate: today(),
    description: '',
    visibility: 'public',
  }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<NewConference>) => {
    setForm({ ...form, ...patch });
    const cleared = { ...errors };
    for (const k of Object.keys(patch)) delete cleared[k];
    delete cleared.form;
    setErrors(cleared);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const c = await api.createConference(userId(), { ...form, slug: form.slug.trim(), title: form.title.trim() });
      navigate(`/organize/${c.slug}`);
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) setErrors(err.fields);
      else setErrors({ form: err instanceof Error ? err.message : t('common.error') });
    } finally {
      setBusy(false);
    }
  };
  const input = (name: keyof NewConference, props: Record<string, unknown> = {}) => (
    <input
      id={`f-${name}`}
      value={form[name]}
      data-testid={`new-${name}`}
      aria-invalid={!!errors[name]}
      aria-describedby={describedBy(name, errors[name], name === 'slug' || name === 'dayChange')}
      onInput={(e) => set({ [name]: (e.target as HTMLInputElement).value })}
      {...props}
    />
  );
  return (
    <form class="panel settings" onSubmit={submit} noValidate aria-labelledby="new-heading" data-testid="new-conference">
      <h2 id="new-heading">{t('org.new')}</h2>
      <Field name="title" label={t('org.field.title')} error={errors.title}>
        {input('title', { required: true, maxLength: 200 })}
      </Field>
      <Field name="slug" label={t('org.field.slug')} error={errors.slug} hint={t('org.field.slugHint')}>
        {input('slug', { required: true, pattern: '[a-z0-9][a-z0-9-]{1,63}', autocapitalize: 'none', spellcheck: false })}
      </Field>
      <Field name="timeZone" label={t('org.field.timeZone')} error={errors.timeZone}>
        {input('timeZone', { required: true, list: 'time-zones', autocapitalize: 'none', spellcheck: false })}
      </Field>
      <div class="field-row">
        <Field name="startDate" label={t('org.field.startDate')} error={errors.startDate}>
          {input('startDate', { type: 'date', required: true })}
        </Field>
        <Field name="endDate" label={t('org.field.endDate')} error={errors.endDate}>
          {input('endDate', { type: 'date', required: true })}
        </Field>
      </div>
      <Field name="dayChange" label={t('org.field.dayChange')} error={errors.dayChange} hint={t('org.field.dayChangeHint')}>
        {input('dayChange', { type: 'time' })}
      </Field>
      <Field name="description" label={t('org.field.description')} error={errors.description}>
        <textarea
          id="f-description"
          rows={3}
          value={form.description}
          aria-invalid={!!errors.description}
          aria-describedby={describedBy('description', errors.description)}
          onInput={(e) => set({ description: (e.target as HTMLTextAreaElement).value })}
        />
      </Field>
      <Field name="visibility" label={t('org.field.visibility')} error={errors.visibility}>
        <select id="f-visibility" value={form.visibility} onChange={(e) => set({ visibility: (e.target as HTMLSelectElement).value as 'public' | 'unlisted' })}>
          <option value="public">{t('org.public')}</option>
          <option value="unlisted">{t('org.unlistedOption')}</option>
        </select>
      </Field>
      {errors.form && (
        <p class="field-error" role="alert" data-testid="error-form">
          {errors.form}
        </p>
      )}
      <div class="form-actions">
        <button type="submit" class="button" disabled={busy} data-testid="create-conference">
          {t('org.create')}
        </button>
      </div>
    </form>
  );
}
