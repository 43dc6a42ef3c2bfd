// Chat sockets shared by every listener of a browser context: one socket.io connection
// per room, whatever the number of tabs (or panels) showing that room. It runs inside the
// SharedWorker, or in the tab itself where the browser has no SharedWorker.
//
// One socket per room, not one for everything: liboo's chat keeps one room per socket
// (joining another room leaves the first), and it computes `owner: 'me'` per socket. All
// tabs of a browser share one userId, so a message that socket sent is "mine" in each
// of them. An `exception` answers whatever the socket last sent, so it goes to the
// listener that sent last, not to every tab.

import { io, type Socket } from 'socket.io-client';
import { SERVER_EVENTS, type ClientEvent, type ServerEvent } from './protocol';

export type HubMessage =
  | { t: 'event'; roomId: string; event: ServerEvent; data: unknown }
  | { t: 'status'; roomId: string; connected: boolean };

export type Listener = (m: HubMessage) => void;

/** The part of a socket.io client socket the hub uses, so tests can give a fake. */
export interface HubSocket {
  connected: boolean;
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(): unknown;
}

export type Connect = (roomId: string) => HubSocket;

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
  userId: string;
  listeners: Set<Listener>;
  lastSender: Listener | null;
  /** The last viewer count, for a listener that attaches between two pushes. */
  viewers: unknown;
}

export class RoomHub {
  private rooms = new Map<string, Room>();

  constructor(private readonly connect: Connect) {}

  /** Starts delivering `roomId`'s events to `listener`; returns the way to stop. */
  attach(roomId: string, userId: string, listener: Listener): () => void {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = this.open(roomId, userId);
    } else if (room.socket.connected) {
      // The server answers a repeated join with the open questions again, to every tab
      // of the room: harmless, they replace the list they had.
      room.socket.emit('join_room', { roomId, userId: room.userId });
    }
    room.listeners.add(listener);
    listener({ t: 'status', roomId, connected: room.socket.connected });
    if (room.viewers) listener({ t: 'event', roomId, event: 'receive_viewer_count', data: room.viewers });
    return () => this.detach(roomId, listener);
  }

  detach(roomId: string, listener: Listener): void {
    const room = this.rooms.get(roomId);
    if (!room || !room.listeners.delete(listener)) return;
    if (room.lastSender === listener) room.lastSender = null;
    if (room.listeners.size === 0) {
      this.rooms.delete(roomId);
      if (room.socket.connected) room.socket.emit('leave_room', { roomId, userId: room.userId });
      room.socket.disconnect();
    }
  }

  /** Detaches `listener` from every room (a tab that went away). */
  detachAll(listener: Listener): void {
    for (const roomId of [...this.rooms.keys()]) this.detach(roomId, listener);
  }

  emit(roomId: string, listener: Listener, event: ClientEvent, payload: Record<string, unknown>): void {
    const room = this.rooms.get(roomId);
    if (!room || !room.listeners.has(listener)) return;
    room.lastSender = listener;
    room.socket.emit(event, { ...payload, roomId, userId: room.userId });
  }

  roomCount(): number {
    return this.rooms.size;
  }

  private open(roomId: string, userId: string): Room {
    const socket = this.connect(roomId);
    const room: Room = { socket, userId, listeners: new Set(), lastSender: null, viewers: null };
    this.rooms.set(roomId, room);
    const all = (m: HubMessage) => {
      for (const l of room.listeners) l(m);
    };
    socket.on('connect', () => {
      // Also after a reconnection: the server forgot this socket's room.
      socket.emit('join_room', { roomId, userId });
      all({ t: 'status', roomId, connected: true });
    });
    socket.on('disconnect', () => all({ t: 'status', roomId, connected: false }));
    for (const event of SERVER_EVENTS) {
      socket.on(event, (data: unknown) => {
        const forRoom = !data || typeof data !== 'object' || !('roomId' in data) || !data.roomId || data.roomId === roomId;
        if (!forRoom) return;
        if (event === 'receive_viewer_count') room.viewers = data;
        const m: HubMessage = { t: 'event', roomId, event, data };
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
