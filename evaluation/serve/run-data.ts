// A run folder as `rafcast serve` reads it: the candidate list (candidates/candidates.parquet)
// joined with the outreach list (candidates/outreach.csv: priority, the member's provider, the
// reasons and the HCCs to recapture; suspect_dollars, the engine-priced suspects apart from the
// expected dollars, when the list has it: lists made before it have not, and serve without it) and, when given, a providers folder (providers.csv: the
// clinician's practice, TIN and name), loaded once into a DuckDB work file of the process; the
// statuses' file (status-store.ts) attached beside it, so that a filter or a sort on the status is SQL too. Only
// these fixed paths under the run folder are read; no request names a file.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb, sqlString } from '../../data/duckdb.ts';
import { ConfigError } from '../../data/errors.ts';
import { OUTPUT_FILE_MODE, OUTPUT_FOLDER_MODE } from '../../data/atomic-file.ts';
import { forgetTemporaryPath, trackTemporaryPath } from '../../data/temporary-files.ts';
import { NotFoundError, RequestError } from './errors.ts';
import { parseHccLines, type HccLine } from './hcc-lines.ts';
import { Sessions } from './sessions.ts';
import { orderOf, whereOf, type ListQuery } from './list-query.ts';
import { StatusStore, type MemberStatus, type OutreachStatus, type StatusHistoryEntry } from './status-store.ts';

/** The folder `rafcast serve` writes in, inside the run folder: the statuses and the users file. */
export const SERVE_FOLDER = 'serve';
export const STATUS_FILE = 'status.duckdb';
/** DuckDB's memory limit unless --memory-limit: the goal is a server under 1 GiB. */
export const DEFAULT_MEMORY_LIMIT = '512MB';

/** Where a run folder's candidate list is: <run>/candidates (rafcast run), or <run> itself (rafcast candidates --out). */
export function candidatesFolder(run: string): string {
  return existsSync(join(run, 'candidates', 'candidates.parquet')) || !existsSync(join(run, 'candidates.parquet')) ? join(run, 'candidates') : run;
}

/** A row of the candidate list as the API gives it. */
export interface ListRow {
  rank: number;
  member_id: string;
  priority: number | null;
  probability: number;
  decile: number;
  segment: string | null;
  raf_t2: number | null;
  raf_t1: number | null;
  open_hccs: number;
  expected_accelerated: number;
  expected_incremental: number;
  expected_dollars: number;
  /** What the member's suspects would add, priced by the engine, apart from the expected dollars; null when the run's list predates the column. */
  suspect_dollars: number | null;
  provider_npi: string | null;
  practice_tin: string | null;
  practice_name: string | null;
  status: OutreachStatus;
  version: number;
}

/** Sums of the filtered rows, to the cent. */
export interface ListTotals {
  members: number;
  expected_accelerated: number;
  expected_incremental: number;
  expected_dollars: number;
  /** null when the run's list has no suspect_dollars. */
  suspect_dollars: number | null;
}

export interface ListPage {
  rows: ListRow[];
  totals: ListTotals;
  page: number;
  pageSize: number;
  pages: number;
}

export interface MemberDetail {
  row: ListRow;
  reasons: string[];
  hccs: HccLine[];
  status: MemberStatus;
  history: StatusHistoryEntry[];
}

/** A clinician's or a practice's worklist in the list of worklists. */
export interface WorklistGroup {
  key: string;
  name: string | null;
  members: number;
  expected_dollars: number;
  done: number;
}

export interface RunDataOptions {
  run: string;
  /** A `rafcast providers` output folder whose providers.csv names each clinician's practice (default: <run>/providers when it has one). */
  providers?: string;
  memoryLimit?: string;
}

const LISTED = (schema: string) =>
  `WITH listed AS (SELECT l.*, COALESCE(s.status, 'not started') AS status, COALESCE(s.version, 0) AS version FROM list l LEFT JOIN ${schema}.status s USING (member_id))`;

