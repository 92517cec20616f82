// `rafcast run`, in process: the whole backtest at as-of T as a sequence of stages, each the same
// function a command calls, exchanging files in one run folder: the risk score history (once per
// data folder), a model per kind asked for (trained at T-1, applied at T), the evaluation against
// the naive and perfect-knowledge lists, the candidate list and the report. A stage whose outputs
// are already in the run folder is not run again, so a stopped run resumes where it stopped.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OUTPUT_FILE_MODE, temporaryPathFor } from '../data/atomic-file.ts';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import type { ModelKind } from '../models/classifier.ts';
import { writeReport } from '../evaluation/report.ts';
import { writeCandidates } from './candidates.ts';
import { evaluateRun, type Evaluation } from './evaluate.ts';
import { generatePopulation } from './generate-population.ts';
import { computeHistory, findDataFiles } from './history.ts';
import { trainRun } from './model-run.ts';

export interface RunOptions {
  data: string;
  asOf: number;
  /** The run folder (default runs/run-<as-of>). */
  out: string;
  models: ModelKind[];
  seed: number;
  annualBaseRate: number;
  /** Generate the data first when the folder has none: members and years. */
  generateIfMissing?: { members: number; firstYear: number; lastYear: number; seed: number };
}

export type StageName = 'generate' | 'history' | 'train' | 'evaluate' | 'candidates' | 'report';

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

/** The stages in flow order, with the files that show each is done. */
export function plannedStages(o: RunOptions): { stage: StageName; detail: string; done: string[] }[] {
  const stages: { stage: StageName; detail: string; done: string[] }[] = [];
  if (o.generateIfMissing) stages.push({ stage: 'generate', detail: `${o.generateIfMissing.members} members`, done: [join(o.data, 'claims.parquet')] });
  stages.push({ stage: 'history', detail: 'risk score history', done: [join(o.data, 'history', 'raf_history.parquet'), join(o.data, 'history', 'history.json')] });
  for (const m of o.models) stages.push({ stage: 'train', detail: m, done: [join(o.out, 'models', m, 'run.json')] });
  for (const m of o.models) stages.push({ stage: 'evaluate', detail: m, done: [join(o.out, 'evaluation', m, 'evaluation.json')] });
  stages.push({ stage: 'candidates', detail: o.models[0]!, done: [join(o.out, 'candidates', 'outreach.csv')] });
  stages.push({ stage: 'report', detail: o.models[0]!, done: [join(o.out, 'report.html')] });
  return stages;
}

/** Runs every stage not yet done, in order; `onStage` hears of each. */
export async function runPipeline(o: RunOptions, onStage: (e: StageEvent) => void = () => undefined): Promise<RunSummary> {
  if (o.models.length === 0) throw new ConfigError('give at least one model');
  await mkdir(o.out, { recursive: true, mode: 0o700 });
  const events: StageEvent[] = [];
  const evaluations: Record<string, Evaluation> = {};
  const history = join(o.data, 'history');
  for (const s of plannedStages(o)) {
    if (s.done.every((f) => existsSync(f))) {
      const e: StageEvent = { stage: s.stage, detail: s.detail, state: 'skipped' };
      events.push(e);
      onStage(e);
      if (s.stage === 'evaluate') evaluations[s.detail] = JSON.parse(await readFile(s.done[0]!, 'utf8')) as Evaluation;
      continue;
    }
    onStage({ stage: s.stage, detail: s.detail, state: 'start' });
    const t0 = performance.now();
    switch (s.stage) {
      case 'generate': {
        const g = o.generateIfMissing!;
        await generatePopulation({ members: g.members, firstYear: g.firstYear, lastYear: g.lastYear, seed: g.seed, out: o.data });
        break;
      }
      case 'history': {
        const years = await dataYears(o.data);
        if (!years.includes(o.asOf)) throw new ConfigError(`the data in ${o.data} has no enrollment in ${o.asOf}`);
        await computeHistory({ data: o.data, firstYear: years[0]!, lastYear: years[years.length - 1]!, out: history, annualBaseRate: o.annualBaseRate });
        break;
      }
      case 'train':
        await trainRun({ data: o.data, history, asOf: o.asOf, model: s.detail as ModelKind, seed: o.seed, out: join(o.out, 'models', s.detail) });
        break;
      case 'evaluate':
        evaluations[s.detail] = await evaluateRun({ run: join(o.out, 'models', s.detail), asOf: o.asOf, out: join(o.out, 'evaluation', s.detail), annualBaseRate: o.annualBaseRate });
        break;
      case 'candidates':
        await writeCandidates({ run: join(o.out, 'models', s.detail), asOf: o.asOf, top: 0.2, out: join(o.out, 'candidates'), annualBaseRate: o.annualBaseRate });
        break;
      case 'report':
        await writeReport(join(o.out, 'evaluation', s.detail), join(o.out, 'report.html'), join(o.out, 'candidates'));
        break;
    }
    const e: StageEvent = { stage: s.stage, detail: s.detail, state: 'done', seconds: (performance.now() - t0) / 1000 };
    events.push(e);
    onStage(e);
  }
  const summaryPath = join(o.out, 'run-summary.json');
  const tmp = temporaryPathFor(summaryPath);
  await writeFile(tmp, `${JSON.stringify({ data: o.data, asOf: o.asOf, models: o.models, seed: o.seed, annualBaseRate: o.annualBaseRate, stages: events.map(({ stage, detail, state }) => ({ stage, detail, state })) }, null, 2)}\n`, { mode: OUTPUT_FILE_MODE });
  await rename(tmp, summaryPath);
  return { out: o.out, report: join(o.out, 'report.html'), evaluations, stages: events };
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
