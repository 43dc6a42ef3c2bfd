// The channel settings' rules, as the API checks them (docs/CONTRACT.md), so that the
// form can say what is wrong before a round trip. The server still decides.

export const MAX_TITLE = 100;
export const MAX_CATEGORY = 50;
export const MAX_NOTICE = 500;
export const MAX_TAGS = 10;
export const MAX_TAG = 15;
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

export interface Form {
  liveTitle: string;
  hostName: string;
  category: string;
  tags: string[];
  notice: string;
}

export type FieldErrors = Partial<Record<keyof Form, { key: string; vars?: Record<string, number> }>>;

const TAG = /^[\p{Alphabetic}\p{N}+#._-]+$/u;

/** Letters of any script, digits and `+ # . - _`, 1 to 15 characters. */
export function validTag(tag: string): boolean {
  const n = [...tag].length;
  return n >= 1 && n <= MAX_TAG && TAG.test(tag);
}

const len = (s: string) => [...s.trim()].length;

export function validateSettings(f: Form): FieldErrors {
  const e: FieldErrors = {};
  if (len(f.liveTitle) < 1 || len(f.liveTitle) > MAX_TITLE) e.liveTitle = { key: 'valid.required', vars: { n: MAX_TITLE } };
  if (len(f.hostName) < 1 || len(f.hostName) > MAX_TITLE) e.hostName = { key: 'valid.required', vars: { n: MAX_TITLE } };
  if (len(f.category) > MAX_CATEGORY) e.category = { key: 'valid.tooLong', vars: { n: MAX_CATEGORY } };
  if (len(f.notice) > MAX_NOTICE) e.notice = { key: 'valid.tooLong', vars: { n: MAX_NOTICE } };
  if (f.tags.length > MAX_TAGS) e.tags = { key: 'valid.tooManyTags' };
  else if (!f.tags.every(validTag)) e.tags = { key: 'valid.tag' };
  return e;
}
