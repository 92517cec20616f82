// The names a run is known by (issue 7): the run store keys of the files its stages exchange, and
// on BullMQ its run key (`<folder name>-<time in base 36>`, kept in <out>/queued-run.json) and the
// job ids built from it (`<run key>-<stage>`, a fan-out's children `<parent id>-<key>`).
import { join } from 'node:path';
import type { ModelKind } from '../models/model-kinds.ts';
import { openRunStore } from './run-store.ts';

/** A shard's folder under a run's shards/ folder. */
export const shardDir = (root: string, k: number): string => join(root, `shard-${String(k).padStart(3, '0')}`);

/** Run store keys of the files the stages exchange. */
export const storeKeys = {
  shards: 'shards',
  shard: (k: number): string => shardDir('shards', k),
  /** The partition's plan and its pieces' files (pipelines/partition-pieces.ts), removed once the shards are written. */
  pieces: 'partition-pieces',
  piecePlan: 'partition-pieces/plan.json',
  piece: (table: string, p: number): string => `partition-pieces/${table}-${String(p).padStart(4, '0')}`,
  history: 'history',
  /** The history as known on a cut-off, for the features of one as-of year (features/known-history.ts). */
  knownHistory: (asOf: number, dataThrough: string): string => `history-known/as-of-${asOf}-through-${dataThrough}`,
  features: (asOf: number): string => `features/features_${asOf}.parquet`,
  model: (m: ModelKind): string => `models/${m}`,
  /** A model's networks, each trained in a job of its own (models/model-run.ts trainNetworkRun), before its train job assembles them. */
  networks: (m: ModelKind): string => `models/networks/${m}`,
  network: (m: ModelKind, b: number): string => `models/networks/${m}/network-${b + 1}`,
  scores: (m: ModelKind): string => `scores/${m}.parquet`,
  /** Every member's expected dollars at as-of T, for every model's evaluation and the list (evaluation/plan-dollars-file.ts). */
  dollars: 'dollars',
  evaluation: (m: ModelKind): string => `evaluation/${m}`,
  candidates: 'candidates',
  report: 'report.html',
  /** In an object store: the data folder's files, uploaded when the run is started (jobs.ts prepareFlow). */
  input: 'input',
  /** In an object store: the input files' rejected rows (a local run writes them to its folder). */
  rejected: 'rejected',
};

/** Where a queued run's key is kept in its folder (rafcast status <run folder>). */
export const QUEUED_FILE = 'queued-run.json';

/** What a run writes at its folder's top level: a folder holding any of these (and nothing of rafcast's) would be overwritten. */
export const RUN_FOLDER_ENTRIES = [
  'flow.json',
  'made-from.json',
  QUEUED_FILE,
  'run-summary.json',
  storeKeys.shards,
  storeKeys.pieces,
  storeKeys.history,
  'history-known',
  'features',
  'models',
  'scores',
  storeKeys.dollars,
  'evaluation',
  storeKeys.candidates,
  storeKeys.report,
];

/**
 * A new run key: the run folder's name and the time, so that a second run of the same folder (a
 * resume, or a fresh start after deleting it) or another folder of the same name never meets the
 * jobs of an earlier one.
 */
export const newRunKey = (runId: string): string => `${runId}-${Date.now().toString(36)}`;

/** The job id of a stage of a queued run. */
export const stageJobId = (runKey: string, stage: string): string => `${runKey}-${stage}`;

/** The job id of a job a fan-out adds (`ChildJob.key`: a shard number, a model, `scores`, `train`). */
export const childJobId = (parentId: string, key: string): string => `${parentId}-${key}`;

/** A run key as given, or the key of the run folder (or object store) given instead (its queued-run.json). */
export async function runKeyOf(idOrFolder: string): Promise<string> {
  const store = openRunStore(idOrFolder);
  try {
    if (await store.has(QUEUED_FILE)) return (JSON.parse(await store.readText(QUEUED_FILE)) as { runKey: string }).runKey;
    return idOrFolder;
  } finally {
    await store.release();
  }
}
