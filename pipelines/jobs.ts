// The jobs of the run flow (issue 7) and what each carries: a chain of stages partition -> history
// -> features -> models -> candidates -> report, the jobs the fan-outs add (a shard, a model's
// chain), each job's payload type (references only: the run folder, a shard, a model), the run's
// settings (flow.json) and the outputs that show a job done, which is how a run resumes.
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError, RafcastError } from '../data/errors.ts';
import type { Evaluation } from '../evaluation/evaluation-types.ts';
import type { RankBy } from '../evaluation/dollars-ranking.ts';
import type { AsOfEnrollment } from '../features/population.ts';
import { dollarsKnownHistoryYears, runFeatureCutoffs } from '../features/data-cutoff.ts';
import { defaultCutoff } from '../data/received-by.ts';
import type { ModelKind } from '../models/model-kinds.ts';
import { DEFAULT_TRAIN_CONFIG, networksOf } from '../models/train-config.ts';
import type { TableName } from '../data/contract.ts';
import { openRunStore, type RunStore } from './run-store.ts';
import { S3RunStore } from './s3-run-store.ts';
import { TRUTH_CONDITIONS_FILE, findDataFiles, findOptionalDataFiles } from '../data/contract-files.ts';
import { RUN_FOLDER_ENTRIES, storeKeys as key } from './run-keys.ts';
import { PLAN_DOLLARS_FILES } from '../evaluation/plan-dollars-file.ts';
import { claimOutputFolder } from '../data/output-folder.ts';
import { MADE_FROM_FILE, backtestStamp, dataDifferences, settingDifferences, stageStamps, stampData, staleOutputs, type MadeFrom } from './made-from.ts';

/** What every job of a run refers to: written once to <out>/flow.json. */
export interface FlowConfig {
  runId: string;
  data: string;
  out: string;
  asOf: number;
  shards: number;
  models: ModelKind[];
  seed: number;
  annualBaseRate: number;
  /** The service years of the history: the data's first year to its last year with claims. */
  years: [number, number];
  /**
   * The data cut-off at T (YYYY-MM-DD; --data-through, default January 1 of T): the features, the
   * naive and analyst lists and the models see only the claims received by then (T-1's features
   * and the training, one year earlier: features/data-cutoff.ts). Absent in flow.json files
   * written before it: January 1 of T (flowCutoff).
   */
  dataThrough?: string;
  /**
   * What orders the candidate list (evaluation/dollars-ranking.ts): absent, the model's
   * probability (the paper's list); 'dollars', the expected dollars of early documentation.
   */
  rankBy?: RankBy;
  /**
   * The membership of the as-of year (features/population.ts): the data's enrollment of T, or the
   * assumption that the members enrolled and alive on December 31 of T-1 continue, with its count.
   * Absent in flow.json files written before it: the enrollment decides.
   */
  asOfEnrollment?: AsOfEnrollment;
  /** The list for the coming year: a backtest run folder whose measured figures the report shows. */
  backtest?: string;
  /** The folder for the input files' rejected rows, `<table>.rejected.csv` (--rejected); absent: the run folder. The data folder is only read. */
  rejectedDir?: string;
  /**
   * A run in an object store (`out` an s3:// URL): the run store key holding a copy of the data
   * folder's files, uploaded when the run is started, which the jobs read instead of `data` (a path
   * on the machine that started the run, kept for its stamps and messages).
   */
  input?: string;
}

/**
 * The list for the coming year: the data has no claims dated in T (the as-of year is after the
 * history's last year), so nothing that needs RAF_T or RAF_{T+1} is measured: the models are
 * trained and score T, the candidate list is written, and no model is evaluated.
 */
export const isComingYear = (c: Pick<FlowConfig, 'asOf' | 'years'>): boolean => c.asOf > c.years[1];

/** The run's data cut-off at T: flow.json's, or January 1 of T for a flow.json written before cut-offs. */
export const flowCutoff = (c: Pick<FlowConfig, 'asOf' | 'dataThrough'>): string => c.dataThrough ?? defaultCutoff(c.asOf);

