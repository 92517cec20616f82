// The bench's `scaling` step (issue 20): the queued flow of a generated plan of n members (the
// queued step's plan, MLP and logistic, BENCH_SCALING_SHARDS shards, default 16) on one worker
// limited to one thread (`rafcast worker --threads 1`), then on two; the speedup of the whole flow;
// each stage's CPU-seconds and serial part from what every job returned (runJobTimings), the MLP
// training on a line of its own; and from them Amdahl's law for 1 to 16 workers of one core and of
// four cores (pipelines/scaling.ts).
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { followFlow, runJobTimings, type JobTimingRow } from '../pipelines/flow-status.ts';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { FLOW_STAGES } from '../pipelines/jobs.ts';
import { enqueueFlow } from '../pipelines/queue.ts';
import { QUEUE, connectionOf } from '../pipelines/queue-connection.ts';
import { stageJobId } from '../pipelines/run-keys.ts';
import { flowConfig } from '../pipelines/run.ts';
import { amdahlPartsSeconds, isNetworkJob, isSerialJob, networkFraction, serialFraction, sharedMachineCeiling, stageCosts } from '../pipelines/scaling.ts';
import { networksOfModel } from '../pipelines/jobs.ts';
import { DEFAULT_MODELS, modelsInWords } from '../models/model-kinds.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { busyCpuSeconds, startBenchRedis, stopped } from './bench-queued.ts';

const CLI = fileURLToPath(new URL('../bin/rafcast.js', import.meta.url));
/** The models the scaling run trains: `rafcast run`'s own (the boosted trees, the MLP and logistic). */
const MODELS = DEFAULT_MODELS;

interface Measured {
  workers: number;
  seconds: number;
  cores: number;
  stageSeconds: Map<string, number>;
  rows: JobTimingRow[];
}

