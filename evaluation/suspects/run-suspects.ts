// `rafcast suspects` from a data folder (issue 17): the history as known on the cut-off for
// T-2..T (features/known-history.ts, the one rule; or one already computed, --known-history),
// the complete history for the backtest's confirmation when it holds T, the pharmacy and labs
// files when the plan has them, checked and quarantined as every contract file is
// (evidence-files.ts; rejected rows in --rejected, default the output folder), then writeSuspects
// (suspects.ts). At a
// million members the work is the known history (the engine over the claims received by the
// cut-off) and DuckDB queries over Parquet; pricing holds PRICING_CHUNK members in memory at once.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../data/errors.ts';
import { sqlString } from '../../data/duckdb.ts';
import { defaultCutoff, parseCutoff } from '../../data/received-by.ts';
import { openWorkDb } from '../../data/staged-contract.ts';
import { makeWorkFolder, removeWorkFolder } from '../../data/temporary-files.ts';
import { computeKnownHistory } from '../../features/known-history.ts';
import { requireBaseRate } from '../../scoring/revenue.ts';
import { attachEvidenceFiles } from './evidence-files.ts';
import { writeSuspects, type SuspectsSummary } from './suspects.ts';

export interface RunSuspectsOptions {
  /** The contract's files (members, enrollment, claims; pharmacy and labs when the plan has them). */
  data: string;
  asOf: number;
  out: string;
  annualBaseRate: number;
  /** The complete history (`rafcast history`; default <data>/history): its plan, and T for the backtest. */
  history?: string;
  /** The history as known on the cut-off for T-2..T, already computed (computed here otherwise). */
  knownHistory?: string;
  /** The data cut-off, YYYY-MM-DD (default January 1 of T). */
  dataThrough?: string;
  /** The folder for the input files' rejected rows, `<table>.rejected.csv` (default: `out`; the data folder is only read). */
  rejectedDir?: string;
  /** Stop when more than this share of a file's rows is rejected (default DEFAULT_MAX_REJECTED_SHARE, data/quarantine.ts). */
  maxRejectedShare?: number;
  memoryLimit?: string;
}

interface HistoryJson {
  years?: [number, number];
}

/** The complete history's raf_hcc when it holds T, or why the backtest cannot confirm. */
function confirmationSource(history: string, T: number): { hcc: string } | { notMeasurable: string } {
  const manifest = join(history, 'history.json');
  const hcc = join(history, 'raf_hcc.parquet');
  if (!existsSync(manifest) || !existsSync(hcc)) return { notMeasurable: `no complete history in ${history} (rafcast history) to confirm suspects in ${T}` };
  const years = (JSON.parse(readFileSync(manifest, 'utf8')) as HistoryJson).years;
  if (years === undefined || years[1] < T) return { notMeasurable: `the complete history in ${history} ends in ${years?.[1] ?? 'an unknown year'}: ${T}'s data are not complete` };
  return { hcc: `read_parquet(${sqlString(hcc)})` };
}

/** Where the input files' rejected rows go (default: the output folder) and the share that stops a run. */
function rejectedOptions(o: Pick<RunSuspectsOptions, 'out' | 'rejectedDir' | 'maxRejectedShare'>): { rejectedDir: string; maxRejectedShare?: number } {
  return { rejectedDir: o.rejectedDir ?? o.out, ...(o.maxRejectedShare !== undefined ? { maxRejectedShare: o.maxRejectedShare } : {}) };
}

/**
 * The history as known on the cut-off C for T-2..T: `o.knownHistory` checked to have been computed
 * with data through C, or computed into a new work folder (features/known-history.ts, the one
 * rule). `cleanup` removes that folder. Shared by `rafcast suspects` and `rafcast explain`.
 */
export async function knownHistoryFor(
  o: Pick<RunSuspectsOptions, 'data' | 'asOf' | 'annualBaseRate' | 'history' | 'knownHistory' | 'dataThrough' | 'memoryLimit' | 'out' | 'rejectedDir' | 'maxRejectedShare'>,
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<{ known: string; dataThrough: string; cleanup: () => Promise<void> }> {
  const T = o.asOf;
  const C = parseCutoff(o.dataThrough ?? defaultCutoff(T));
  const history = o.history ?? join(o.data, 'history');
  let work: string | undefined;
  const cleanup = async (): Promise<void> => {
    if (work !== undefined) await removeWorkFolder(work);
  };
  try {
    const rejected = rejectedOptions(o);
    let known = o.knownHistory;
    if (known === undefined) {
      work = makeWorkFolder('rafcast-suspects-');
      known = join(work, `history-${T}-through-${C}`);
      onProgress(`the history as known on ${C} (claims received by then), ${T - 2}-${T}`, 0, 1);
      await computeKnownHistory(
        { data: o.data, history, asOf: T, dataThrough: C, out: known, throughAsOf: true, annualBaseRate: o.annualBaseRate, ...rejected, ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}) },
        onProgress,
      );
    }
    for (const f of ['raf_hcc.parquet', 'raf_history.parquet', 'history.json']) {
      if (!existsSync(join(known, f))) throw new ConfigError(`${join(known, f)} is missing: --known-history must be a rafcast history folder computed with --data-through ${C}`);
    }
    // A history of another cut-off (or of complete data) would open HCCs the plan has not received.
    const knownThrough = (JSON.parse(readFileSync(join(known, 'history.json'), 'utf8')) as { dataThrough?: string | null }).dataThrough ?? null;
    if (knownThrough !== C) {
      throw new ConfigError(`--known-history ${known} was computed ${knownThrough === null ? 'on complete data' : `with data through ${knownThrough}`}, not with data through ${C}`);
    }
    return { known, dataThrough: C, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

export async function runSuspects(
  o: RunSuspectsOptions,
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<SuspectsSummary> {
  requireBaseRate(o.annualBaseRate);
  const T = o.asOf;
  const history = o.history ?? join(o.data, 'history');
  let cleanup = async (): Promise<void> => undefined;
  // The evidence files first: a file that cannot be read stops the command before the long work.
  const db = await openWorkDb(o.out, o.memoryLimit);
  try {
    onProgress('checking the pharmacy and labs files', 0, 1);
    const evidence = await attachEvidenceFiles(db.conn, o.data, db.work, rejectedOptions(o));
    const k = await knownHistoryFor(o, onProgress);
    cleanup = k.cleanup;
    const { known, dataThrough: C } = k;
    return await writeSuspects(
      db.conn,
      {
        asOf: T,
        dataThrough: C,
        hcc: `read_parquet(${sqlString(join(known, 'raf_hcc.parquet'))})`,
        history: `read_parquet(${sqlString(join(known, 'raf_history.parquet'))})`,
        ...(evidence.pharmacy !== undefined ? { pharmacy: evidence.pharmacy } : {}),
        ...(evidence.labs !== undefined ? { labs: evidence.labs } : {}),
        absent: evidence.absent,
        loaded: evidence.loaded,
        confirm: confirmationSource(history, T),
        annualBaseRate: o.annualBaseRate,
        out: o.out,
      },
      onProgress,
    );
  } finally {
    await db.close();
    await cleanup();
  }
}
