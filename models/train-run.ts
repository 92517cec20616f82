// `rafcast train`: a model trained at as-of T-1 (features from T-3 and T-2, label RAF_{T-1} as known
// on the cut-off) and backtested at T when RAF_T is known, written to a run folder (model-run.ts
// reads it back and applies it). A model of several networks trains each alone: here one after
// another, or in a run's flow each in a job of its own (trainNetworkRun), then assembled (trainRun
// with `networks`), to the same bytes.

import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { ConfigError } from '../data/errors.ts';
import { openWorkDb } from '../data/staged-contract.ts';
import { defaultCutoff, parseCutoff } from '../data/received-by.ts';
import { knownHistoryIn } from '../features/build-features.ts';
import { trainingCutoff } from '../features/data-cutoff.ts';
import { featureSchema, type FeatureSchema } from '../features/schema.ts';
import { initBackend } from './backend.ts';
import { classifierOf, deserializeModel, networksOf, serializeModel, trainingSplit, trainNetwork, trainNetworks, trainConfigOf, recordedConfig, type AveragedEpochs, type EpochRecord, type TrainConfig, type TrainedNetwork, type TrainingSplit } from './classifier.ts';
import { trainTrees } from './boosted-trees.ts';
import { networkScorer, treeScorer, type Scorer } from './scorer.ts';
import { constantFeatures, neutralisedFeatures, neutralisedWarning, type NeutralisedFeature } from './constant-features.ts';
import { hasYear, knownRows, readFeatureRows, readRaf, selectRows, topShareLabels } from './dataset.ts';
import { listMetrics } from './metrics.ts';
import { type ModelKind } from './model-kinds.ts';
import { backtestOf, featureTable, json, readMatrix, TOP_SHARE } from './model-run.ts';
import { fingerprint, historyDir, historyFile, type Backtest, type RunCutoffs, type RunInputs, type RunRecord } from './run-registry.ts';
import { MODEL_RUN_MEMORY_LIMIT } from './scores-file.ts';
import { type Matrix } from './standardization.ts';

/** Boosted trees report their validation loss every this many rounds. */
const TREE_PROGRESS_ROUNDS = 25;

export interface TrainOptions extends RunInputs {
  asOf: number;
  model: ModelKind;
  seed: number;
  out: string;
  config?: Partial<Omit<TrainConfig, 'model' | 'seed'>>;
  memoryLimit?: string;
}


/** What a network's folder holds besides its model.json and weights.bin (trainNetworkRun). */
const NETWORK_FILE = 'network.json';
interface NetworkRecord {
  network: number;
  bestEpoch: number;
  averaged?: AveragedEpochs;
  history: EpochRecord[];
  seconds: number;
}

/** The training rows of a run at as-of T: the features of T-1 as known a year before the cut-off, the label RAF_{T-1} as known on it. */
interface TrainingSet {
  x: Matrix;
  y: Uint8Array;
  members: number;
  labelled: number;
  positives: number;
  inputs: Omit<TrainOptions, 'out'>;
  cutoffs: RunCutoffs;
}

async function trainingSet(conn: Parameters<typeof readFeatureRows>[0], work: string, opts: Omit<TrainOptions, 'out'>, schema: FeatureSchema, log: (line: string) => void): Promise<TrainingSet> {
  const T = opts.asOf;
  const hist = historyFile(opts);
  if (!(await hasYear(conn, hist, T - 1))) throw new ConfigError(`the history has no ${T - 1}: training at as-of ${T} needs RAF_${T - 1} as its label`);
  // What the plan knows on the cut-off C: the features of T and the label RAF_{T-1} come from the
  // history as known on C; the training features of T-1 are cut one year earlier, as incomplete
  // as those the model meets at T. The backtest's label RAF_T is the complete history's.
  const dataThrough = parseCutoff(opts.dataThrough ?? defaultCutoff(T));
  const cutoffs: RunCutoffs = { trainingFeatures: trainingCutoff(dataThrough), trainingLabel: dataThrough, features: dataThrough };
  const knownOnCutoff = opts.knownHistory?.[T] ?? (await knownHistoryIn({ ...opts, history: historyDir(opts), asOf: T, work }, dataThrough, log));
  const inputs: Omit<TrainOptions, 'out'> = { ...opts, dataThrough, knownHistory: { ...opts.knownHistory, [T]: knownOnCutoff } };
  log(`features as of ${T - 1} (training, claims received by ${cutoffs.trainingFeatures}) ...`);
  const rows = await readMatrix(conn, await featureTable(conn, inputs, T - 1, work, schema, cutoffs.trainingFeatures, log), schema, opts.memoryLimit);
  const { labels } = topShareLabels(await readRaf(conn, join(knownOnCutoff, 'raf_history.parquet'), T - 1, rows.ids), TOP_SHARE);
  const known = knownRows(labels);
  // Every member usually has a label: then the matrix is used as it is, not copied.
  const x = known.length === rows.x.rows ? rows.x : selectRows(rows.x, known);
  const y = Uint8Array.from(known, (i) => labels[i]!);
  requireBothClasses(y, T);
  return { x, y, members: rows.ids.length, labelled: known.length, positives: y.reduce((a, b) => a + b, 0), inputs, cutoffs };
}

