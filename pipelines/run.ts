// `rafcast run`, in process: the flow of jobs.ts (partition into shards, the risk score
// history shard by shard, a model per kind asked for, the evaluation against the naive and
// perfect-knowledge lists, the candidate list and the report) run job by job in this process, with
// the same processors as the queue's workers and the same outputs. A stage whose outputs are
// already in the run folder is not run again, so a stopped run resumes where it stopped.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import type { ModelKind } from '../models/classifier.ts';
import type { Evaluation } from '../evaluation/evaluate-run.ts';
import { generatePopulation } from './generate-population.ts';
import { findDataFiles } from '../data/contract-files.ts';
import { FLOW_STAGES, isDone, isFanOut, prepareFlow, type AnyJob, type ChildJob, type FlowConfig, type Stage } from './jobs.ts';
import { processStage } from './processors.ts';
import { openRunStore } from './run-store.ts';
import { StageProcessPool } from './stage-process.ts';

export interface RunOptions {
  data: string;
  asOf: number;
  /** The run folder (default runs/run-<as-of>). */
  out: string;
  models: ModelKind[];
  seed: number;
  annualBaseRate: number;
  /** Shards of the per-member stages (default 1). */
  shards?: number;
  /** Jobs at a time (shards, models), each in a child process when more than 1 (default 1). */
  jobs?: number;
  /** Generate the data first when the folder has none: members and years. */
  generateIfMissing?: { members: number; firstYear: number; lastYear: number; seed: number };
}

export type StageName = 'generate' | (typeof FLOW_STAGES)[number];

export interface StageEvent {
  stage: StageName;
  detail: string;
  state: 'start' | 'done' | 'skipped';
  seconds?: number;
}

export interface RunSummary {
  out: string;
  report: string;
  evaluations: Record<string, Evaluation>;
  stages: StageEvent[];
}

/** The flow's configuration for these options (the data's years from its enrollment file). */
export async function flowConfig(o: RunOptions): Promise<FlowConfig> {
  const years = await dataYears(o.data);
  if (!years.includes(o.asOf)) throw new ConfigError(`the data in ${o.data} has no enrollment in ${o.asOf}`);
  return {
    // Job ids are built from it: letters, digits, '.', '_' and '-' only (BullMQ refuses ':').
    runId: basename(resolve(o.out)).replace(/[^\w.-]/g, '_'),
    // Absolute: a worker started in another folder (or on another machine with the same mount) finds them.
    data: resolve(o.data),
    out: resolve(o.out),
    asOf: o.asOf,
    shards: o.shards ?? 1,
    models: o.models,
    seed: o.seed,
    annualBaseRate: o.annualBaseRate,
    years: [years[0]!, years[years.length - 1]!],
  };
}

/**
 * Every job of the flow in this process, in flow order (the embedded default: nothing to install
 * but Node), with the same processors as the queue's workers. A stage whose outputs exist is
 * skipped, so running again resumes a stopped run.
 */
export async function runPipeline(o: RunOptions, onStage: (e: StageEvent) => void = () => undefined): Promise<RunSummary> {
  if (o.models.length === 0) throw new ConfigError('give at least one model');
  if (o.jobs !== undefined && !(Number.isInteger(o.jobs) && o.jobs >= 1)) throw new ConfigError(`--jobs must be a whole number of at least 1, found ${o.jobs}`);
  const events: StageEvent[] = [];
  const note = (e: StageEvent): void => {
    if (e.state !== 'start') events.push(e);
    onStage(e);
  };
  if (o.generateIfMissing && !existsSync(join(o.data, 'claims.parquet'))) {
    const g = o.generateIfMissing;
    note({ stage: 'generate', detail: `${g.members} members`, state: 'start' });
    const t0 = performance.now();
    await generatePopulation({ members: g.members, firstYear: g.firstYear, lastYear: g.lastYear, seed: g.seed, out: o.data });
    note({ stage: 'generate', detail: `${g.members} members`, state: 'done', seconds: (performance.now() - t0) / 1000 });
  }
  const c = await flowConfig(o);
  await prepareFlow(c);
  for (const stage of FLOW_STAGES) {
    const shards = `${c.shards} shard${c.shards === 1 ? '' : 's'}`;
    const detail = stage === 'partition' || stage === 'history' || stage === 'features' ? shards : stage === 'models' ? `${c.models.join(', ')}: train, score (${shards}), evaluate` : c.models.join(', ');
    if (await isDone(openRunStore(c.out), c, stage)) {
      note({ stage, detail, state: 'skipped' });
      continue;
    }
    note({ stage, detail, state: 'start' });
    const t0 = performance.now();
    await runStageInProcess(stage, c, o.jobs ?? 1);
    note({ stage, detail, state: 'done', seconds: (performance.now() - t0) / 1000 });
  }
  const evaluations = await readEvaluations(c.out, c.models);
  const summaryPath = join(o.out, 'run-summary.json');
  await writeFileAtomically(summaryPath, `${JSON.stringify({ ...c, stages: events.map(({ stage, detail, state }) => ({ stage, detail, state })) }, null, 2)}\n`);
  return { out: o.out, report: join(o.out, 'report.html'), evaluations, stages: events };
}

/** At most n calls of the functions it is given at a time; the others wait their turn. */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (f) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await f();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * One stage of the flow in this process. With `jobs` 1, every job runs here one after another;
 * with more, up to `jobs` of its jobs (shards, models, their chains) run at once, each in a child
 * process as on a worker, and the fan-outs' merges here. Each job still runs after its own children.
 */
export async function runStageInProcess(stage: Stage, c: FlowConfig, jobs = 1): Promise<void> {
  const pool = jobs > 1 ? new StageProcessPool() : undefined;
  const slot = limiter(jobs);
  const run = async (job: AnyJob & { children?: ChildJob[] }): Promise<void> => {
    for (const child of job.children ?? []) await run(child);
    if (isFanOut(job.name)) {
      await processStage(job.name, job.data, async (children) => {
        if (pool) await Promise.all(children.map(run));
        else for (const child of children) await run(child);
      });
    } else {
      await slot(() => (pool ? pool.run(job.name, job.data) : processStage(job.name, job.data, async () => undefined)));
    }
  };
  try {
    await run({ name: stage, data: { out: c.out } });
  } finally {
    await pool?.close();
  }
}

/** The evaluation of each model of a finished run (in process or queued), by model. */
export async function readEvaluations(out: string, models: readonly ModelKind[]): Promise<Record<string, Evaluation>> {
  const evaluations: Record<string, Evaluation> = {};
  for (const m of models) evaluations[m] = JSON.parse(await readFile(join(out, 'evaluation', m, 'evaluation.json'), 'utf8')) as Evaluation;
  return evaluations;
}

/** The years the enrollment file covers, ascending. */
async function dataYears(data: string): Promise<number[]> {
  const file = findDataFiles(data).enrollment;
  const db = await openDuckDb();
  try {
    const reader = file.endsWith('.csv') ? `read_csv(${sqlString(file)})` : `read_parquet(${sqlString(file)})`;
    return (await db.connection.runAndReadAll(`SELECT DISTINCT year::INTEGER AS y FROM ${reader} ORDER BY y`)).getRowObjectsJson().map((r) => Number(r.y));
  } finally {
    db.close();
  }
}
