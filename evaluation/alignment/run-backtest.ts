// `rafcast align-backtest` from a data folder (issue 19): the files rafcast align reads (run-align.ts),
// loaded and checked once; the projection for PY+1 made on the data known on the cut-off (default
// January 1 of PY, what the entity knows as its performance year starts) set against PY+1's
// alignment from the complete data (backtest-sql.ts), and the files (write-backtest.ts).
import { defaultCutoff, parseCutoff } from '../../data/received-by.ts';
import { ConfigError } from '../../data/errors.ts';
import { loadStagedContract, openWorkDb } from '../../data/staged-contract.ts';
import { loadAlignmentRules } from '../../data/reference/alignment-rules.ts';
import { alignmentWindow } from './alignment-sql.ts';
import { findAlignmentFiles, inputNotes, stagedSources } from './run-align.ts';
import { writeBacktest, type BacktestSummary } from './write-backtest.ts';

export interface RunBacktestOptions {
  data: string;
  /** PY: the projection is the one rafcast align makes for PY+1. */
  performanceYear: number;
  /** The projection's data cut-off, YYYY-MM-DD (default January 1 of PY). */
  dataThrough?: string;
  out: string;
  memoryLimit?: string;
}

export async function runBacktest(o: RunBacktestOptions, onProgress: (stage: string) => void = () => undefined): Promise<BacktestSummary> {
  const PY = o.performanceYear;
  // Both years' rules first: the projection is made under PY's (as rafcast align makes it), the
  // actual alignment of PY+1 under PY+1's; a year without rules fails before any loading.
  const rules = loadAlignmentRules(PY);
  const nextRules = loadAlignmentRules(PY + 1);
  const cutoff = parseCutoff(o.dataThrough ?? defaultCutoff(PY));
  const next = alignmentWindow(PY + 1, rules);
  // A projection made once PY+1's alignment period has ended is no projection.
  if (cutoff >= next.to) throw new ConfigError(`--data-through ${cutoff}: the projection for ${PY + 1} must be made before its alignment period ends (${next.to}); give an earlier date`);
  const files = findAlignmentFiles(o.data);
  const db = await openWorkDb(o.out, o.memoryLimit);
  try {
    const loaded = await loadStagedContract(db.conn, files, db.work, { rejectedDir: o.out, onTable: (t) => onProgress(`loading ${t}`) });
    // PY+1's actual alignment needs the data through PY: enrollment of PY (its eligibility) and
    // claims to the end of its alignment period.
    const reach = (await db.conn.runAndReadAll(`SELECT (SELECT count(*) FROM enrollment WHERE year = ${PY})::INTEGER AS enrolled, (SELECT max(thru_date) FROM claims)::VARCHAR AS last`)).getRowObjectsJson()[0]!;
    // The alignment period's last month: `to` is the day after it.
    const actualTo = alignmentWindow(PY + 1, nextRules).to;
    const periodEnd = new Date(Date.UTC(Number(actualTo.slice(0, 4)), Number(actualTo.slice(5, 7)) - 2, 1)).toISOString().slice(0, 10);
    if (Number(reach.enrolled) === 0 || reach.last === null || String(reach.last) < periodEnd) {
      throw new ConfigError(
        `${o.data} does not reach the end of ${PY}: the actual alignment of ${PY + 1} needs enrollment of ${PY} (found ${Number(reach.enrolled)} rows) and claims through the last month of its alignment period, from ${periodEnd} (the latest claim is of ${reach.last ?? 'none'}); backtest an earlier performance year`,
      );
    }
    return await writeBacktest(
      db.conn,
      {
        sources: stagedSources(files),
        dataThrough: cutoff,
        years: {
          projected: { now: { window: alignmentWindow(PY, rules), rules }, next: { window: next, rules } },
          actual: { now: { window: alignmentWindow(PY + 1, nextRules), rules: nextRules }, next: { window: alignmentWindow(PY + 2, nextRules), rules: nextRules } },
        },
        out: o.out,
        notes: [
          ...inputNotes(o.data, files, loaded),
          `the projection knew claims received by ${cutoff} (received_date, else thru_date), designations signed and deaths by then, and the participant list as it stood then (an end after it not known); the actual alignment of ${PY + 1} reads every file whole, under the rules of ${PY + 1}`,
        ],
      },
      onProgress,
    );
  } finally {
    await db.close();
  }
}
