// Sessions (sessions.ts): a token names its user until SESSION_HOURS after the login, then no one;
// a token ended by a logout names no one; both hold for a Sessions opened anew on the same file
// (a restart), which stores the token's SHA-256 only, never the token.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDb, sqlString } from '../../data/duckdb.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { SESSION_HOURS, Sessions, tokenHash } from './sessions.ts';

async function onFile(file: string, now: () => number) {
  const db = await openDuckDb();
  await db.connection.run(`ATTACH ${sqlString(file)} AS st`);
  return { db, sessions: await Sessions.open(db.connection, 'st', now) };
}

describe('Sessions', () => {
  it(`ends a session ${SESSION_HOURS} hours after the login, and at a logout`, async () => {
    let now = 1_000_000;
    const { db, sessions: s } = await onFile(join(tempDir('sessions'), 'status.duckdb'), () => now);
    try {
      const a = await s.create('alice');
      const b = await s.create('bob');
      expect(a).not.toBe(b);
      expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes in base64url
      now += SESSION_HOURS * 3600_000 - 1;
      expect(s.user(a)).toBe('alice');
      now += 1;
      expect(s.user(a)).toBeUndefined();
      await s.end(b);
      expect(s.user(b)).toBeUndefined();
      expect(s.user(undefined)).toBeUndefined();
      expect(s.user('made-up')).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('keeps a session across a restart (the same file opened anew), not an ended or a logged-out one, and stores no token', async () => {
    const file = join(tempDir('sessions'), 'status.duckdb');
    let now = 5_000_000;
    const first = await onFile(file, () => now);
    const kept = await first.sessions.create('alice');
    const out = await first.sessions.create('bob');
    await first.sessions.end(out);
    now += 3600_000;
    const late = await first.sessions.create('carol');
    first.db.close();

    // One hour after alice's login: her session and carol's are there; bob logged out.
    const second = await onFile(file, () => now);
    expect(second.sessions.user(kept)).toBe('alice');
    expect(second.sessions.user(late)).toBe('carol');
    expect(second.sessions.user(out)).toBeUndefined();
    const stored = (await second.db.connection.runAndReadAll('SELECT token_sha256, user_name FROM st.session ORDER BY user_name')).getRowObjectsJS();
    expect(stored).toEqual([
      { token_sha256: tokenHash(kept), user_name: 'alice' },
      { token_sha256: tokenHash(late), user_name: 'carol' },
    ]);
    second.db.close();

    // SESSION_HOURS after alice's login, an hour before carol's ends: a restart keeps carol's only,
    // and alice's row is gone from the file.
    now += (SESSION_HOURS - 1) * 3600_000;
    const third = await onFile(file, () => now);
    expect(third.sessions.user(kept)).toBeUndefined();
    expect(third.sessions.user(late)).toBe('carol');
    expect((await third.db.connection.runAndReadAll('SELECT user_name FROM st.session')).getRowObjectsJS()).toEqual([{ user_name: 'carol' }]);
    third.db.close();
  });
});
