// The perfect-knowledge list of a backtest (generated data only): members ranked as if every true
// condition of T (the generator's truth/) had been coded. Only the evaluation reads truth/.
import { sqlString } from '../data/duckdb.ts';
import { tablesFor } from '../data/reference/tables-for.ts';
import { applyHierarchies } from '../scoring/apply-hierarchies.ts';
import type { withScoredMembers } from '../models/model-run.ts';

/**
 * Perfect-knowledge score: the member's V28 raw score of T with its coded HCCs replaced by every
 * true condition of T (after V28's hierarchies), each at its factor in the member's segment.
 * Members with no RAF_T rank last.
 */
export async function perfectScores(
  conn: Parameters<Parameters<typeof withScoredMembers>[1]>[0]['conn'],
  truthFile: string,
  hccFile: string,
  T: number,
  ids: readonly string[],
  hT: Map<string, Record<string, unknown>>,
): Promise<Float64Array> {
  const tables = tablesFor('V28', T + 1);
  const coded = new Map<string, number>();
  for (const r of (await conn.runAndReadAll(`SELECT member_id, sum(factor)::DOUBLE AS f FROM read_parquet(${sqlString(hccFile)}) WHERE year = ${T} AND model = 'V28' GROUP BY member_id`)).getRowObjectsJson()) {
    coded.set(String(r.member_id), Number(r.f));
  }
  const truth = new Map<string, number[]>();
  for (const r of (await conn.runAndReadAll(`SELECT member_id, hcc FROM read_parquet(${sqlString(truthFile)}) WHERE year = ${T} ORDER BY member_id, hcc`)).getRowObjectsJson()) {
    const list = truth.get(String(r.member_id)) ?? [];
    list.push(Number(r.hcc));
    truth.set(String(r.member_id), list);
  }
  return Float64Array.from(ids, (id) => {
    const h = hT.get(id);
    if (h === undefined) return -Infinity;
    const segment = String(h.segment);
    const surviving = applyHierarchies(new Set(truth.get(id) ?? []), tables.hierarchy).hccs;
    let trueFactors = 0;
    for (const hcc of surviving) trueFactors += tables.coefficients.get(`${segment}_HCC${hcc}`) ?? 0;
    return Number(h.raw_v28) - (coded.get(id) ?? 0) + trueFactors;
  });
}
