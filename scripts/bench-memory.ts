// The bench's `memory` step (issue 20, "Memory at scale"): the queued flow of a generated plan of n
// members (rafcast run's models: the boosted trees, the MLP and logistic; two workers at their default settings) and the peak resident memory
// of every job, as each job returned it (its process's peak during the job: pipelines/peak-rss.ts),
// read back by runJobTimings; per stage, the largest job and which one; the worker processes'
// own peaks (their VmHWM); and whether every process stayed under the issue's 6 GiB. The plan is
// .bench/synthetic-n, generated first when missing, in a process of its own whose peak is printed.
// While the run goes, a line per stage as it completes goes to stderr: a run stopped part way
// still shows what it reached.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { followFlow, runJobTimings, type JobTimingRow } from '../pipelines/flow-status.ts';
import { FLOW_STAGES, type Stage } from '../pipelines/jobs.ts';
import { enqueueFlow } from '../pipelines/queue.ts';
import { connectionOf } from '../pipelines/queue-connection.ts';
import { flowConfig } from '../pipelines/run.ts';
import { DEFAULT_MODELS, modelsInWords } from '../models/model-kinds.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { startBenchRedis, stopped } from './bench-queued.ts';

const CLI = fileURLToPath(new URL('../bin/rafcast.js', import.meta.url));
/** The issue's ceiling for any one process at 5,000,000 members. */
export const LIMIT_GIB = 6;
const gib = (mib: number): string => `${(mib / 1024).toFixed(2)} GiB`;

/** Shards: BENCH_MEMORY_SHARDS, else one per 250,000 members and at least 4 (the queued steps' 4 at 1,000,000; 20 at 5,000,000), so a shard's jobs stay the size measured at 1,000,000. */
export const memoryShards = (n: number): number => Number(process.env.BENCH_MEMORY_SHARDS ?? Math.max(4, Math.ceil(n / 250_000)));

/** A process's peak resident size (VmHWM) and resident size now, MiB, from /proc; undefined once it has ended. */
function procMemory(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) / 1024;
    return { hwm: kib('VmHWM'), rss: kib('VmRSS') };
  } catch {
    return undefined;
  }
}

/** This process's descendants, from /proc/<pid>/stat's parent ids. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Ended meanwhile.
    }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const p = todo.pop()!;
    for (const [c, pp] of parent) if (pp === p) (out.push(c), todo.push(c));
  }
  return out;
}

/** `node --import` this and a process prints its peak resident size (KiB) on stderr as it exits. */
const PRINT_MAXRSS = "data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss '+process.resourceUsage().maxRSS+'\\n'))";

