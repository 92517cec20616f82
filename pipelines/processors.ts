// What each job of the run flow does (issue 7), one function per job name, the same in process, in
// a worker's child process and on a BullMQ worker: read the inputs from the run store, call the
// library function the matching command calls (computeHistory, buildFeatures, trainRun, ...),
// write its outputs atomically and commit them, so rerunning a job replaces them with the same bytes.
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../data/errors.ts';
import { writeCandidates } from '../evaluation/candidates.ts';
import { evaluateRun } from '../evaluation/evaluate-run.ts';
import { writeReport } from '../evaluation/report.ts';
import { writeComingYearReport } from '../evaluation/coming-year-report.ts';
import { buildFeatures } from '../features/build-features.ts';
import { predictRun } from '../models/model-run.ts';
import { trainNetworkRun, trainRun } from '../models/train-run.ts';
import { mergeScores } from '../models/scores-file.ts';
import { writePlanDollars } from '../evaluation/member-dollars.ts';
import type { ModelKind } from '../models/model-kinds.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { computeKnownHistory } from '../features/known-history.ts';
import { MODELS_STAGE_PRIORITY, evaluatedModels, flowCutoff, networksOfModel, isComingYear, isJobDone, knownHistoryKeys, mergesOf, storedKnownHistoryKeys, readEvaluations, readFlowConfig, readRunConfig, type ChildJob, type FlowConfig, type JobDataOf, type JobName, type MergedStage } from './jobs.ts';
import { storeKeys as key } from './run-keys.ts';
import { openRunStore, type RunStore } from './run-store.ts';
import { mergeShardFiles } from './shards.ts';
import { checkPiece, mergePieces, planPieces, type PiecePlan } from './partition-pieces.ts';

/** Adds a fan-out's children and waits for them (BullMQ), or runs them here (in process). */
export type FanOut = (children: ChildJob[]) => Promise<void>;

/** What a job works on: its run's store and settings, and the store key of each shard. */
interface Run {
  store: RunStore;
  c: FlowConfig;
  shardKeys: string[];
}

type Processor<N extends JobName> = (run: Run, data: JobDataOf<N>, fanOut: FanOut) => Promise<void>;

/**
 * The data folder the run reads: a local folder (flow.json's `data`), or in an object store the copy
 * of its files the run was given (`input`), downloaded here: a worker elsewhere has no `data` folder.
 */
const dataFolder = ({ store, c }: Run): Promise<string> => (c.input !== undefined ? store.read(c.input) : Promise.resolve(c.data));

/** Local paths of the same file in every shard. */
const inShards = ({ store, shardKeys }: Run, rel: string): Promise<string[]> => Promise.all(shardKeys.map((s) => store.read(join(s, rel))));

/**
 * The partition's plan names each file by its name in the data folder, and every job finds it in
 * the data folder it reads (the same folder in process; in an object store, each worker's copy).
 */
const planInFolder = (plan: PiecePlan, folder: string): PiecePlan => ({ ...plan, tables: plan.tables.map((t) => ({ ...t, file: join(folder, basename(t.file)) })) });

async function partition(run: Run, data: JobDataOf<'partition'>, fanOut: FanOut): Promise<void> {
  const { store, c } = run;
  const folder = await dataFolder(run);
  // The plan is made once, before the pieces (on BullMQ the job runs again for the merge: it reads it).
  let plan: PiecePlan;
  if (data.step === 'waiting') plan = planInFolder(JSON.parse(await store.readText(key.piecePlan)) as PiecePlan, folder);
  else {
    await store.remove(key.pieces);
    plan = await planPieces(folder, c.shards);
    await store.writeText(key.piecePlan, `${JSON.stringify(planInFolder(plan, ''))}\n`);
  }
  await fanOut(
    plan.tables.flatMap((t) => t.pieces.map((_, p): ChildJob => ({ name: 'partition-piece', key: `${t.table}-${p}`, data: { out: c.out, table: t.table, piece: p } }))),
  );
  const pieceDirs = new Map<string, string>();
  for (const t of plan.tables) for (let p = 0; p < t.pieces.length; p++) pieceDirs.set(key.piece(t.table, p), await store.read(key.piece(t.table, p)));
  // The rejected rows: to --rejected, else the run folder; in an object store, its rejected/ key.
  const rejected = c.rejectedDir ?? (c.input !== undefined ? await store.writable(key.rejected) : c.out);
  if (c.input !== undefined && c.rejectedDir === undefined) await mkdir(rejected, { recursive: true, mode: 0o700 });
  await mergePieces(plan, (t, p) => pieceDirs.get(key.piece(t, p))!, await store.writable(key.shards), rejected);
  if (c.input !== undefined && c.rejectedDir === undefined) await store.commit(key.rejected);
  await store.commit(key.shards);
  await store.remove(key.pieces);
}

