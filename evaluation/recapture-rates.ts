// Open HCCs and how often the plan recaptures them (issue 14; DOMAIN.md sections 2 and 4): the
// payment HCCs a member has open on January 1 of an as-of year, and, from the plan's own history
// strictly before T, the share of such HCCs coded again in the year and the share of those
// recaptures that came only in its second half (paid from the August lump sum, not from January).
//
// Open at as-of A (A = T for the candidate list): a payment HCC (per model) coded in A-1 or A-2,
// described by its latest coding. `dropped`: coded in A-2 but not in A-1. `in_window`: last coded
// on or after July 1 of A-1, so already inside RAF_init_A's window (July A-1 - June A) and paid
// from January whatever happens in A. `by_member_provider`: the NPI of its latest coding is the
// member's provider in A-1, the rendering NPI on most of the member's professional claims dated
// (thru_date) in A-1, a tie to the larger NPI (no professional claim in A-1: no provider, false).
//
// The rates (one observed year, T-1, the latest before T): the HCCs open at as-of T-1 of members
// with a history row in T-1 (enrolled and alive on January 1) are at risk; recaptured when the
// same model's HCC is coded in T-1; a recapture is late when its first date of service in T-1 is
// on or after July 1 and the HCC was not already in the window (`in_window` false). They are
// counted by model, HCC, dropped and by_member_provider; ratesOf pools cells with fewer than
// MIN_AT_RISK at risk. The counts are a population figure: the caller passes the whole plan's
// history and claims (a shard's candidate list uses the plan's, as the features' rates do).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { forEachRowByIndex, type MemberIndex } from '../data/member-index.ts';

/** The fewest at-risk HCCs (or recaptures, for the late share) a pool needs to give a rate. */
export const MIN_AT_RISK = 30;

/** The relations the queries read, as SQL text (a table or view name, or `read_parquet('...')`). */
export interface RecaptureSources {
  /** raf_hcc.parquet of `rafcast history`: member_id, year, model, hcc, description, first/last_service_date, provider_npi. */
  hcc: string;
  /** raf_history.parquet: member_id, year (a row = enrolled and alive on January 1 of the year). */
  history: string;
  /** The contract's claims: member_id, claim_type, thru_date, rendering_npi. */
  claims: string;
}

/**
 * member_id, provider_npi: each member's provider in `year`, the rendering NPI on most of the
 * member's professional claims dated (thru_date) in the year; a tie goes to the larger NPI, so the
 * choice does not depend on row order.
 */
export function memberProviderSql(claims: string, year: number): string {
  const y = Math.trunc(year);
  return `SELECT member_id, arg_max(rendering_npi, (n, rendering_npi)) AS provider_npi FROM (
      SELECT member_id, rendering_npi, count(*) AS n FROM ${claims}
      WHERE claim_type = 'professional' AND rendering_npi IS NOT NULL AND thru_date BETWEEN DATE '${y}-01-01' AND DATE '${y}-12-31'
      GROUP BY ALL) GROUP BY member_id`;
}

/**
 * One row per member, model and HCC open on January 1 of `asOf` (module comment), from `hcc` (a
 * raf_hcc relation): member_id, model, hcc, description, last_year, last_date (DATE),
 * provider_npi, dropped, in_window. `members`, when given, is a relation of member_id to keep.
 * The one rule of "open" (the candidate list's open HCCs, the suspects' recapture and drop-off).
 */
export function openHccRowsSql(hcc: string, asOf: number, members?: string): string {
  const a = Math.trunc(asOf);
  return `SELECT o.*, o.last_year = ${a - 2} AS dropped,
           o.last_year = ${a - 1} AND o.last_date >= DATE '${a - 1}-07-01' AS in_window
    FROM (
      SELECT h.member_id, h.model, h.hcc, arg_max(h.description, h.year) AS description, max(h.year) AS last_year,
             max(h.last_service_date) AS last_date, arg_max(h.provider_npi, (h.year, h.last_service_date)) AS provider_npi
      FROM ${hcc} h ${members === undefined ? '' : `SEMI JOIN ${members} k ON k.member_id = h.member_id`}
      WHERE h.year IN (${a - 1}, ${a - 2}) GROUP BY h.member_id, h.model, h.hcc) o`;
}

/**
 * openHccRowsSql's rows with by_member_provider: the NPI of the HCC's latest coding is the
 * member's provider in A-1 (memberProviderSql over `src.claims`, or `providers`, a relation of its
 * rows already computed).
 */
