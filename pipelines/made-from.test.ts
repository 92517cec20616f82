// A rerun into a run folder skips a stage only when the data and the settings are the ones the
// stage was made from (issue 16, item 1): prepareFlow removes the outputs of every stage whose
// stamp changed, and a resumed run whose data changed is refused with the difference named. The
// run folder here holds placeholder files at each stage's done-keys: what the stamps decide is
// which of them survive, and no stage has to run for that.
import { cpSync, existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.ts';
import { FLOW_STAGES, doneKeys, isDone, prepareFlow, type FlowConfig, type Stage } from './jobs.ts';
import { MADE_FROM_FILE, stampData } from './made-from.ts';
import { openRunStore } from './run-store.ts';

/** A data folder of the contract's three files (their content is never read here: only their size and time). */
function dataFolder(): string {
  const data = tempDir('made-from-data');
  writeFileSync(join(data, 'members.csv'), 'member_id,birth_date,sex\n');
  writeFileSync(join(data, 'enrollment.csv'), 'member_id,year,month\n');
  writeFileSync(join(data, 'claims.csv'), 'claim_id,member_id,from_date\n');
  return data;
}

const configFor = (data: string, out: string): FlowConfig => ({
  runId: 'r',
  data,
  out,
  asOf: 2024,
  shards: 2,
  models: ['logistic'],
  seed: 1,
  annualBaseRate: 10402.34,
  years: [2021, 2025],
  dataThrough: '2024-01-01',
  asOfEnrollment: { source: 'data', members: 3 },
});

/** A placeholder at every key that shows a stage done, and a file in each shard's folder, as a finished run leaves them. */
function finishedRun(c: FlowConfig): void {
  for (const stage of FLOW_STAGES) {
    for (const k of doneKeys(c, stage)) {
      mkdirSync(dirname(join(c.out, k)), { recursive: true });
      writeFileSync(join(c.out, k), 'x');
    }
  }
  mkdirSync(join(c.out, 'shards/shard-001/history'), { recursive: true });
  writeFileSync(join(c.out, 'shards/shard-001/history/raf_history.parquet'), 'x');
  writeFileSync(join(c.out, 'run-summary.json'), '{}');
}

/** The stages whose outputs are all there (a rerun skips them). */
async function doneStages(c: FlowConfig): Promise<Stage[]> {
  const done: Stage[] = [];
  for (const stage of FLOW_STAGES) if (await isDone(openRunStore(c.out), c, stage)) done.push(stage);
  return done;
}

describe('prepareFlow on a run folder made before', () => {
  it('keeps every stage for the same data and settings', async () => {
    const c = configFor(dataFolder(), tempDir('made-from-run'));
    await prepareFlow(c);
    expect(existsSync(join(c.out, MADE_FROM_FILE))).toBe(true);
    finishedRun(c);
    await prepareFlow(c);
    expect(await doneStages(c)).toEqual([...FLOW_STAGES]);
    expect(existsSync(join(c.out, 'run-summary.json'))).toBe(true);
  });

  it('makes again the stages a changed setting reaches, and keeps those before it', async () => {
    const data = dataFolder();
    const c = configFor(data, tempDir('made-from-run'));
    await prepareFlow(c);
    finishedRun(c);
    // The seed is a model's setting: the partition, history and features were not made from it.
    await prepareFlow({ ...c, seed: 9 });
    expect(await doneStages(c)).toEqual(['partition', 'history', 'features']);
    expect(existsSync(join(c.out, 'models/logistic/run.json'))).toBe(false);
    // The summary of the old run never stands beside the new settings.
    expect(existsSync(join(c.out, 'run-summary.json'))).toBe(false);

    // The base rate prices the history (the dollars): everything after the partition is made again,
    // the shards' histories too.
    const d = { ...c, seed: 9 };
    finishedRun(d);
    await prepareFlow({ ...d, annualBaseRate: 20000 });
    expect(await doneStages(d)).toEqual(['partition']);
    expect(existsSync(join(c.out, 'shards/shard-001/history/raf_history.parquet'))).toBe(false);
    // The expected dollars (the models stage's dollars job, which a rerun skips when they are there) priced at the old rate go too.
    expect(existsSync(join(c.out, 'dollars/plan.json'))).toBe(false);
  });

  it('makes a model added to the list, keeping the first model and its list, and the report again', async () => {
    const c = configFor(dataFolder(), tempDir('made-from-run'));
    await prepareFlow(c);
    finishedRun(c);
    const two: FlowConfig = { ...c, models: ['logistic', 'mlp'] };
    await prepareFlow(two);
    // logistic's chain, its evaluation and the candidate list (the first model's) stand; mlp's
    // chain, its evaluation (a job of the candidates stage, which the list's job skips) and the
    // report (every model's evaluations) are to be made.
    expect(existsSync(join(c.out, 'models/logistic/run.json'))).toBe(true);
    expect(existsSync(join(c.out, 'evaluation/logistic/evaluation.json'))).toBe(true);
    expect(existsSync(join(c.out, 'candidates/outreach.csv'))).toBe(true);
    expect(await doneStages(two)).toEqual(['partition', 'history', 'features']);
  });

  it('makes the report for the coming year again when its backtest folder was made again', async () => {
    const data = dataFolder();
    const backtest = configFor(data, tempDir('made-from-backtest'));
    await prepareFlow(backtest);
    const c: FlowConfig = { ...configFor(data, tempDir('made-from-run')), asOf: 2026, dataThrough: '2026-01-01', backtest: backtest.out };
    await prepareFlow(c);
    finishedRun(c);
    await prepareFlow(c);
    expect(await doneStages(c)).toEqual([...FLOW_STAGES]);
    // The backtest run again with another seed: its report's stamp changes, and with it this report's.
    await prepareFlow({ ...backtest, seed: 9 });
    await prepareFlow(c);
    expect(await doneStages(c)).toEqual(['partition', 'history', 'features', 'models', 'candidates']);
  });

  it('makes everything again from another data folder, even with files of the same sizes and times', async () => {
    const data = dataFolder();
    const copy = tempDir('made-from-copy');
    cpSync(data, copy, { recursive: true });
    // The same whole-second time on both folders' files: only the folder differs.
    const when = new Date('2025-01-01T00:00:00Z');
    for (const dir of [data, copy]) for (const f of ['members.csv', 'enrollment.csv', 'claims.csv']) utimesSync(join(dir, f), when, when);
    const c = configFor(data, tempDir('made-from-run'));
    await prepareFlow(c);
    finishedRun(c);
    await prepareFlow({ ...c, data: copy });
    expect(await doneStages(c)).toEqual([]);
  });

  it('makes everything again when a data file changed, and a resume refuses, naming the file', async () => {
    const data = dataFolder();
    const c = configFor(data, tempDir('made-from-run'));
    await prepareFlow(c);
    finishedRun(c);
    // Same size, another modification time: the claims were written again.
    utimesSync(join(data, 'claims.csv'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    const resumed = prepareFlow(c, { resume: true });
    await expect(resumed).rejects.toMatchObject({ code: 'E_CONFIG' });
    await expect(prepareFlow(c, { resume: true })).rejects.toThrow(/cannot resume .*: claims.csv was modified \(.*, now 2026-01-02T03:04:05.000Z\) since the run was made/);
    // Refused: nothing removed.
    expect(await doneStages(c)).toEqual([...FLOW_STAGES]);
    // A rerun (not a resume) makes everything again.
    await prepareFlow(c);
    expect(await doneStages(c)).toEqual([]);
    // A claims file of another size is named with both sizes: the header above is 29 bytes
    // (8 + 1 + 9 + 1 + 9 + the newline), 'c1,' and a newline 4 more.
    writeFileSync(join(data, 'claims.csv'), 'claim_id,member_id,from_date\nc1,\n');
    await expect(prepareFlow(c, { resume: true })).rejects.toThrow(/claims.csv changed size \(29 bytes, now 33\)/);
  });

  it('treats a folder from before the stamps as made from other inputs, unless resumed', async () => {
    const c = configFor(dataFolder(), tempDir('made-from-run'));
    await prepareFlow(c);
    finishedRun(c);
    rmSync(join(c.out, MADE_FROM_FILE));
    // A resume keeps its outputs (its own settings, by construction), and stamps them.
    await prepareFlow(c, { resume: true });
    expect(await doneStages(c)).toEqual([...FLOW_STAGES]);
    rmSync(join(c.out, MADE_FROM_FILE));
    await prepareFlow(c);
    expect(await doneStages(c)).toEqual([]);
  });

  it('refuses an --out that holds files rafcast did not write (--out runs/.. is the repository root), unless forced', async () => {
    const root = tempDir('made-from-root');
    writeFileSync(join(root, 'package.json'), '{}');
    writeFileSync(join(root, 'report.html'), 'mine');
    const c = configFor(dataFolder(), root);
    await expect(prepareFlow(c)).rejects.toThrow(`--out ${root} holds files rafcast did not write (package.json, report.html); rafcast run would overwrite report.html`);
    expect(existsSync(join(root, 'flow.json'))).toBe(false);
    await prepareFlow(c, { force: true });
    expect(existsSync(join(root, 'flow.json'))).toBe(true);
    // Forced once, the folder is rafcast's: a rerun needs no --force.
    await prepareFlow(c);
  });
});

describe('stampData', () => {
  it("stamps the optional files a data folder has (a changed pharmacy file changes the partition's stamp), and only those", () => {
    const dir = tempDir('stamp');
    for (const f of ['members.csv', 'enrollment.csv', 'claims.parquet', 'pharmacy.csv']) writeFileSync(join(dir, f), 'x'.repeat(f.length));
    const stamps = stampData(dir);
    expect(Object.keys(stamps).sort()).toEqual(['claims.parquet', 'enrollment.csv', 'members.csv', 'pharmacy.csv']);
    expect(stamps['pharmacy.csv']!.size).toBe(12);
  });
});
