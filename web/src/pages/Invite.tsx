// Accepting an invitation link, `/invite#{token}`: the token travels in the fragment,
// which browsers never send to a server. The invited person may give the name the
// moderation log and the owner's list show, then accepts; the role is kept for this
// browser's userId. Afterwards the page leads to the views the role is for.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type AcceptedRole, type ConferenceView } from '../api';
import { tokenFromHash } from '../chat/qa';
import { Link } from '../components/Link';
import { useI18n, type Key } from '../i18n';
import { userId } from '../identity';
import { useTitle } from './title';

/** The name a role's holder may give, at most this long. */
const MAX_NAME = 50;

type Failure = 403 | 409 | 410 | 'other' | 'noToken';

export function InvitePage() {
  const { t } = useI18n();
  useTitle(t('invite.title'));
  const [token] = useState(() => tokenFromHash(location.hash));
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<AcceptedRole | null>(null);
  const [failed, setFailed] = useState<Failure | null>(token ? null : 'noToken');
  const [message, setMessage] = useState('');

  const accept = async (e: Event) => {
    e.preventDefault();
    if (!token) return;
    setBusy(true);
    setFailed(null);
    try {
      const r = await api.acceptRole(userId(), token, name.trim() || undefined);
      setDone(r);
      // The link has done its job: keep it out of the history and of shared screens.
      history.replaceState(null, '', location.pathname);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setFailed(status === 403 || status === 409 || status === 410 ? status : 'other');
      setMessage(err instanceof Error ? err.message : '');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="invite-page" data-testid="invite-page">
      <div class="panel invite-card">
        <h1>{t('invite.title')}</h1>
        {done ? (
          <Accepted role={done} />
        ) : failed === 'noToken' ? (
          <p class="field-error" role="alert" data-testid="invite-error" data-status="none">
            {t('invite.noToken')}
          </p>
        ) : (
          <form onSubmit={accept} data-testid="invite-form">
            <p class="lead">{t('invite.lead')}</p>
            <label for="f-invite-name">{t('invite.name')}</label>
            <input
              id="f-invite-name"
              value={name}
              maxLength={MAX_NAME}
              autoComplete="nickname"
              aria-describedby="hint-invite-name"
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
              data-testid="invite-name"
            />
            <p class="hint" id="hint-invite-name">
              {t('invite.nameHint')}
            </p>
            {failed && (
              <p class="field-error" role="alert" data-testid="invite-error" data-status={String(failed)}>
                {t(`invite.error.${failed}` as Key, { msg: message })}
              </p>
            )}
            <button type="submit" class="button big" disabled={busy || failed === 403 || failed === 410} data-testid="invite-accept">
              {busy ? t('invite.accepting') : t('invite.accept')}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}

function Accepted({ role }: { role: AcceptedRole }) {
  const { t } = useI18n();
  const [conf, setConf] = useState<ConferenceView | null>(null);
  useEffect(() => {
    // A conference-wide role: each of its rooms has its queue and speaker view.
    if (role.conference && !role.roomId) api.conference(role.conference).then(setConf).catch(() => {});
  }, [role.conference, role.roomId]);
  const roleName = role.role === 'moderator' ? t('invite.role.moderator') : role.role === 'speaker' ? t('invite.role.speaker') : role.role;
  const where = role.title || role.conference || role.roomId || '';
  const links = (roomId: string) => (
    <>
      {role.role === 'moderator' && (
        <Link href={`/moderate/${roomId}`} class="button" data-testid="invite-moderate-link">
          {t('invite.openQueue')}
        </Link>
      )}
      <Link href={`/speaker/${roomId}`} class={`button${role.role === 'moderator' ? ' secondary' : ''}`} data-testid="invite-speaker-link">
        {t('invite.openSpeaker')}
      </Link>
    </>
  );
  return (
    <div class="invite-done" role="status" data-testid="invite-done" data-role={role.role} data-scope={role.scope}>
      <p class="invite-result">{t('invite.accepted', { role: roleName, where })}</p>
      <p class="hint">{t(role.role === 'moderator' ? 'invite.moderatorHint' : 'invite.speakerHint')}</p>
      {role.roomId ? (
        <div class="invite-links">{links(role.roomId)}</div>
      ) : role.conference ? (
        <>
          <ul class="invite-rooms">
            {(conf?.rooms ?? []).map((r) => (
              <li key={r.roomId} data-testid="invite-room">
                <strong>{r.name}</strong>
                <div class="invite-links">{links(r.roomId)}</div>
              </li>
            ))}
          </ul>
          <Link href={`/c/${role.conference}`}>{t('invite.conferencePage')}</Link>
        </>
      ) : null}
      <p class="hint">{t('invite.keep')}</p>
    </div>
  );
}
