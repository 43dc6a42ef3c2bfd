// liboo's HTTP API (docs/openapi.json), same origin under /api. Every call returns the
// parsed body or throws an ApiError carrying the status and, for validation failures,
// a message per field.

export interface ChannelRef {
  channelId: string;
  channelName: string;
}

export interface LiveInfo {
  id: number;
  /** The broadcast's replay id (liboo; null before the channel's first broadcast). */
  videoId?: string | null;
  liveId: string;
  liveTitle: string;
  liveImageUrl?: string | null;
  defaultThumbnailImageUrl?: string | null;
  streamUrl: string;
  concurrentUserCount: number;
  channel: ChannelRef;
  category: string;
  tags: string[];
  startDate?: string | null;
  endDate?: string | null;
}

export interface ReplayInfo {
  videoNo: number;
  videoId: string;
  videoTitle: string;
  startDate: string;
  endDate?: string | null;
  thumbnailImageUrl?: string | null;
  trailerUrl: string;
  duration: number;
  readCount: number;
  category: string;
  tags: string[];
  livePr: number;
  channel: ChannelRef;
  replayUrl: string;
}

export interface Page<T> {
  info: T[];
  appendInfo?: T[];
}

export interface ReplayQuestion {
  questionId: number;
  nickname: string;
  msg: string;
  questionDone: boolean;
  upvotes: number;
  askedAt: number;
  answeredAt?: number | null;
}

export interface ChannelSettings {
  liveTitle: string;
  hostName: string;
  notice: string;
  category: string;
  tags: string[];
  /** A base64 data URL for a new image, the current image's URL, or "" for no change. */
  defaultThumbnailImageUrl: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`/api${path}`, init);
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiError(res.status, body?.message ?? res.statusText, body?.fields ?? {});
  }
  return body as T;
}

const get = <T>(path: string, params: Record<string, string | number | undefined> = {}) => {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const query = q.toString();
  return call<T>(query ? `${path}?${query}` : path);
};