export function openHccsSql(src: RecaptureSources, asOf: number, members?: string, providers?: string): string {
  const a = Math.trunc(asOf);
  return `SELECT o.*, coalesce(o.provider_npi = p.provider_npi, false) AS by_member_provider
    FROM (${openHccRowsSql(src.hcc, a, members)}) o LEFT JOIN ${providers ?? `(${memberProviderSql(src.claims, a - 1)})`} p USING (member_id)`;
}

/** What the rates are asked about: an open HCC. */
export interface RecaptureKey {
  model: ModelVersion;
  hcc: number;
  dropped: boolean;
  byMemberProvider: boolean;
}

/** An open HCC, as openHccsSql describes it. */
export interface OpenHcc extends RecaptureKey {
  description: string;
  /** Last date of service coded, YYYY-MM-DD. */
  lastDate: string;
  provider: string;
  /** Last coded in July-December of A-1: already in RAF_init_A's window. */
  inWindow: boolean;
}

/**
 * The HCCs of `models` open at as-of `asOf` (openHccsSql) of the members at places [from, to) of
 * `index` (data/member-index.ts), by place, each member's in model and HCC order. `src.hcc` should
 * hold those members' rows alone (forEachExpectedGain's chunk of the rows it copied once): every
 * row it holds is grouped; `providers`, memberProviderSql's rows already computed.
 */
export async function readOpenHccsOf(
  conn: DuckDBConnection,
  src: RecaptureSources,
  asOf: number,
  index: MemberIndex,
  models: readonly ModelVersion[],
  from: number,
  to: number,
  providers?: string,
): Promise<Map<number, OpenHcc[]>> {
  const open = new Map<number, OpenHcc[]>();
  // The join to the places keeps these members: `src.hcc` narrowed to them already, a semi-join
  // before the grouping would read them twice.
  const members = `(SELECT member_id, i FROM ${index.table} WHERE i >= ${from} AND i < ${to})`;
  await forEachRowByIndex(
    conn,
    `SELECT x.i, o.model, o.hcc, o.description, o.last_date::VARCHAR AS last_day, o.provider_npi, o.dropped, o.in_window, o.by_member_provider
     FROM (${openHccsSql(src, asOf, undefined, providers)}) o JOIN ${members} x USING (member_id)
     WHERE o.model IN (${models.map((m) => `'${m}'`).join(', ') || 'NULL'}) ORDER BY x.i, o.model, o.hcc`,
    (i, [model, hcc, description, lastDay, provider, dropped, inWindow, byMemberProvider]) => {
      const list = open.get(i) ?? [];
      list.push({
        model: model as ModelVersion,
        hcc: Number(hcc),
        description: String(description ?? ''),
        lastDate: String(lastDay),
        provider: String(provider ?? ''),
        dropped: dropped === true,
        inWindow: inWindow === true,
        byMemberProvider: byMemberProvider === true,
      });
      open.set(i, list);
    },
  );
  return open;
}

/** Counts of one cell of the rates: HCCs open at as-of T-1 of members enrolled in T-1, and what became of them in T-1. */
export interface RecaptureCell {
  model: ModelVersion;
  hcc: number;
  dropped: boolean;
  byMemberProvider: boolean;
  atRisk: number;
  recaptured: number;
  /** Recaptures of HCCs not already in the window (in_window false): the late share's denominator. */
  recapturedOutsideWindow: number;
  /** Of those, first coded in T-1 on or after July 1. */
  late: number;
}

/** The cells of the rates for as-of T, from the observed year T-1 (module comment). */
export function recaptureCellsSql(src: RecaptureSources, asOf: number): string {
  const y = Math.trunc(asOf) - 1;
  return `SELECT o.model, o.hcc, o.dropped, o.by_member_provider,
      count(*)::INTEGER AS at_risk, count(r.hcc)::INTEGER AS recaptured,
      count(r.hcc) FILTER (WHERE NOT o.in_window)::INTEGER AS recaptured_outside_window,
      count(r.hcc) FILTER (WHERE NOT o.in_window AND r.first_service_date >= DATE '${y}-07-01')::INTEGER AS late
    FROM (${openHccsSql(src, y)}) o SEMI JOIN (SELECT member_id FROM ${src.history} WHERE year = ${y}) e ON e.member_id = o.member_id
      LEFT JOIN (SELECT member_id, model, hcc, first_service_date FROM ${src.hcc} WHERE year = ${y}) r
        ON r.member_id = o.member_id AND r.model = o.model AND r.hcc = o.hcc
    GROUP BY ALL ORDER BY o.model, o.hcc, o.dropped, o.by_member_provider`;
}