/** The histories as known on a cut-off the run computes: one per feature table (T-1's for training, T's). */
export const knownHistoryKeys = (c: Pick<FlowConfig, 'asOf' | 'dataThrough'>): { asOf: number; dataThrough: string; key: string }[] =>
  runFeatureCutoffs(c.asOf, flowCutoff(c)).map((f) => ({ ...f, key: key.knownHistory(f.asOf, f.dataThrough) }));

/**
 * Every history as known on a cut-off the history stage stores, in the order written: the expected
 * dollars' of as-of T-2 (T's is the features'), then the features' (knownHistoryKeys), whose last
 * says the stage is done.
 */
export const storedKnownHistoryKeys = (c: Pick<FlowConfig, 'asOf' | 'dataThrough'>): { asOf: number; dataThrough: string; key: string }[] => {
  const asOf = dollarsKnownHistoryYears(c.asOf)[1];
  return [{ asOf, dataThrough: flowCutoff(c), key: key.knownHistory(asOf, flowCutoff(c)) }, ...knownHistoryKeys(c)];
};

/** The stages in flow order (the chain's leaves first). */
export const FLOW_STAGES = ['partition', 'history', 'features', 'models', 'candidates', 'report'] as const;
export type Stage = (typeof FLOW_STAGES)[number];

/** Every job: the stages, and the jobs their fan-outs add. */
export type JobName = Stage | 'partition-piece' | 'history-shard' | 'features-shard' | 'merges' | 'merge' | 'train' | 'train-network' | 'scores' | 'predict-shard' | 'dollars' | 'evaluate-model' | 'list';

interface RunData {
  /** The run folder: the processor reads flow.json from it. */
  out: string;
}
interface FanOutData extends RunData {
  /** Set once the fan-out's children are added. */
  step?: 'waiting';
}
interface ShardData extends RunData {
  shard: number;
}
/** A piece of one of the contract's files (pipelines/partition-pieces.ts): its number in the partition's plan. */
interface PieceData extends RunData {
  table: TableName;
  piece: number;
}
interface ModelData extends RunData {
  model: ModelKind;
}
/** The stages whose shards' outputs are merged into the whole plan's, a job per merged key (mergesOf). */
export type MergedStage = 'history' | 'features';
/** One of a stage's merges: its number in mergesOf. */
interface MergeData extends RunData {
  of: MergedStage;
  merge: number;
}

/** Each job's payload (BullMQ stores it with JSON.stringify): references, never data. */
interface JobDataMap {
  partition: FanOutData;
  'partition-piece': PieceData;
  history: FanOutData;
  'history-shard': ShardData;
  features: FanOutData;
  'features-shard': ShardData;
  merges: FanOutData & { of: MergedStage };
  merge: MergeData;
  models: FanOutData;
  train: ModelData;
  'train-network': ModelData & { network: number };
  scores: ModelData & FanOutData;
  'predict-shard': ModelData & ShardData;
  dollars: RunData;
  'evaluate-model': ModelData;
  candidates: FanOutData;
  list: RunData;
  report: RunData;
}
export type JobDataOf<N extends JobName> = JobDataMap[N];
/** Any job's payload, as BullMQ types a queue's jobs (the name and the payload apart). */
export type JobData = JobDataOf<JobName>;

/** A job as its name and its payload together, so that the payload's type follows the name. */
export type JobOf<N extends JobName> = { name: N; data: JobDataOf<N> };
export type AnyJob = { [N in JobName]: JobOf<N> }[JobName];

/**
 * A job a fan-out adds: `key` names it under its parent (job id `<parent id>-<key>`); its own
 * `children` run before it (a chain, as BullMQ runs a flow's tree: children first).
 */
interface ChildJobOf<N extends JobName> extends JobOf<N> {
  key: string;
  children?: ChildJob[];
  /**
   * Its turn among the jobs ready to run (BullMQ's priority, 1 first): a job without one goes
   * before every job with one. A fan-out whose jobs differ in length orders its long ones first.
   */
  priority?: number;
}
export type ChildJob = { [N in JobName]: ChildJobOf<N> }[JobName];

/**
 * The models' order among the jobs ready to run: a model's networks first (the longest jobs), then
 * its assembly of them (which its scores and evaluation wait for), then the expected dollars, which
 * the list reads with the first model's scores, and the next stage. In the order the jobs are added
 * instead, the dollars would go first (BullMQ adds a flow's jobs level by level) and a network would
 * wait for them. The list, once the two are done, goes before them all: only the evaluations wait
 * for what is left.
 */
