// The projection's backtest (issue 19: "the generated plan's projection compared with the alignment
// that the next year's data actually gives"; the timing and what "known" means: ./README.md,
// "Backtest of the projection"), in DuckDB SQL: the projection for PY+1 made, as `rafcast align`
// makes it, from the data known on a cut-off (claims received by then, designations signed by then,
// deaths by then, the participant list as it stood then), set against PY+1's alignment from the
// complete data (alignment-sql.ts, the same rules: nothing is computed twice in two ways).
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../data/duckdb.ts';
import { receivedBySql } from '../../data/received-by.ts';
import type { AlignmentRules } from '../../data/reference/alignment-rules.ts';
import { ALIGNED, createAlignmentResult, type AlignmentSources, type AlignmentWindow } from './alignment-sql.ts';

/** The projection's categories (alignment-sql.ts), in the order the backtest reports them. */
export const PROJECTIONS = ['aligned_now', 'on_track', 'at_risk', 'not_aligned', 'ineligible'] as const;
/** What PY+1's alignment from the complete data gives (alignment.csv's `alignment`), in the order the backtest reports them. */
export const ACTUAL_ALIGNMENTS = ['claims', 'voluntary', 'both', 'claims_elsewhere', 'voluntary_elsewhere', 'none', 'ineligible'] as const;

const date = (d: string): string => `DATE ${sqlString(d)}`;

/**
 * Views of `src`'s relations as known on `cutoff` (inclusive): claims received by then
 * (data/received-by.ts, the one rule); designations signed by then; a death after it not known
 * (NULL); participant rows that started by then, an end after it not known (open). Enrollment and
 * providers (specialties) as given: the rules read enrollment of PY-1 only, and the contract gives
 * a year's months, not their dates, so there is no cut to make. Returns the sources naming the views.
 */
export async function createKnownSources(conn: DuckDBConnection, src: AlignmentSources, cutoff: string): Promise<AlignmentSources> {
  const c = date(cutoff);
  await conn.run(`CREATE OR REPLACE TEMP VIEW _bt_members AS SELECT * REPLACE (CASE WHEN death_date <= ${c} THEN death_date END AS death_date) FROM ${src.members}`);
  await conn.run(`CREATE OR REPLACE TEMP VIEW _bt_claims AS SELECT * FROM ${src.claims} WHERE ${receivedBySql(cutoff)}`);
  await conn.run(
    `CREATE OR REPLACE TEMP VIEW _bt_participants AS
     SELECT * REPLACE (CASE WHEN end_date <= ${c} THEN end_date END AS end_date) FROM ${src.participants} WHERE start_date <= ${c}`,
  );
  if (src.voluntary !== undefined) await conn.run(`CREATE OR REPLACE TEMP VIEW _bt_voluntary AS SELECT * FROM ${src.voluntary} WHERE signed_date <= ${c}`);
  return {
    ...src,
    members: '_bt_members',
    claims: '_bt_claims',
    participants: '_bt_participants',
    ...(src.voluntary !== undefined ? { voluntary: '_bt_voluntary' } : {}),
  };
}

export interface BacktestYears {
  /** PY: its alignment and the projection for PY+1 as known on the cut-off, under PY's rules (as rafcast align makes it). */
  projected: { now: { window: AlignmentWindow; rules: AlignmentRules }; next: { window: AlignmentWindow; rules: AlignmentRules } };
  /** PY+1's alignment from the complete data under PY+1's rules (its own projection, for PY+2, is computed and not read). */
  actual: { now: { window: AlignmentWindow; rules: AlignmentRules }; next: { window: AlignmentWindow; rules: AlignmentRules } };
}

/**
 * _bt_result, one row per member of the members file: the projection made on `cutoff`
 * (projection, py_alignment, projected_alignment, projected_tin) beside PY+1's actual alignment
 * (actual_alignment, actual_tin, actual_excluded_by) and the outcome: `aligned` (claims, voluntary
 * or both), `ineligible` (PY+1's eligibility excludes them), else `not_aligned`.
 */
export async function createBacktestResult(
  conn: DuckDBConnection,
  src: AlignmentSources,
  cutoff: string,
  years: BacktestYears,
  onStep: (step: string) => void = () => undefined,
): Promise<void> {
  const known = await createKnownSources(conn, src, cutoff);
  await createAlignmentResult(conn, known, years.projected.now, years.projected.next, (s) => onStep(`as known on ${cutoff}: ${s}`));
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _bt_projected AS
     SELECT member_id, projection, alignment AS py_alignment, next_alignment AS projected_alignment, next_tin AS projected_tin FROM _al_result`,
  );
  await createAlignmentResult(conn, src, years.actual.now, years.actual.next, (s) => onStep(`from the complete data: ${s}`));
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _bt_result AS
     SELECT p.member_id, p.projection, p.py_alignment, p.projected_alignment, p.projected_tin,
       a.alignment AS actual_alignment, a.aligned_tin AS actual_tin, a.excluded_by AS actual_excluded_by,
       CASE WHEN a.alignment IN ${ALIGNED} THEN 'aligned' WHEN a.alignment = 'ineligible' THEN 'ineligible' ELSE 'not_aligned' END AS outcome
     FROM _bt_projected p JOIN _al_result a USING (member_id)
     ORDER BY p.member_id`,
  );
}
