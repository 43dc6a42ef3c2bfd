// Chat sockets shared by every listener of a browser context: one socket.io connection
// per room, whatever the number of tabs (or panels) showing that room. It runs inside the
// SharedWorker, or in the tab itself where the browser has no SharedWorker.
//
// One socket per room, not one for everything: liboo's chat keeps one room per socket
// (joining another room leaves the first), and it computes `owner: 'me'` per socket. All
// tabs of a browser share one userId, so a message that socket sent is "mine" in each
// of them. An `exception` answers whatever the socket last sent, so it goes to the
// listener that sent last, not to every tab.
//
// In a conference room a socket follows one talk's questions (`join_room`'s `talkId`),
// so a talk page and the room's live page are two sockets: a follow (room and talk) has
// one socket, named by its key.

import { io, type Socket } from 'socket.io-client';
import { SERVER_EVENTS, type ClientEvent, type ServerEvent } from './protocol';

export type HubMessage =
  | { t: 'event'; key: string; event: ServerEvent; data: unknown }
  | { t: 'status'; key: string; connected: boolean };

/** The hub's name of a follow: the room, and the talk whose questions it gets. */
export function followKey(roomId: string, talkId?: number): string {
  return talkId ? `${roomId}#talk-${talkId}` : roomId;
}

export type Listener = (m: HubMessage) => void;

/** The part of a socket.io client socket the hub uses, so tests can give a fake. */
export interface HubSocket {
  connected: boolean;
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(): unknown;
}

export type Connect = (key: string) => HubSocket;

export const connectToLiboo =
  (origin: string): Connect =>
  () =>
    io(origin, {
      path: '/chat/socket.io',
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelayMax: 10_000,
    }) as Socket as unknown as HubSocket;

interface Room {
  socket: HubSocket;
  /** What `join_room` sends: the room, the user and the talk it follows, if any. */
  join: { roomId: string; userId: string; talkId?: number };
  listeners: Set<Listener>;
  lastSender: Listener | null;
  /** The last viewer count, for a listener that attaches between two pushes. */
  viewers: unknown;
}

export class RoomHub {
  private rooms = new Map<string, Room>();

  constructor(private readonly connect: Connect) {}

  /**
   * Starts delivering the events of `roomId` (following `talkId`'s questions, if given) to
   * `listener`, under the key {@link followKey} names; returns the way to stop.
   */
  attach(roomId: string, userId: string, listener: Listener, talkId?: number): () => void {
    const key = followKey(roomId, talkId);
    let room = this.rooms.get(key);
    if (!room) {
      room = this.open(key, talkId ? { roomId, userId, talkId } : { roomId, userId });
    } else if (room.socket.connected) {
      // The server answers a repeated join with the open questions again, to every tab
      // of the room: harmless, they replace the list they had.
      room.socket.emit('join_room', room.join);
    }
    room.listeners.add(listener);
    listener({ t: 'status', key, connected: room.socket.connected });
    if (room.viewers) listener({ t: 'event', key, event: 'receive_viewer_count', data: room.viewers });
    return () => this.detach(key, listener);
  }

  detach(key: string, listener: Listener): void {
    const room = this.rooms.get(key);
    if (!room || !room.listeners.delete(listener)) return;
    if (room.lastSender === listener) room.lastSender = null;
    if (room.listeners.size === 0) {
      this.rooms.delete(key);
      if (room.socket.connected) room.socket.emit('leave_room', { roomId: room.join.roomId, userId: room.join.userId });
      room.socket.disconnect();
    }
  }

  /** Detaches `listener` from every room (a tab that went away). */
  detachAll(listener: Listener): void {
    for (const key of [...this.rooms.keys()]) this.detach(key, listener);
  }

  emit(key: string, listener: Listener, event: ClientEvent, payload: Record<string, unknown>): void {
    const room = this.rooms.get(key);
    if (!room || !room.listeners.has(listener)) return;
    room.lastSender = listener;
    room.socket.emit(event, { ...payload, roomId: room.join.roomId, userId: room.join.userId });
  }

  roomCount(): number {
    return this.rooms.size;
  }

  private open(key: string, join: Room['join']): Room {
    const socket = this.connect(key);
    const room: Room = { socket, join, listeners: new Set(), lastSender: null, viewers: null };
    const { roomId } = join;
    this.rooms.set(key, room);
    const all = (m: HubMessage) => {
      for (const l of room.listeners) l(m);
    };
    socket.on('connect', () => {
      // Also after a reconnection: the server forgot this socket's room.
      socket.emit('join_room', join);
      all({ t: 'status', key, connected: true });
    });
    socket.on('disconnect', () => all({ t: 'status', key, connected: false }));
    for (const event of SERVER_EVENTS) {
      socket.on(event, (data: unknown) => {
        const forRoom = !data || typeof data !== 'object' || !('roomId' in data) || !data.roomId || data.roomId === roomId;
        if (!forRoom) return;
        if (event === 'receive_viewer_count') room.viewers = data;
        const m: HubMessage = { t: 'event', key, event, data };
        if (event === 'exception' && room.lastSender && room.listeners.has(room.lastSender)) {
          room.lastSender(m);
        } else {
          all(m);
        }
      });
    }
    return room;
  }
}