const SELECT_ROW = `SELECT rank, member_id, priority, probability, decile, segment, raf_t2, raf_t1, open_hccs,
  CAST(expected_accelerated AS DOUBLE) AS expected_accelerated, CAST(expected_incremental AS DOUBLE) AS expected_incremental, CAST(expected_dollars AS DOUBLE) AS expected_dollars,
  CAST(suspect_dollars AS DOUBLE) AS suspect_dollars, provider_npi, practice_tin, practice_name, status, version FROM listed`;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toRow(r: Record<string, unknown>): ListRow {
  return {
    rank: Number(r.rank),
    member_id: String(r.member_id),
    priority: num(r.priority),
    probability: Number(r.probability),
    decile: Number(r.decile),
    segment: str(r.segment),
    raf_t2: num(r.raf_t2),
    raf_t1: num(r.raf_t1),
    open_hccs: Number(r.open_hccs),
    expected_accelerated: Number(r.expected_accelerated),
    expected_incremental: Number(r.expected_incremental),
    expected_dollars: Number(r.expected_dollars),
    suspect_dollars: num(r.suspect_dollars),
    provider_npi: str(r.provider_npi),
    practice_tin: str(r.practice_tin),
    practice_name: str(r.practice_name),
    status: String(r.status) as OutreachStatus,
    version: Number(r.version),
  };
}

/** A run folder opened for serving; close() releases DuckDB (the statuses are committed already). */
export class RunData {
  private constructor(
    readonly run: string,
    private readonly conn: DuckDBConnection,
    readonly statuses: StatusStore,
    /** The logged-in sessions, kept in the statuses' file so that a restart logs no one out. */
    readonly sessions: Sessions,
    readonly hasPractices: boolean,
    /** Whether the list has suspect_dollars (lists made before the column have not). */
    readonly hasSuspectDollars: boolean,
    private readonly closeDb: () => void,
  ) {}

