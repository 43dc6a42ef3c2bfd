// What OBS needs to stream somewhere: the server and the stream key, the key hidden until
// asked for, each with a copy button. The studio shows a channel's; the organiser's desk
// shows each conference room's.

import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';

export async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API outside secure contexts: the old way.
    const el = document.createElement('textarea');
    el.value = text;
    el.setAttribute('readonly', '');
    el.style.position = 'fixed';
    el.style.opacity = '0';
    document.body.appendChild(el);
    el.select();
    document.execCommand('copy');
    el.remove();
  }
}

export function CopyButton({ text, label, testid }: { text: string; label: string; testid: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="button secondary small"
      data-testid={testid}
      aria-label={`${t('common.copy')}: ${label}`}
      onClick={() =>
        copy(text).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        })
      }
    >
      {done ? t('common.copied') : t('common.copy')}
    </button>
  );
}

/** The server and the key, as a definition list; `name` tells rooms' copy buttons apart. */
export function ObsSettings({ server, streamKey, name }: { server: string; streamKey: string; name?: string }) {
  const { t } = useI18n();
  const [shown, setShown] = useState(false);
  const label = (what: string) => (name ? `${what} (${name})` : what);
  return (
    <dl class="keys">
      <dt>{t('host.server')}</dt>
      <dd>
        <code data-testid="rtmp-url">{server}</code>
        <CopyButton text={server} label={label(t('host.server'))} testid="copy-url" />
      </dd>
      <dt>{t('host.key')}</dt>
      <dd>
        <code data-testid="stream-key" data-shown={shown ? 'true' : 'false'} aria-label={shown ? undefined : t('host.keyHidden')}>
          {shown ? streamKey : '•'.repeat(20)}
        </code>
        <button
          type="button"
          class="button secondary small"
          aria-pressed={shown}
          aria-label={label(shown ? t('host.hide') : t('host.show'))}
          onClick={() => setShown(!shown)}
          data-testid="stream-key-toggle"
        >
          {shown ? t('host.hide') : t('host.show')}
        </button>
        <CopyButton text={streamKey} label={label(t('host.key'))} testid="copy-key" />
      </dd>
    </dl>
  );
}
