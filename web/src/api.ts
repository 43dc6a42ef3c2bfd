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

const get = <T>(path: string, params: Record<string, string | number> = {}) => {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const query = q.toString();
  return call<T>(query ? `${path}?${query}` : path);
};

const post = <T>(path: string, body: unknown) =>
  call<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

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
};

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
