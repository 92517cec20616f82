// What each stage of a run folder was made from (issue 16): a stamp per stage (and per model) of
// the data files it read and the settings it used, kept in <out>/made-from.json, so that a rerun
// skips a stage only when both are the ones it was made from. Stamps are cumulative along the
// chain (a stage's stamp includes the stamp of the stage before), so a stage whose inputs changed
// changes every stage after it. The data is stamped by each file's size and modification time,
// not its content: a stat is instant at a million members where hashing the claims takes seconds,
// and a file rewritten with the same bytes only costs a rerun.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findDataFiles, findOptionalDataFiles } from '../data/contract-files.ts';
import type { ModelKind } from '../models/model-kinds.ts';
import type { FlowConfig } from './jobs.ts';
import { storeKeys as key } from './run-keys.ts';
import { openRunStore } from './run-store.ts';

/** A data file as stamped: its size in bytes and its modification time (ms since 1970). */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

export interface MadeFrom {
  /** The contract's files of the data folder, by file name. */
  data: Record<string, FileStamp>;
  stages: {
    partition: string;
    history: string;
    features: string;
    /** A stamp per model: a model's chain (train, scores, evaluate) is reused or rerun on its own. */
    models: Partial<Record<ModelKind, string>>;
    candidates: string;
    report: string;
  };
}

/** Where the stamps are kept in a run folder. */
export const MADE_FROM_FILE = 'made-from.json';

/** The stamp of a backtest folder's report (its made-from.json), or null when it has none. */
export async function backtestStamp(folder: string | undefined): Promise<string | null> {
  if (folder === undefined) return null;
  const store = openRunStore(folder);
  try {
    if (!(await store.has(MADE_FROM_FILE))) return null;
    return (JSON.parse(await store.readText(MADE_FROM_FILE)) as MadeFrom).stages.report;
  } finally {
    await store.release();
  }
}

/** The size and modification time of each of the contract's files in the data folder (the optional ones it has too). */
export function stampData(dir: string): Record<string, FileStamp> {
  const stamps: Record<string, FileStamp> = {};
  for (const file of Object.values({ ...findDataFiles(dir), ...findOptionalDataFiles(dir) })) {
    const s = statSync(file);
    stamps[basename(file)] = { size: s.size, mtimeMs: s.mtimeMs };
  }
  return stamps;
}

const hash = (...parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

/**
 * The stamp of every stage for these settings and data. What each stage adds is what it reads:
 * partition the data folder, its files and the shards; history the years, base rate, as-of year
 * and cut-off; features the membership of T; a model its kind and the seed; the candidate list the
 * first model and the order; the report every model and the backtest folder with its own report's
 * stamp (`backtest`), so that a backtest made again remakes the report that shows its figures.
 */
export function stageStamps(c: FlowConfig, data: Record<string, FileStamp>, backtest: string | null = null): MadeFrom['stages'] {
  const partition = hash('partition', c.data, data, c.shards);
  const history = hash(partition, c.years, c.annualBaseRate, c.asOf, c.dataThrough ?? null);
  const features = hash(history, c.asOfEnrollment ?? null);
  const models: Partial<Record<ModelKind, string>> = {};
  for (const m of c.models) models[m] = hash(features, m, c.seed);
  const candidates = hash(models[c.models[0]!], c.rankBy ?? 'probability');
  const report = hash(candidates, c.models.map((m) => models[m]), c.backtest ?? null, backtest);
  return { partition, history, features, models, candidates, report };
}

/** The run store keys a stage writes, in the run folder and in its shards. */
function outputsOf(stage: Exclude<keyof MadeFrom['stages'], 'models'>, shards: number): string[] {
  const inShards = (k: string): string[] => Array.from({ length: shards }, (_, s) => join(key.shard(s), k));
  switch (stage) {
    case 'partition':
      return [key.shards, key.pieces];
    case 'history':
      return [key.history, 'history-known', ...inShards(key.history), ...inShards('history-known')];
    case 'features':
      // The expected dollars are made from the features' members and the history (the models stage computes them).
      return ['features', ...inShards('features'), key.dollars];
    case 'candidates':
      return [key.candidates];
    case 'report':
      return [key.report];
  }
}

const modelOutputs = (m: ModelKind, shards: number): string[] => [
  key.networks(m),
  key.model(m),
  key.scores(m),
  key.evaluation(m),
  ...Array.from({ length: shards }, (_, s) => join(key.shard(s), key.scores(m))),
];

/**
 * The outputs to remove before the run, so that no stage is skipped on outputs made from other
 * data or settings: those of every stage (and model) whose stamp differs from the one it was made
 * from, and the run summary. Without stamps (a folder from before them), every output.
 */
export function staleOutputs(before: MadeFrom | undefined, now: MadeFrom, shards: number): string[] {
  const stale: string[] = [];
  for (const stage of ['partition', 'history', 'features'] as const) {
    if (before?.stages[stage] !== now.stages[stage]) stale.push(...outputsOf(stage, shards));
  }
  for (const [m, stamp] of Object.entries(now.stages.models) as [ModelKind, string][]) {
    if (before?.stages.models[m] !== stamp) stale.push(...modelOutputs(m, shards));
  }
  for (const stage of ['candidates', 'report'] as const) {
    if (before?.stages[stage] !== now.stages[stage]) stale.push(...outputsOf(stage, shards));
  }
  return stale.length > 0 ? [...stale, 'run-summary.json'] : [];
}

/** How the data files differ from those a run was made from, in words (file names, sizes, times: never a row). */
export function dataDifferences(before: Record<string, FileStamp>, now: Record<string, FileStamp>): string[] {
  const out: string[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(now)])].sort()) {
    const b = before[name];
    const n = now[name];
    if (b === undefined) out.push(`${name} is new`);
    else if (n === undefined) out.push(`${name} is gone`);
    else if (b.size !== n.size) out.push(`${name} changed size (${b.size} bytes, now ${n.size})`);
    else if (b.mtimeMs !== n.mtimeMs) out.push(`${name} was modified (${new Date(b.mtimeMs).toISOString()}, now ${new Date(n.mtimeMs).toISOString()})`);
  }
  return out;
}

/** The settings that differ from those a run was made with, in words (--option: before, now). */
export function settingDifferences(before: FlowConfig, now: FlowConfig): string[] {
  const shown: [string, (c: FlowConfig) => unknown][] = [
    ['--data', (c) => c.data],
    ['--shards', (c) => c.shards],
    ['--base-rate', (c) => c.annualBaseRate],
    ['--as-of', (c) => c.asOf],
    ['--data-through', (c) => c.dataThrough ?? null],
    ['--models', (c) => c.models.join(',')],
    ['--seed', (c) => c.seed],
    ['--rank-by', (c) => c.rankBy ?? 'probability'],
    ['--backtest', (c) => c.backtest ?? null],
    ['the years of the data', (c) => c.years.join('-')],
    ['the members of the as-of year', (c) => (c.asOfEnrollment === undefined ? null : `${c.asOfEnrollment.source}, ${c.asOfEnrollment.members}`)],
  ];
  return shown.filter(([, f]) => JSON.stringify(f(before)) !== JSON.stringify(f(now))).map(([name, f]) => `${name} ${String(f(before))}, now ${String(f(now))}`);
}
