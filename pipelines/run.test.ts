// `rafcast run` in process: every stage in order on a plan it generates, outputs in the run
// folder, and a second run that finds every stage done and skips it (resume). Sharding changes
// where the work is done, never the result: three shards give one shard's bytes.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.ts';
import { processStage } from './processors.ts';
import { limiter, runPipeline, type StageEvent } from './run.ts';

describe('runPipeline', () => {
  it('generates, runs every stage once, gives the same bytes in three shards, and resumes by skipping what is done', async () => {
    const data = join(tempDir('run-data'), 'plan');
    const out = tempDir('run');
    // Boosted trees beside the logistic model: a model without networks, trained in its train job.
    const opts = { data, asOf: 2024, out, models: ['logistic' as const, 'gbdt' as const], seed: 1, annualBaseRate: 10402.34, generateIfMissing: { members: 1000, firstYear: 2021, lastYear: 2025, seed: 4 } };
    const first: StageEvent[] = [];
    const s = await runPipeline(opts, (e) => first.push(e));
    expect(first.filter((e) => e.state === 'done').map((e) => e.stage)).toEqual(['generate', 'partition', 'history', 'features', 'models', 'candidates', 'report']);
    for (const f of ['history/raf_history.parquet', 'models/logistic/run.json', 'models/gbdt/run.json', 'evaluation/gbdt/evaluation.json', 'evaluation/logistic/evaluation.json', 'candidates/outreach.csv', 'report.html', 'run-summary.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(s.evaluations.logistic!.asOf).toBe(2024);
    // The data folder is only read: each file's rejected rows go to the run folder (--rejected
    // gives another), never beside the input (a read-only data folder crashed the run).
    expect(readdirSync(data).filter((f) => f.endsWith('.rejected.csv'))).toEqual([]);
    for (const t of ['members', 'enrollment', 'claims']) expect(existsSync(join(out, `${t}.rejected.csv`)), t).toBe(true);
    // The default cut-off, January 1 of T: the features of 2024 see the claims received by
    // 2024-01-01, the training features of 2023 those received by 2023-01-01, and the label
    // RAF_2023 is the history as known on 2024-01-01 (what the plan knows on the list's day).
    expect(s.config.dataThrough).toBe('2024-01-01');
    expect(JSON.parse(readFileSync(join(out, 'models/logistic/run.json'), 'utf8')).dataThrough).toEqual({
      trainingFeatures: '2023-01-01',
      trainingLabel: '2024-01-01',
      features: '2024-01-01',
    });
    for (const h of ['history-known/as-of-2023-through-2023-01-01', 'history-known/as-of-2024-through-2024-01-01']) {
      expect(JSON.parse(readFileSync(join(out, 'shards/shard-000', h, 'history.json'), 'utf8'))).toMatchObject({ dataThrough: h.slice(-10) });
    }
    // Sharding changes where the work is done, never the result: the same plan in three shards,
    // two jobs at a time in child processes, gives this one-shard run's bytes (compared before
    // the reruns below change the folder).
    const three = tempDir('run-3');
    await runPipeline({ ...opts, out: three, shards: 3, jobs: 2 });
    expect(existsSync(join(three, 'shards', 'shard-002', 'features', 'features_2024.parquet'))).toBe(true);
    const files = ['features/features_2023.parquet', 'features/features_2024.parquet', 'models/logistic/weights.bin', 'scores/logistic.parquet'];
    files.push('models/gbdt/weights.bin', 'scores/gbdt.parquet', 'evaluation/gbdt/evaluation.json');
    files.push('evaluation/logistic/evaluation.json', 'evaluation/logistic/members.csv', 'candidates/candidates.parquet', 'candidates/outreach.csv', 'report.html');
    for (const f of files) expect(readFileSync(join(three, f)).equals(readFileSync(join(out, f))), f).toBe(true);
    // A run folder keeps its cut-off: another would resume on features made at this one.
    await expect(runPipeline({ ...opts, dataThrough: '2024-01-15' })).rejects.toThrow(/was run with data through 2024-01-01, not 2024-01-15/);
    const report = readFileSync(join(out, 'report.html'));
    const again: StageEvent[] = [];
    const remade: string[][] = [];
    await runPipeline({ ...opts, onRemade: (why) => remade.push(why) }, (e) => again.push(e));
    expect(again.map((e) => e.state)).toEqual(Array(6).fill('skipped'));
    expect(remade).toEqual([]);
    expect(readFileSync(join(out, 'report.html')).equals(report)).toBe(true);
    // A run stopped before its report: only the report is made again, to the same bytes.
    rmSync(join(out, 'report.html'));
    const resumed: StageEvent[] = [];
    await runPipeline(opts, (e) => resumed.push(e));
    expect(resumed.filter((e) => e.state === 'done').map((e) => e.stage)).toEqual(['report']);
    expect(readFileSync(join(out, 'report.html')).equals(report)).toBe(true);
    // Stopped inside the candidates stage, before the model's evaluation (the list was made in the
    // models stage): only the evaluation is made again (the model is not retrained, the expected
    // dollars and the list are not made again), and the report after it, to the same bytes.
    const evaluation = readFileSync(join(out, 'evaluation/logistic/evaluation.json'));
    const made = (f: string): number => statSync(join(out, f)).mtimeMs;
    const before = ['models/logistic/weights.bin', 'dollars/plan.json', 'candidates/outreach.csv'].map(made);
    rmSync(join(out, 'evaluation/logistic/evaluation.json'));
    rmSync(join(out, 'report.html'));
    const midModel: StageEvent[] = [];
    await runPipeline(opts, (e) => midModel.push(e));
    expect(midModel.filter((e) => e.state === 'done').map((e) => e.stage)).toEqual(['candidates', 'report']);
    expect(['models/logistic/weights.bin', 'dollars/plan.json', 'candidates/outreach.csv'].map(made)).toEqual(before);
    expect(readFileSync(join(out, 'evaluation/logistic/evaluation.json')).equals(evaluation)).toBe(true);
    expect(readFileSync(join(out, 'report.html')).equals(report)).toBe(true);
    // Stopped inside the models stage, after the model's scores and the expected dollars and
    // before the list: the models stage makes the list alone (no model retrained, no dollars made
    // again), the evaluation is kept, and the report is made again, to the same bytes.
    const outreach = readFileSync(join(out, 'candidates/outreach.csv'));
    const kept = ['models/logistic/weights.bin', 'dollars/plan.json', 'scores/logistic.parquet', 'evaluation/logistic/evaluation.json'];
    const keptAt = kept.map(made);
    rmSync(join(out, 'candidates'), { recursive: true });
    rmSync(join(out, 'report.html'));
    const midList: StageEvent[] = [];
    await runPipeline(opts, (e) => midList.push(e));
    expect(midList.filter((e) => e.state === 'done').map((e) => e.stage)).toEqual(['models', 'report']);
    expect(kept.map(made)).toEqual(keptAt);
    expect(readFileSync(join(out, 'candidates/outreach.csv')).equals(outreach)).toBe(true);
    expect(readFileSync(join(out, 'report.html')).equals(report)).toBe(true);
    // Run again with another seed (issue 16): the partition, history and features were not made
    // from the seed and are kept; the models, the list and the report are made again from it,
    // never the first run's presented beside the new settings.
    const reseeded: StageEvent[] = [];
    const s9 = await runPipeline({ ...opts, seed: 9, onRemade: (why) => remade.push(why) }, (e) => reseeded.push(e));
    // And says why, in words: the one setting that changed.
    expect(remade).toEqual([['--seed 1, now 9']]);
    expect(reseeded.filter((e) => e.state !== 'start').map((e) => `${e.stage} ${e.state}`)).toEqual(['partition skipped', 'history skipped', 'features skipped', 'models done', 'candidates done', 'report done']);
    expect(JSON.parse(readFileSync(join(out, 'models/logistic/run.json'), 'utf8')).seed).toBe(9);
    expect(JSON.parse(readFileSync(join(out, 'flow.json'), 'utf8')).seed).toBe(9);
    expect(s9.config.seed).toBe(9);
  }, 360_000); // the plan run in one shard, then in three (each shard's history three times: complete, and as known on two cut-offs)
});

describe('a job whose run folder this worker cannot see', () => {
  it('fails with an error a retry (on another worker) can fix, naming the folder', async () => {
    const elsewhere = join(tempDir('not-mounted'), 'run');
    const job = processStage('history-shard', { out: elsewhere, shard: 0 }, async () => undefined);
    await expect(job).rejects.toMatchObject({ code: 'E_CONFIG', unrecoverable: false });
    await expect(job).rejects.toThrow(`cannot see the run folder ${elsewhere}`);
  });
});

describe('the in-process runs\' job slots', () => {
  it('give a free slot to a job without a priority first, then by priority, each in the order it came', async () => {
    const slot = limiter(1);
    const order: string[] = [];
    let release!: () => void;
    const held = slot(() => new Promise<void>((r) => (release = r)));
    // The slot is taken: these wait. By BullMQ's rule: b and d (no priority) in turn, then c (1), then a (3).
    const waiting = [slot(async () => void order.push('a'), 3), slot(async () => void order.push('b')), slot(async () => void order.push('c'), 1), slot(async () => void order.push('d'))];
    release();
    await Promise.all([held, ...waiting]);
    expect(order).toEqual(['b', 'd', 'c', 'a']);
  });
});
