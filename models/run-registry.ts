// The run registry: what a trained run folder records (run.json: seed, backend, settings, schema,
// the fingerprint of its inputs, metrics), where a run's inputs live, and listing and reading runs.
// Reading a record loads no model (rafcast models list stays light).
import type { NeutralisedFeature } from './constant-features.ts';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findModelDataFiles } from '../data/contract-files.ts';
import { ConfigError } from '../data/errors.ts';
import type { FeatureSchema } from '../features/schema.ts';
import type { BackendName } from './backend.ts';
import type { AveragedEpochs, TrainConfig } from './classifier.ts';
import type { ModelKind } from './model-kinds.ts';
import type { ListMetrics } from './metrics.ts';

export interface RunInputs {
  /** The contract's files. */
  data: string;
  /** `rafcast history` output for the years the features and labels need (default <data>/history). */
  history?: string;
  /**
   * Feature tables already built (`rafcast features`, or a queued run's features stage) by as-of
   * year; a year not given is built from the data.
   */
  features?: Record<number, string>;
  /**
   * Folders of data this product already checked and wrote as Parquet (a queued run's shards),
   * read as the contract's tables instead of loading and checking `data` again.
   */
  checked?: readonly string[];
  /**
   * The data cut-off at the as-of year T (YYYY-MM-DD, default January 1 of T): the features see
   * only claims received by then; a model trained for T sees its training features cut one year
   * earlier and its label RAF_{T-1} as known on it (features/known-history.ts).
   */
  dataThrough?: string;
  /**
   * The history as known on each as-of year's cut-off (features/known-history.ts) by as-of year,
   * already computed (a queued run's history stage); a year not given is computed in the work folder.
   */
  knownHistory?: Record<number, string>;
}

/** The cut-offs a run was trained and backtested with (the backtest's labels and dollars use the complete history). */
export interface RunCutoffs {
  /** The training features' (as-of T-1): the applied cut-off moved back one year. */
  trainingFeatures: string;
  /** The training label RAF_{T-1}'s: the history as known on the applied cut-off. */
  trainingLabel: string;
  /** The features' at the as-of year T the model is for. */
  features: string;
}

export interface Backtest {
  asOf: number;
  members: number;
  model: ListMetrics;
  naive: ListMetrics;
}

export interface RunRecord {
  runId: string;
  createdBy: string;
  model: ModelKind;
  seed: number;
  backend: BackendName;
  asOf: number;
  trainedOn: number;
  /** The settings it was trained with: boosted trees record theirs only (recordedConfig). */
  config: TrainConfig | Pick<TrainConfig, 'model' | 'seed' | 'validationShare' | 'trees'>;
  /** The inputs it was trained on (predict uses them unless told otherwise). */
  inputs: { data: string; history: string };
  schema: FeatureSchema;
  fingerprint: { files: Record<string, string>; combined: string };
  /** Absent in runs trained before data cut-offs (every claim dated before T counted as known). */
  dataThrough?: RunCutoffs;
  training: {
    members: number;
    labelled: number;
    positives: number;
    fitRows: number;
    validationRows: number;
    /** The longest-trained network's best epoch and epochs (the only network's, for a model of one; boosted trees' best round and rounds). */
    bestEpoch: number;
    epochs: number;
    /**
     * Each network's best epoch, epochs and seconds (absent in runs saved before networks were
     * trained apart), and the mean of its last epochs' weights when that was kept in place of its
     * best epoch's (TrainConfig.averageEpochs).
     */
    networks?: { bestEpoch: number; averaged?: AveragedEpochs; epochs: number; seconds: number }[];
    /** Boosted trees (the gbdt model, which has no networks): the trees kept (the best round's) and the rounds grown; bestEpoch and epochs repeat them. */
    trees?: { bestRound: number; rounds: number };
    /** The networks' training, added up (the trees': their own). */
    seconds: number;
  };
  validation: ListMetrics;
  backtest: Backtest | null;
  /** Features with one value over the fit rows: the model takes nothing from them (constant-features.ts). */
  constantFeatures?: string[];
  /** Of those, the ones that vary in the backtest year's rows, neutralised there. */
  neutralisedAtBacktest?: NeutralisedFeature[];
}

export const historyDir = (o: RunInputs): string => o.history ?? join(o.data, 'history');

export function historyFile(o: RunInputs): string {
  const f = join(historyDir(o), 'raf_history.parquet');
  if (!existsSync(f)) {
    throw new ConfigError(`${f} is missing: run rafcast history --data ${o.data} --years <first-last> --out ${historyDir(o)} first`);
  }
  return f;
}

/** sha256 of a file's bytes. */
async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Fingerprint of the inputs: each file's sha256 and one over them all. */
export async function fingerprint(o: RunInputs): Promise<RunRecord['fingerprint']> {
  const files: Record<string, string> = {};
  // The evidence files (pharmacy, labs) when the plan has them: the evidence features read them.
  const data = findModelDataFiles(o.data);
  for (const name of ['members', 'enrollment', 'claims', 'pharmacy', 'labs'] as const) {
    const file = data[name];
    if (file !== undefined) files[basename(file)] = await fileHash(file);
  }
  for (const f of ['raf_history.parquet', 'raf_hcc.parquet']) files[`history/${f}`] = await fileHash(join(historyDir(o), f));
  const combined = createHash('sha256').update(JSON.stringify(files)).digest('hex');
  return { files, combined };
}

/** The runs in a folder (subfolders with run.json), newest first. */
export function listRuns(dir: string): RunRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((p) => existsSync(join(p, 'run.json')))
    .sort((a, b) => statSync(join(b, 'run.json')).mtimeMs - statSync(join(a, 'run.json')).mtimeMs)
    .map((p) => JSON.parse(readFileSync(join(p, 'run.json'), 'utf8')) as RunRecord);
}

/** Reads run.json of a run folder. */
export function readRunRecord(dir: string): RunRecord {
  if (!existsSync(join(dir, 'run.json'))) throw new ConfigError(`${dir} is not a rafcast run: run.json is missing`);
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
}
