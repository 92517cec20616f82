// `rafcast predict` and what a trained run is applied with: a run folder (train-run.ts writes it)
// holds everything needed to apply it again and to know what it is: model.json and weights.bin,
// the feature schema, the standardisation, the metrics, the seed, the backend and a fingerprint of
// the input. The feature matrix of an as-of year, read or built (DOMAIN.md section 3), and, when
// RAF_T is known (a backtest), the model and the naive list (top 20% by RAF_{T-1}) measured side by
// side.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { sqlString } from '../data/duckdb.ts';
import { historyDir, historyFile, type Backtest, type RunInputs, type RunRecord } from './run-registry.ts';
import { MATRIX_READ_MEMORY_LIMIT, MODEL_RUN_MEMORY_LIMIT, writeScores } from './scores-file.ts';
import { ensureContractTables, openWorkDb } from '../data/staged-contract.ts';
import { ConfigError } from '../data/errors.ts';
import { createFeatureTable, featureTableCutoff } from '../features/build-features.ts';
import { requireMembersAt } from '../features/population.ts';
import { defaultCutoff, parseCutoff } from '../data/received-by.ts';
import { featureSchema, type FeatureSchema } from '../features/schema.ts';
import { initBackend, type BackendName } from './backend.ts';
import { readScorer, type Scorer } from './scorer.ts';
import { type Standardization } from './standardization.ts';
import { columnOf, hasYear, knownRows, readFeatureRows, type FeatureRows, readRaf, topShareLabels } from './dataset.ts';
import { createMemberIndex, readByIndex, type MemberIndex } from '../data/member-index.ts';
import { listMetrics } from './metrics.ts';
import { neutralisedFeatures, neutralisedWarning, type NeutralisedFeature } from './constant-features.ts';
import { findModelDataFiles } from '../data/contract-files.ts';

export const TOP_SHARE = 0.2;


export const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;

/** The backtest of probabilities already computed for the feature rows of as-of T. */
export async function backtestOf(
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
  model: Scorer;
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
  const standardization = JSON.parse(readFileSync(join(dir, 'standardization.json'), 'utf8')) as Standardization;
  const model = await readScorer(readFileSync(join(dir, 'model.json'), 'utf8'), readFileSync(join(dir, 'weights.bin')), standardization);
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
  /** The rows' member ids in DuckDB (data/member-index.ts), made the first time it is asked for and then the same. */
  memberIndex: () => Promise<MemberIndex>;
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
        let index: Promise<MemberIndex> | undefined;
        const memberIndex = (): Promise<MemberIndex> => (index ??= createMemberIndex(f.conn, f.rows.ids, '_scored_members'));
        const prob = opts.scores !== undefined ? await readScores(f.conn, opts.scores, f.rows.ids, await memberIndex()) : await run.model.probabilities(f.rows.x);
        log(`scored ${f.rows.ids.length} members in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        return use({ ...f, run, backend, prob, neutralised, memberIndex });
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
export async function readMatrix(conn: ScoredMembers['conn'], table: string, schema: FeatureSchema, callerLimit: string | undefined, names?: readonly string[]): Promise<FeatureRows> {
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
export async function featureTable(
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
async function readScores(conn: ScoredMembers['conn'], file: string, ids: readonly string[], index: MemberIndex): Promise<Float32Array> {
  if (!existsSync(file)) throw new ConfigError(`no such scores file: ${file}`);
  // By the member's place in `ids` (`index`, data/member-index.ts): no map by member id.
  const source = sqlString(file);
  const [p] = await readByIndex(conn, `SELECT x.i, s.probability::DOUBLE FROM read_parquet(${source}) s JOIN ${index.table} x USING (member_id)`, index, 1, { source: file });
  const scored = Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${source})`)).getRowObjectsJson()[0]!.n);
  const missing = p!.reduce((a, v) => a + (Number.isNaN(v) ? 1 : 0), 0);
  if (missing > 0 || scored !== ids.length) {
    throw new ConfigError(`${file} does not score the members of these features: ${missing} have no score, ${scored} scored against ${ids.length} members`);
  }
  const prob = Float32Array.from(p!);
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

