// `rafcast score`: members in a file -> CMS-HCC raw scores per model, payment score and revenue,
// file to file. Bad rows go to a quarantine file with their row number and reason; the counts
// reconcile (read = scored + quarantined). Outputs are written atomically, owner-only.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { prepareOutputFolder } from '../data/atomic-file.ts';
import { asIoError, RafcastError } from '../data/errors.ts';
import { openRecordSource, formatOf, openStagedSource, type RecordSource } from '../data/record-readers.ts';
import { stageParquetAsCsv, type StagedParquet } from '../data/parquet-staging.ts';
import type { ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { DEFAULT_MAX_REJECTED_SHARE } from '../data/quarantine.ts';
import { checkScoreHeader } from '../data/score-input.ts';
import { TableWriter } from '../data/table-writer.ts';
import type { PaymentOverrides } from '../scoring/payment-score.ts';
import { ChunkScorer, QUARANTINE_COLUMNS, type ChunkResult, type ScoreContext } from './chunk-scorer.ts';
import { ScoreWorkerPool } from './score-workers.ts';

export interface ScoreFileOptions {
  input: string;
  /** Format name when the extension does not tell; checked like the extension. */
  inputFormat?: string;
  output: string;
  outputFormat?: string;
  paymentYear: number;
  /** Score this model alone (blend forced to 100%). */
  model?: ModelVersion;
  overrides?: PaymentOverrides;
  annualBaseRate: number;
  explain?: boolean;
  /** The quarantine file itself (default: `<rejectedDir>/<output's name>.rejected.csv`). */
  quarantine?: string;
  /** Folder for the quarantine file (default: the output's folder). The input's folder is only read. */
  rejectedDir?: string;
  /** Fail the run when more than this share of rows is rejected (default DEFAULT_MAX_REJECTED_SHARE, data/quarantine.ts). */
  maxRejectedShare?: number;
  /**
   * Worker threads that parse and score JSONL/CSV rows (default: one per core, at most 4, for
   * inputs over 4 MB; 0 scores in this thread). Output is the same byte for byte either way.
   */
  workers?: number;
}

export interface ScoreFileSummary {
  read: number;
  scored: number;
  quarantined: number;
  output: string;
  quarantine: string;
  paymentYear: number;
  blend: Partial<Record<ModelVersion, number>>;
  /** Quarantined rows by reason field, for the summary. */
  quarantinedByField: Record<string, number>;
}

export type ProgressFn = (done: number, total: number, unit: 'bytes' | 'rows') => void;

const PARALLEL_MIN_BYTES = 4 << 20;

/** Where rejected rows go: `quarantine`, else `<rejectedDir or the output's folder>/<output's name>.rejected.csv`. */
export function scoreQuarantinePath(opts: Pick<ScoreFileOptions, 'output' | 'quarantine' | 'rejectedDir'>): string {
  return opts.quarantine ?? join(opts.rejectedDir ?? dirname(opts.output), `${basename(opts.output)}.rejected.csv`);
}

export async function scoreFile(opts: ScoreFileOptions, onProgress?: ProgressFn): Promise<ScoreFileSummary> {
  const inFormat = formatOf(opts.input, opts.inputFormat);
  const ctx: ScoreContext = {
    input: opts.input,
    paymentYear: opts.paymentYear,
    model: opts.model,
    overrides: opts.overrides,
    annualBaseRate: opts.annualBaseRate,
    explain: opts.explain === true,
    outFormat: formatOf(opts.output, opts.outputFormat),
  };
  const scorer = new ChunkScorer(ctx);
  let size: number;
  try {
    size = (await stat(opts.input)).size;
  } catch (e) {
    throw asIoError(e, 'cannot read', opts.input);
  }
  // The folders written to are checked before any work; the input's folder is never written to.
  await prepareOutputFolder(dirname(opts.output), 'the output folder');
  await prepareOutputFolder(dirname(scoreQuarantinePath(opts)), 'the folder for rejected rows');
  const workers = opts.workers ?? (size >= PARALLEL_MIN_BYTES ? Math.min(4, availableParallelism()) : 0);
  const pool = workers > 0 ? new ScoreWorkerPool(workers, ctx) : undefined;
  // Parquet takes the CSV path when scored in parallel: DuckDB stages it, rows in order.
  let staged: StagedParquet | undefined;
  try {
    // Staging reads the Parquet file's schema and row count itself: no separate open first.
    const source =
      pool !== undefined && inFormat === 'parquet'
        ? await openStagedSource((staged = await stageParquetAsCsv(opts.input)))
        : await openRecordSource(opts.input, inFormat);
    if (source.columns !== undefined) checkScoreHeader(source.columns, opts.input);
    return await scoreSource(opts, scorer, source, pool, onProgress);
  } finally {
    await pool?.close();
    await staged?.cleanup();
  }
}

async function scoreSource(
  opts: ScoreFileOptions,
  scorer: ChunkScorer,
  source: RecordSource,
  pool: ScoreWorkerPool | undefined,
  onProgress?: ProgressFn,
): Promise<ScoreFileSummary> {
  const { ctx } = scorer;
  const quarantinePath = scoreQuarantinePath(opts);
  const out = await TableWriter.open(opts.output, ctx.outFormat, scorer.columns);
  const rejected = await TableWriter.open(quarantinePath, 'csv', QUARANTINE_COLUMNS);
  const summary: ScoreFileSummary = {
    read: 0,
    scored: 0,
    quarantined: 0,
    output: opts.output,
    quarantine: quarantinePath,
    paymentYear: opts.paymentYear,
    blend: scorer.params.blend,
    quarantinedByField: {},
  };
  const take = async (r: ChunkResult): Promise<void> => {
    summary.read += r.read;
    summary.scored += r.scored;
    summary.quarantined += r.quarantined;
    for (const [f, n] of Object.entries(r.byField)) summary.quarantinedByField[f] = (summary.quarantinedByField[f] ?? 0) + n;
    await out.writeText(r.out);
    await rejected.writeText(r.rejected);
  };
  const progress = (done: number): void => onProgress?.(done, source.total, source.unit);
  try {
    if (pool !== undefined && source.rawChunks !== undefined && source.format !== 'parquet') {
      await pool.run(source.format, source.columns, source.rawChunks(progress), take);
    } else {
      for await (const chunk of source.chunks(progress)) await take(scorer.scoreRecords(chunk));
    }
    const share = summary.read === 0 ? 0 : summary.quarantined / summary.read;
    const maxShare = opts.maxRejectedShare ?? DEFAULT_MAX_REJECTED_SHARE;
    if (share > maxShare) {
      await rejected.commit();
      await out.abort();
      throw new RafcastError(
        'E_TOO_MANY_REJECTED',
        `${summary.quarantined} of ${summary.read} rows of ${opts.input} were rejected (more than ${Math.round(maxShare * 100)}%); ` +
          `no output was written; reasons are in ${quarantinePath}`,
      );
    }
    await out.commit();
    await rejected.commit();
  } catch (e) {
    await out.abort();
    await rejected.abort();
    throw e;
  }
  return summary;
}