export const MODELS_STAGE_PRIORITY = { 'train-network': 1, train: 2, dollars: 3 } as const;

/** The jobs that add children (the fan-outs); every other job does its work itself. */
export type FanOutName = 'partition' | 'history' | 'features' | 'merges' | 'models' | 'scores' | 'candidates';
const FAN_OUTS: ReadonlySet<JobName> = new Set<FanOutName>(['partition', 'history', 'features', 'merges', 'models', 'scores', 'candidates']);
export const isFanOut = (name: JobName): name is FanOutName => FAN_OUTS.has(name);

export const isStage = (name: JobName): name is Stage => (FLOW_STAGES as readonly string[]).includes(name);

/** The key that shows a model's job is done (a resumed run skips it): its chain's train and scores, its evaluation. */
const MODEL_JOB_DONE: Record<'train' | 'scores' | 'evaluate-model', (m: ModelKind) => string> = {
  train: (m) => join(key.model(m), 'run.json'),
  scores: (m) => key.scores(m),
  'evaluate-model': (m) => join(key.evaluation(m), 'evaluation.json'),
};
const isModelJob = (name: JobName): name is keyof typeof MODEL_JOB_DONE => Object.hasOwn(MODEL_JOB_DONE, name);
/** The key that shows a job of the run as a whole is done: the expected dollars (written last: evaluation/plan-dollars-file.ts), the candidate list. */
const RUN_JOB_DONE: Record<'dollars' | 'list', string> = {
  dollars: join(key.dollars, PLAN_DOLLARS_FILES.plan),
  list: join(key.candidates, 'outreach.csv'),
};
const isRunJob = (name: JobName): name is keyof typeof RUN_JOB_DONE => Object.hasOwn(RUN_JOB_DONE, name);
/** The models evaluated: every model, unless the run is for the coming year (nothing to evaluate against yet). */
export const evaluatedModels = (c: Pick<FlowConfig, 'asOf' | 'years' | 'models'>): ModelKind[] => (isComingYear(c) ? [] : c.models);

/** A file the merge of a stage writes: the same file in every shard, its rows in the order of `orderBy`. */
interface MergedFile {
  /** The file's path under the merge's key ('' when the key is the file). */
  file: string;
  orderBy: string;
}
/** One merge of a stage: a key of the run store, made from the same key in every shard, in a job of its own. */
export interface Merge {
  key: string;
  files: MergedFile[];
}
const HISTORY_FILES: MergedFile[] = [
  { file: 'raf_history.parquet', orderBy: 'member_id, year' },
  { file: 'raf_hcc.parquet', orderBy: 'member_id, year, model, hcc' },
];

/**
 * What a stage's shards are merged into, each in a job of its own once every shard is done (so
 * that two workers merge side by side): the history and every history as known on a cut-off the
 * run computes, or the feature tables of T-1 and T.
 */
export function mergesOf(c: Pick<FlowConfig, 'asOf' | 'dataThrough'>, of: MergedStage): Merge[] {
  if (of === 'history') return [key.history, ...storedKnownHistoryKeys(c).map((k) => k.key)].map((h) => ({ key: h, files: HISTORY_FILES }));
  return [c.asOf - 1, c.asOf].map((y) => ({ key: key.features(y), files: [{ file: '', orderBy: 'member_id' }] }));
}

/** The keys whose presence shows a stage is done (the last each stage writes). */
export function doneKeys(c: FlowConfig, stage: Stage): string[] {
  switch (stage) {
    case 'partition':
      return Array.from({ length: c.shards }, (_, k) => join(key.shard(k), 'claims'));
    case 'history':
    case 'features':
      return mergesOf(c, stage).flatMap(mergeDoneKeys);
    case 'models':
      return [...c.models.flatMap((m) => [MODEL_JOB_DONE.train(m), MODEL_JOB_DONE.scores(m)]), RUN_JOB_DONE.dollars, RUN_JOB_DONE.list];
    case 'candidates':
      return evaluatedModels(c).map(MODEL_JOB_DONE['evaluate-model']);
    case 'report':
      return [key.report];
  }
}

