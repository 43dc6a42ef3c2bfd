import { describe, expect, it } from 'vitest';
import { newUserId } from './identity';

describe('newUserId', () => {
  it('is 21 URL-safe characters from the random source', () => {
    const id = newUserId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(newUserId()).not.toBe(id);
  });
  it('maps each random byte to one of 64 symbols', () => {
    const zeros = newUserId((b) => b.fill(0));
    const ones = newUserId((b) => b.fill(64));
    expect(zeros).toBe(ones);
    expect(new Set(newUserId((b) => b.map((_, i) => i)))).toHaveProperty('size', 21);
  });
});