export async function benchScaling(n: number, dir: string, shards = Number(process.env.BENCH_SCALING_SHARDS ?? 16)): Promise<void> {
  const data = join(dir, `synthetic-${n}`);
  if (!existsSync(join(data, 'claims.parquet'))) await generatePopulation({ members: n, firstYear: 2021, lastYear: 2025, seed: 2021, out: data });
  const redis = await startBenchRedis();
  const connection = connectionOf(redis.url);
  const runs: Measured[] = [];
  try {
    for (const workers of [1, 2]) {
      const procs = Array.from({ length: workers }, () => spawn(process.execPath, [CLI, 'worker', '--redis', redis.url, '--threads', '1'], { stdio: 'ignore' }));
      try {
        const out = join(dir, `scaling-${n}-${workers}`);
        rmSync(out, { recursive: true, force: true });
        const config = await flowConfig({ data, asOf: 2024, out, models: [...MODELS], seed: 1, annualBaseRate: DEMO_BASE_RATE_ANNUAL, shards });
        const t0 = Date.now();
        const cpu0 = busyCpuSeconds();
        const runKey = await enqueueFlow(config, connection);
        await followFlow(runKey, connection);
        const seconds = (Date.now() - t0) / 1000;
        const cores = (busyCpuSeconds() - cpu0) / seconds;
        // Each stage's wall time, from the stages' finishing times (as the queued step).
        const queue = new Queue(QUEUE, { connection });
        const stageSeconds = new Map<string, number>();
        let prev = t0;
        for (const stage of FLOW_STAGES) {
          const finished = (await queue.getJob(stageJobId(runKey, stage)))?.finishedOn ?? prev;
          stageSeconds.set(stage, (finished - prev) / 1000);
          prev = finished;
        }
        await queue.close();
        runs.push({ workers, seconds, cores, stageSeconds, rows: await runJobTimings(runKey, connection) });
        rmSync(out, { recursive: true, force: true });
      } finally {
        await Promise.all(procs.map(stopped));
      }
    }
  } finally {
    redis.stop();
  }
  const [one, two] = runs as [Measured, Measured];
  const what = `rafcast run --redis, ${n.toLocaleString('en-US')} members, ${shards} shards, ${modelsInWords(MODELS)}, workers of one thread (rafcast worker --threads 1)`;
  for (const r of runs) {
    const cpu = r.rows.reduce((a, x) => a + x.cpuSeconds, 0);
    console.log(
      `  ${r.workers} worker${r.workers === 1 ? '' : 's'}: ${r.seconds.toFixed(1)} s, ${r.cores.toFixed(2)} cores busy on the machine, jobs' CPU ${cpu.toFixed(1)} s ` +
        `(stages ${[...r.stageSeconds].map(([s, t]) => `${s} ${t.toFixed(0)}`).join(', ')} s)`,
    );
  }
  // Each stage's CPU-seconds and serial part, from the one-worker run: the work, not how it was spread.
  const costs = stageCosts(one.rows);
  console.log('  stage: CPU-seconds, of which serial (not one of a set of shards), one worker');
  for (const c of costs) {
    const merges = c.merges > 0 ? `, ${c.merges} merges side by side ${c.mergeSeconds.toFixed(1)} s` : '';
    console.log(`    ${c.stage}: ${c.cpuSeconds.toFixed(1)} s, serial ${c.serialSeconds.toFixed(1)} s${merges} (${c.jobs} job${c.jobs === 1 ? '' : 's'})`);
  }
  for (const r of one.rows.filter(isNetworkJob)) console.log(`    training ${r.model}, network ${(r.network ?? 0) + 1}: ${r.cpuSeconds.toFixed(1)} CPU-s (${r.wallSeconds.toFixed(1)} s), beside the model's other networks`);
  for (const r of one.rows.filter((x) => x.name === 'train')) {
    // A model with no network jobs (the boosted trees) fits, validates and backtests in its train job.
    const what = r.model !== undefined && networksOfModel(r.model) > 0 ? "the networks' assembly, validation and backtest" : 'the whole fit, validation and backtest, one job';
    console.log(`    training ${r.model}, ${what}: ${r.cpuSeconds.toFixed(1)} CPU-s (${r.wallSeconds.toFixed(1)} s), of the models' serial part`);
  }
  // Where the serial part goes: its jobs, largest first (a fan-out's row is its merge).
  const serialJobs = one.rows.filter((r) => isSerialJob(r) && r.cpuSeconds >= 0.05).sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  console.log(`  serial jobs, largest first: ${serialJobs.map((r) => `${r.name}${r.model !== undefined ? ` ${r.model}` : ''} ${r.cpuSeconds.toFixed(1)}`).join(', ')} CPU-s`);
  const s = serialFraction(costs);
  const nf = networkFraction(costs);
  const cpu = costs.reduce((a, c) => a + c.cpuSeconds, 0);
  const serial = costs.reduce((a, c) => a + c.serialSeconds, 0);
  const networks = Math.max(...MODELS.map(networksOfModel));
  // Each stage's merges, side by side on at most as many cores as the stage has merges.
  const mergeParts = costs.filter((c) => c.merges > 0).map((c) => ({ fraction: c.mergeSeconds / cpu, pieces: c.merges }));
  const mf = mergeParts.reduce((a, p) => a + p.fraction, 0);
  console.log(
    `  serial fraction ${(100 * s).toFixed(1)}% (${serial.toFixed(1)} of ${cpu.toFixed(1)} CPU-s); the networks ${(100 * nf).toFixed(1)}%, at most ${networks} side by side; ` +
      `the merges ${(100 * mf).toFixed(1)}%, at most ${mergeParts.map((p) => p.pieces).join(' and ')} side by side`,
  );
  // Amdahl's law from the one-worker time: the serial part on one core, the networks on as many as
  // a model has, each stage's merges on as many as it has, the rest in the run's shards at most.
  const t1 = one.seconds;
  const parts = [{ fraction: s, pieces: 1 }, { fraction: nf, pieces: networks }, ...mergeParts, { fraction: 1 - s - nf - mf, pieces: shards }];
  const projected = (cores: number): string => {
    const t = amdahlPartsSeconds(t1, parts, cores);
    return `${t.toFixed(0)} s (x${(t1 / t).toFixed(2)})`;
  };
  console.log(
    `  projected (Amdahl, serial ${(100 * s).toFixed(1)}%, networks ${(100 * nf).toFixed(1)}% in ${networks}, merges ${(100 * mf).toFixed(1)}%, from one worker's ${t1.toFixed(1)} s; the rest in ${shards} shards at most):`,
  );
  for (const w of [1, 2, 4, 8, 16]) console.log(`    ${String(w).padStart(2)} worker${w === 1 ? ' ' : 's'}: one core each ${projected(w)}; four cores each ${projected(4 * w)}`);
  console.log(`  two workers measured ${two.seconds.toFixed(1)} s against ${amdahlPartsSeconds(t1, parts, 2).toFixed(1)} s projected`);
  // Two workers on this machine share its cores: their jobs' CPU over the cores bounds them, serial part or not.
  const cpuTwo = two.rows.reduce((a, x) => a + x.cpuSeconds, 0);
  const cores = availableParallelism();
  console.log(
    `  two workers on this machine's ${cores} cores: at most x${sharedMachineCeiling(t1, cpuTwo, cores).toFixed(2)} with no serial part at all ` +
      `(their jobs' CPU ${cpuTwo.toFixed(1)} s over ${cores} cores is ${(cpuTwo / cores).toFixed(1)} s; one worker's jobs took ${cpu.toFixed(1)} CPU-s)`,
  );
  console.log(`${what}: one worker ${one.seconds.toFixed(1)} s, two workers ${two.seconds.toFixed(1)} s, speedup ${(one.seconds / two.seconds).toFixed(2)}; serial fraction ${(100 * s).toFixed(1)}%`);
}