/** Every file a merge writes: it is done when all are there (each is written atomically). */
const mergeDoneKeys = (m: Merge): string[] => m.files.map((f) => join(m.key, f.file));

/** True when every output of the stage is in the run's store. */
export async function isDone(store: RunStore, c: FlowConfig, stage: Stage): Promise<boolean> {
  for (const k of doneKeys(c, stage)) if (!(await store.has(k))) return false;
  return true;
}

/** True when a job was done before (a resumed run): a stage with all its outputs, or a model's chain job with its own. */
export async function isJobDone(store: RunStore, c: FlowConfig, name: JobName, data: JobData): Promise<boolean> {
  if (isStage(name)) return isDone(store, c, name);
  if (isModelJob(name) && 'model' in data) return store.has(MODEL_JOB_DONE[name](data.model));
  if (isRunJob(name)) return store.has(RUN_JOB_DONE[name]);
  // network.json is the last file a network's job writes (models/train-run.ts trainNetworkRun).
  if (name === 'train-network' && 'network' in data) return store.has(join(key.network(data.model, data.network), 'network.json'));
  if (name === 'merge' && 'merge' in data) {
    for (const k of mergeDoneKeys(mergesOf(c, data.of)[data.merge]!)) if (!(await store.has(k))) return false;
    return true;
  }
  return false;
}

/** The networks a model of the flow trains, each in a job of its own (the flow trains with the default settings). */
export const networksOfModel = (m: ModelKind): number => networksOf({ ...DEFAULT_TRAIN_CONFIG, model: m });

/**
 * The jobs a stage runs: its shards and merges; a chain per model (a job per network, train, scores and a job per shard), the
 * expected dollars and the list; an evaluation per model; or itself.
 */
export function jobsUnder(c: FlowConfig, stage: Stage): number {
  // Its shards, the fan-out over its merges that waits for them, and its merges.
  if (stage === 'history' || stage === 'features') return c.shards + 1 + mergesOf(c, stage).length;
  if (stage === 'models') return c.models.reduce((n, m) => n + 2 + c.shards + networksOfModel(m), 0) + 2;
  if (stage === 'candidates') return evaluatedModels(c).length;
  return 1;
}

/**
 * Writes flow.json for a run, in a folder that is new, empty or rafcast's (data/output-folder.ts:
 * `force` writes into another), after removing the outputs of every stage that was made from other
 * data or settings (made-from.ts), so that a rerun into the folder skips only what these inputs
 * would make again. A resumed run (`resume`) keeps its outputs or refuses: when the data changed
 * since the run was made, it says how rather than finish on mixed inputs.
 */
export async function prepareFlow(
  c: FlowConfig,
  { resume = false, force = false, onRemade }: { resume?: boolean; force?: boolean; onRemade?: (why: string[]) => void } = {},
): Promise<void> {
  if (c.models.length === 0) throw new ConfigError('give at least one model');
  const store = openRunStore(c.out);
  try {
    await prepareStore(store, c, { resume, force, ...(onRemade !== undefined ? { onRemade } : {}) });
  } finally {
    await store.release();
  }
}

