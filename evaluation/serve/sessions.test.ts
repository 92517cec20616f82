// Sessions (sessions.ts): a token names its user until SESSION_HOURS after the login, then no one;
// a token ended by a logout names no one.
import { describe, expect, it } from 'vitest';
import { SESSION_HOURS, Sessions } from './sessions.ts';

describe('Sessions', () => {
  it(`ends a session ${SESSION_HOURS} hours after the login, and at a logout`, () => {
    let now = 1_000_000;
    const s = new Sessions(() => now);
    const a = s.create('alice');
    const b = s.create('bob');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes in base64url
    now += SESSION_HOURS * 3600_000 - 1;
    expect(s.user(a)).toBe('alice');
    now += 1;
    expect(s.user(a)).toBeUndefined();
    s.end(b);
    expect(s.user(b)).toBeUndefined();
    expect(s.user(undefined)).toBeUndefined();
  });
});
