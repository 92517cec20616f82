// The history as a plan knows it on a data cut-off (issue 15, "what is known on January 1"): the
// features of as-of year T read RAF_{T-2}, RAF_{T-1} and their HCCs from the history computed on
// the claims received by the cut-off (scoring/history/compute-history.ts with dataThrough, the
// rule in data/received-by.ts), never from the complete history, whose late-received claims the
// plan does not have on the list's day. Only the service years the features read are computed
// (T-2 and T-1), with what the complete history scored each year with (its history.json), so that
// the two differ only in the claims not yet received. Which years and which cut-offs: data-cutoff.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../data/errors.ts';
import { parseCutoff } from '../data/received-by.ts';
import { computeHistory, type HistorySummary } from '../scoring/history/compute-history.ts';
import { planYears, type YearPlan, type YearPlanOptions } from '../scoring/history/plan-years.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { knownHistoryYears } from './data-cutoff.ts';

interface HistoryJson {
  years?: [number, number];
  annualBaseRate?: number;
  model?: YearPlanOptions['model'] | null;
  plans?: YearPlan[];
}

const samePlans = (a: readonly YearPlan[], b: readonly YearPlan[]): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The options that score years `first`-`last` as the complete history's history.json says they
 * were scored (its --model, --tables-year or payment overrides): the default plan, else the
 * table year or the payment figures recorded, each checked by planYears against the record. A
 * history whose plan cannot be repeated is a ConfigError: a cut-off history scored otherwise
 * would differ from the complete one by more than the claims not yet received.
 */
function repeatedPlanOptions(manifest: HistoryJson, first: number, last: number, where: string): YearPlanOptions {
  const base: YearPlanOptions = { firstYear: first, lastYear: last, ...(manifest.model ? { model: manifest.model } : {}) };
  const want = (manifest.plans ?? []).filter((p) => p.serviceYear >= first && p.serviceYear <= last);
  if (want.length !== last - first + 1) return base;
  const candidates: YearPlanOptions[] = [base];
  for (const p of want) for (const y of Object.values(p.tablesYear)) if (y !== undefined) candidates.push({ ...base, tablesYear: y });
  // Payment overrides apply to every year alike: a candidate only when the years share their figures.
  const figures = (p: YearPlan): string => JSON.stringify([p.blend, p.normalization, p.codingAdjustment]);
  const p0 = want[0]!;
  if (want.every((p) => figures(p) === figures(p0))) {
    const overrides = { blend: p0.blend, normalization: p0.normalization, codingAdjustment: p0.codingAdjustment };
    for (const c of [...candidates]) candidates.push({ ...c, overrides });
  }
  for (const c of candidates) {
    try {
      if (samePlans(planYears(c), want)) return c;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
    }
  }
  throw new ConfigError(
    `${where} scored service years ${first}-${last} with payment figures that a history at a data cut-off cannot repeat; ` +
      `compute the history with one --tables-year or one --blend/--normalization/--coding-adjustment for every year`,
  );
}

export interface KnownHistoryOptions {
  /** The contract's files, or (with `checked`) a folder of Parquet this product already checked (a shard). */
  data: string;
  checked?: boolean;
  /** The complete history (`rafcast history`): its history.json gives the data's years, the base rate and each year's plan. */
  history: string;
  asOf: number;
  /** The cut-off (YYYY-MM-DD). */
  dataThrough: string;
  out: string;
  /** The data's service years, when history.json is not there to say them (a queued run's merged history has none). */
  dataYears?: readonly [number, number];
  /** The base rate, when history.json is not there to say it (it moves dollars only, no feature). */
  annualBaseRate?: number;
  memoryLimit?: string;
  /** The folder for the contract files' rejected rows (default: `out`). */
  rejectedDir?: string;
  /** Stop when more than this share of a file's rows is rejected (default DEFAULT_MAX_REJECTED_SHARE, data/quarantine.ts). */
  maxRejectedShare?: number;
  /** Years T-2 to T instead of T-2 and T-1 (data-cutoff.ts knownHistoryYears): the suspects need T's HCCs known on the cut-off. */
  throughAsOf?: boolean;
}

/**
 * Computes the history as known on `dataThrough` for the service years the features of as-of T
 * read, into `out` (raf_history.parquet, raf_hcc.parquet, history.json with the cut-off).
 */
export async function computeKnownHistory(o: KnownHistoryOptions, onProgress?: (stage: string, done: number, total: number) => void): Promise<HistorySummary> {
  const manifestFile = join(o.history, 'history.json');
  const manifest: HistoryJson = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as HistoryJson) : {};
  const [first, last] = knownHistoryYears(o.asOf, manifest.years ?? o.dataYears, o.throughAsOf === true);
  const plan = repeatedPlanOptions(manifest, first, last, manifestFile);
  return computeHistory(
    {
      ...plan,
      data: o.data,
      ...(o.checked ? { checked: true } : {}),
      out: o.out,
      annualBaseRate: manifest.annualBaseRate ?? o.annualBaseRate ?? DEMO_BASE_RATE_ANNUAL,
      dataThrough: parseCutoff(o.dataThrough),
      ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}),
      ...(o.rejectedDir !== undefined ? { rejectedDir: o.rejectedDir } : {}),
      ...(o.maxRejectedShare !== undefined ? { maxRejectedShare: o.maxRejectedShare } : {}),
    },
    onProgress,
  );
}
