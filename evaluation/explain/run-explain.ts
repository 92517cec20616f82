// `rafcast explain` from a data folder (issue 17, "The three-column illustration"): the history as
// known on the cut-off (run-suspects.ts knownHistoryFor, or --known-history), the member's
// suspects by the suspects engine (suspect-sql.ts, on the member's rows alone: every rule there is
// per member, so the member's suspects are the same as in the whole plan's run), then the three
// columns (three-columns.ts). The member id goes into SQL as a quoted literal and into the printed
// illustration; never into progress or errors.
import { join } from 'node:path';
import { ConfigError } from '../../data/errors.ts';
import { sqlString } from '../../data/duckdb.ts';
import { loadSuspectRules } from '../../data/reference/suspect-rules.ts';
import { openWorkDb } from '../../data/staged-contract.ts';
import { requireBaseRate } from '../../scoring/revenue.ts';
import { attachEvidenceFiles } from '../suspects/evidence-files.ts';
import { knownHistoryFor, type RunSuspectsOptions } from '../suspects/run-suspects.ts';
import { createCodedTables, createSuspectRuleTables } from '../../features/suspect-evidence.ts';
import { createSuspects } from '../suspects/suspect-sql.ts';
import { suspectPricing } from '../suspects/suspect-value.ts';
import { threeColumns, threeColumnsText, type ThreeColumns } from './three-columns.ts';

export interface RunExplainOptions extends Omit<RunSuspectsOptions, 'out'> {
  member: string;
}

/** What reading the input files gave: read = accepted + rejected per file (rejected rows in `rejectedDir` when given). */
export type ExplainLoaded = Awaited<ReturnType<typeof attachEvidenceFiles>>['loaded'];

/** The member's three columns and their text; a ConfigError (without the id) when the member cannot be priced. */
export async function runExplain(
  o: RunExplainOptions,
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<{ columns: ThreeColumns; text: string; loaded: ExplainLoaded }> {
  requireBaseRate(o.annualBaseRate);
  const T = Math.trunc(o.asOf);
  const id = sqlString(o.member);
  const db = await openWorkDb(undefined, o.memoryLimit);
  let cleanup = async (): Promise<void> => undefined;
  try {
    // explain writes nothing: rejected input rows are kept only in --rejected's folder when given
    // (counted either way), else in the work folder, removed at the end.
    const rejectedDir = o.rejectedDir ?? db.work;
    const evidence = await attachEvidenceFiles(db.conn, o.data, db.work, { rejectedDir, ...(o.maxRejectedShare !== undefined ? { maxRejectedShare: o.maxRejectedShare } : {}) });
    const k = await knownHistoryFor({ ...o, out: rejectedDir }, onProgress);
    cleanup = k.cleanup;
    onProgress('finding the member\'s suspects', 0, 1);
    const only = (rel: string): string => `(SELECT * FROM ${rel} WHERE member_id = ${id})`;
    const src = {
      asOf: T,
      dataThrough: k.dataThrough,
      hcc: only(`read_parquet(${sqlString(join(k.known, 'raf_hcc.parquet'))})`),
      ...(evidence.pharmacy !== undefined ? { pharmacy: only(evidence.pharmacy) } : {}),
      ...(evidence.labs !== undefined ? { labs: only(evidence.labs) } : {}),
    };
    const pricing = suspectPricing(T, o.annualBaseRate);
    await createSuspectRuleTables(db.conn, loadSuspectRules(pricing.v28), pricing.v28);
    await createCodedTables(db.conn, src);
    await createSuspects(db.conn, src);
    const history = only(`read_parquet(${sqlString(join(k.known, 'raf_history.parquet'))})`);
    const [columns] = await threeColumns(db.conn, { asOf: T, hcc: src.hcc, history, suspects: '_suspects' }, `(SELECT ${id} AS member_id)`, pricing);
    if (columns === undefined) {
      throw new ConfigError(`the member given with --member has no history row in ${T - 2} or ${T - 1} as known on ${k.dataThrough} (not in the data, or not enrolled then): no demographics to price`);
    }
    return { columns, text: threeColumnsText(columns, pricing), loaded: evidence.loaded };
  } finally {
    await db.close();
    await cleanup();
  }
}