async function partitionPiece(run: Run, { table, piece }: JobDataOf<'partition-piece'>): Promise<void> {
  const { store } = run;
  const plan = planInFolder(JSON.parse(await store.readText(key.piecePlan)) as PiecePlan, await dataFolder(run));
  const out = await store.writable(key.piece(table, piece));
  await checkPiece(plan, table, piece, out, dirname(out));
  await store.commit(key.piece(table, piece));
}

/**
 * The history: a job per shard, then the merges (`merges`), each merge in a job of its own: the
 * history and the histories as known on the run's cut-offs (the whole plan's gives the recapture
 * rates, the training label and the expected dollars).
 */
async function history(run: Run, _data: JobDataOf<'history'>, fanOut: FanOut): Promise<void> {
  await fanOut([shardsThenMerges(run, 'history')]);
}

/** The job that merges a stage's shards once they are done: its children are the stage's shard jobs. */
function shardsThenMerges({ c, shardKeys }: Run, of: MergedStage): ChildJob {
  const shard = of === 'history' ? 'history-shard' : 'features-shard';
  return { name: 'merges', key: 'merges', data: { out: c.out, of }, children: shardKeys.map((_, k) => ({ name: shard, key: String(k), data: { out: c.out, shard: k } })) };
}

/** A stage's merges, once its shards are done: a job each, side by side on as many workers. */
async function merges({ c }: Run, { of }: JobDataOf<'merges'>, fanOut: FanOut): Promise<void> {
  // Keyed apart from the shards, which are this job's children too (a job's id is its key under its parent's).
  await fanOut(mergesOf(c, of).map((_, m): ChildJob => ({ name: 'merge', key: `merge-${m + 1}`, data: { out: c.out, of, merge: m } })));
}

/** One merge: the same key in every shard, merged file by file (pipelines/shards.ts mergeShardFiles). */
async function merge(run: Run, { of, merge: m }: JobDataOf<'merge'>): Promise<void> {
  const { store, c } = run;
  const { key: k, files } = mergesOf(c, of)[m]!;
  const out = await store.writable(k);
  // A folder of files (the store makes a file key's folder itself).
  if (files.some((f) => f.file !== '')) await mkdir(out, { recursive: true, mode: 0o700 });
  for (const f of files) await mergeShardFiles(await inShards(run, join(k, f.file)), join(out, f.file), f.orderBy);
  await store.commit(k);
}

async function historyShard({ store, c }: Run, data: JobDataOf<'history-shard'>): Promise<void> {
  const shard = key.shard(data.shard);
  const dir = await store.read(shard);
  const out = await store.writable(join(shard, 'history'));
  await computeHistory({ data: dir, checked: true, firstYear: c.years[0], lastYear: c.years[1], out, annualBaseRate: c.annualBaseRate });
  await store.commit(join(shard, 'history'));
  // What the plan knows on each feature table's cut-off: the years those features read, from the claims received by then.
  for (const k of storedKnownHistoryKeys(c)) {
    const known = join(shard, k.key);
    await computeKnownHistory({ data: dir, checked: true, history: out, asOf: k.asOf, dataThrough: k.dataThrough, out: await store.writable(known) });
    await store.commit(known);
  }
}

/** The feature tables of T-1 and T: a job per shard, then a merge per table. */
async function features(run: Run, _data: JobDataOf<'features'>, fanOut: FanOut): Promise<void> {
  await fanOut([shardsThenMerges(run, 'features')]);
}

async function featuresShard({ store, c }: Run, data: JobDataOf<'features-shard'>): Promise<void> {
  const shard = key.shard(data.shard);
  const dir = await store.read(shard);
  for (const { asOf: y, dataThrough, key: known } of knownHistoryKeys(c)) {
    // Recapture rates are a population figure: from the whole plan's history as known on the
    // cut-off, not the shard's.
    const out = join(shard, key.features(y));
    await buildFeatures({ data: dir, history: await store.read(join(shard, 'history')), dataThrough, knownHistory: await store.read(join(shard, known)), recaptureFrom: await store.read(known), checked: [dir], asOf: y, out: await store.writable(out),
      // The whole plan's membership rule for T, so that every shard takes the same (features/population.ts).
      ...(y === c.asOf && c.asOfEnrollment !== undefined ? { enrollmentOfAsOf: c.asOfEnrollment.source } : {}) });
    await store.commit(out);
  }
}

