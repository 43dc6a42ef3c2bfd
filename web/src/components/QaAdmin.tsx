// The owner's Q&A section, in the studio (the channel) and on the organiser's desk (a
// room, or the whole conference): the moderation switches, invitation links for
// moderators and speakers, the roles and open invitations with their revoke buttons,
// the links to the Q&A screens, and (for a channel) the questions and polls as a file.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, download, qaExport, type Invitation, type QaRole, type QaScope, type RoleList } from '../api';
import { useChat } from '../chat/useChat';
import { date } from '../format';
import { useI18n } from '../i18n';
import { userId } from '../identity';
import { Link } from './Link';
import { CopyButton } from './ObsSettings';
import { Switch } from './Switch';

/** An invitation's lifetime choices, in hours (the server takes 1-720). */
const HOURS = [1, 24, 72, 168, 720];

interface Props {
  /** The room whose switches and screens are shown (a channel's session key, or a conference room). */
  roomId?: string;
  /** Whom invitations and roles apply to: a room, a whole conference, or (neither) the caller's channel. */
  scope: QaScope;
  /** Offer the export of the channel's live or latest broadcast. */
  exportBroadcast?: boolean;
  heading?: string;
}

export function QaAdmin({ roomId, scope, exportBroadcast, heading }: Props) {
  const { t } = useI18n();
  return (
    <section class="panel qa-admin" aria-labelledby="qa-heading" data-testid="qa-admin">
      <h2 id="qa-heading">{heading ?? t('qa.admin.title')}</h2>
      {roomId && <QaSwitches roomId={roomId} scope={scope} />}
      {roomId && (
        <p class="qa-screens" data-testid="qa-screens">
          <Link href={`/moderate/${roomId}`} class="button secondary small" data-testid="qa-moderate-link">
            {t('qa.queue')}
          </Link>
          <Link href={`/speaker/${roomId}`} class="button secondary small" data-testid="qa-speaker-link">
            {t('qa.speakerView')}
          </Link>
          <Link href={`/projector/${roomId}`} class="button secondary small" data-testid="qa-projector-link">
            {t('qa.projectorView')}
          </Link>
        </p>
      )}
      <Roles scope={scope} />
      {exportBroadcast && <ExportButtons req={{}} label={t('qa.export.broadcast')} />}
    </section>
  );
}

