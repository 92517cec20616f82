// Suspects at as-of year T (issue 17, "Suspects"; rules in data/reference/suspects/README.md), in
// DuckDB SQL over the staged tables, one row per member, V28 HCC and evidence type:
// - recapture / drop_off: a V28 HCC open on January 1 of T (coded in T-1, or in T-2 and not T-1:
//   evaluation/recapture-rates.ts openHccRowsSql, the candidate list's rule) and not yet coded in T;
// - medication, lab, comorbidity: a fill, a lab result or a pair of coded HCCs that implies a V28
//   HCC that was never coded in the look-back (T-2, T-1, T so far): features/suspect-evidence.ts,
//   the rule the model's evidence features read too.
import type { DuckDBConnection } from '@duckdb/node-api';
import { SUSPECT_COLUMNS, codedIn, impliedEvidenceSql, uncodedMostSevereSql, type SuspectSources } from '../../features/suspect-evidence.ts';
import { openHccRowsSql } from '../recapture-rates.ts';

export const EVIDENCE_TYPES = ['recapture', 'drop_off', 'medication', 'lab', 'comorbidity'] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/** Recapture and drop-off: open V28 HCCs not yet coded in T. */
function openSql(src: SuspectSources): string {
  return `SELECT member_id, hcc, CASE WHEN dropped THEN 'drop_off' ELSE 'recapture' END AS evidence_type, NULL::VARCHAR AS rules,
      NULL::VARCHAR AS strength, 'coded in ' || last_year || ', last on ' || strftime(last_date, '%Y-%m-%d') AS detail,
      last_date AS first_date, last_date, 1 AS n, provider_npi
    FROM (${openHccRowsSql(src.hcc, src.asOf)}) o WHERE model = 'V28' AND NOT ${codedIn('_sus_coded_t', 'o.member_id', 'o.hcc')}`;
}

/**
 * Creates _suspects (SUSPECT_COLUMNS) from the tables createSuspectRuleTables and createCodedTables
 * (features/suspect-evidence.ts) made: the open HCCs not yet coded in T, and the evidence of
 * `src`'s pharmacy and labs (when given) and of the coded pairs, each of its HCC never coded in the
 * look-back and the most severe its type suggests.
 */
export async function createSuspects(conn: DuckDBConnection, src: SuspectSources): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _suspects AS
     SELECT ${SUSPECT_COLUMNS} FROM (${openSql(src)})
     UNION ALL
     SELECT ${SUSPECT_COLUMNS} FROM (${uncodedMostSevereSql(impliedEvidenceSql(src))})`,
  );
}
