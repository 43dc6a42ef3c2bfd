import { describe, expect, it } from 'vitest';
import { RoomHub, type HubMessage, type HubSocket } from './hub';

class FakeSocket implements HubSocket {
  connected = false;
  handlers = new Map<string, ((...a: unknown[]) => void)[]>();
  sent: [string, unknown][] = [];
  closed = false;
  on(event: string, fn: (...a: unknown[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
  }
  emit(event: string, data: unknown) {
    this.sent.push([event, data]);
  }
  disconnect() {
    this.closed = true;
    this.connected = false;
  }
  fire(event: string, data?: unknown) {
    if (event === 'connect') this.connected = true;
    for (const fn of this.handlers.get(event) ?? []) fn(data);
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const hub = new RoomHub(() => {
    const s = new FakeSocket();
    sockets.push(s);
    return s;
  });
  const tab = () => {
    const got: HubMessage[] = [];
    const l = (m: HubMessage) => got.push(m);
    return { l, got, events: () => got.filter((m) => m.t === 'event') };
  };
  return { hub, sockets, tab };
}

describe('RoomHub', () => {
  it('opens one socket per room, shared by the tabs in it, and joins on connect', () => {
    const { hub, sockets, tab } = setup();
    const a = tab();
    const b = tab();
    hub.attach('room1', 'user1', a.l);
    hub.attach('room1', 'user1', b.l);
    expect(sockets).toHaveLength(1);
    sockets[0].fire('connect');
    expect(sockets[0].sent).toEqual([['join_room', { roomId: 'room1', userId: 'user1' }]]);
    sockets[0].fire('receive_normal_chat', { roomId: 'room1', msg: 'hi', owner: 'me' });
    expect(a.events()).toHaveLength(1);
    expect(b.events()).toHaveLength(1);
  });

  it('keeps rooms apart', () => {
    const { hub, sockets, tab } = setup();
    const a = tab();
    const b = tab();
    hub.attach('r1', 'u', a.l);
    hub.attach('r2', 'u', b.l);
    expect(sockets).toHaveLength(2);
    sockets[0].fire('receive_normal_chat', { roomId: 'r1', msg: 'x' });
    expect(a.events()).toHaveLength(1);
    expect(b.events()).toHaveLength(0);
  });

  it('sends an exception only to the tab that sent last', () => {
    const { hub, sockets, tab } = setup();
    const a = tab();
    const b = tab();
    hub.attach('r', 'u', a.l);
    hub.attach('r', 'u', b.l);
    sockets[0].fire('connect');
    hub.emit('r', b.l, 'send_normal_chat', { msg: 'too long' });
    expect(sockets[0].sent.at(-1)).toEqual(['send_normal_chat', { msg: 'too long', roomId: 'r', userId: 'u' }]);
    sockets[0].fire('exception', { statusCode: 406, message: 'long', roomId: 'r' });
    expect(a.events()).toHaveLength(0);
    expect(b.events()).toHaveLength(1);
  });

  it('rejoins when a second tab attaches to a connected room, and replays the viewer count', () => {
    const { hub, sockets, tab } = setup();
    const a = tab();
    hub.attach('r', 'u', a.l);
    sockets[0].fire('connect');
    sockets[0].fire('receive_viewer_count', { roomId: 'r', count: 3 });
    const b = tab();
    hub.attach('r', 'u', b.l);
    expect(sockets[0].sent.filter(([e]) => e === 'join_room')).toHaveLength(2);
    expect(b.got).toContainEqual({ t: 'status', key: 'r', connected: true });
    expect(b.events()).toEqual([{ t: 'event', key: 'r', event: 'receive_viewer_count', data: { roomId: 'r', count: 3 } }]);
  });

  it('leaves and closes the socket when the last tab goes', () => {
    const { hub, sockets, tab } = setup();
    const a = tab();
    const b = tab();
    hub.attach('r', 'u', a.l);
    hub.attach('r', 'u', b.l);
    sockets[0].fire('connect');
    hub.detachAll(a.l);
    expect(sockets[0].closed).toBe(false);
    hub.detach('r', b.l);
    expect(sockets[0].sent.at(-1)).toEqual(['leave_room', { roomId: 'r', userId: 'u' }]);
    expect(sockets[0].closed).toBe(true);
    expect(hub.roomCount()).toBe(0);
  });

  it('ignores events for other rooms and emits from detached tabs', () => {
    const { hub, sockets, tab } = setup();
    const a = tab();
    const stranger = tab();
    hub.attach('r', 'u', a.l);
    sockets[0].fire('connect');
    sockets[0].fire('receive_notice', { roomId: 'other', msg: 'x' });
    expect(a.events()).toHaveLength(0);
    hub.emit('r', stranger.l, 'send_normal_chat', { msg: 'x' });
    expect(sockets[0].sent.filter(([e]) => e === 'send_normal_chat')).toHaveLength(0);
  });
});

describe('RoomHub in a conference room', () => {
  it('gives a talk follow its own socket, joining with the talk, and routes by the room', () => {
    const { hub, sockets, tab } = setup();
    const live = tab();
    const talk = tab();
    hub.attach('room', 'u', live.l);
    hub.attach('room', 'u', talk.l, 7);
    expect(sockets).toHaveLength(2);
    sockets[1].fire('connect');
    expect(sockets[1].sent).toEqual([['join_room', { roomId: 'room', userId: 'u', talkId: 7 }]]);
    sockets[1].fire('receive_question', { roomId: 'room', talkId: 7, msg: 'q', owner: 'me' });
    expect(talk.events()).toEqual([{ t: 'event', key: 'room#talk-7', event: 'receive_question', data: { roomId: 'room', talkId: 7, msg: 'q', owner: 'me' } }]);
    expect(live.events()).toHaveLength(0);
    hub.emit('room#talk-7', talk.l, 'send_question', { msg: 'q2' });
    expect(sockets[1].sent.at(-1)).toEqual(['send_question', { msg: 'q2', roomId: 'room', userId: 'u' }]);
  });

  it('rejoins a shared talk follow with its talk', () => {
    const { hub, sockets, tab } = setup();
    hub.attach('room', 'u', tab().l, 7);
    sockets[0].fire('connect');
    hub.attach('room', 'u', tab().l, 7);
    expect(sockets).toHaveLength(1);
    expect(sockets[0].sent).toEqual([
      ['join_room', { roomId: 'room', userId: 'u', talkId: 7 }],
      ['join_room', { roomId: 'room', userId: 'u', talkId: 7 }],
    ]);
  });
});