async function prepareStore(store: RunStore, c: FlowConfig, { resume, force, onRemade }: { resume: boolean; force: boolean; onRemade?: (why: string[]) => void }): Promise<void> {
  // Not a folder of someone else's files (--out runs/.. is the repository's root), unless forced.
  if (store instanceof S3RunStore) {
    if (!force && !(await store.isEmpty()) && !(await store.has('flow.json'))) {
      throw new ConfigError(`${c.out} holds objects but no run (no flow.json): give an empty prefix for the run, or --force to write among them`);
    }
  } else {
    await claimOutputFolder(c.out, { option: '--out', command: 'rafcast run', writes: RUN_FOLDER_ENTRIES, ownedIf: ['flow.json'], force });
  }
  const data = stampData(c.data);
  const now: MadeFrom = { data, stages: stageStamps(c, data, await backtestStamp(c.backtest)) };
  // A run folder's features and models were made at its cut-off: another would resume on them.
  if (await store.has('flow.json')) {
    const before = JSON.parse(await store.readText('flow.json')) as FlowConfig;
    if (before.asOf === c.asOf && flowCutoff(before) !== flowCutoff(c)) {
      throw new ConfigError(`${c.out} was run with data through ${flowCutoff(before)}, not ${flowCutoff(c)}: give another --out for another cut-off`);
    }
    const made = (await store.has(MADE_FROM_FILE)) ? (JSON.parse(await store.readText(MADE_FROM_FILE)) as MadeFrom) : undefined;
    if (resume && made !== undefined) {
      const changed = [...dataDifferences(made.data, now.data), ...settingDifferences(before, c).filter((d) => !d.startsWith('--rank-by'))];
      if (changed.length > 0) {
        throw new ConfigError(`cannot resume ${c.out}: ${changed.join('; ')} since the run was made; run it again without --resume (the stages these change are made again), or give another --out`);
      }
    }
    // A folder from before the stamps, resumed: its own settings, taken as made from this data.
    if (!(resume && made === undefined)) {
      const stale = staleOutputs(made, now, c.shards);
      // Say why stages are made again: the data files and settings that changed, in words.
      if (stale.length > 0) {
        const why = made === undefined ? [] : [...dataDifferences(made.data, now.data), ...settingDifferences(before, c)];
        onRemade?.(why.length > 0 ? why : ['the folder has no record of what its stages were made from (made before rafcast kept one)']);
      }
      for (const k of stale) await store.remove(k);
      // The copy of the data the partition reads goes with it: made again from these files.
      if (c.input !== undefined && made?.stages.partition !== now.stages.partition) await store.remove(c.input);
    }
  }
  if (c.input !== undefined && !(await store.has(c.input))) await uploadData(store, c.data, c.input);
  await store.writeText(MADE_FROM_FILE, `${JSON.stringify(now, null, 2)}\n`);
  await store.writeText('flow.json', `${JSON.stringify(c, null, 2)}\n`);
}

/**
 * Copies what the flow reads of the data folder into the run store under `key`, so that a worker
 * that sees only the store can run every job: the contract's files (data/contract-files.ts) and, in
 * a generated plan, its members' true conditions (the evaluation's perfect-knowledge list).
 */
async function uploadData(store: RunStore, data: string, key: string): Promise<void> {
  const dir = await store.writable(key);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const file of Object.values({ ...findDataFiles(data), ...findOptionalDataFiles(data) })) await copyFile(file, join(dir, basename(file)));
  if (existsSync(join(data, TRUTH_CONDITIONS_FILE))) {
    await mkdir(dirname(join(dir, TRUTH_CONDITIONS_FILE)), { recursive: true, mode: 0o700 });
    await copyFile(join(data, TRUTH_CONDITIONS_FILE), join(dir, TRUTH_CONDITIONS_FILE));
  }
  await store.commit(key);
}

/** A job's view of its run's settings: flow.json in the run store. */
export async function readRunConfig(store: RunStore): Promise<FlowConfig> {
  if (!(await store.has('flow.json'))) {
    // Most likely a worker on a machine without the run folder mounted: another worker may see it,
    // so the job is retried rather than failing the run.
    throw new RafcastError(
      'E_CONFIG',
      store instanceof S3RunStore
        ? `this worker finds no run in ${store.location} (no flow.json there): give it the same S3 endpoint (--s3-endpoint or AWS_ENDPOINT_URL) as the machine that started the run`
        : `this worker cannot see the run folder ${store.location} (no flow.json there): run workers where the run folder is mounted at the same path`,
      false,
    );
  }
  return JSON.parse(await store.readText('flow.json')) as FlowConfig;
}

/** Reads the flow of an existing run folder (rafcast run --resume). */
export async function readFlowConfig(out: string): Promise<FlowConfig> {
  const store = openRunStore(out);
  try {
    if (!(await store.has('flow.json'))) throw new ConfigError(`${out} is not a run folder: flow.json is missing`);
    return await readRunConfig(store);
  } finally {
    await store.release();
  }
}

/** The evaluation of each model of a finished run (in process or queued), by model. */
export async function readEvaluations(out: string, models: readonly ModelKind[]): Promise<Record<string, Evaluation>> {
  const evaluations: Record<string, Evaluation> = {};
  const store = openRunStore(out);
  try {
    for (const m of models) evaluations[m] = JSON.parse(await store.readText(join(key.evaluation(m), 'evaluation.json'))) as Evaluation;
  } finally {
    await store.release();
  }
  return evaluations;
}