const send = <T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown) =>
  call<T>(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const post = <T>(path: string, body: unknown) => send<T>('POST', path, body);
const put = <T>(path: string, body: unknown) => send<T>('PUT', path, body);
/** A `userId` never travels in a URL: a DELETE takes it in its JSON body. */
const del = <T>(path: string, body: unknown) => send<T>('DELETE', path, body);
const slugPath = (slug: string) => `/conferences/${encodeURIComponent(slug)}`;

export const api = {
  hostKey: (userId: string) => post<HostKeys>('/host/key', { userId }),
  hostState: (sessionKey: string) => get<{ state: boolean }>('/host/state', { sessionKey }),
  hostHealth: (sessionKey: string) => get<HealthReport>('/host/health', { sessionKey }),
  hostEnd: (userId: string) => post<{ ended: boolean; videoId: string }>('/host/end', { userId }),
  hostUpdate: (userId: string, settings: ChannelSettings) =>
    post<{ status: string; data: ChannelSettings & { sessionKey: string } }>('/host/update', { userId, ...settings }),
  random: () => get<{ info: LiveInfo[] }>('/streams/random'),
  latest: (offset = 0, limit = 8) => get<Page<LiveInfo>>('/streams/latest', { offset, limit }),
  search: (q: string, offset = 0, limit = 8) => get<Page<LiveInfo>>('/streams/search', { q, offset, limit }),
  live: (liveId: string) => get<{ info: LiveInfo }>('/streams/live', { liveId }),
  notice: (sessionKey: string) => get<{ notice: string; channelName: string }>('/streams/notice', { sessionKey }),
  replays: (offset = 0, limit = 8) => get<Page<ReplayInfo>>('/replay/latest', { offset, limit }),
  searchReplays: (q: string, offset = 0, limit = 8) => get<Page<ReplayInfo>>('/replay/search', { q, offset, limit }),
  replay: (videoId: string) => get<{ info: ReplayInfo }>('/replay/video', { videoId }),
  replayExists: (videoId: string) => get<{ existed: boolean }>('/replay/existence', { videoId }),
  questions: (videoId: string) => get<{ videoId: string; questions: ReplayQuestion[] }>('/replay/questions', { videoId }),
  conferences: () => get<{ info: ConferenceView[] }>('/conferences'),
  myConferences: (userId: string) => post<{ info: ConferenceView[] }>('/host/conferences', { userId }),
  createConference: (userId: string, c: NewConference) => post<ConferenceView>('/conferences', { userId, ...c }),
  importSchedule: (userId: string, req: ImportRequest) => post<ImportReport>('/conferences/import', { userId, ...req }),
  conference: (slug: string) => get<ConferenceView>(slugPath(slug)),
  conferenceNow: (slug: string) => get<NowView>(`${slugPath(slug)}/now`),
  schedule: (slug: string, filter: { day?: string; room?: string } = {}) =>
    get<{ conference: ConferenceView; talks: TalkInfo[] }>(`${slugPath(slug)}/schedule`, filter),
  addRoom: (userId: string, slug: string, name: string) => post<RoomView>(`${slugPath(slug)}/rooms`, { userId, name }),
  roomKeys: (userId: string, slug: string) => post<RoomKeys[]>(`${slugPath(slug)}/rooms/keys`, { userId }),
  recordings: (userId: string, slug: string) => post<RoomRecording[]>(`${slugPath(slug)}/recordings`, { userId }),
  talk: (id: number) => get<TalkInfo>(`/talks/${id}`),
  talkQuestions: (id: number) => get<{ talkId: number; questions: ReplayQuestion[] }>(`/talks/${id}/questions`),
  startTalk: (userId: string, id: number) => post<TalkInfo>(`/talks/${id}/start`, { userId }),
  endTalk: (userId: string, id: number) => post<TalkInfo>(`/talks/${id}/end`, { userId }),
  cutTalk: (userId: string, id: number, inMs: number | null, outMs: number | null) =>
    put<TalkInfo>(`/talks/${id}/cut`, { userId, inMs, outMs }),
  invite: (userId: string, req: { role: QaRole; hours?: number } & QaScope) => post<Invitation>('/host/invitations', { userId, ...req }),
  revokeInvitation: (userId: string, invitationId: string | number) =>
    del<{ revoked: boolean }>(`/host/invitations/${encodeURIComponent(String(invitationId))}`, { userId }),
  acceptRole: (userId: string, token: string, name?: string) => post<AcceptedRole>('/roles/accept', { userId, token, ...(name ? { name } : {}) }),
  roles: (userId: string, scope: QaScope = {}) => post<RoleList>('/host/roles', { userId, ...scope }),
  revokeRole: (userId: string, roleId: string | number) => del<{ revoked: boolean }>(`/host/roles/${encodeURIComponent(String(roleId))}`, { userId }),
  setModeration: (userId: string, req: { enabled: boolean; anonymous?: boolean; roomId?: string; talkId?: number }) =>
    put<ModerationInfo>('/host/moderation', { userId, ...req }),
  moderationLog: (userId: string, scope: QaScope = {}) => post<{ entries: LogEntry[] }>('/host/moderation/log', { userId, ...scope }),
  replayPolls: (videoId: string) => get<{ videoId?: string; polls: ReplayPoll[] }>('/replay/polls', { videoId }),
  talkPolls: (id: number) => get<{ talkId?: number; polls: ReplayPoll[] }>(`/talks/${id}/polls`),
};

/**
 * `POST /host/qa-export`: every question and poll of a replay or talk (without either,
 * the caller's live or latest broadcast) as a file, with the name the server gives it.
 */
export async function qaExport(
  userId: string,
  req: { videoId?: string; talkId?: number; format: 'json' | 'csv' },
): Promise<{ blob: Blob; filename: string }> {
  const res = await fetch('/api/host/qa-export', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, ...req }),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new ApiError(res.status, body?.message ?? res.statusText, body?.fields ?? {});
  }
  const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(res.headers.get('content-disposition') ?? '');
  const base = req.talkId ? `talk-${req.talkId}` : req.videoId ?? 'broadcast';
  const filename = named ? decodeURIComponent(named[1]) : `qa-${base}.${req.format}`;
  return { blob: await res.blob(), filename };
}