export async function readRecaptureCells(conn: DuckDBConnection, src: RecaptureSources, asOf: number): Promise<RecaptureCell[]> {
  return (await conn.runAndReadAll(recaptureCellsSql(src, asOf))).getRowObjectsJson().map((r) => ({
    model: r.model as ModelVersion,
    hcc: Number(r.hcc),
    dropped: r.dropped === true,
    byMemberProvider: r.by_member_provider === true,
    atRisk: Number(r.at_risk),
    recaptured: Number(r.recaptured),
    recapturedOutsideWindow: Number(r.recaptured_outside_window),
    late: Number(r.late),
  }));
}

/** The pools a rate may come from, narrowest first. */
export const RATE_POOLS = ['hcc, class, provider', 'hcc, class', 'class, provider', 'class', 'model'] as const;
/** The pools a late share may come from, narrowest first. */
export const LATE_POOLS = ['hcc, class', 'class', 'model'] as const;

export interface RecaptureRate {
  /** recaptured / at risk of the pool used; 0 when the model has no HCC at risk. */
  rate: number;
  /** The pool: the narrowest with at least MIN_AT_RISK at risk, else the broadest with any, else 'none'. */
  ratePool: (typeof RATE_POOLS)[number] | 'none';
  atRisk: number;
  recaptured: number;
  /** late / recaptures outside the window of the pool used (same rule on those recaptures); 0 when none. */
  late: number;
  latePool: (typeof LATE_POOLS)[number] | 'none';
  recapturedOutsideWindow: number;
}

interface Tally {
  atRisk: number;
  recaptured: number;
  outside: number;
  late: number;
}

/** Pool keys of a cell, in RATE_POOLS order; the class is `dropped`, the provider `by_member_provider`. */
function rateKeys(k: RecaptureKey): string[] {
  const c = k.dropped ? 'dropped' : 'persistent';
  const p = k.byMemberProvider ? 'own' : 'other';
  return [`${k.model}|${k.hcc}|${c}|${p}`, `${k.model}|${k.hcc}|${c}`, `${k.model}||${c}|${p}`, `${k.model}||${c}`, `${k.model}`];
}

/** Pool keys of a cell, in LATE_POOLS order. */
function lateKeys(k: RecaptureKey): string[] {
  const c = k.dropped ? 'dropped' : 'persistent';
  return [`${k.model}|${k.hcc}|${c}`, `${k.model}||${c}`, `${k.model}`];
}

/** The rate of any open HCC from the cells, each from the narrowest pool with `min` at risk (module comment). */
export function ratesOf(cells: readonly RecaptureCell[], min = MIN_AT_RISK): (k: RecaptureKey) => RecaptureRate {
  const pools = new Map<string, Tally>();
  const add = (key: string, c: RecaptureCell): void => {
    const t = pools.get(key) ?? { atRisk: 0, recaptured: 0, outside: 0, late: 0 };
    t.atRisk += c.atRisk;
    t.recaptured += c.recaptured;
    t.outside += c.recapturedOutsideWindow;
    t.late += c.late;
    pools.set(key, t);
  };
  for (const c of cells) for (const key of new Set([...rateKeys(c), ...lateKeys(c)])) add(key, c);
  /** The index of the narrowest pool with n(tally) >= min, else of the broadest with n > 0, else -1. */
  const pick = (keys: readonly string[], n: (t: Tally) => number): number => {
    const counts = keys.map((key) => {
      const t = pools.get(key);
      return t === undefined ? 0 : n(t);
    });
    const i = counts.findIndex((c) => c >= min);
    if (i >= 0) return i;
    for (let j = counts.length - 1; j >= 0; j--) if (counts[j]! > 0) return j;
    return -1;
  };
  return (k) => {
    const rk = rateKeys(k);
    const lk = lateKeys(k);
    const ri = pick(rk, (t) => t.atRisk);
    const li = pick(lk, (t) => t.outside);
    const r = ri < 0 ? undefined : pools.get(rk[ri]!)!;
    const l = li < 0 ? undefined : pools.get(lk[li]!)!;
    return {
      rate: r === undefined ? 0 : r.recaptured / r.atRisk,
      ratePool: ri < 0 ? 'none' : RATE_POOLS[ri]!,
      atRisk: r?.atRisk ?? 0,
      recaptured: r?.recaptured ?? 0,
      late: l === undefined ? 0 : l.late / l.outside,
      latePool: li < 0 ? 'none' : LATE_POOLS[li]!,
      recapturedOutsideWindow: l?.outside ?? 0,
    };
  };
}
