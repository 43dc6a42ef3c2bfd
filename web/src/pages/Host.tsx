// The host's studio: the keys and the encoder setup, whether the channel is on air with
// a preview of it, the Q&A (moderation, invited moderators and speakers, export), the
// channel settings, and the host's side of the chat.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type HealthReport, type HostKeys, type LiveInfo } from '../api';
import { ChatPanel } from '../chat/ChatPanel';
import { Icon } from '../components/Icon';
import { Field, describedBy } from '../components/Field';
import { Link } from '../components/Link';
import { ObsSettings } from '../components/ObsSettings';
import { QaAdmin } from '../components/QaAdmin';
import { count } from '../format';
import { dictionaries, useI18n, type Key, type T } from '../i18n';
import { userId } from '../identity';
import { Player } from '../player/Player';
import { save } from '../storage';
import { HOST_SESSION_KEY } from './Live';
import { useTitle } from './title';
import { validateSettings, validTag, MAX_TAGS, MAX_IMAGE_BYTES, IMAGE_TYPES, type Form, type FieldErrors } from './settings';

/** How often the studio asks whether the channel is on air. */
const STATE_POLL_MS = 3000;

function SetupGuide({ streamKey, ingestUrl }: { streamKey: string; ingestUrl?: string }) {
  const { t } = useI18n();
  // The server says where it ingests; a LiBoo server does not, so guess the standard
  // port of the host this page came from.
  const server = ingestUrl ?? `rtmp://${location.hostname}:1935/live`;
  return (
    <section class="panel" aria-labelledby="guide-heading" data-testid="setup-guide">
      <h2 id="guide-heading">{t('host.guide')}</h2>
      <ObsSettings server={server} streamKey={streamKey} />
      <p class="hint">{t('host.keySecret')}</p>
      <h3>{t('host.obs')}</h3>
      <ul class="obs">
        <li>{t('host.obs4')}</li>
        <li>{t('host.obs1')}</li>
        <li>{t('host.obs2')}</li>
        <li>{t('host.obs3')}</li>
      </ul>
    </section>
  );
}

/** The fields the form shows errors beside; others are shown under the form. */
const FIELDS = ['liveTitle', 'hostName', 'category', 'tags', 'notice', 'defaultThumbnailImageUrl'];


/** The server's message for a field, in the interface's language where the rule is known. */
function serverError(t: T, field: string, message: string): string {
  switch (field) {
    case 'liveTitle':
    case 'hostName':
      return t('valid.required', { n: 100 });
    case 'category':
      return t('valid.tooLong', { n: 50 });
    case 'notice':
      return t('valid.tooLong', { n: 500 });
    case 'tags':
      return t('valid.tag');
    case 'defaultThumbnailImageUrl':
      return `${t('valid.image')} (${message})`;
    default:
      return message;
  }
}

function localized(t: T, errors: FieldErrors): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, e] of Object.entries(errors)) out[field] = t(e.key as Key, e.vars);
  return out;
}

