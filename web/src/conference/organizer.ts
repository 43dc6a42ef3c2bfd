// The rooms this browser organises, remembered so that their live and talk pages show
// the host's side of chat (mark answered, ban). Only display: the server decides who is
// the host, from the userId.

import { load, save } from '../storage';

const KEY = 'liboo.organizerRooms';
/** Enough for a few large conferences; the oldest are forgotten first. */
const MAX_ROOMS = 200;

export function organizerRooms(): string[] {
  try {
    const v: unknown = JSON.parse(load(KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberOrganizerRooms(roomIds: string[]): void {
  const all = [...new Set([...roomIds, ...organizerRooms()])].slice(0, MAX_ROOMS);
  save(KEY, JSON.stringify(all));
}

export function isOrganizerRoom(roomId: string): boolean {
  return organizerRooms().includes(roomId);
}