  static async open(o: RunDataOptions): Promise<RunData> {
    const run = resolve(o.run);
    const listDir = candidatesFolder(run);
    const candidates = join(listDir, 'candidates.parquet');
    const outreach = join(listDir, 'outreach.csv');
    for (const f of [candidates, outreach]) {
      if (!existsSync(f)) throw new ConfigError(`--run ${o.run} is not a run folder with a candidate list: ${f} is missing (rafcast run or rafcast candidates writes it)`);
    }
    const providersDir = o.providers ?? join(run, 'providers');
    const providersCsv = join(providersDir, 'providers.csv');
    if (o.providers !== undefined && !existsSync(providersCsv)) throw new ConfigError(`--providers ${o.providers}: providers.csv is missing (rafcast providers writes it)`);
    const hasPractices = existsSync(providersCsv);
    const folder = join(run, SERVE_FOLDER);
    await mkdir(folder, { recursive: true, mode: OUTPUT_FOLDER_MODE });
    await chmod(folder, OUTPUT_FOLDER_MODE);
    // The list in a work file of this process, made at each start and removed on close or exit
    // (as DuckDB's spill files are): DuckDB compresses it and keeps in memory only what queries
    // touch (the reasons and HCC lines of a million members are about a gigabyte as text).
    const listFile = join(tmpdir(), `rafcast-serve-${process.pid}-${randomBytes(4).toString('hex')}.duckdb`);
    for (const f of [listFile, `${listFile}.wal`]) trackTemporaryPath(f);
    const removeList = (): void => {
      for (const f of [listFile, `${listFile}.wal`]) {
        rmSync(f, { force: true });
        forgetTemporaryPath(f);
      }
    };
    let db: Awaited<ReturnType<typeof openDuckDb>>;
    try {
      db = await openDuckDb({ path: listFile, memoryLimit: o.memoryLimit ?? DEFAULT_MEMORY_LIMIT });
    } catch (e) {
      removeList();
      throw e;
    }
    try {
      const c = db.connection;
      const statusFile = join(folder, STATUS_FILE);
      await chmod(listFile, OUTPUT_FILE_MODE);
      try {
        await c.run(`ATTACH ${sqlString(statusFile)} AS st`);
      } catch (e) {
        throw new ConfigError(`cannot open the statuses ${statusFile} (is another rafcast serve, or rafcast evaluate --statuses, using this run folder?): ${(e as Error).message.split('\n')[0]}`);
      }
      await chmod(statusFile, OUTPUT_FILE_MODE);
      const hasSuspectDollars = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(candidates)})`))
        .getRowObjectsJS()
        .some((r) => r.column_name === 'suspect_dollars');
      const practice = hasPractices
        ? `LEFT JOIN (SELECT npi, NULLIF(tin, '') AS tin, NULLIF(practice_name, '') AS practice_name FROM read_csv(${sqlString(providersCsv)}, header = true, all_varchar = true)) p ON p.npi = o.member_provider_npi`
        : '';
      await c.run(`CREATE TABLE list AS
        SELECT c.rank, c.member_id, CAST(o.priority AS INTEGER) AS priority, c.probability, c.decile, c.segment, c.raf_t2, c.raf_t1, c.open_hccs,
               c.expected_accelerated, c.expected_incremental, c.expected_dollars, ${hasSuspectDollars ? 'CAST(c.suspect_dollars AS DECIMAL(14,2))' : 'NULL::DECIMAL(14,2)'} AS suspect_dollars,
               NULLIF(o.member_provider_npi, '') AS provider_npi, ${hasPractices ? 'p.tin' : 'NULL::VARCHAR'} AS practice_tin, ${hasPractices ? 'p.practice_name' : 'NULL::VARCHAR'} AS practice_name,
               o.reasons, o.hccs AS hcc_lines
        FROM read_parquet(${sqlString(candidates)}) c
          LEFT JOIN read_csv(${sqlString(outreach)}, header = true, all_varchar = true) o USING (member_id) ${practice}`);
      // A lookup of one member (its page, a status change) by the index, not a scan of the list
      // (at 200,000 members 1.7 ms against 5-9 ms; the list keeps the candidate list's order, which
      // filters on the decile and the dollars skip through by DuckDB's min/max per row group).
      await c.run(`CREATE INDEX list_member ON list (member_id)`);
      const second = await db.instance.connect();
      const statuses = await StatusStore.open(second, c, 'st');
      const third = await db.instance.connect();
      const sessions = await Sessions.open(third, 'st');
      return new RunData(run, c, statuses, sessions, hasPractices, hasSuspectDollars, () => {
        second.closeSync();
        third.closeSync();
        db.close();
        removeList();
      });
    } catch (e) {
      db.close();
      removeList();
      throw e;
    }
  }

  close(): void {
    this.closeDb();
  }

  /** One page of the filtered, sorted list and the totals of every filtered row. */
  async page(q: ListQuery): Promise<ListPage> {
    const w = this.whereOf(q);
    const head = LISTED(this.statuses.schema);
    const t = (
      await this.conn.runAndReadAll(
        `${head} SELECT COUNT(*) AS members, CAST(COALESCE(SUM(expected_accelerated), 0) AS DOUBLE) AS a, CAST(COALESCE(SUM(expected_incremental), 0) AS DOUBLE) AS i, CAST(COALESCE(SUM(expected_dollars), 0) AS DOUBLE) AS d,
           ${this.hasSuspectDollars ? 'CAST(COALESCE(SUM(suspect_dollars), 0) AS DOUBLE)' : 'NULL'} AS s FROM listed ${w.sql}`,
        w.values,
      )
    ).getRowObjectsJS()[0]!;
    const totals: ListTotals = { members: Number(t.members), expected_accelerated: Number(t.a), expected_incremental: Number(t.i), expected_dollars: Number(t.d), suspect_dollars: num(t.s) };
    const rows = (
      await this.conn.runAndReadAll(`${head} ${SELECT_ROW} ${w.sql} ${orderOf(q)} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`, w.values)
    )
      .getRowObjectsJS()
      .map(toRow);
    return { rows, totals, page: q.page, pageSize: q.pageSize, pages: Math.max(1, Math.ceil(totals.members / q.pageSize)) };
  }

  /** Every filtered row, in the page's order (list-export.ts writes them as CSV or Excel). */
  async filteredRows(q: ListQuery): Promise<ListRow[]> {
    const w = this.whereOf(q);
    return (await this.conn.runAndReadAll(`${LISTED(this.statuses.schema)} ${SELECT_ROW} ${w.sql} ${orderOf(q)}`, w.values)).getRowObjectsJS().map(toRow);
  }

  /** The WHERE clause of the query; a filter or sort on suspect_dollars is refused when the list has none (it would select nothing, or order nothing, silently). */
  private whereOf(q: ListQuery): ReturnType<typeof whereOf> {
    if (!this.hasSuspectDollars && (q.minSuspectDollars !== null || q.maxSuspectDollars !== null || q.sort === 'suspect_dollars')) {
      throw new RequestError('this run\'s list has no suspect_dollars (made before rafcast candidates wrote it): filter and sort on the other columns');
    }
    return whereOf(q);
  }

  /** The distinct segments and deciles of the list, for the filters' choices. */
  async choices(): Promise<{ segments: string[]; deciles: number[] }> {
    const seg = (await this.conn.runAndReadAll(`SELECT DISTINCT segment FROM list WHERE segment IS NOT NULL ORDER BY segment`)).getRowObjectsJS();
    const dec = (await this.conn.runAndReadAll(`SELECT DISTINCT decile FROM list ORDER BY decile`)).getRowObjectsJS();
    return { segments: seg.map((r) => String(r.segment)), deciles: dec.map((r) => Number(r.decile)) };
  }

  /** The worklists: one per clinician (the member's provider) or per practice, most dollars first. */
  async groups(by: 'provider' | 'practice'): Promise<WorklistGroup[]> {
    const key = by === 'provider' ? 'provider_npi' : 'practice_tin';
    const name = by === 'provider' ? 'NULL' : 'MIN(practice_name)';
    return (
      await this.conn.runAndReadAll(
        `${LISTED(this.statuses.schema)} SELECT ${key} AS key, ${name} AS name, COUNT(*) AS members, CAST(SUM(expected_dollars) AS DOUBLE) AS dollars,
           COUNT(*) FILTER (WHERE status IN ('documented', 'declined', 'not reachable')) AS done
         FROM listed WHERE ${key} IS NOT NULL GROUP BY ${key} ORDER BY dollars DESC, key`,
      )
    )
      .getRowObjectsJS()
      .map((r) => ({ key: String(r.key), name: str(r.name), members: Number(r.members), expected_dollars: Number(r.dollars), done: Number(r.done) }));
  }

  /** A listed member's row, reasons, HCC lines, status and its history; NotFoundError when not listed. */
  async member(memberId: string): Promise<MemberDetail> {
    const found = (
      await this.conn.runAndReadAll(`${LISTED(this.statuses.schema)} ${SELECT_ROW.replace('FROM listed', ', reasons, hcc_lines FROM listed')} WHERE member_id = $1`, [memberId])
    ).getRowObjectsJS()[0];
    if (found === undefined) throw new NotFoundError('this member is not on the list: it');
    const reasons = String(found.reasons ?? '').split(' | ').filter((s) => s !== '');
    return { row: toRow(found), reasons, hccs: parseHccLines(String(found.hcc_lines ?? '')), status: await this.statuses.get(memberId), history: await this.statuses.history(memberId) };
  }

  /** Whether the member is on the list (a status is only kept for listed members). */
  async isListed(memberId: string): Promise<boolean> {
    return (await this.conn.runAndReadAll(`SELECT 1 FROM list WHERE member_id = $1`, [memberId])).getRowObjectsJS().length > 0;
  }

  /** The headline figures of the run: its summary, each model's lists against the baselines and the cash by month. */
  async headline(): Promise<Headline> {
    const summary = await readJson(join(this.run, 'run-summary.json'));
    const models = Array.isArray(summary?.models) ? (summary.models as unknown[]).map(String) : [];
    const evaluations: HeadlineModel[] = [];
    for (const m of models) {
      if (!/^[a-z0-9-]+$/.test(m)) continue;
      const e = await readJson(join(this.run, 'evaluation', m, 'evaluation.json'));
      if (e === undefined) continue;
      const lists = Array.isArray(e.lists) ? (e.lists as Record<string, any>[]) : [];
      const cash = await readFile(join(this.run, 'evaluation', m, 'cash.csv'), 'utf8').catch(() => '');
      evaluations.push({
        model: m,
        verdict: typeof e.verdict === 'string' ? e.verdict : null,
        lists: lists.map((l) => ({
          name: String(l.name),
          description: String(l.description ?? ''),
          precision: num(l.metrics?.precision),
          accelerated: num(l.revenue?.accelerated?.total),
          incremental: num(l.revenue?.incremental?.total),
        })),
        cash: cash
          .trim()
          .split('\n')
          .slice(1)
          .filter((line) => line !== '')
          .map((line) => {
            const [list, month, , , , total] = line.split(',');
            return { list: String(list), month: String(month), total: Number(total) };
          })
          .filter((c) => c.list === 'model' || c.list === 'naive'),
      });
    }
    const all = await this.page({ segments: [], deciles: [], provider: null, practice: null, statuses: [], minDollars: null, maxDollars: null, minSuspectDollars: null, maxSuspectDollars: null, sort: 'rank', descending: false, page: 1, pageSize: 1 });
    return {
      runId: typeof summary?.runId === 'string' ? summary.runId : null,
      asOf: num(summary?.asOf),
      models,
      listed: all.totals,
      evaluations,
      hasPractices: this.hasPractices,
    };
  }
}

export interface HeadlineModel {
  model: string;
  verdict: string | null;
  lists: { name: string; description: string; precision: number | null; accelerated: number | null; incremental: number | null }[];
  cash: { list: string; month: string; total: number }[];
}

export interface Headline {
  runId: string | null;
  asOf: number | null;
  models: string[];
  listed: ListTotals;
  evaluations: HeadlineModel[];
  hasPractices: boolean;
}

async function readJson(path: string): Promise<Record<string, any> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, any>;
  } catch {
    return undefined;
  }
}
