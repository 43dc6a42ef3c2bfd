// localStorage that never throws: settings are a convenience, not a requirement.

export function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function save(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage full or off: the setting lasts as long as the page.
  }
}
