// `rafcast train` and `rafcast predict`: a model is trained at as-of T-1 (features from T-3 and
// T-2, label RAF_{T-1}) and applied at T (DOMAIN.md section 3). A run folder holds everything
// needed to apply it again and to know what it is: model.json and weights.bin, the feature
// schema, the standardisation, the metrics, the seed, the backend and a fingerprint of the input.
// When RAF_T is known (a backtest), the model and the naive list (top 20% by RAF_{T-1}) are
// measured side by side.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { sqlString } from '../data/duckdb.ts';
import { fingerprint, historyDir, historyFile, type Backtest, type RunCutoffs, type RunInputs, type RunRecord } from './run-registry.ts';
import { MATRIX_READ_MEMORY_LIMIT, MODEL_RUN_MEMORY_LIMIT, writeScores } from './scores-file.ts';
import { ensureContractTables, openWorkDb } from '../data/staged-contract.ts';
import { ConfigError } from '../data/errors.ts';
import { createFeatureTable, featureTableCutoff, knownHistoryIn } from '../features/build-features.ts';
import { requireMembersAt } from '../features/population.ts';
import { trainingCutoff } from '../features/data-cutoff.ts';
import { defaultCutoff, parseCutoff } from '../data/received-by.ts';
import { featureSchema, type FeatureSchema } from '../features/schema.ts';
import { initBackend, type BackendName } from './backend.ts';
import { classifierOf, DEFAULT_TRAIN_CONFIG, deserializeModel, networksOf, predictProbabilities, serializeModel, trainingSplit, trainNetwork, type EpochRecord, type TrainConfig, type TrainedNetwork } from './classifier.ts';
import { type Matrix, type Standardization } from './standardization.ts';
import { type ModelKind } from './model-kinds.ts';
import { columnOf, forEachIdValue, hasYear, knownRows, readFeatureRows, type FeatureRows, readRaf, selectRows, topShareLabels } from './dataset.ts';
import { listMetrics } from './metrics.ts';
import { constantFeatures, neutralisedFeatures, neutralisedWarning, type NeutralisedFeature } from './constant-features.ts';
import { findModelDataFiles } from '../data/contract-files.ts';

export const TOP_SHARE = 0.2;


export interface TrainOptions extends RunInputs {
  asOf: number;
  model: ModelKind;
  seed: number;
  out: string;
  config?: Partial<Omit<TrainConfig, 'model' | 'seed'>>;
  memoryLimit?: string;
}


const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;

/** What a network's folder holds besides its model.json and weights.bin (trainNetworkRun). */
const NETWORK_FILE = 'network.json';
interface NetworkRecord {
  network: number;
  bestEpoch: number;
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
  dataThrough: string;
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
  return { x, y, members: rows.ids.length, labelled: known.length, positives: y.reduce((a, b) => a + b, 0), inputs, cutoffs, dataThrough };
}

const configOf = (opts: Omit<TrainOptions, 'out'>): TrainConfig => ({ ...DEFAULT_TRAIN_CONFIG, ...opts.config, model: opts.model, seed: opts.seed });

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
    const t0 = performance.now();
    const net = await trainNetwork(x, y, config, b, trainingSplit(x, y, config), (epoch, tl, vl) => log(`  epoch ${epoch}: loss ${tl.toFixed(4)}, validation ${vl.toFixed(4)}`));
    const record: NetworkRecord = { network: b, bestEpoch: net.bestEpoch, history: net.history, seconds: (performance.now() - t0) / 1000 };
    const { modelJson, weights } = await serializeModel(net.model);
    net.model.dispose();
    await mkdir(out, { recursive: true, mode: 0o700 });
    await writeFileAtomically(join(out, 'model.json'), modelJson);
    await writeFileAtomically(join(out, 'weights.bin'), weights);
    await writeFileAtomically(join(out, NETWORK_FILE), json(record));
  } finally {
    await db.close();
  }
}