/** Generates the plan with `rafcast generate` in a process of its own; its seconds and peak. */
async function generate(n: number, data: string): Promise<{ seconds: number; peakMiB: number }> {
  const t0 = Date.now();
  const p = spawn(process.execPath, ['--import', PRINT_MAXRSS, CLI, 'generate', '--members', String(n), '--years', '2021-2025', '--seed', '2021', '--out', data], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  if (code !== 0) throw new Error(`rafcast generate exited with ${code}: ${err.slice(-500)}`);
  return { seconds: (Date.now() - t0) / 1000, peakMiB: Number(/maxrss (\d+)/.exec(err)?.[1]) / 1024 };
}

/** What a line of the table stands for: a job, or the largest of a set (a fan-out's shards; per model where there are models). */
const groupOf = (r: JobTimingRow): string => {
  const model = r.model !== undefined ? ` ${r.model}` : '';
  if (r.name === 'history-shard' || r.name === 'features-shard') return `${r.name}s`;
  if (r.name === 'predict-shard') return `predict shards${model}`;
  if (r.name === 'merge') return `${r.stage} merges`;
  if (r.name === 'scores') return `scores merge${model}`;
  if (r.name === 'evaluate-model') return `evaluate${model}`;
  return `${r.name}${model}`;
};

/** Per group, in flow order: its largest job by peak resident size, which one, and how many jobs. */
export function largestJobs(rows: readonly JobTimingRow[]): { stage: Stage; group: string; top: JobTimingRow; jobs: number }[] {
  const groups = new Map<string, { stage: Stage; top: JobTimingRow; jobs: number }>();
  for (const r of rows) {
    if (r.peakRssMiB === undefined) continue;
    const g = groupOf(r);
    const seen = groups.get(g);
    if (seen === undefined) groups.set(g, { stage: r.stage, top: r, jobs: 1 });
    else {
      seen.jobs++;
      if (r.peakRssMiB > seen.top.peakRssMiB!) seen.top = r;
    }
  }
  // Flow order; within a stage, a model's chain in its order, the models as the run lists them.
  const chain = ['partition-piece', 'history-shard', 'features-shard', 'partition', 'merges', 'merge', 'history', 'features', 'models', 'train-network', 'train', 'predict-shard', 'scores', 'evaluate-model'];
  const rank = (g: { stage: Stage; top: JobTimingRow }): number => FLOW_STAGES.indexOf(g.stage) * 100 + (chain.indexOf(g.top.name) + 1) * 10 + (g.top.model === undefined ? 0 : DEFAULT_MODELS.indexOf(g.top.model));
  return [...groups].map(([group, v]) => ({ group, ...v })).sort((a, b) => rank(a) - rank(b));
}

const line = (g: ReturnType<typeof largestJobs>[number]): string =>
  `    ${g.group}: ${gib(g.top.peakRssMiB!)}${g.jobs > 1 ? ` (largest of ${g.jobs}: ${g.top.shard !== undefined ? `shard ${g.top.shard}` : g.top.piece !== undefined ? `${g.top.piece.table} piece ${g.top.piece.piece}` : g.top.network !== undefined ? `network ${g.top.network + 1}` : g.top.merge !== undefined ? `merge ${g.top.merge + 1}` : (g.top.model ?? g.top.stage)})` : ''}, ${g.top.wallSeconds.toFixed(1)} s`;

export async function benchMemory(n: number, dir: string): Promise<void> {
  const data = join(dir, `synthetic-${n}`);
  const shards = memoryShards(n);
  const load0 = loadavg()[0]!;
  let generation = `plan reused (${data})`;
  if (!existsSync(join(data, 'claims.parquet'))) {
    const g = await generate(n, data);
    generation = `plan generated in ${g.seconds.toFixed(0)} s, peak ${gib(g.peakMiB)}`;
    console.error(`  ${generation}`);
  }
  const redis = await startBenchRedis();
  const connection = connectionOf(redis.url);
  // Every process under this one (workers, their job processes, Redis): its peak so far, every second.
  const peaks = new Map<number, { hwm: number; worker: boolean }>();
  const procs = [0, 1].map(() => spawn(process.execPath, [CLI, 'worker', '--redis', redis.url], { stdio: 'ignore' }));
  const workerPids = new Set(procs.map((p) => p.pid!));
  const watch = (): void => {
    for (const pid of descendants(process.pid)) {
      const m = procMemory(pid);
      if (m !== undefined && m.hwm > (peaks.get(pid)?.hwm ?? -1)) peaks.set(pid, { hwm: m.hwm, worker: workerPids.has(pid) });
    }
  };
  const watcher = setInterval(watch, 1000);
  const out = join(dir, `memory-${n}`);
  let rows: JobTimingRow[] = [];
  let seconds = NaN;
  try {
    rmSync(out, { recursive: true, force: true });
    const config = await flowConfig({ data, asOf: 2024, out, models: [...DEFAULT_MODELS], seed: 1, annualBaseRate: DEMO_BASE_RATE_ANNUAL, shards });
    const t0 = Date.now();
    const runKey = await enqueueFlow(config, connection);
    const reported = new Set<Stage>();
    let reading = Promise.resolve();
    await followFlow(runKey, connection, (states) => {
      for (const s of states) {
        if (s.state !== 'completed' || reported.has(s.stage as Stage)) continue;
        reported.add(s.stage as Stage);
        const stage = s.stage as Stage;
        const at = ((Date.now() - t0) / 1000).toFixed(0);
        // Printed as it completes (stderr), in order.
        reading = reading.then(async () => {
          const done = largestJobs((await runJobTimings(runKey, connection)).filter((r) => r.stage === stage));
          console.error(`  ${stage} done at ${at} s:\n${done.map(line).join('\n')}`);
        });
      }
    });
    seconds = (Date.now() - t0) / 1000;
    await reading;
    rows = await runJobTimings(runKey, connection);
    watch();
    for (const pid of workerPids) {
      const m = procMemory(pid);
      if (m !== undefined) peaks.set(pid, { hwm: Math.max(m.hwm, peaks.get(pid)?.hwm ?? 0), worker: true });
    }
  } finally {
    clearInterval(watcher);
    await Promise.all(procs.map(stopped));
    redis.stop();
    // BENCH_MEMORY_KEEP=1 keeps the run folder (to measure a job again on its inputs).
    if (process.env.BENCH_MEMORY_KEEP !== '1') rmSync(out, { recursive: true, force: true });
  }
  const groups = largestJobs(rows);
  const workers = [...peaks].filter(([, p]) => p.worker).map(([, p]) => p.hwm);
  const anyProcess = Math.max(...[...peaks.values()].map((p) => p.hwm));
  const largestJob = Math.max(...rows.map((r) => r.peakRssMiB ?? 0));
  const highest = Math.max(anyProcess, largestJob);
  const load1 = loadavg()[0]!;
  console.log(
    `rafcast run --redis, ${n.toLocaleString('en-US')} members, ${shards} shards, ${modelsInWords(DEFAULT_MODELS)}, two workers (defaults): ${seconds.toFixed(1)} s (${(seconds / 60).toFixed(1)} min); ` +
      `load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end; ${generation}`,
  );
  console.log('  peak resident memory per stage (its largest job, where it ran: a worker\'s job process):');
  for (const g of groups) console.log(line(g));
  console.log(`    worker processes (their own, VmHWM): ${workers.map(gib).join(', ')}`);
  console.log(`  highest of any process (every job's peak, and every process under the bench sampled each second): ${gib(highest)}`);
  console.log(`  every process under ${LIMIT_GIB} GiB: ${highest < LIMIT_GIB * 1024 ? 'yes' : 'no'}`);
}
