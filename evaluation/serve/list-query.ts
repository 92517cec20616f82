// The candidate list's filters, sort and page as the API takes them (query parameters), checked
// one by one, and the one SQL that both the page and the CSV export run: the export holds exactly
// the rows the filters select, in the same order. Values go to DuckDB as parameters, never
// spliced into the SQL; the sort column is one of a fixed list.
import { RequestError } from './errors.ts';
import { isOutreachStatus, type OutreachStatus } from './status-store.ts';

/** The columns a user can sort by (the table `listed` in run-data.ts). */
export const SORT_COLUMNS = ['rank', 'priority', 'probability', 'decile', 'segment', 'raf_t1', 'raf_t2', 'open_hccs', 'expected_accelerated', 'expected_incremental', 'expected_dollars', 'suspect_dollars', 'provider_npi', 'practice_tin', 'status'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export const PAGE_SIZE_MAX = 500;
export const PAGE_SIZE_DEFAULT = 50;

export interface ListQuery {
  segments: string[];
  deciles: number[];
  provider: string | null;
  practice: string | null;
  statuses: OutreachStatus[];
  minDollars: number | null;
  maxDollars: number | null;
  /** A range of suspect_dollars (the engine-priced suspects, apart from the expected dollars). */
  minSuspectDollars: number | null;
  maxSuspectDollars: number | null;
  sort: SortColumn;
  descending: boolean;
  page: number;
  pageSize: number;
}

type Params = Record<string, unknown>;

const one = (q: Params, name: string): string | undefined => {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new RequestError(`${name} must be given once`);
  return v;
};

const list = (q: Params, name: string): string[] =>
  (one(q, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function dollars(q: Params, name: string): number | null {
  const v = one(q, name);
  if (v === undefined) return null;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new RequestError(`${name} must be a number of dollars, found "${v}"`);
  return n;
}

function whole(q: Params, name: string, min: number, max: number, fallback: number): number {
  const v = one(q, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new RequestError(`${name} must be a whole number from ${min} to ${max}, found "${v}"`);
  return n;
}

/** The query parameters (segment, decile, provider, practice, status, min_dollars, max_dollars, min_suspect_dollars, max_suspect_dollars, sort, dir, page, page_size) checked into a ListQuery. */
export function parseListQuery(q: Params): ListQuery {
  const deciles = list(q, 'decile').map((d) => {
    const n = Number(d);
    if (!Number.isInteger(n) || n < 1 || n > 10) throw new RequestError(`decile must be whole numbers from 1 to 10, found "${d}"`);
    return n;
  });
  const statuses = list(q, 'status').map((s) => {
    if (!isOutreachStatus(s)) throw new RequestError(`status "${s}" is not an outreach status`);
    return s;
  });
  const sort = one(q, 'sort') ?? 'rank';
  if (!(SORT_COLUMNS as readonly string[]).includes(sort)) throw new RequestError(`sort must be one of: ${SORT_COLUMNS.join(', ')}`);
  const dir = one(q, 'dir') ?? 'asc';
  if (dir !== 'asc' && dir !== 'desc') throw new RequestError('dir must be asc or desc');
  return {
    segments: list(q, 'segment'),
    deciles,
    provider: one(q, 'provider') ?? null,
    practice: one(q, 'practice') ?? null,
    statuses,
    minDollars: dollars(q, 'min_dollars'),
    maxDollars: dollars(q, 'max_dollars'),
    minSuspectDollars: dollars(q, 'min_suspect_dollars'),
    maxSuspectDollars: dollars(q, 'max_suspect_dollars'),
    sort: sort as SortColumn,
    descending: dir === 'desc',
    page: whole(q, 'page', 1, 1_000_000_000, 1),
    pageSize: whole(q, 'page_size', 1, PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT),
  };
}

/** The WHERE clause of a query over `listed`, with its parameters ($1, $2, ... in order). */
export function whereOf(q: ListQuery): { sql: string; values: (string | number)[] } {
  const values: (string | number)[] = [];
  const p = (v: string | number): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const conds: string[] = [];
  if (q.segments.length > 0) conds.push(`segment IN (${q.segments.map(p).join(', ')})`);
  if (q.deciles.length > 0) conds.push(`decile IN (${q.deciles.map(p).join(', ')})`);
  if (q.provider !== null) conds.push(`provider_npi = ${p(q.provider)}`);
  if (q.practice !== null) conds.push(`practice_tin = ${p(q.practice)}`);
  if (q.statuses.length > 0) conds.push(`status IN (${q.statuses.map(p).join(', ')})`);
  if (q.minDollars !== null) conds.push(`expected_dollars >= ${p(q.minDollars)}`);
  if (q.maxDollars !== null) conds.push(`expected_dollars <= ${p(q.maxDollars)}`);
  if (q.minSuspectDollars !== null) conds.push(`suspect_dollars >= ${p(q.minSuspectDollars)}`);
  if (q.maxSuspectDollars !== null) conds.push(`suspect_dollars <= ${p(q.maxSuspectDollars)}`);
  return { sql: conds.length === 0 ? '' : `WHERE ${conds.join(' AND ')}`, values };
}

/** ORDER BY the chosen column, blanks last, ties by rank (the model's order): the same order every time. */
export function orderOf(q: ListQuery): string {
  return `ORDER BY ${q.sort} ${q.descending ? 'DESC' : 'ASC'} NULLS LAST, rank ASC`;
}