/** Saves `blob` as a download named `filename`. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A conference's schedule exported for other programs (`?format=`), as a link to download. */
export function scheduleExportUrl(slug: string, format: 'ics' | 'xml' | 'frab-json'): string {
  return `/api${slugPath(slug)}/schedule?format=${format}`;
}

/** The id of the replay of broadcast number `videoNo` of channel `liveId`. */
export async function findReplay(liveId: string, videoNo: number, videoId?: string | null): Promise<string | null> {
  // liboo names the ended broadcast's replay (asked without counting a view); a LiBoo
  // server does not, so look in the replay list.
  if (videoId) return (await api.replayExists(videoId)).existed ? videoId : null;
  for (let offset = 0; offset < 2000; offset += 200) {
    const page = await api.replays(offset, 100);
    const all = [...page.info, ...(page.appendInfo ?? [])];
    const hit = all.find((r) => r.videoNo === videoNo && r.channel.channelId === liveId);
    if (hit) return hit.videoId;
    if (all.length < 200) return null;
  }
  return null;
}

/** `POST /host/key`: the host's keys and where OBS publishes. */
export interface HostKeys {
  streamKey: string;
  sessionKey: string;
  /** The RTMP server URL (liboo; older servers leave it out). */
  ingestUrl?: string;
}

/** `GET /host/health`: the live stream as ingest measures it, and what to fix. */
export interface HealthReport {
  live: boolean;
  health: StreamHealth | null;
  warnings: { code: string; message: string }[];
}

export interface StreamHealth {
  updatedAt: number;
  windowSeconds: number;
  videoCodec: string | null;
  width: number | null;
  height: number | null;
  frameRate: number;
  videoBitrate: number;
  keyframeInterval: number | null;
  sinceKeyframe: number | null;
  audioCodec: string | null;
  audioBitrate: number;
  dropped: number;
}

/** A talk's state: before it, during it, and what became of it. */
export type TalkState = 'scheduled' | 'waiting' | 'live' | 'ended' | 'replay' | 'no_replay' | 'cancelled';

export interface Speaker {
  name: string;
  biography: string;
  avatar: string;
}

/** `GET /talks/{id}`: a conference talk. Times are ISO in UTC. */
export interface TalkInfo {
  talkId: number;
  key: string;
  /** The conference's slug. */
  conference: string;
  /** The room's live id and chat room. */
  roomId: string;
  roomName: string;
  title: string;
  subtitle: string;
  /** As the schedule gave it: may hold HTML or Markdown, shown as plain text. */
  abstract: string;
  description: string;
  track: string;
  type: string;
  language: string;
  url: string;
  doNotRecord: boolean;
  /** Schedule day, `YYYY-MM-DD` in the conference's zone. */
  day: string;
  schedStart: string;
  schedEnd: string;
  speakers: Speaker[];
  links: { url: string; title: string }[];
  state: TalkState;
  actualStart?: string | null;
  actualEnd?: string | null;
  questionsOpen: boolean;
  /** The room's live playlist, while the talk is live. */
  streamUrl?: string | null;
  replayVideoId?: string | null;
  replayUrl?: string | null;
  cutIn?: string | null;
  cutOut?: string | null;
}

export interface RoomView {
  roomId: string;
  name: string;
  live: boolean;
  streamUrl: string;
  liveTitle: string;
  /** The live talk, else the next one. */
  current?: TalkInfo | null;
  next?: TalkInfo | null;
}

export interface ConferenceView {
  slug: string;
  title: string;
  /** The IANA zone its times are shown in. */
  timeZone: string;
  /** `HH:MM`: when a schedule day begins (a talk at 01:00 belongs to the day before). */
  dayChange: string;
  startDate: string;
  endDate: string;
  description: string;
  logo: string;
  url: string;
  visibility: 'public' | 'unlisted' | string;
  /** Days with talks, in order. */
  days: string[];
  rooms: RoomView[];
  source?: { url?: string | null; format: string; version: string; importedAt?: string | null; refreshMinutes?: number | null } | null;
  organizer: boolean;
}

