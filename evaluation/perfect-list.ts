// The perfect-knowledge list of a backtest (generated data only): members ranked by the score the
// label ranks by, RAF_T (the payment score of payment year T+1), as if every true condition of T
// in the generator's truth/ had been coded and nothing else: each member's true HCCs re-scored
// through the engine with the history's plan of service year T (evaluation/year-scoring.ts: the
// payment year's V24/V28 blend, normalisation and coding adjustment), so hierarchies, the heart
// patch, interactions and the count variable all apply, in the member's own segment and age
// (the history's row of T). Only the evaluation reads truth/.
//
// truth/ holds conditions as V28 payment HCCs. The engine scores diagnosis codes, and a V28 HCC's
// codes can fall in different V24 categories, so each true HCC is written as one representative
// ICD-10-CM code (representativeCodes): a code that maps to that V28 HCC alone and is in no V28
// age/sex edit (the codes the generator draws from, data/synthetic/conditions.ts), chosen among
// those sharing the V24 mapping most of them have, the first in code order.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../data/duckdb.ts';
import { createMemberIndex, forEachRowByIndex, isMemberIndex, type MemberIndex } from '../data/member-index.ts';
import { InputError } from '../data/errors.ts';
import type { ModelTables, Segment } from '../data/reference/cms-hcc-tables.ts';
import { resolveDemographics, type Demographics, type DualStatus } from '../scoring/demographics.ts';
import { paymentScoreOf, type YearScoring } from './year-scoring.ts';

/**
 * One ICD-10-CM code per V28 payment HCC (see the file's head): among the codes mapping to the HCC
 * alone in `v28` and in no V28 age/sex edit, those whose `v24` categories (sorted; none when
 * unmapped) are the most common; ties to the V24 mapping that comes first, then the first code.
 */
export function representativeCodes(v28: ModelTables, v24: ModelTables | undefined): Map<number, string> {
  const edited = new Set(v28.ageSexEdits.flatMap((e) => [...e.codes]));
  const byHcc = new Map<number, Map<string, string[]>>();
  for (const [code, ccs] of v28.dxToCc) {
    if (ccs.length !== 1 || edited.has(code) || !v28.labels.has(ccs[0]!)) continue;
    const key = v24 === undefined ? '' : [...(v24.dxToCc.get(code) ?? [])].sort((a, b) => a - b).join(' ');
    const groups = byHcc.get(ccs[0]!) ?? new Map<string, string[]>();
    groups.set(key, [...(groups.get(key) ?? []), code]);
    byHcc.set(ccs[0]!, groups);
  }
  const out = new Map<number, string>();
  for (const [hcc, groups] of byHcc) {
    const [, codes] = [...groups].sort(([ka, a], [kb, b]) => b.length - a.length || (ka < kb ? -1 : ka > kb ? 1 : 0))[0]!;
    out.set(hcc, [...codes].sort()[0]!);
  }
  return out;
}

/** A member's row of T in the history: the demographics RAF_T was scored with. */
export interface HistoryDemographics {
  sex: string;
  age: number;
  orec: string;
  segment: string;
  dual_status: string;
}

/** The demographics the history scored a member-year with (its segment and age), for payment year `paymentYear`. */
export function historyDemographics(h: HistoryDemographics, paymentYear: number): Demographics {
  return resolveDemographics(
    { sex: h.sex as 'M' | 'F', age: h.age, orec: h.orec, segment: h.segment as Segment, dualStatus: h.dual_status as DualStatus },
    paymentYear,
  );
}

/** The perfect-knowledge score of one member: the payment score of its true HCCs, each as its representative code. */
export function perfectScore(d: Demographics, trueHccs: readonly number[], codes: ReadonlyMap<number, string>, scoring: YearScoring): number {
  const dx: string[] = [];
  for (const h of trueHccs) {
    const code = codes.get(h);
    if (code !== undefined) dx.push(code);
  }
  return paymentScoreOf(d, dx, scoring);
}

export interface PerfectScores {
  score: Float64Array;
  /** True conditions of T with no code in the V28 tables of the payment year (left out). */
  uncodable: number;
}

/**
 * Perfect-knowledge scores of `members` (ids, or their index in DuckDB: data/member-index.ts) at
 * as-of T, in their order, each in the demographics of its row of T in `historyFile`
 * (raf_history.parquet), `scoring` the plan of service year T. A member with no row of T (no RAF_T, so no label) ranks last.
 */
export async function perfectScores(
  conn: DuckDBConnection,
  truthFile: string,
  historyFile: string,
  T: number,
  members: readonly string[] | MemberIndex,
  scoring: YearScoring,
): Promise<PerfectScores> {
  if (scoring.serviceYear !== T) throw new Error(`the perfect-knowledge list needs service year ${T}'s plan, given ${scoring.serviceYear}'s`);
  const v28 = scoring.tables.V28;
  if (v28 === undefined) throw new Error('the perfect-knowledge list needs V28 tables: truth/ holds V28 HCCs');
  const codes = representativeCodes(v28, scoring.tables.V24);
  const index = isMemberIndex(members) ? members : await createMemberIndex(conn, members, '_perfect_members');
  // Each member's row of T and true HCCs (in HCC order), by their place in `members`: nothing is
  // held by member id.
  const score = new Float64Array(index.n).fill(-Infinity);
  let uncodable = 0;
  await forEachRowByIndex(
    conn,
    `SELECT x.i, h.sex, h.age, h.orec, h.segment, h.dual_status, t.hccs
     FROM ${index.table} x JOIN read_parquet(${sqlString(historyFile)}) h USING (member_id)
       LEFT JOIN (SELECT member_id, string_agg(hcc::VARCHAR, ',' ORDER BY hcc) AS hccs FROM read_parquet(${sqlString(truthFile)}) WHERE year = ${T} GROUP BY member_id) t USING (member_id)
     WHERE h.year = ${T}`,
    (i, [sex, age, orec, segment, dualStatus, list]) => {
      const h: HistoryDemographics = { sex: String(sex), age: Number(age), orec: String(orec), segment: String(segment), dual_status: String(dualStatus) };
      const hccs = list === null ? [] : String(list).split(',').map(Number);
      for (const c of hccs) if (!codes.has(c)) uncodable++;
      let d: Demographics;
      try {
        d = historyDemographics(h, scoring.paymentYear);
      } catch (e) {
        if (e instanceof InputError) throw new InputError(`the history's row of ${T} cannot be re-scored: ${e.reason}`, { field: e.field });
        throw e;
      }
      score[i] = perfectScore(d, hccs, codes, scoring);
    },
  );
  return { score, uncodable };
}
