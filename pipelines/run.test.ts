// `rafcast run` in process: every stage in order on a plan it generates, outputs in the run
// folder, and a second run that finds every stage done and skips it (resume).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.ts';
import { runPipeline, type StageEvent } from './run.ts';

describe('runPipeline', () => {
  it('generates, runs every stage once, and resumes by skipping what is done', async () => {
    const data = join(tempDir('run-data'), 'plan');
    const out = tempDir('run');
    const opts = { data, asOf: 2024, out, models: ['logistic' as const], seed: 1, annualBaseRate: 10402.34, generateIfMissing: { members: 1500, firstYear: 2021, lastYear: 2025, seed: 4 } };
    const first: StageEvent[] = [];
    const s = await runPipeline(opts, (e) => first.push(e));
    expect(first.filter((e) => e.state === 'done').map((e) => e.stage)).toEqual(['generate', 'partition', 'history', 'models', 'evaluate', 'candidates', 'report']);
    for (const f of ['history/raf_history.parquet', 'models/logistic/run.json', 'evaluation/logistic/evaluation.json', 'candidates/outreach.csv', 'report.html', 'run-summary.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(s.evaluations.logistic!.asOf).toBe(2024);
    const report = readFileSync(join(out, 'report.html'));
    const again: StageEvent[] = [];
    await runPipeline(opts, (e) => again.push(e));
    expect(again.map((e) => e.state)).toEqual(Array(6).fill('skipped'));
    expect(readFileSync(join(out, 'report.html')).equals(report)).toBe(true);
    // A run stopped before its report: only the report is made again, to the same bytes.
    rmSync(join(out, 'report.html'));
    const resumed: StageEvent[] = [];
    await runPipeline(opts, (e) => resumed.push(e));
    expect(resumed.filter((e) => e.state === 'done').map((e) => e.stage)).toEqual(['report']);
    expect(readFileSync(join(out, 'report.html')).equals(report)).toBe(true);
  }, 120_000);
});
