// The care managers' outreach statuses of a run's listed members, kept in an embedded DuckDB file
// in the run folder (serve/status.duckdb): one row per member with a version, and every change in
// a history (who, when, from what to what). A change names the version it was made on; when the
// stored one has moved on, it is refused (StatusConflictError, HTTP 409), never written over.
// A change is one transaction, committed (DuckDB's write-ahead log, synced) before it is answered:
// a server killed after answering loses nothing.
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { RequestError, StatusConflictError } from './errors.ts';

/** The outreach statuses, in the order a member goes through them (the last two end it otherwise). */
export const OUTREACH_STATUSES = ['not started', 'contacted', 'visit scheduled', 'visit done', 'documented', 'declined', 'not reachable'] as const;
export type OutreachStatus = (typeof OUTREACH_STATUSES)[number];

export const NOTE_MAX_LENGTH = 2000;

/** A member's status as stored; a member never changed is 'not started', version 0. */
export interface MemberStatus {
  status: OutreachStatus;
  note: string;
  /** The date the status refers to (a contact, a visit), YYYY-MM-DD, or null. */
  date: string | null;
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface StatusChange {
  status: OutreachStatus;
  note: string;
  date: string | null;
  /** The version the user saw: the change is refused unless it is still the stored one. */
  version: number;
}

export interface StatusHistoryEntry {
  version: number;
  from: OutreachStatus;
  to: OutreachStatus;
  note: string;
  date: string | null;
  by: string;
  at: string;
}

export const isOutreachStatus = (v: unknown): v is OutreachStatus => typeof v === 'string' && (OUTREACH_STATUSES as readonly string[]).includes(v);

/** A request body checked field by field into a StatusChange, or a RequestError naming the field. */
export function parseStatusChange(body: unknown): StatusChange {
  if (typeof body !== 'object' || body === null) throw new RequestError('the body must be a JSON object with status, note, date and version');
  const b = body as Record<string, unknown>;
  if (!isOutreachStatus(b.status)) throw new RequestError(`status must be one of: ${OUTREACH_STATUSES.join(', ')}`);
  const note = b.note ?? '';
  if (typeof note !== 'string' || note.length > NOTE_MAX_LENGTH) throw new RequestError(`note must be text of at most ${NOTE_MAX_LENGTH} characters`);
  const date = b.date === '' || b.date === undefined ? null : b.date;
  if (date !== null && (typeof date !== 'string' || !isCalendarDate(date))) throw new RequestError('date must be a date YYYY-MM-DD or empty');
  if (typeof b.version !== 'number' || !Number.isSafeInteger(b.version) || b.version < 0) throw new RequestError('version must be the whole number the status was read with');
  return { status: b.status, note, date, version: b.version };
}

function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const NOT_STARTED: MemberStatus = { status: 'not started', note: '', date: null, version: 0, updatedBy: null, updatedAt: null };

/**
 * The store over a connection on which the status database is attached as `schema`. Writes go
 * one at a time (a chain of promises), each in its own transaction on `writer`, a connection kept
 * for them so that no read runs inside a write's transaction. The writes' statements are prepared
 * once: a change is then a read of the stored version, an UPDATE of the member's row (or an INSERT
 * for its first change: INSERT OR REPLACE deletes and reinserts the key in the index, the slowest
 * step of a change) and an INSERT into the history, committed.
 */
export class StatusStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    readonly schema: string,
    private readonly write: { stored: DuckDBPreparedStatement; update: DuckDBPreparedStatement; insert: DuckDBPreparedStatement; history: DuckDBPreparedStatement },
  ) {}

  /** Creates the tables when the database is new. */
  static async open(writer: DuckDBConnection, reader: DuckDBConnection, schema: string): Promise<StatusStore> {
    await writer.run(
      `CREATE TABLE IF NOT EXISTS ${schema}.status (member_id VARCHAR PRIMARY KEY, status VARCHAR NOT NULL, note VARCHAR NOT NULL, status_date DATE, version INTEGER NOT NULL, updated_by VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL)`,
    );
    await writer.run(
      `CREATE TABLE IF NOT EXISTS ${schema}.status_history (member_id VARCHAR NOT NULL, version INTEGER NOT NULL, from_status VARCHAR NOT NULL, to_status VARCHAR NOT NULL, note VARCHAR NOT NULL, status_date DATE, changed_by VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL)`,
    );
    return new StatusStore(writer, reader, schema, {
      stored: await writer.prepare(`SELECT status, version FROM ${schema}.status WHERE member_id = $1`),
      update: await writer.prepare(
        `UPDATE ${schema}.status SET status = $2, note = $3, status_date = CAST($4 AS DATE), version = $5, updated_by = $6, updated_at = CAST($7 AS TIMESTAMP) WHERE member_id = $1`,
      ),
      insert: await writer.prepare(`INSERT INTO ${schema}.status VALUES ($1, $2, $3, CAST($4 AS DATE), $5, $6, CAST($7 AS TIMESTAMP))`),
      history: await writer.prepare(`INSERT INTO ${schema}.status_history VALUES ($1, $2, $3, $4, $5, CAST($6 AS DATE), $7, CAST($8 AS TIMESTAMP))`),
    });
  }

  async get(memberId: string): Promise<MemberStatus> {
    const rows = (
      await this.reader.runAndReadAll(
        `SELECT status, note, CAST(status_date AS VARCHAR) AS status_date, version, updated_by, CAST(updated_at AS VARCHAR) AS updated_at FROM ${this.schema}.status WHERE member_id = $1`,
        [memberId],
      )
    ).getRowObjectsJS();
    const r = rows[0];
    if (r === undefined) return { ...NOT_STARTED };
    return {
      status: String(r.status) as OutreachStatus,
      note: String(r.note),
      date: r.status_date === null ? null : String(r.status_date),
      version: Number(r.version),
      updatedBy: String(r.updated_by),
      updatedAt: String(r.updated_at),
    };
  }

  async history(memberId: string): Promise<StatusHistoryEntry[]> {
    return (
      await this.reader.runAndReadAll(
        `SELECT version, from_status, to_status, note, CAST(status_date AS VARCHAR) AS status_date, changed_by, CAST(changed_at AS VARCHAR) AS changed_at FROM ${this.schema}.status_history WHERE member_id = $1 ORDER BY version`,
        [memberId],
      )
    )
      .getRowObjectsJS()
      .map((r) => ({
        version: Number(r.version),
        from: String(r.from_status) as OutreachStatus,
        to: String(r.to_status) as OutreachStatus,
        note: String(r.note),
        date: r.status_date === null ? null : String(r.status_date),
        by: String(r.changed_by),
        at: String(r.changed_at),
      }));
  }

  /**
   * Sets a member's status made on `change.version`, by `user`, at `now`; returns the stored status
   * (version + 1). Throws StatusConflictError, writing nothing, when the stored version differs.
   */
  set(memberId: string, change: StatusChange, user: string, now: Date = new Date()): Promise<MemberStatus> {
    const run = async (): Promise<MemberStatus> => {
      const w = this.writer;
      const at = now.toISOString().replace('T', ' ').replace('Z', '');
      let version: number;
      await w.run('BEGIN TRANSACTION');
      try {
        const { stored: read, update, insert, history } = this.write;
        read.bind([memberId]);
        const cur = (await read.runAndReadAll()).getRowObjectsJS()[0];
        const stored = cur === undefined ? 0 : Number(cur.version);
        if (stored !== change.version) throw new StatusConflictError(change.version, stored);
        const from = cur === undefined ? 'not started' : String(cur.status);
        version = stored + 1;
        const row = cur === undefined ? insert : update;
        row.bind([memberId, change.status, change.note, change.date, version, user, at]);
        await row.run();
        history.bind([memberId, version, from, change.status, change.note, change.date, user, at]);
        await history.run();
        await w.run('COMMIT');
      } catch (e) {
        await w.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
      // What was committed, as get() would read it back.
      return { status: change.status, note: change.note, date: change.date, version, updatedBy: user, updatedAt: at };
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }
}
