// A room's chat as a hook: the socket (shared through the hub), the reduced state, and
// a way to send. The chat panel, the moderator's queue, the speaker's and the
// projector's views each hold one; in one browser they share the room's socket.

import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { userId } from '../identity';
import { openChat, type ChatConnection } from './client';
import type { ClientEvent, ServerEvent, ServerEvents, TalkBrief } from './protocol';
import { initialState, reduce, type Action, type ChatState } from './state';

export interface Chat {
  state: ChatState;
  dispatch: (a: Action) => void;
  /** Sends `event` (`roomId` and `userId` are added); false while disconnected. */
  emit: (event: ClientEvent, payload?: Record<string, unknown>) => boolean;
  /** In a conference room: the followed talk (`talkId`'s, else the room's current one). */
  talk: TalkBrief | null;
}

export function useChat(
  roomId: string | null,
  opts: { isHost?: boolean; talkId?: number; onEvent?: (event: ServerEvent, data: unknown) => void } = {},
): Chat {
  const { isHost = false, talkId } = opts;
  const [state, dispatch] = useReducer(reduce, isHost, initialState);
  const [talk, setTalk] = useState<TalkBrief | null>(null);
  const conn = useRef<ChatConnection | null>(null);
  const connected = useRef(false);
  connected.current = state.connected;
  // The latest callback, so that a page re-rendering does not reopen the socket.
  const listener = useRef(opts.onEvent);
  listener.current = opts.onEvent;

  useEffect(() => {
    if (!roomId) return;
    const c = openChat(
      roomId,
      userId(),
      {
        onEvent: (event, data) => {
          dispatch({ type: 'event', event, data });
          if (data && typeof data === 'object') {
            if (event === 'receive_init_data') {
              const t = (data as ServerEvents['receive_init_data']).talk;
              if (t) setTalk(t);
            } else if (event === 'receive_talk_state') {
              const { talk: changed, current } = data as ServerEvents['receive_talk_state'];
              if (talkId) {
                if (changed?.talkId === talkId) setTalk(changed);
              } else {
                setTalk(current ?? null);
              }
            }
          }
          listener.current?.(event, data);
        },
        onStatus: (ok) => dispatch({ type: 'status', connected: ok }),
      },
      talkId,
    );
    conn.current = c;
    return () => {
      c.close();
      conn.current = null;
    };
  }, [roomId, talkId]);

  const emit = (event: ClientEvent, payload: Record<string, unknown> = {}) => {
    // While disconnected, socket.io would queue the event ahead of the rejoin, and the
    // server would refuse it as sent from outside the room.
    if (!conn.current || !connected.current) return false;
    conn.current.emit(event, payload);
    return true;
  };
  return { state, dispatch, emit, talk };
}

/** Whether a role may moderate: approve, dismiss, edit, pin, polls, switches. */
export function canModerate(role: string | null): boolean {
  return role === 'owner' || role === 'moderator';
}
