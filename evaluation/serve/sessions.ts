// Logged-in sessions of `rafcast serve`: a random 256-bit token per login (the cookie's value), its
// user and when it ends, kept in the run's statuses database (serve/status.duckdb, table session)
// so that a restart logs no one out. Only the token's SHA-256 is stored: a copy of the file names
// no session a browser could use. A login, a logout and the removal of ended sessions are each
// committed before the server answers; the server reads the sessions from memory, loaded at start
// (one server per run folder: DuckDB's lock on the file keeps a second one out).
import { createHash, randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';

/** A session lasts 8 hours from login (a working day), then the user logs in again. */
export const SESSION_HOURS = 8;

/** The stored form of a token: its SHA-256, hex (the token is 256 random bits, so no salt or slow hash is needed). */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export class Sessions {
  /** By token hash: the user and when the session ends (ms since the epoch). */
  private readonly byHash: Map<string, { user: string; ends: number }>;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly table: string,
    rows: Map<string, { user: string; ends: number }>,
    private readonly now: () => number,
  ) {
    this.byHash = rows;
  }

  /**
   * The sessions stored in `schema`.session on `conn` (a connection of their own: a write here is
   * never inside another's transaction), the ended ones removed. The table is made when new.
   */
  static async open(conn: DuckDBConnection, schema: string, now: () => number = () => Date.now()): Promise<Sessions> {
    const table = `${schema}.session`;
    await conn.run(`CREATE TABLE IF NOT EXISTS ${table} (token_sha256 VARCHAR PRIMARY KEY, user_name VARCHAR NOT NULL, ends_ms BIGINT NOT NULL)`);
    await conn.run(`DELETE FROM ${table} WHERE ends_ms <= $1`, [now()]);
    const rows = new Map<string, { user: string; ends: number }>();
    for (const r of (await conn.runAndReadAll(`SELECT token_sha256, user_name, ends_ms FROM ${table}`)).getRowObjectsJS()) {
      rows.set(String(r.token_sha256), { user: String(r.user_name), ends: Number(r.ends_ms) });
    }
    return new Sessions(conn, table, rows, now);
  }

  /** A new session of `user`, stored before it is returned; the token goes in the cookie only. */
  async create(user: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const hash = tokenHash(token);
    const ends = this.now() + SESSION_HOURS * 3600_000;
    await this.write(async () => {
      await this.conn.run(`DELETE FROM ${this.table} WHERE ends_ms <= $1`, [this.now()]);
      await this.conn.run(`INSERT INTO ${this.table} VALUES ($1, $2, $3)`, [hash, user, ends]);
    });
    for (const [h, s] of this.byHash) if (s.ends <= this.now()) this.byHash.delete(h);
    this.byHash.set(hash, { user, ends });
    return token;
  }

  /** The session's user, or undefined when the token is unknown, logged out, or its session has ended. */
  user(token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    const s = this.byHash.get(tokenHash(token));
    if (s === undefined || s.ends <= this.now()) return undefined;
    return s.user;
  }

  /** Ends the session (a logout), in the file before it returns. */
  async end(token: string | undefined): Promise<void> {
    if (token === undefined) return;
    const hash = tokenHash(token);
    if (!this.byHash.has(hash)) return;
    await this.write(() => this.conn.run(`DELETE FROM ${this.table} WHERE token_sha256 = $1`, [hash]));
    this.byHash.delete(hash);
  }

  /** One write at a time on this connection. */
  private write(f: () => Promise<unknown>): Promise<void> {
    const p = this.queue.then(f, f).then(() => undefined);
    this.queue = p.catch(() => undefined);
    return p;
  }
}
