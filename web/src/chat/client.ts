// A tab's way into chat: through the browser's SharedWorker when it has one (one socket
// per room for all tabs), else through a hub in the tab itself.

import { RoomHub, connectToLiboo, followKey, type HubMessage, type Listener } from './hub';
import type { ClientEvent, ServerEvent } from './protocol';

/** What a tab sends to the worker. */
export type PortRequest =
  | { t: 'attach'; roomId: string; userId: string; talkId?: number }
  | { t: 'detach'; key: string }
  | { t: 'emit'; key: string; event: ClientEvent; payload: Record<string, unknown> }
  | { t: 'ping' }
  | { t: 'hello'; lock: string }
  | { t: 'bye' };

const PING_MS = 10_000;

export interface ChatConnection {
  /** Sends an event; `roomId` and `userId` are added. */
  emit(event: ClientEvent, payload?: Record<string, unknown>): void;
  close(): void;
}

export interface ChatHandlers {
  onEvent(event: ServerEvent, data: unknown): void;
  onStatus(connected: boolean): void;
}

interface Transport {
  attach(roomId: string, userId: string, listener: Listener, talkId?: number): void;
  detach(key: string, listener: Listener): void;
  emit(key: string, listener: Listener, event: ClientEvent, payload: Record<string, unknown>): void;
  shared: boolean;
}

let transport: Transport | null = null;

function workerTransport(): Transport | null {
  if (typeof SharedWorker === 'undefined') return null;
  // What is attached, so that a worker that fails to start hands over to a tab hub.
  const attached: { roomId: string; userId: string; talkId?: number; listener: Listener }[] = [];
  let fallback: Transport | null = null;
  let worker: SharedWorker;
  try {
    worker = new SharedWorker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'liboo-chat' });
  } catch {
    return null;
  }
  const port = worker.port;
  // One port per tab; the tab's listeners for each follow sit behind it.
  const byKey = new Map<string, Set<Listener>>();
  port.onmessage = (e: MessageEvent<HubMessage>) => {
    for (const l of byKey.get(e.data.key) ?? []) l(e.data);
  };
  worker.onerror = () => {
    if (fallback) return;
    fallback = tabTransport();
    transport = fallback;
    for (const a of attached) fallback.attach(a.roomId, a.userId, a.listener, a.talkId);
  };
  port.start();
  const send = (r: PortRequest) => port.postMessage(r);
  setInterval(() => send({ t: 'ping' }), PING_MS);
  // The tab holds a Web Lock for as long as it lives; the worker waits on it and so learns
  // when the tab is gone, closed or crashed, without relying on timers that browsers
  // throttle in background tabs.
  if (navigator.locks) {
    const lock = `liboo-chat-tab-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    // Told to the worker only once held, or the worker's wait could take it first.
    navigator.locks
      .request(lock, () => {
        send({ t: 'hello', lock });
        return new Promise<void>(() => {});
      })
      .catch(() => {});
  }
  window.addEventListener('pagehide', () => send({ t: 'bye' }));
  // A page restored from the back-forward cache said goodbye already: start afresh.
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) location.reload();
  });
  return {
    shared: true,
    attach(roomId, userId, listener, talkId) {
      if (fallback) return fallback.attach(roomId, userId, listener, talkId);
      attached.push({ roomId, userId, talkId, listener });
      const key = followKey(roomId, talkId);
      let set = byKey.get(key);
      if (!set) byKey.set(key, (set = new Set()));
      set.add(listener);
      if (set.size === 1) send(talkId ? { t: 'attach', roomId, userId, talkId } : { t: 'attach', roomId, userId });
    },
    detach(key, listener) {
      if (fallback) return fallback.detach(key, listener);
      const i = attached.findIndex((a) => followKey(a.roomId, a.talkId) === key && a.listener === listener);
      if (i >= 0) attached.splice(i, 1);
      const set = byKey.get(key);
      if (!set || !set.delete(listener)) return;
      if (set.size === 0) {
        byKey.delete(key);
        send({ t: 'detach', key });
      }
    },
    emit(key, listener, event, payload) {
      if (fallback) return fallback.emit(key, listener, event, payload);
      send({ t: 'emit', key, event, payload });
    },
  };
}

function tabTransport(): Transport {
  const hub = new RoomHub(connectToLiboo(location.origin));
  return {
    shared: false,
    attach: (roomId, userId, listener, talkId) => void hub.attach(roomId, userId, listener, talkId),
    detach: (key, listener) => hub.detach(key, listener),
    emit: (key, listener, event, payload) => hub.emit(key, listener, event, payload),
  };
}

function getTransport(): Transport {
  transport ??= workerTransport() ?? tabTransport();
  return transport;
}

/** Whether chat goes through a SharedWorker in this tab. */
export function chatIsShared(): boolean {
  return getTransport().shared;
}

/**
 * Joins `roomId` as `userId`, in a conference room following `talkId`'s questions (else the
 * room's current talk); events and connection changes go to `handlers`.
 */
export function openChat(roomId: string, userId: string, handlers: ChatHandlers, talkId?: number): ChatConnection {
  const t = getTransport();
  // The worker transport may hand over to a tab hub later; it forwards to it itself.
  const listener: Listener = (m) => {
    if (m.t === 'status') handlers.onStatus(m.connected);
    else handlers.onEvent(m.event, m.data);
  };
  t.attach(roomId, userId, listener, talkId);
  const key = followKey(roomId, talkId);
  return {
    emit: (event, payload = {}) => t.emit(key, listener, event, payload),
    close: () => t.detach(key, listener),
  };
}
