// Who this browser is. liboo has no accounts: a random id kept in localStorage is the
// identity of viewers and hosts alike, and for a host it is a bearer secret. It is only
// ever sent in request bodies and socket payloads, never in a URL.

const KEY = 'liboo.userId';
const ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';

/** A 21-character id from 64 symbols (126 random bits), shaped like nanoid's. */
export function newUserId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(21));
  let id = '';
  for (const b of bytes) id += ALPHABET[b & 63];
  return id;
}

let cached: string | null = null;

/** This browser's id, made on first use. */
export function userId(): string {
  if (cached) return cached;
  let id: string | null = null;
  try {
    id = localStorage.getItem(KEY);
  } catch {
    // Storage off (private mode): the id lives as long as the page.
  }
  if (!id || !/^[A-Za-z0-9_-]{21}$/.test(id)) {
    id = newUserId();
    try {
      localStorage.setItem(KEY, id);
    } catch {
      // As above.
    }
  }
  cached = id;
  return id;
}