function QaSwitches({ roomId, scope }: { roomId: string; scope: QaScope }) {
  const { t } = useI18n();
  // The room's switches as its chat says them; in the studio this shares the chat panel's socket.
  const chat = useChat(roomId, { isHost: true });
  const { moderation } = chat.state;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = async (patch: { enabled?: boolean; anonymous?: boolean }) => {
    const next = { ...moderation, ...patch };
    setBusy(true);
    setError(null);
    try {
      const r = await api.setModeration(userId(), { enabled: next.enabled, anonymous: next.anonymous, ...(scope.roomId ? { roomId: scope.roomId } : {}) });
      chat.dispatch({ type: 'event', event: 'receive_moderation', data: { ...r, roomId } });
    } catch (e) {
      setError(t('mod.switchFailed', { why: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  };
  const ready = chat.state.role !== null;
  return (
    <div class="qa-switches" data-testid="qa-switches">
      <Switch label={t('qa.moderation')} checked={moderation.enabled} disabled={busy || !ready} onChange={(on) => set({ enabled: on })} testid="qa-switch-moderation" hint={t('qa.moderationHint')} />
      <Switch label={t('qa.anonymousSwitch')} checked={moderation.anonymous} disabled={busy || !ready} onChange={(on) => set({ anonymous: on })} testid="qa-switch-anonymous" hint={t('qa.anonymousSwitchHint')} />
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function Roles({ scope }: { scope: QaScope }) {
  const { lang, t } = useI18n();
  const [list, setList] = useState<RoleList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [role, setRole] = useState<QaRole>('moderator');
  const [hours, setHours] = useState(72);
  const [made, setMade] = useState<Invitation | null>(null);
  const [busy, setBusy] = useState(false);
  const key = `${scope.roomId ?? ''}|${scope.conference ?? ''}`;

  const refresh = () =>
    api
      .roles(userId(), scope)
      .then((r) => {
        setList(r);
        setError(null);
      })
      .catch((e) => setError(e instanceof ApiError && e.status === 403 ? t('qa.admin.notOwner') : e instanceof Error ? e.message : t('common.error')));
  useEffect(() => {
    setList(null);
    setMade(null);
    refresh();
  }, [key]);

  const invite = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setMade(await api.invite(userId(), { role, hours, ...scope }));
      await refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (what: () => Promise<unknown>) => {
    try {
      await what();
      await refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : t('common.error'));
    }
  };
  const roleName = (r: string) => (r === 'moderator' ? t('qa.role.moderator') : r === 'speaker' ? t('qa.role.speaker') : r);
  const link = made ? `${location.origin}${made.url}` : '';
  // A link may be opened by more than one person until it expires: it stays listed, to revoke.
  const openInvitations = (list?.invitations ?? []).filter((i) => !i.revoked && Date.parse(i.expiresAt) > Date.now());

  return (
    <div class="qa-roles">
      <h3>{t('qa.admin.invite')}</h3>
      <form class="qa-invite" onSubmit={invite} data-testid="qa-invite">
        <div class="qa-invite-fields">
          <label>
            <span>{t('qa.admin.role')}</span>
            <select value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as QaRole)} data-testid="qa-invite-role">
              <option value="moderator">{t('qa.role.moderator')}</option>
              <option value="speaker">{t('qa.role.speaker')}</option>
            </select>
          </label>
          <label>
            <span>{t('qa.admin.valid')}</span>
            <select value={hours} onChange={(e) => setHours(Number((e.target as HTMLSelectElement).value))} data-testid="qa-invite-hours">
              {HOURS.map((h) => (
                <option key={h} value={h}>
                  {h < 24 ? t('qa.admin.hours', { n: h }) : t('qa.admin.days', { n: h / 24 })}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="button" disabled={busy} data-testid="qa-invite-create">
            {t('qa.admin.makeLink')}
          </button>
        </div>
      </form>
      {made && (
        <div class="qa-invite-link" data-testid="qa-invite-link" data-invitation-id={made.invitationId}>
          <p class="hint">
            {t('qa.admin.linkHint', { role: made.role === 'speaker' ? t('invite.role.speaker') : t('invite.role.moderator'), t: date(made.expiresAt, lang) })}
          </p>
          <div class="qa-invite-url">
            <code data-testid="qa-invite-url">{link}</code>
            <CopyButton text={link} label={t('qa.admin.link')} testid="qa-invite-copy" />
          </div>
        </div>
      )}
      {error && (
        <p class="field-error" role="alert" data-testid="qa-admin-error">
          {error}
        </p>
      )}
      <h3>{t('qa.admin.people')}</h3>
      {!list ? (
        !error && <p class="page-status">{t('common.loading')}</p>
      ) : list.roles.length === 0 && openInvitations.length === 0 ? (
        <p class="empty">{t('qa.admin.nobody')}</p>
      ) : (
        <ul class="qa-people" data-testid="qa-people">
          {list.roles.map((r) => (
            <li key={`r${r.roleId}`} data-testid="qa-role" data-role={r.role} data-role-id={r.roleId}>
              <span class={`qa-badge ${r.role}`}>{roleName(r.role)}</span>
              <span class="qa-person">{r.name || t('qa.admin.unnamed')}</span>
              <span class="qa-when">{t('qa.admin.since', { t: date(r.grantedAt, lang) })}</span>
              <button type="button" class="button secondary small" onClick={() => revoke(() => api.revokeRole(userId(), r.roleId))} data-testid="qa-role-revoke">
                {t('qa.admin.revoke')}
              </button>
            </li>
          ))}
          {openInvitations.map((i) => (
            <li key={`i${i.invitationId}`} data-testid="qa-invitation" data-invitation-id={i.invitationId}>
              <span class={`qa-badge ${i.role}`}>{roleName(i.role)}</span>
              <span class="qa-person">
                {Number(i.accepted) > 0 ? t('qa.admin.acceptedBy', { n: Number(i.accepted) }) : t('qa.admin.openInvitation')}
              </span>
              <span class="qa-when">{t('qa.admin.until', { t: date(i.expiresAt, lang) })}</span>
              <button type="button" class="button secondary small" onClick={() => revoke(() => api.revokeInvitation(userId(), i.invitationId))} data-testid="qa-invitation-revoke">
                {t('qa.admin.revoke')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Downloads a broadcast's or a talk's questions and polls as CSV or JSON. */
export function ExportButtons({ req, label, small }: { req: { videoId?: string; talkId?: number }; label: string; small?: boolean }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (format: 'csv' | 'json') => {
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await qaExport(userId(), { ...req, format });
      download(blob, filename);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? t('qa.export.nothing') : e instanceof Error ? e.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class={`qa-export${small ? ' small' : ''}`} data-testid="qa-export">
      {!small && <h3>{t('qa.export.title')}</h3>}
      <span class="qa-export-label">{label}</span>
      <span class="qa-export-buttons">
        <button type="button" class="button secondary small" disabled={busy} onClick={() => run('csv')} data-testid="qa-export-csv">
          CSV
        </button>
        <button type="button" class="button secondary small" disabled={busy} onClick={() => run('json')} data-testid="qa-export-json">
          JSON
        </button>
      </span>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