/** A network trainNetworkRun wrote, checked to be network b. */
async function readNetwork(dir: string, b: number): Promise<TrainedNetwork & { seconds: number }> {
  for (const f of ['model.json', 'weights.bin', NETWORK_FILE]) if (!existsSync(join(dir, f))) throw new ConfigError(`${dir} is not a trained network: ${f} is missing`);
  const record = JSON.parse(readFileSync(join(dir, NETWORK_FILE), 'utf8')) as NetworkRecord;
  if (record.network !== b) throw new ConfigError(`${dir} holds network ${record.network + 1}, not ${b + 1}`);
  const model = await deserializeModel(readFileSync(join(dir, 'model.json'), 'utf8'), readFileSync(join(dir, 'weights.bin')));
  return { network: b, model, history: record.history, bestEpoch: record.bestEpoch, seconds: record.seconds };
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
    const { trained, seconds, validation, members, labelled, positives, inputs, cutoffs } = await (async () => {
      const set = await trainingSet(conn, db.work, opts, schema, log);
      const { x, y } = set;
      const split = trainingSplit(x, y, config);
      const k = networksOf(config);
      if (opts.networks !== undefined && opts.networks.length !== k) throw new ConfigError(`${k} trained networks expected, ${opts.networks.length} given`);
      log(`training ${opts.model} (seed ${opts.seed}) on ${set.labelled} members${k > 1 ? `, ${k} networks` : ''} ...`);
      const networks: (TrainedNetwork & { seconds: number })[] = [];
      for (let b = 0; b < k; b++) {
        if (opts.networks !== undefined) {
          networks.push(await readNetwork(opts.networks[b]!, b));
          continue;
        }
        const t0 = performance.now();
        const net = await trainNetwork(x, y, config, b, split, (epoch, tl, vl) => log(`  ${k > 1 ? `network ${b + 1}, ` : ''}epoch ${epoch}: loss ${tl.toFixed(4)}, validation ${vl.toFixed(4)}`));
        networks.push({ ...net, seconds: (performance.now() - t0) / 1000 });
      }
      const trained = classifierOf(x.cols, config, split, networks);
      // Validation metrics on the held-out training rows (the seeded split the training used).
      const valRows = Array.from(trained.validationIndexes);
      const valProb = await predictProbabilities(trained.model, trained.standardization, selectRows(x, valRows));
      const validation = listMetrics(valProb, Uint8Array.from(valRows, (i) => y[i]!), TOP_SHARE);
      return { ...set, trained, validation, seconds: networks.map((n) => ({ bestEpoch: n.bestEpoch, epochs: n.history.length, seconds: n.seconds })) };
    })();

    let backtest: Backtest | null = null;
    let neutralised: NeutralisedFeature[] = [];
    if (await hasYear(conn, historyFile(opts), T)) {
      log(`backtest at as-of ${T} ...`);
      const rowsT = await readMatrix(conn, await featureTable(conn, inputs, T, db.work, schema, cutoffs.features, log), schema, opts.memoryLimit);
      neutralised = neutralisedFeatures(trained.standardization, schema.names, rowsT.x);
      if (neutralised.length > 0) log(neutralisedWarning(neutralised, T - 1, T));
      backtest = await backtestOf(conn, opts, T, schema, rowsT, await predictProbabilities(trained.model, trained.standardization, rowsT.x));
    }
    await mkdir(opts.out, { recursive: true, mode: 0o700 });
    const { modelJson, weights } = await serializeModel(trained.model);
    // The longest-trained network stands for the model in one line (train's and models compare's).
    const longest = seconds.reduce((a, n) => (n.epochs > a.epochs ? n : a), seconds[0]!);
    const record: RunRecord = {
      runId: basename(opts.out),
      createdBy: 'rafcast train',
      model: opts.model,
      seed: opts.seed,
      backend,
      asOf: T,
      trainedOn: T - 1,
      config,
      inputs: { data: resolve(opts.data), history: resolve(historyDir(opts)) },
      schema,
      fingerprint: await fingerprint(opts),
      dataThrough: cutoffs,
      training: {
        members,
        labelled,
        positives,
        fitRows: trained.fitRows,
        validationRows: trained.validationRows,
        bestEpoch: longest.bestEpoch,
        epochs: longest.epochs,
        networks: seconds,
        seconds: seconds.reduce((a, n) => a + n.seconds, 0),
      },
      validation,
      backtest,
      constantFeatures: constantFeatures(trained.standardization, schema.names),
      neutralisedAtBacktest: neutralised,
    };
    await writeFileAtomically(join(opts.out, 'model.json'), modelJson);
    await writeFileAtomically(join(opts.out, 'weights.bin'), weights);
    await writeFileAtomically(join(opts.out, 'schema.json'), json(schema));
    await writeFileAtomically(join(opts.out, 'standardization.json'), json(trained.standardization));
    await writeFileAtomically(join(opts.out, 'metrics.json'), json({ model: opts.model, backend, validation, backtest, history: trained.networks.length === 1 ? trained.networks[0]!.history : trained.networks.map((n) => n.history) }));
    await writeFileAtomically(join(opts.out, 'run.json'), json(record));
    log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
    trained.model.dispose();
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

/** The backtest of probabilities already computed for the feature rows of as-of T. */
async function backtestOf(
  conn: Parameters<typeof readFeatureRows>[0],
  inputs: RunInputs,
  T: number,
  schema: FeatureSchema,
  rows: Awaited<ReturnType<typeof readFeatureRows>>,
  prob: Float32Array,
): Promise<Backtest> {
  const { labels } = topShareLabels(await readRaf(conn, historyFile(inputs), T, rows.ids), TOP_SHARE);
  const known = knownRows(labels);
  const y = Uint8Array.from(known, (i) => labels[i]!);
  const rafT1 = columnOf(rows, 'raf_t1');
  const naive = Float32Array.from(known, (i) => rows.x.values[i * rows.x.cols + rafT1]!);
  const p = Float32Array.from(known, (i) => prob[i]!);
  return { asOf: T, members: known.length, model: listMetrics(p, y, TOP_SHARE), naive: listMetrics(naive, y, TOP_SHARE) };
}

export interface LoadedRun {
  dir: string;
  record: RunRecord;
  model: Awaited<ReturnType<typeof deserializeModel>>;
  standardization: Standardization;
}

/** Loads a run folder; a schema other than the code's features is a clear error. */
export async function loadRun(dir: string): Promise<LoadedRun> {
  const need = ['run.json', 'model.json', 'weights.bin', 'schema.json', 'standardization.json'];
  for (const f of need) if (!existsSync(join(dir, f))) throw new ConfigError(`${dir} is not a rafcast run: ${f} is missing`);
  await initBackend();
  const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
  const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')) as FeatureSchema;
  const current = featureSchema();
  if (schema.hash !== current.hash) {
    const missing = current.names.filter((n) => !schema.names.includes(n));
    const extra = schema.names.filter((n) => !current.names.includes(n));
    throw new ConfigError(
      `the model in ${dir} was trained on feature schema ${schema.hash.slice(0, 12)} (version ${schema.version}, ${schema.names.length} features); ` +
        `these features are ${current.hash.slice(0, 12)} (version ${current.version}, ${current.names.length})` +
        `${missing.length > 0 ? `; new: ${missing.slice(0, 5).join(', ')}` : ''}${extra.length > 0 ? `; gone: ${extra.slice(0, 5).join(', ')}` : ''}` +
        `${missing.length === 0 && extra.length === 0 ? '; same names in another order or definition' : ''}. Retrain with rafcast train.`,
      'E_SCHEMA_MISMATCH',
    );
  }
  const model = await deserializeModel(readFileSync(join(dir, 'model.json'), 'utf8'), readFileSync(join(dir, 'weights.bin')));
  const standardization = JSON.parse(readFileSync(join(dir, 'standardization.json'), 'utf8')) as Standardization;
  return { dir, record, model, standardization };
}

export interface PredictOptions extends Partial<Omit<RunInputs, 'features'>> {
  run: string;
  asOf: number;
  out: string;
  memoryLimit?: string;
  /** A feature table from `rafcast features` for this as-of year, instead of building one. */
  features?: string;
  /**
   * The run's probabilities at this as-of year already computed (a queued run's scores job:
   * member_id, probability), instead of applying the model again.
   */
  scores?: string;
}

export interface PredictSummary {
  members: number;
  output: string;
  backend: BackendName;
  backtest: Backtest | null;
  neutralised: NeutralisedFeature[];
}

/** The as-of year's members and features on an open DuckDB connection (withFeatureRows). */
export interface MemberFeatures {
  conn: Parameters<typeof readFeatureRows>[0];
  inputs: RunInputs;
  schema: FeatureSchema;
  rows: Awaited<ReturnType<typeof readFeatureRows>>;
  /** Makes the contract's tables (members, enrollment, claims) readable on `conn`, if they are not yet. */
  attachData: () => Promise<void>;
}

export interface ScoredMembers extends MemberFeatures {
  run: LoadedRun;
  backend: BackendName;
  /** Probability per row of `rows`. */
  prob: Float32Array;
  /** Features constant where the run was trained but varying here, neutralised (constant-features.ts). */
  neutralised: NeutralisedFeature[];
}

type FeatureRowsOptions = Pick<PredictOptions, 'asOf' | 'memoryLimit' | 'features' | 'dataThrough'> & {
  /** The feature columns to read (rows.names): every column when absent (the whole matrix is 3.3 GB at 5,000,000 members). */
  names?: readonly string[];
};

/**
 * Builds (or reads, `features` given) the as-of year's features of the members of `inputs` and
 * hands them to `use`, with the open DuckDB connection that has them loaded: what a model scores,
 * and what the plan's expected dollars are computed for (evaluation/plan-dollars-file.ts), the
 * same members in the same order.
 */
export async function withFeatureRows<R>(
  inputs: RunInputs,
  opts: FeatureRowsOptions,
  use: (s: MemberFeatures) => Promise<R>,
  log: (line: string) => void = () => undefined,
  trainedFor?: string,
): Promise<R> {
  const db = await openWorkDb(undefined, opts.memoryLimit ?? MODEL_RUN_MEMORY_LIMIT);
  try {
    const conn = db.conn;
    historyFile(inputs);
    const schema = featureSchema();
    const dataThrough = parseCutoff(opts.dataThrough ?? defaultCutoff(opts.asOf));
    if (trainedFor !== undefined && trainedFor !== dataThrough) {
      log(`note: the run was trained for ${opts.asOf} with data through ${trainedFor}; these features are cut at ${dataThrough}`);
    }
    const rows = await readMatrix(conn, await featureTable(conn, inputs, opts.asOf, db.work, schema, dataThrough, log), schema, opts.memoryLimit, opts.names ?? schema.names);
    // An as-of year without members (one the data does not reach) would give an empty list, not a finding.
    requireMembersAt(rows.ids.length, opts.asOf, inputs.data);
    const attachData = async (): Promise<void> => {
      await ensureContractTables(conn, { files: () => findModelDataFiles(inputs.data), checked: inputs.checked, work: db.work });
    };
    return await use({ conn, inputs, schema, rows, attachData });
  } finally {
    await db.close();
  }
}

/** The inputs a run's members are read from: the run's own unless others are given (a new year's data, say). */
export function inputsOf(record: Pick<RunRecord, 'inputs'>, opts: Pick<PredictOptions, 'asOf' | 'data' | 'history' | 'features' | 'checked'>): RunInputs {
  return {
    ...(opts.data !== undefined ? { data: opts.data, history: opts.history, checked: opts.checked } : record.inputs),
    ...(opts.features !== undefined ? { features: { [opts.asOf]: opts.features } } : {}),
  };
}

/**
 * Loads a run, builds the as-of year's features and scores every member, then hands all of it
 * (with the open DuckDB connection, which has the data and features loaded) to `use`.
 */
export async function withScoredMembers<R>(
  opts: Pick<PredictOptions, 'run' | 'asOf' | 'data' | 'history' | 'memoryLimit' | 'features' | 'scores' | 'checked' | 'dataThrough'> & {
    /** With `scores`: the feature columns `use` reads; `rows` then holds those only (rows.names). Absent: every column. */
    columns?: readonly string[];
  },
  use: (s: ScoredMembers) => Promise<R>,
  log: (line: string) => void = () => undefined,
): Promise<R> {
  const run = await loadRun(opts.run);
  try {
    const backend = await initBackend();
    log(`backend: ${backend}`);
    const trainedFor = run.record.asOf === opts.asOf ? run.record.dataThrough?.features : undefined;
    // With scores given, the columns `use` reads (and those constant at training, for the check
    // below) are enough: no model is applied.
    const all = featureSchema().names;
    const names = opts.scores !== undefined && opts.columns !== undefined ? all.filter((n, j) => opts.columns!.includes(n) || run.standardization.constant?.[j] === true) : all;
    return await withFeatureRows(
      inputsOf(run.record, opts),
      { ...opts, names },
      async (f) => {
        const t0 = performance.now();
        const neutralised = neutralisedFeatures(standardizationOf(run.standardization, all, names), names, f.rows.x);
        if (neutralised.length > 0) log(neutralisedWarning(neutralised, run.record.trainedOn, opts.asOf));
        const prob = opts.scores !== undefined ? await readScores(f.conn, opts.scores, f.rows.ids) : await predictProbabilities(run.model, run.standardization, f.rows.x);
        log(`scored ${f.rows.ids.length} members in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        return use({ ...f, run, backend, prob, neutralised });
      },
      log,
      trainedFor,
    );
  } finally {
    run.model.dispose();
  }
}

/**
 * A feature table's rows (readFeatureRows) with DuckDB held to MATRIX_READ_MEMORY_LIMIT while they
 * are read, then back to the model run's limit; a limit the caller gave stays as it is. The same
 * rows whatever the limit: what does not fit spills.
 */
async function readMatrix(conn: ScoredMembers['conn'], table: string, schema: FeatureSchema, callerLimit: string | undefined, names?: readonly string[]): Promise<FeatureRows> {
  if (callerLimit !== undefined) return readFeatureRows(conn, table, schema, names);
  await conn.run(`SET memory_limit = ${sqlString(MATRIX_READ_MEMORY_LIMIT)}`);
  try {
    return await readFeatureRows(conn, table, schema, names);
  } finally {
    await conn.run(`SET memory_limit = ${sqlString(MODEL_RUN_MEMORY_LIMIT)}`);
  }
}

/** A standardisation's columns `names` (of `all`), in that order. */
function standardizationOf(s: Standardization, all: readonly string[], names: readonly string[]): Standardization {
  if (names === all) return s;
  const at = names.map((n) => all.indexOf(n));
  return { mean: at.map((j) => s.mean[j]!), std: at.map((j) => s.std[j]!), ...(s.constant !== undefined ? { constant: at.map((j) => s.constant![j]!) } : {}) };
}

/**
 * The feature table of as-of T: the file given for T, or built from the data known on
 * `dataThrough` (the checked shards when given, else the contract's files, loaded and checked).
 */
async function featureTable(
  conn: ScoredMembers['conn'],
  inputs: RunInputs,
  asOf: number,
  work: string,
  schema: FeatureSchema,
  dataThrough: string,
  log: (line: string) => void,
): Promise<string> {
  const file = inputs.features?.[asOf];
  if (file !== undefined) return featureFileTable(conn, file, asOf, schema, dataThrough);
  const known = inputs.knownHistory?.[asOf];
  return (await createFeatureTable(conn, { data: inputs.data, history: historyDir(inputs), asOf, work, checked: inputs.checked, dataThrough, ...(known !== undefined ? { knownHistory: known } : {}) }, log)).table;
}

/** Probabilities by member from a scores file, in the order of `ids`; every member must have one. */
async function readScores(conn: ScoredMembers['conn'], file: string, ids: readonly string[]): Promise<Float32Array> {
  if (!existsSync(file)) throw new ConfigError(`no such scores file: ${file}`);
  const byId = new Map<string, number>();
  await forEachIdValue(conn, `SELECT member_id, probability::DOUBLE AS p FROM read_parquet(${sqlString(file)})`, (id, p) => byId.set(id, p));
  const prob = new Float32Array(ids.length);
  let missing = 0;
  ids.forEach((id, i) => {
    const p = byId.get(id);
    if (p === undefined) missing++;
    else prob[i] = p;
  });
  if (missing > 0 || byId.size !== ids.length) {
    throw new ConfigError(`${file} does not score the members of these features: ${missing} have no score, ${byId.size} scored against ${ids.length} members`);
  }
  return prob;
}

/** A feature file as the table of as-of T, after checking its year and columns against the schema. */
async function featureFileTable(conn: ScoredMembers['conn'], file: string, asOf: number, schema: FeatureSchema, dataThrough: string): Promise<string> {
  if (!existsSync(file)) throw new ConfigError(`no such feature table: ${file}`);
  const cols = (await conn.runAndReadAll(`SELECT column_name AS c FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(file)}))`)).getRowObjectsJson().map((r) => String(r.c));
  if (JSON.stringify(cols) !== JSON.stringify(['as_of', 'member_id', ...schema.names])) {
    throw new ConfigError(`${file} does not have this version's features (schema ${schema.hash.slice(0, 12)}); rebuild it with rafcast features`, 'E_SCHEMA_MISMATCH');
  }
  const years = (await conn.runAndReadAll(`SELECT DISTINCT as_of FROM read_parquet(${sqlString(file)})`)).getRowObjectsJson().map((r) => Number(r.as_of));
  if (years.length !== 1 || years[0] !== asOf) throw new ConfigError(`${file} holds features as of ${years.join(', ')}, not ${asOf}`);
  // A feature table built on another cut-off sees other claims: a model trained or applied on it
  // would not measure what the plan knows on this run's cut-off.
  const cutoff = await featureTableCutoff(conn, file);
  if (cutoff !== dataThrough) {
    const built = cutoff === undefined ? 'does not record the data cut-off it was built with (built before rafcast recorded it)' : `was built with claims received by ${cutoff}`;
    throw new ConfigError(`${file} ${built}, but this run reads data through ${dataThrough}; rebuild it with rafcast features --as-of ${asOf} --data-through ${dataThrough}`);
  }
  const view = `features_file_${asOf}`;
  await conn.run(`CREATE OR REPLACE TEMP VIEW ${view} AS SELECT * EXCLUDE (as_of) FROM read_parquet(${sqlString(file)})`);
  return view;
}

/** Probabilities at as-of T for every member enrolled in T: member_id, probability, rank, decile. */
export async function predictRun(opts: PredictOptions, log: (line: string) => void = () => undefined): Promise<PredictSummary> {
  return withScoredMembers(
    opts,
    async ({ conn, inputs, run, backend, schema, rows, prob, neutralised }) => {
      await writeScores(conn, rows.ids, prob, opts.out, { model: run.record.model, runId: run.record.runId, asOf: opts.asOf, backend });
      let backtest: Backtest | null = null;
      if (await hasYear(conn, historyFile(inputs), opts.asOf)) {
        backtest = await backtestOf(conn, inputs, opts.asOf, schema, rows, prob);
        await writeFileAtomically(`${opts.out}.metrics.json`, json({ run: run.record.runId, backend, backtest, neutralised }));
      }
      return { members: rows.ids.length, output: opts.out, backend, backtest, neutralised };
    },
    log,
  );
}