async function models({ c }: Run, _data: JobDataOf<'models'>, fanOut: FanOut): Promise<void> {
  // A chain per model, the models side by side: its networks (a job each) -> train (their
  // assembly) -> scores (a job per shard, then the merge); and the plan's expected dollars, which
  // every model's evaluation and the list read, run while a model trains. The candidate list waits
  // for the first model's scores and the dollars only, so it runs while the other models still
  // train and score, not after every evaluation, with a worker idle.
  const p = MODELS_STAGE_PRIORITY;
  const [first, ...others] = c.models.map((model): ChildJob => {
    const data = { out: c.out, model };
    const networks = Array.from({ length: networksOfModel(model) }, (_, b): ChildJob => ({ name: 'train-network', key: `network-${b + 1}`, data: { out: c.out, model, network: b }, priority: p['train-network'] }));
    return { name: 'scores', key: model, data, children: [{ name: 'train', key: 'train', data, children: networks, priority: p.train }] };
  });
  const dollars: ChildJob = { name: 'dollars', key: 'dollars', data: { out: c.out }, priority: p.dollars };
  await fanOut([{ name: 'list', key: 'list', data: { out: c.out }, children: [first!, dollars] }, ...others]);
}

async function dollars(run: Run): Promise<void> {
  const { store, c } = run;
  await writePlanDollars({
    asOf: c.asOf,
    annualBaseRate: c.annualBaseRate,
    data: await dataFolder(run),
    history: await store.read(key.history),
    features: await store.read(key.features(c.asOf)),
    checked: await Promise.all(run.shardKeys.map((s) => store.read(s))),
    dataThrough: flowCutoff(c),
    knownHistory: await dollarsKnownHistory(run),
    out: await store.writable(key.dollars),
  });
  await store.commit(key.dollars);
}

/** What a model's training reads, for its networks' jobs and its own: the run's history, features and histories as known on the cut-offs. */
async function trainOptions(run: Run, model: ModelKind) {
  const { store, c } = run;
  const T = c.asOf;
  return {
    data: await dataFolder(run),
    history: await store.read(key.history),
    features: { [T - 1]: await store.read(key.features(T - 1)), [T]: await store.read(key.features(T)) },
    // The features' cut-offs and the label RAF_{T-1} as known on T's (features/data-cutoff.ts).
    dataThrough: flowCutoff(c),
    knownHistory: Object.fromEntries(await Promise.all(knownHistoryKeys(c).map(async (k) => [k.asOf, await store.read(k.key)] as const))),
    asOf: T,
    model,
    seed: c.seed,
  };
}

/**
 * A model's training, once its networks are trained (each in a job of its own, which the models
 * stage adds before this one: the MLP's two train side by side on two workers): their assembly,
 * the validation, the backtest and the run folder.
 */
async function train(run: Run, { model }: JobDataOf<'train'>): Promise<void> {
  const { store } = run;
  const networks = await Promise.all(Array.from({ length: networksOfModel(model) }, (_, b) => store.read(key.network(model, b))));
  await trainRun({ ...(await trainOptions(run, model)), networks, out: await store.writable(key.model(model)) });
  await store.commit(key.model(model));
}

async function trainNetwork(run: Run, { model, network }: JobDataOf<'train-network'>): Promise<void> {
  const out = key.network(model, network);
  await trainNetworkRun(await trainOptions(run, model), network, await run.store.writable(out));
  await run.store.commit(out);
}

async function scores(run: Run, { model }: JobDataOf<'scores'>, fanOut: FanOut): Promise<void> {
  const { store, c } = run;
  await fanOut(run.shardKeys.map((_, k) => ({ name: 'predict-shard', key: String(k), data: { out: c.out, model, shard: k } })));
  await mergeScores(await inShards(run, key.scores(model)), await store.writable(key.scores(model)));
  await store.commit(key.scores(model));
}

async function predictShard({ store, c }: Run, { model, shard: k }: JobDataOf<'predict-shard'>): Promise<void> {
  const shard = key.shard(k);
  const out = join(shard, key.scores(model));
  await predictRun({
    run: await store.read(key.model(model)),
    asOf: c.asOf,
    data: await store.read(shard),
    history: await store.read(join(shard, 'history')),
    features: await store.read(join(shard, key.features(c.asOf))),
    dataThrough: flowCutoff(c),
    out: await store.writable(out),
  });
  await store.commit(out);
}

/**
 * What the evaluation and the candidate list read of a model's run: the model, the merged history,
 * the as-of year's features and the model's scores, and the checked shards (the enrollment and
 * deaths of T+1 without loading the contract's files again).
 */