const configOf = (opts: Omit<TrainOptions, 'out'>): TrainConfig => trainConfigOf(opts.model, opts.seed, opts.config);

/**
 * Trains network b of the model `trainRun` would train with these options, and writes it to `out`
 * (model.json, weights.bin, network.json): a queued run trains each network in a job of its own,
 * then `trainRun` with `networks` assembles them, as it would have trained them itself.
 */
export async function trainNetworkRun(opts: Omit<TrainOptions, 'out'>, b: number, out: string, log: (line: string) => void = () => undefined): Promise<void> {
  await initBackend();
  const config = configOf(opts);
  const db = await openWorkDb(undefined, opts.memoryLimit ?? MODEL_RUN_MEMORY_LIMIT);
  try {
    const { x, y } = await trainingSet(db.conn, db.work, opts, featureSchema(), log);
    log(`training ${opts.model} (seed ${opts.seed}), network ${b + 1} of ${networksOf(config)} ...`);
    const net = await trainNetwork(x, y, config, b, trainingSplit(x, y, config), (epoch, tl, vl) => log(`  epoch ${epoch}: loss ${tl.toFixed(4)}, validation ${vl.toFixed(4)}`));
    const record: NetworkRecord = { network: b, bestEpoch: net.bestEpoch, averaged: net.averaged, history: net.history, seconds: net.seconds };
    const { modelJson, weights } = await serializeModel(net.model);
    net.model.dispose();
    await mkdir(out, { recursive: true, mode: 0o700 });
    await writeFileAtomically(join(out, 'model.json'), modelJson);
    await writeFileAtomically(join(out, 'weights.bin'), weights);
    // Written last: its presence shows the job done (pipelines/jobs.ts isJobDone).
    await writeFileAtomically(join(out, NETWORK_FILE), json(record));
  } finally {
    await db.close();
  }
}

/** A network trainNetworkRun wrote, checked to be network b. */
async function readNetwork(dir: string, b: number): Promise<TrainedNetwork> {
  for (const f of ['model.json', 'weights.bin', NETWORK_FILE]) if (!existsSync(join(dir, f))) throw new ConfigError(`${dir} is not a trained network: ${f} is missing`);
  const record = JSON.parse(readFileSync(join(dir, NETWORK_FILE), 'utf8')) as NetworkRecord;
  if (record.network !== b) throw new ConfigError(`${dir} holds network ${record.network + 1}, not ${b + 1}`);
  const model = await deserializeModel(readFileSync(join(dir, 'model.json'), 'utf8'), readFileSync(join(dir, 'weights.bin')));
  return { model, history: record.history, bestEpoch: record.bestEpoch, averaged: record.averaged, seconds: record.seconds };
}

/** A model as trained: what applies and saves it, what metrics.json records of its training, and its networks' or its trees' summary. */
interface TrainedModel {
  scorer: Scorer;
  history: unknown;
  perNetwork: { bestEpoch: number; averaged?: AveragedEpochs; epochs: number; seconds: number }[];
  trees?: { bestRound: number; rounds: number; seconds: number };
}

/**
 * Trains the model on the training rows and their split: boosted trees here (in a run's flow, in
 * the model's own train job: they have no networks), or the networks (read from `networks`, the
 * folders trainNetworkRun wrote, when given) and their assembly.
 */
async function trainModel(x: Matrix, y: Uint8Array, config: TrainConfig, split: TrainingSplit, networks: readonly string[] | undefined, log: (line: string) => void): Promise<TrainedModel> {
  if (config.model === 'gbdt') {
    const t = trainTrees(x, y, split.fitIndexes, split.validationIndexes, config.trees!, config.seed, (round, v) => {
      if (round % TREE_PROGRESS_ROUNDS === 0) log(`  round ${round}: validation ${v.toFixed(4)}`);
    });
    return { scorer: treeScorer(t.model), history: t.history, perNetwork: [], trees: { bestRound: t.bestRound, rounds: t.history.length, seconds: t.seconds } };
  }
  const k = networksOf(config);
  const trained =
    networks !== undefined
      ? await Promise.all(networks.map((dir, b) => readNetwork(dir, b)))
      : await trainNetworks(x, y, config, split, (b, epoch, tl, vl) => log(`  ${k > 1 ? `network ${b + 1}, ` : ''}epoch ${epoch}: loss ${tl.toFixed(4)}, validation ${vl.toFixed(4)}`));
  const c = classifierOf(x.cols, config, split, trained);
  return {
    scorer: networkScorer(c.model, c.standardization),
    history: c.networks.length === 1 ? c.networks[0]!.history : c.networks.map((n) => n.history),
    perNetwork: trained.map((n) => ({ bestEpoch: n.bestEpoch, averaged: n.averaged, epochs: n.history.length, seconds: n.seconds })),
  };
}

/**
 * Trains a model at as-of T-1 and, when RAF_T is known, backtests it at T. With `networks` (the
 * folders trainNetworkRun wrote, one per network in order), the networks are read, not trained.
 */