export interface NowView {
  slug: string;
  /** The server's clock. */
  at: string;
  rooms: RoomView[];
}

/** `POST /conferences/{slug}/rooms/keys`: what OBS needs to stream into a room. */
export interface RoomKeys {
  roomId: string;
  name: string;
  streamKey: string;
  ingestUrl: string;
}

/** A room's own broadcast: the whole day it streamed (the organiser's, not listed publicly). */
export interface RoomRecording {
  roomId: string;
  roomName: string;
  videoId: string;
  live: boolean;
  startDate: string;
  endDate: string | null;
  replayUrl: string;
}

export interface NewConference {
  slug: string;
  title: string;
  timeZone: string;
  dayChange?: string;
  startDate: string;
  endDate: string;
  description?: string;
  visibility?: 'public' | 'unlisted';
}

/** The schedule to import: fetched from `url`, or the file's text as `body`. */
export interface ImportRequest {
  url?: string;
  body?: string;
  format?: 'frab-xml' | 'frab-json';
  timeZone?: string;
  slug?: string;
  visibility?: 'public' | 'unlisted';
  apply: boolean;
  refreshMinutes?: number;
}

export interface ImportTalkLine {
  key: string;
  title: string;
  room: string;
  start: string;
  /** For changed talks: what changed (`title`, `time`, `room`, ...). */
  changes?: string[];
}

/** What an import does (a dry run) or did (applied). */
export interface ImportReport {
  conference: {
    slug: string;
    title: string;
    timeZone: string;
    startDate: string;
    endDate: string;
    days: string[];
    format: string;
    version: string;
  };
  rooms: { key: string; name: string; new: boolean; talks: number }[];
  added: ImportTalkLine[];
  changed: ImportTalkLine[];
  cancelled: ImportTalkLine[];
  unchanged: number;
  warnings: { code: string; talk?: string | null; message: string }[];
  applied: boolean;
}

/** liboo Q&A: the roles an owner grants by invitation. */
export type QaRole = 'moderator' | 'speaker';

/** Where a role or invitation applies: a conference room, a whole conference, or (neither) the caller's channel. */
export interface QaScope {
  roomId?: string;
  conference?: string;
}

/** `POST /host/invitations`: `url` is `/invite#{token}` on the app's origin. */
export interface Invitation {
  invitationId: string | number;
  token: string;
  url: string;
  role: QaRole;
  scope: string;
  roomId?: string | null;
  conference?: string | null;
  expiresAt: string;
}

/** `POST /roles/accept`: the role now held, and what it applies to. */
export interface AcceptedRole {
  role: QaRole | string;
  scope: string;
  roomId?: string | null;
  conference?: string | null;
  title?: string | null;
}

export interface RoleGrant {
  roleId: string | number;
  role: QaRole | string;
  scope: string;
  roomId?: string | null;
  conference?: string | null;
  name?: string | null;
  grantedAt: string;
}

export interface InvitationInfo {
  invitationId: string | number;
  role: QaRole | string;
  scope: string;
  roomId?: string | null;
  conference?: string | null;
  createdAt: string;
  expiresAt: string;
  revoked: boolean;
  /** Whether (or, from liboo, how many times) the link was accepted. */
  accepted: boolean | number;
}

export interface RoleList {
  roles: RoleGrant[];
  invitations: InvitationInfo[];
}

export interface ModerationInfo {
  roomId: string;
  talkId?: number | null;
  enabled: boolean;
  anonymous: boolean;
}

/** One moderation action; `actor` is the role's name or a short hash, never a userId. */
export interface LogEntry {
  at: string;
  actor: string;
  role: string;
  action: string;
  questionId?: number | null;
  pollId?: number | null;
  detail?: string | null;
}

/** A replay's poll: its results, and the seconds into the replay it opened and closed. */
export interface ReplayPoll {
  pollId: number;
  question: string;
  options: string[];
  counts: number[];
  voters: number;
  multiple: boolean;
  state?: string;
  openedAt?: number | null;
  closedAt?: number | null;
}