async function modelRunInputs(run: Run, model: ModelKind) {
  const { store, c, shardKeys } = run;
  return {
    run: await store.read(key.model(model)),
    asOf: c.asOf,
    annualBaseRate: c.annualBaseRate,
    data: await dataFolder(run),
    history: await store.read(key.history),
    features: await store.read(key.features(c.asOf)),
    dataThrough: flowCutoff(c),
    knownHistory: await dollarsKnownHistory(run),
    scores: await store.read(key.scores(model)),
    checked: await Promise.all(shardKeys.map((s) => store.read(s))),
    dollars: await store.read(key.dollars),
  };
}

/** The histories as known on the cut-off the expected dollars read (evaluation/known-on-cutoff.ts), by as-of year. */
async function dollarsKnownHistory({ store, c }: Run): Promise<Record<number, string>> {
  return Object.fromEntries(
    await Promise.all(storedKnownHistoryKeys(c).filter((k) => k.dataThrough === flowCutoff(c)).map(async (k) => [k.asOf, await store.read(k.key)] as const)),
  );
}

async function evaluateModel(run: Run, { model }: JobDataOf<'evaluate-model'>): Promise<void> {
  await evaluateRun({ ...(await modelRunInputs(run, model)), out: await run.store.writable(key.evaluation(model)) });
  await run.store.commit(key.evaluation(model));
}

/** Every model's evaluation, side by side (none for the coming year); the list was made in the models stage. */
async function candidates({ c }: Run, _data: JobDataOf<'candidates'>, fanOut: FanOut): Promise<void> {
  await fanOut(evaluatedModels(c).map((model): ChildJob => ({ name: 'evaluate-model', key: model, data: { out: c.out, model } })));
}

/** The candidate list of the first model. */
async function list(run: Run): Promise<void> {
  await writeCandidates({
    ...(await modelRunInputs(run, run.c.models[0]!)),
    top: 0.2,
    out: await run.store.writable(key.candidates),
    ...(run.c.rankBy !== undefined ? { rankBy: run.c.rankBy } : {}),
  });
  await run.store.commit(key.candidates);
}

/** The report of every model's evaluation (the first model's candidate list and cash view). */
async function report({ store, c }: Run): Promise<void> {
  if (isComingYear(c)) {
    // The list for the coming year: no evaluation of its own; the last backtest's, when given.
    const backtest =
      c.backtest === undefined
        ? undefined
        : {
            folder: c.backtest,
            evaluations: Object.values(await readEvaluations(c.backtest, (await readFlowConfig(c.backtest)).models)),
          };
    await writeComingYearReport({
      asOf: c.asOf,
      candidates: await store.read(key.candidates),
      ...(c.asOfEnrollment !== undefined ? { asOfEnrollment: c.asOfEnrollment } : {}),
      ...(backtest !== undefined ? { backtest } : {}),
      out: await store.writable(key.report),
    });
    await store.commit(key.report);
    return;
  }
  await writeReport(await Promise.all(c.models.map((m) => store.read(key.evaluation(m)))), await store.writable(key.report), await store.read(key.candidates));
  await store.commit(key.report);
}

const PROCESSORS: { [N in JobName]: Processor<N> } = {
  partition,
  'partition-piece': partitionPiece,
  history,
  'history-shard': historyShard,
  features,
  'features-shard': featuresShard,
  merges,
  merge,
  models,
  train,
  'train-network': trainNetwork,
  scores,
  'predict-shard': predictShard,
  dollars,
  'evaluate-model': evaluateModel,
  candidates,
  list,
  report,
};

/** Runs one job; `fanOut` adds children and waits for them (BullMQ), or runs them here (in process). */
export async function processStage<N extends JobName>(name: N, data: JobDataOf<N>, fanOut: FanOut): Promise<void> {
  const store = openRunStore(data.out);
  try {
    const c = await readRunConfig(store);
    // A job whose outputs are all there was done before (a resumed run): nothing to do again.
    if (await isJobDone(store, c, name, data)) return;
    // Names come from Redis or another process: one this version does not know cannot run.
    if (!Object.hasOwn(PROCESSORS, name)) throw new ConfigError(`unknown job ${name}`);
    const processor: Processor<N> = PROCESSORS[name];
    await processor({ store, c, shardKeys: Array.from({ length: c.shards }, (_, k) => key.shard(k)) }, data, fanOut);
  } finally {
    // An object store's scratch folder: this job's downloads and uploads, kept by no other job.
    await store.release();
  }
}