export async function trainRun(opts: TrainOptions & { networks?: readonly string[] }, log: (line: string) => void = () => undefined): Promise<RunRecord> {
  const started = performance.now();
  const backend = await initBackend();
  log(`backend: ${backend}`);
  const config = configOf(opts);
  const T = opts.asOf;
  const db = await openWorkDb(undefined, opts.memoryLimit ?? MODEL_RUN_MEMORY_LIMIT);
  try {
    const conn = db.conn;
    const schema = featureSchema();
    // The training matrix lives in this block only: it is garbage before the backtest reads T's
    // (two matrices of 3.3 GB each at 5,000,000 members would not fit in 6 GiB together).
    const { trained, split, validation, members, labelled, positives, inputs, cutoffs } = await (async () => {
      const set = await trainingSet(conn, db.work, opts, schema, log);
      const { x, y } = set;
      const split = trainingSplit(x, y, config);
      const k = networksOf(config);
      if (opts.networks !== undefined && opts.networks.length !== k) throw new ConfigError(`${k} trained networks expected, ${opts.networks.length} given`);
      log(`training ${opts.model} (seed ${opts.seed}) on ${set.labelled} members${k > 1 ? `, ${k} networks` : ''} ...`);
      const trained = await trainModel(x, y, config, split, opts.networks, log);
      // Validation metrics on the held-out training rows (the seeded split the training used).
      const valRows = Array.from(split.validationIndexes);
      const valProb = await trained.scorer.probabilities(selectRows(x, valRows));
      const validation = listMetrics(valProb, Uint8Array.from(valRows, (i) => y[i]!), TOP_SHARE);
      return { ...set, trained, split, validation };
    })();
    const { scorer, perNetwork, trees } = trained;

    let backtest: Backtest | null = null;
    let neutralised: NeutralisedFeature[] = [];
    if (await hasYear(conn, historyFile(opts), T)) {
      log(`backtest at as-of ${T} ...`);
      const rowsT = await readMatrix(conn, await featureTable(conn, inputs, T, db.work, schema, cutoffs.features, log), schema, opts.memoryLimit);
      neutralised = neutralisedFeatures(split.standardization, schema.names, rowsT.x);
      if (neutralised.length > 0) log(neutralisedWarning(neutralised, T - 1, T));
      backtest = await backtestOf(conn, opts, T, schema, rowsT, await scorer.probabilities(rowsT.x));
    }
    await mkdir(opts.out, { recursive: true, mode: 0o700 });
    const { modelJson, weights } = await scorer.files();
    // The longest-trained network stands for the model in one line (train's and models compare's);
    // boosted trees by their rounds.
    const longest = trees !== undefined ? { bestEpoch: trees.bestRound, epochs: trees.rounds } : perNetwork.reduce((a, n) => (n.epochs > a.epochs ? n : a), perNetwork[0]!);
    const record: RunRecord = {
      runId: basename(opts.out),
      createdBy: 'rafcast train',
      model: opts.model,
      seed: opts.seed,
      backend,
      asOf: T,
      trainedOn: T - 1,
      config: recordedConfig(config),
      inputs: { data: resolve(opts.data), history: resolve(historyDir(opts)) },
      schema,
      fingerprint: await fingerprint(opts),
      dataThrough: cutoffs,
      training: {
        members,
        labelled,
        positives,
        fitRows: split.fitIndexes.length,
        validationRows: split.validationIndexes.length,
        bestEpoch: longest.bestEpoch,
        epochs: longest.epochs,
        ...(trees !== undefined ? { trees: { bestRound: trees.bestRound, rounds: trees.rounds } } : { networks: perNetwork }),
        seconds: trees?.seconds ?? perNetwork.reduce((a, n) => a + n.seconds, 0),
      },
      validation,
      backtest,
      constantFeatures: constantFeatures(split.standardization, schema.names),
      neutralisedAtBacktest: neutralised,
    };
    await writeFileAtomically(join(opts.out, 'model.json'), modelJson);
    await writeFileAtomically(join(opts.out, 'weights.bin'), weights);
    await writeFileAtomically(join(opts.out, 'schema.json'), json(schema));
    await writeFileAtomically(join(opts.out, 'standardization.json'), json(split.standardization));
    await writeFileAtomically(join(opts.out, 'metrics.json'), json({ model: opts.model, backend, validation, backtest, history: trained.history }));
    await writeFileAtomically(join(opts.out, 'run.json'), json(record));
    log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
    scorer.dispose();
    return record;
  } finally {
    await db.close();
  }
}

/**
 * A model learns nothing from labels of one kind: training at as-of T needs members of T-1 with a
 * known RAF_{T-1} both in the top share (positives) and below it (negatives).
 */
export function requireBothClasses(y: Uint8Array, T: number): void {
  const positives = y.reduce((a, b) => a + b, 0);
  if (positives === 0 || positives === y.length) {
    throw new ConfigError(
      `nothing to train on at as-of ${T}: ${y.length} members of ${T - 1} have a known RAF_${T - 1}, ${positives} of them in the top ${TOP_SHARE * 100}% (positives) and ${y.length - positives} below (negatives); training needs both`,
    );
  }
}