function SettingsForm({ sessionKey }: { sessionKey: string }) {
  const { t } = useI18n();
  const [form, setForm] = useState<Form | null>(null);
  const [imageUrl, setImageUrl] = useState<string | null>(null);
  const [newImage, setNewImage] = useState<string | null>(null);
  const [tagText, setTagText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<'saved' | 'failed' | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    Promise.all([api.live(sessionKey), api.notice(sessionKey)])
      .then(([live, notice]) => {
        const i: LiveInfo = live.info;
        setForm({ liveTitle: i.liveTitle, hostName: i.channel.channelName, category: i.category, tags: i.tags, notice: notice.notice });
        setImageUrl(i.defaultThumbnailImageUrl ?? null);
      })
      .catch(() => setForm({ liveTitle: '', hostName: '', category: '', tags: [], notice: '' }));
  }, [sessionKey]);

  if (!form) return <p class="page-status">{t('common.loading')}</p>;

  const set = (patch: Partial<Form>) => {
    setForm({ ...form, ...patch });
    setResult(null);
    const cleared = { ...errors };
    for (const k of Object.keys(patch)) delete cleared[k];
    setErrors(cleared);
  };

  const addTag = (raw: string): boolean => {
    const tag = raw.trim().replace(/^#/, '');
    if (!tag) return true;
    if (form.tags.includes(tag)) {
      setTagText('');
      return true;
    }
    if (!validTag(tag)) {
      setErrors({ ...errors, tags: t('valid.tag') });
      return false;
    }
    if (form.tags.length >= MAX_TAGS) {
      setErrors({ ...errors, tags: t('valid.tooManyTags') });
      return false;
    }
    set({ tags: [...form.tags, tag] });
    setTagText('');
    return true;
  };

  const onTagKey = (e: KeyboardEvent) => {
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      addTag(tagText);
    } else if (e.key === 'Backspace' && !tagText && form.tags.length) {
      set({ tags: form.tags.slice(0, -1) });
    }
  };

  const onFile = () => {
    const file = fileInput.current?.files?.[0];
    if (!file) return;
    if (!IMAGE_TYPES.includes(file.type) || file.size > MAX_IMAGE_BYTES) {
      setErrors({ ...errors, defaultThumbnailImageUrl: t('valid.image') });
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      setNewImage(String(reader.result));
      setResult(null);
      const cleared = { ...errors };
      delete cleared.defaultThumbnailImageUrl;
      setErrors(cleared);
    };
    reader.readAsDataURL(file);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    let tags = form.tags;
    if (tagText.trim()) {
      const tag = tagText.trim().replace(/^#/, '');
      if (!validTag(tag)) {
        setErrors({ ...errors, tags: t('valid.tag') });
        setResult('failed');
        return;
      }
      if (!tags.includes(tag)) tags = [...tags, tag];
      setTagText('');
    }
    const next = { ...form, tags };
    setForm(next);
    const local = validateSettings(next);
    if (Object.keys(local).length) {
      setErrors(localized(t, local));
      setResult('failed');
      return;
    }
    setSaving(true);
    setResult(null);
    try {
      const r = await api.hostUpdate(userId(), { ...next, defaultThumbnailImageUrl: newImage ?? '' });
      setImageUrl(r.data.defaultThumbnailImageUrl ?? imageUrl);
      setNewImage(null);
      if (fileInput.current) fileInput.current.value = '';
      setErrors({});
      setResult('saved');
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) {
        setErrors(Object.fromEntries(Object.entries(err.fields).map(([f, m]) => [f, serverError(t, f, m)])));
      } else {
        setErrors({ form: err instanceof Error ? err.message : t('common.error') });
      }
      setResult('failed');
    } finally {
      setSaving(false);
    }
  };

  const preview = newImage ?? imageUrl;
  return (
    <form class="panel settings" onSubmit={submit} noValidate data-testid="settings-form" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('host.settings')}</h2>
      <Field name="liveTitle" label={t('host.liveTitle')} error={errors.liveTitle}>
        <input
          id="f-liveTitle"
          value={form.liveTitle}
          required
          data-testid="field-liveTitle"
          aria-invalid={!!errors.liveTitle}
          aria-describedby={describedBy('liveTitle', errors.liveTitle)}
          onInput={(e) => set({ liveTitle: (e.target as HTMLInputElement).value })}
        />
      </Field>
      <Field name="hostName" label={t('host.hostName')} error={errors.hostName}>
        <input
          id="f-hostName"
          value={form.hostName}
          required
          data-testid="field-hostName"
          aria-invalid={!!errors.hostName}
          aria-describedby={describedBy('hostName', errors.hostName)}
          onInput={(e) => set({ hostName: (e.target as HTMLInputElement).value })}
        />
      </Field>
      <Field name="category" label={t('host.category')} error={errors.category}>
        <input
          id="f-category"
          value={form.category}
          data-testid="field-category"
          aria-invalid={!!errors.category}
          aria-describedby={describedBy('category', errors.category)}
          onInput={(e) => set({ category: (e.target as HTMLInputElement).value })}
        />
      </Field>
      <Field name="tags" label={t('host.tags')} error={errors.tags} hint={t('host.tagsHint')}>
        <div class="chips-input">
          <ul class="chips" data-testid="tag-chips">
            {form.tags.map((tag) => (
              <li key={tag} class="chip" data-testid="tag-chip">
                #{tag}
                <button type="button" aria-label={t('host.removeTag', { tag })} onClick={() => set({ tags: form.tags.filter((x) => x !== tag) })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          <input
            id="f-tags"
            value={tagText}
            data-testid="field-tags"
            aria-invalid={!!errors.tags}
            aria-describedby={describedBy('tags', errors.tags, true)}
            onInput={(e) => {
              setTagText((e.target as HTMLInputElement).value);
              if (errors.tags) {
                const cleared = { ...errors };
                delete cleared.tags;
                setErrors(cleared);
              }
            }}
            onKeyDown={onTagKey}
            onBlur={() => tagText.trim() && addTag(tagText)}
          />
        </div>
      </Field>
      <Field name="notice" label={t('host.notice')} error={errors.notice}>
        <textarea
          id="f-notice"
          rows={3}
          value={form.notice}
          data-testid="field-notice"
          aria-invalid={!!errors.notice}
          aria-describedby={describedBy('notice', errors.notice)}
          onInput={(e) => set({ notice: (e.target as HTMLTextAreaElement).value })}
        />
      </Field>
      <Field name="defaultThumbnailImageUrl" label={t('host.thumbnail')} error={errors.defaultThumbnailImageUrl} hint={t('host.thumbnailHint')}>
        <div class="thumb-field">
          <input
            id="f-defaultThumbnailImageUrl"
            ref={fileInput}
            type="file"
            accept={IMAGE_TYPES.join(',')}
            data-testid="field-thumbnail"
            aria-describedby={describedBy('defaultThumbnailImageUrl', errors.defaultThumbnailImageUrl, true)}
            onChange={onFile}
          />
          {preview && <img class="thumb-preview" src={preview} alt={t('host.thumbnailPreview')} data-testid="thumbnail-preview" />}
        </div>
      </Field>
      {Object.entries(errors)
        .filter(([field]) => !FIELDS.includes(field))
        .map(([field, message]) => (
          <p key={field} class="field-error" role="alert" data-testid={`error-${field}`}>
            {message}
          </p>
        ))}
      <div class="form-actions">
        <button type="submit" class="button" disabled={saving} data-testid="save-settings">
          {saving ? t('host.saving') : t('host.save')}
        </button>
        <span role="status" data-testid="save-status" data-result={result ?? ''} class={result === 'failed' ? 'status-bad' : 'status-good'}>
          {result === 'saved' ? t('host.saved') : result === 'failed' ? t('host.saveFailed') : ''}
        </span>
      </div>
    </form>
  );
}

/** How often the studio asks for the stream's health (ingest reports every 5 s). */
const HEALTH_POLL_MS = 5000;

function kbps(bits: number): string {
  return bits >= 1e6 ? `${(bits / 1e6).toFixed(1)} Mbit/s` : `${Math.round(bits / 1000)} kbit/s`;
}

/** The stream as ingest measures it, and what the host should fix, while on air. */
function Health({ sessionKey }: { sessionKey: string }) {
  const { t } = useI18n();
  const [report, setReport] = useState<HealthReport | null>(null);
  useEffect(() => {
    let stop = false;
    const poll = () =>
      api
        .hostHealth(sessionKey)
        .then((r) => !stop && setReport(r))
        .catch(() => {});
    poll();
    const id = setInterval(poll, HEALTH_POLL_MS);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, [sessionKey]);
  const h = report?.health;
  if (!h) return <p class="health-waiting">{t('host.health.waiting')}</p>;
  const warn = (code: string, message: string) => {
    const key = `host.warn.${code}`;
    // A warning this app does not know yet: the server's own words.
    if (!(key in dictionaries.en)) return message;
    const vars = { gop: (h.keyframeInterval ?? 0).toFixed(1), mbps: (h.videoBitrate / 1e6).toFixed(1) };
    return t(key as Key, vars);
  };
  return (
    <div class="health" data-testid="stream-health" aria-live="polite">
      <h3>{t('host.health')}</h3>
      <dl>
        <dt>{t('host.health.video')}</dt>
        <dd data-testid="health-video">
          {[h.videoCodec, h.width && h.height ? `${h.width}×${h.height}` : null, `${h.frameRate} fps`, kbps(h.videoBitrate)]
            .filter(Boolean)
            .join(' · ')}
        </dd>
        <dt>{t('host.health.keyframes')}</dt>
        <dd data-testid="health-keyframes">
          {h.keyframeInterval !== null ? t('host.health.seconds', { s: h.keyframeInterval.toFixed(1) }) : '–'}
        </dd>
        <dt>{t('host.health.audio')}</dt>
        <dd data-testid="health-audio">
          {h.audioCodec ? `${h.audioCodec} · ${kbps(h.audioBitrate)}` : t('host.health.noAudio')}
        </dd>
      </dl>
      {report.warnings.length ? (
        <ul class="health-warnings" data-testid="health-warnings">
          {report.warnings.map((w) => (
            <li key={w.code} data-code={w.code}>
              <Icon name="alert" /> {warn(w.code, w.message)}
            </li>
          ))}
        </ul>
      ) : (
        <p class="health-ok" data-testid="health-ok">
          {t('host.health.ok')}
        </p>
      )}
    </div>
  );
}

/** Where a broadcast ended from the studio stands: asked to end, then off the air. */
type Ending = 'ending' | 'ended' | null;

/** The host ends the broadcast now, instead of waiting out the reconnect grace. Asks first. */
function EndBroadcast({ ending, onEnding }: { ending: Ending; onEnding: () => void }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (ending === 'ended') {
    return (
      <p class="end-broadcast done" role="status" data-testid="broadcast-ended">
        {t('host.ended')}
      </p>
    );
  }
  if (ending === 'ending') {
    // While OBS still sends, ingest ends the broadcast at its next heartbeat (a few seconds).
    return (
      <p class="end-broadcast" role="status" data-testid="broadcast-ending">
        {t('host.ending')}
      </p>
    );
  }
  const end = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.hostEnd(userId());
      setAsking(false);
      onEnding();
    } catch (e) {
      setError(t('host.endFailed', { why: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="end-broadcast" data-testid="end-broadcast">
      {asking ? (
        <>
          <p>{t('host.endConfirm')}</p>
          <div class="end-actions">
            <button type="button" class="button danger" disabled={busy} onClick={end} data-testid="end-broadcast-yes">
              {t('host.endYes')}
            </button>
            <button type="button" class="button secondary" disabled={busy} onClick={() => setAsking(false)}>
              {t('host.endNo')}
            </button>
          </div>
        </>
      ) : (
        <button type="button" class="button danger" onClick={() => setAsking(true)} data-testid="end-broadcast-button">
          {t('host.end')}
        </button>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function OnAir({ sessionKey, viewers }: { sessionKey: string; viewers: number | null }) {
  const { lang, t } = useI18n();
  const [live, setLive] = useState<boolean | null>(null);
  const [streamUrl, setStreamUrl] = useState<string | null>(null);
  // Ended from this page: said until the next broadcast starts.
  const [ending, setEnding] = useState<Ending>(null);
  useEffect(() => {
    let stop = false;
    const poll = () =>
      api
        .hostState(sessionKey)
        .then((s) => {
          if (stop) return;
          setLive(s.state);
          // Live again after it ended: a new broadcast. Still live while ending: not yet.
          setEnding((e) => (e === 'ending' ? (s.state ? 'ending' : 'ended') : e === 'ended' && s.state ? null : e));
        })
        .catch(() => {});
    poll();
    api
      .live(sessionKey)
      .then((r) => !stop && setStreamUrl(r.info.streamUrl))
      .catch(() => {});
    const id = setInterval(poll, STATE_POLL_MS);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, [sessionKey]);
  return (
    <section class="panel on-air" aria-labelledby="state-heading">
      <h2 id="state-heading">{t('host.state')}</h2>
      <p class={`state ${live ? 'online' : 'offline'}`} data-testid="host-state" data-live={live ? 'true' : 'false'} role="status">
        <span class="dot" aria-hidden="true" /> {live === null ? t('common.loading') : live ? t('host.online') : t('host.offline')}
        {live && viewers !== null && (
          <span class="host-viewers" data-testid="viewer-count" data-count={viewers}>
            <Icon name="eye" /> {t('common.viewers', { n: count(viewers, lang) })}
          </span>
        )}
      </p>
      {live && streamUrl ? (
        <div class="host-preview" data-testid="host-preview" aria-label={t('host.preview')}>
          <Player src={streamUrl} mode="preview" testid="host-player" />
        </div>
      ) : (
        <div class="host-preview empty">{t('host.offlineHint')}</div>
      )}
      {live && <Health sessionKey={sessionKey} />}
      {(live || ending) && <EndBroadcast ending={ending} onEnding={() => setEnding('ending')} />}
      <Link href={`/live/${sessionKey}`} data-testid="viewer-page-link">
        {t('host.viewPage')}
      </Link>
    </section>
  );
}

export function HostPage() {
  const { t } = useI18n();
  const [keys, setKeys] = useState<HostKeys | null>(null);
  const [failed, setFailed] = useState(false);
  const [viewers, setViewers] = useState<number | null>(null);
  useTitle(t('host.title'));
  useEffect(() => {
    api
      .hostKey(userId())
      .then((k) => {
        save(HOST_SESSION_KEY, k.sessionKey);
        setKeys(k);
      })
      .catch(() => setFailed(true));
  }, []);
  if (failed) return <p class="page-status">{t('host.keyError')}</p>;
  if (!keys) return <p class="page-status">{t('common.loading')}</p>;
  return (
    <div class="studio" data-testid="studio" data-session-key={keys.sessionKey}>
      <div class="studio-head">
        <h1>{t('host.title')}</h1>
        <Link href="/organize" data-testid="studio-organize">
          {t('host.organize')}
        </Link>
      </div>
      <div class="studio-grid">
        <div class="studio-main">
          <OnAir sessionKey={keys.sessionKey} viewers={viewers} />
          <QaAdmin roomId={keys.sessionKey} scope={{}} exportBroadcast />
          <SettingsForm sessionKey={keys.sessionKey} />
        </div>
        <div class="studio-side">
          <SetupGuide streamKey={keys.streamKey} ingestUrl={keys.ingestUrl} />
          <div class="panel studio-chat">
            <ChatPanel roomId={keys.sessionKey} isHost onViewers={setViewers} />
          </div>
        </div>
      </div>
    </div>
  );
}
