// One benchmark step per process (see bench.ts). Prints one line of figures.
import { mkdirSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../data/random.ts';
import { loadModelTables, SEGMENTS } from '../data/reference/cms-hcc-tables.ts';
import { CodeDictionary, compileModel, scoreBatch, toMemberBatch } from '../scoring/batch.ts';
import type { Demographics } from '../scoring/demographics.ts';
import { scoreFile } from '../pipelines/score-file.ts';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { CLAIMS, MEMBERS } from '../data/contract.ts';
import { loadContractFile } from '../data/load-contract-file.ts';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { DEFAULT_MEMORY_LIMIT } from '../data/staged-contract.ts';
import { followFlow } from '../pipelines/flow-status.ts';
import { FLOW_STAGES } from '../pipelines/jobs.ts';
import { enqueueFlow } from '../pipelines/queue.ts';
import { QUEUE, connectionOf } from '../pipelines/queue-connection.ts';
import { flowConfig } from '../pipelines/run.ts';
import { buildFeatures } from '../features/build-features.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { predictRun } from '../models/model-run.ts';
import { trainRun } from '../models/train-run.ts';
import { buildState } from './build-inputs.js';

const [step, sizeArg] = process.argv.slice(2);
const n = Number(sizeArg);
const dir = '.bench';
mkdirSync(dir, { recursive: true });

/** Code pools: V28-mapped codes, and real ICD-10 codes that V28 does not map (V24-only) plus others. */
function codePools() {
  const v28 = loadModelTables('V28', 2026).dxToCc;
  const v24 = loadModelTables('V24', 2025).dxToCc;
  const mapped = [...v28.keys()];
  const unmapped = [...v24.keys()].filter((c) => !v28.has(c));
  for (let i = 0; unmapped.length < 20000; i++) unmapped.push(`Z${String(1000 + i).padStart(4, '0')}`);
  return { mapped, unmapped };
}

function memberAt(rng: ReturnType<typeof createRng>, pools: ReturnType<typeof codePools>) {
  const dx: string[] = [];
  const k = 4 + rng.int(9); // 4..12, mean 8
  for (let j = 0; j < k; j++) dx.push(rng.next() < 0.35 ? rng.pick(pools.mapped) : rng.pick(pools.unmapped));
  const seg = rng.next() < 0.8 ? rng.int(6) : 6 + rng.int(3);
  return {
    sex: 1 + rng.int(2),
    age: seg === 1 || seg === 3 || seg === 5 ? 30 + rng.int(35) : 65 + rng.int(35),
    segment: seg,
    orec: rng.next() < 0.8 ? 0 : 1,
    medicaid: rng.next() < 0.2 ? 1 : 0,
    dx,
  };
}

function report(name: string, seconds: number, extra = ''): void {
  const rss = process.resourceUsage().maxRSS / 1024 / 1024;
  console.log(
    `${name}: ${Math.round(n / seconds).toLocaleString('en-US')} members/s (${seconds.toFixed(2)} s), peak RSS ${rss.toFixed(2)} GiB${extra}`,
  );
}

async function ensureInput(format: 'jsonl' | 'csv' | 'parquet'): Promise<string> {
  const path = join(dir, `members-${n}.${format}`);
  if (existsSync(path)) return path;
  const jsonl = join(dir, `members-${n}.jsonl`);
  if (!existsSync(jsonl)) {
    const rng = createRng(20260101);
    const pools = codePools();
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const m = memberAt(rng, pools);
      parts.push(
        JSON.stringify({ id: `M${i}`, sex: m.sex === 1 ? 'M' : 'F', age: m.age, segment: SEGMENTS[m.segment], orec: String(m.orec), medicaid: m.medicaid === 1, dx: m.dx }),
      );
    }
    writeFileSync(jsonl, parts.join('\n') + '\n');
  }
  if (format === 'jsonl') return jsonl;
  const db = await openDuckDb();
  const src = `read_json(${sqlString(jsonl)}, columns = {id: 'VARCHAR', sex: 'VARCHAR', age: 'INTEGER', segment: 'VARCHAR', orec: 'VARCHAR', medicaid: 'BOOLEAN', dx: 'VARCHAR[]'})`;
  if (format === 'csv') {
    await db.connection.run(`COPY (SELECT id, array_to_string(dx, '|') AS dx, sex, age, segment, orec, medicaid FROM ${src}) TO ${sqlString(path)} (HEADER)`);
  } else {
    await db.connection.run(`COPY (SELECT * FROM ${src}) TO ${sqlString(path)} (FORMAT parquet)`);
  }
  db.close();
  return path;
}

if (step === 'score-batch') {
  const tables = loadModelTables('V28', 2026);
  const model = compileModel(tables);
  const rng = createRng(7);
  const pools = codePools();
  const members = Array.from({ length: n }, () => {
    const m = memberAt(rng, pools);
    const age = m.age;
    const demographics: Demographics = {
      age,
      sex: m.sex === 1 ? 'M' : 'F',
      segment: SEGMENTS[m.segment]!,
      orec: String(m.orec),
      medicaid: m.medicaid === 1,
      disabled: age < 65 && m.orec !== 0 ? 1 : 0,
      origds: m.orec === 1 && age >= 65 ? 1 : 0,
      neOrigds: m.orec === 1 && age >= 65 ? 1 : 0,
    };
    return { demographics, dx: m.dx };
  });
  const b = toMemberBatch(members, new CodeDictionary());
  const out = new Float64Array(n);
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    scoreBatch(model, b, out);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, c) => a - c);
  report('score batch path (V28, one core, median of 5)', times[2]!, `; fastest ${Math.round(n / times[0]!).toLocaleString('en-US')}/s`);
} else if (step?.startsWith('score-file-')) {
  const format = step.slice('score-file-'.length) as 'jsonl' | 'csv' | 'parquet';
  const input = await ensureInput(format);
  const t0 = performance.now();
  const s = await scoreFile({
    input,
    output: join(dir, `scores-${n}.${format}`),
    paymentYear: 2025,
    annualBaseRate: DEMO_BASE_RATE_ANNUAL,
  });
  report(`rafcast score ${format} -> ${format} (PY2025 blend V24+V28)`, (performance.now() - t0) / 1000, `; scored ${s.scored}`);
} else if (step === 'generate') {
  // n members in 2021, five service years, to Parquet.
  const out = join(dir, `synthetic-${n}`);
  const t0 = performance.now();
  const s = await generatePopulation({ members: n, firstYear: 2021, lastYear: 2025, seed: 2021, out });
  const seconds = (performance.now() - t0) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024 / 1024;
  console.log(
    `generate ${n.toLocaleString('en-US')} members x 5 years to Parquet: ${Math.round(s.memberYears / seconds).toLocaleString('en-US')} member-years/s ` +
      `(${s.memberYears.toLocaleString('en-US')} member-years, ${s.claims.toLocaleString('en-US')} claims, ${seconds.toFixed(1)} s), peak RSS ${rss.toFixed(2)} GiB`,
  );
} else if (step === 'load-generated') {
  // The claims the generate step wrote; the members load first and is not timed.
  const out = join(dir, `synthetic-${n}`);
  const db = await openDuckDb({ memoryLimit: '3GB' });
  await loadContractFile(db.connection, MEMBERS, join(out, 'members.parquet'));
  const t0 = performance.now();
  const s = await loadContractFile(db.connection, CLAIMS, join(out, 'claims.parquet'));
  db.close();
  const seconds = (performance.now() - t0) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024 / 1024;
  console.log(
    `load and validate the generated claims (Parquet, DuckDB limit 3GB): ${Math.round(s.read / seconds).toLocaleString('en-US')} rows/s ` +
      `(${s.read.toLocaleString('en-US')} rows, ${seconds.toFixed(1)} s), peak RSS ${rss.toFixed(2)} GiB; rejected ${s.rejected}`,
  );
} else if (step === 'history') {
  // The generate step's plan: its five years of history from the Parquet files, end to end
  // (loading and checking the files, eligibility, both windows under V24 and V28, Parquet out).
  const data = join(dir, `synthetic-${n}`);
  if (!existsSync(join(data, 'claims.parquet'))) throw new Error(`${data} is missing: run the generate step first`);
  const out = join(dir, `history-${n}`);
  const t0 = performance.now();
  const s = await computeHistory({ data, firstYear: 2021, lastYear: 2025, out, annualBaseRate: DEMO_BASE_RATE_ANNUAL });
  const seconds = (performance.now() - t0) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024 / 1024;
  console.log(
    `rafcast history ${n.toLocaleString('en-US')} members x 2021-2025 (DuckDB limit ${DEFAULT_MEMORY_LIMIT}): ${Math.round(s.memberYears / seconds).toLocaleString('en-US')} member-years/s ` +
      `(${s.memberYears.toLocaleString('en-US')} member-years, ${s.hccRows.toLocaleString('en-US')} HCC rows, ${seconds.toFixed(1)} s), peak RSS ${rss.toFixed(2)} GiB`,
  );
} else if (step === 'features' || step === 'train' || step === 'predict') {
  // The history step's output: features at as-of 2025, training at 2024 (applied at 2025), and
  // prediction at 2025, on the backend the machine gives (wasm here).
  const data = join(dir, `synthetic-${n}`);
  const history = join(dir, `history-${n}`);
  if (!existsSync(join(history, 'raf_history.parquet'))) throw new Error(`${history} is missing: run the history step first`);
  const run = join(dir, `run-mlp-${n}`);
  const t0 = performance.now();
  let what: string;
  let members: number;
  if (step === 'features') {
    const s = await buildFeatures({ data, history, asOf: 2025, out: join(dir, `features-2025-${n}.parquet`) });
    what = `rafcast features as of 2025 (${s.schema.names.length} features)`;
    members = s.members;
  } else if (step === 'train') {
    const r = await trainRun({ data, history, asOf: 2025, model: 'mlp', seed: 1, out: run });
    what = `rafcast train mlp at as-of 2024 with its backtest at 2025 (backend ${r.backend}, ${r.training.epochs} epochs, fit ${r.training.seconds.toFixed(1)} s; ` +
      `precision@20 ${(100 * r.backtest!.model.precision).toFixed(1)}% vs naive ${(100 * r.backtest!.naive.precision).toFixed(1)}%)`;
    members = r.training.labelled;
  } else {
    if (!existsSync(join(run, 'run.json'))) throw new Error(`${run} is missing: run the train step first`);
    // From the features step's table, as a plan scoring several models would.
    const features = join(dir, `features-2025-${n}.parquet`);
    if (!existsSync(features)) throw new Error(`${features} is missing: run the features step first`);
    let inference = '';
    const p = await predictRun({ run, asOf: 2025, out: join(dir, `predictions-2025-${n}.parquet`), features }, (line) => {
      if (line.startsWith('scored ')) inference = line.replace(/^scored \d+ members in /, '');
    });
    what = `rafcast predict at 2025 from the feature table (backend ${p.backend}; the model itself ${inference}; with the backtest)`;
    members = p.members;
  }
  const seconds = (performance.now() - t0) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024 / 1024;
  console.log(`${what}: ${Math.round(members / seconds).toLocaleString('en-US')} members/s (${members.toLocaleString('en-US')} members, ${seconds.toFixed(1)} s), peak RSS ${rss.toFixed(2)} GiB`);
} else if (step === 'known-history' || step === 'suspects' || step === 'audit-risk' || step === 'providers' || step === 'providers-inside') {
  // Issue 17's suspects, overuse alerts and provider view on the generate and history steps' plan: scripts/bench-suspects.ts.
  const { benchAuditRisk, benchProviders, benchSuspects, prepareSuspects } = await import('./bench-suspects.ts');
  if (step === 'known-history') await prepareSuspects(n, dir);
  else if (step === 'suspects') await benchSuspects(n, dir);
  else if (step === 'audit-risk') await benchAuditRisk(n, dir);
  else await benchProviders(n, dir, step === 'providers-inside');
} else if (step === 'align' || step === 'benchmark' || step === 'generate-evidence') {
  // Issue 19's ACO REACH steps on the generate and history steps' plan: scripts/bench-aco.ts
  // (generate-evidence: the plan's REACH files, run by the align step in a process of its own).
  const { benchAlign, benchBenchmark, generateWithEvidence } = await import('./bench-aco.ts');
  await (step === 'align' ? benchAlign(n, dir) : step === 'benchmark' ? benchBenchmark(n, dir) : generateWithEvidence(n, dir));
} else if (step === 'serve') {
  // Issue 18's rafcast serve on n listed members: scripts/bench-serve.ts.
  const { benchServe } = await import('./bench-serve.ts');
  await benchServe(n, dir);
} else if (step === 'quality') {
  // Issue 15's quality figures on generated plans: scripts/bench-quality.ts.
  const { quality } = await import('./bench-quality.ts');
  await quality(n, dir);
} else if (step === 'quality-desynpuf') {
  // Issue 15's quality figures on the public DE-SynPUF samples: scripts/bench-quality-desynpuf.ts.
  const { qualityDesynpuf } = await import('./bench-quality-desynpuf.ts');
  await qualityDesynpuf(dir);
} else if (step === 'queued' || step === 'queued-e2e') {
  const { busyCpuSeconds, startBenchRedis } = await import('./bench-queued.ts');
  // The flow on BullMQ for a generated plan of n members (from the contract's files: checking,
  // history, features, MLP and logistic, scores, evaluation, list, report; 4 shards), against a
  // Redis started here. 'queued': one worker process, then two, and the speedup; 'queued-e2e':
  // two worker processes only (the end-to-end time at a health plan's size).
  const data = join(dir, `synthetic-${n}`);
  if (!existsSync(join(data, 'claims.parquet'))) await generatePopulation({ members: n, firstYear: 2021, lastYear: 2025, seed: 2021, out: data });
  const { spawn } = await import('node:child_process');
  const { Queue } = await import('bullmq');
  const redis = await startBenchRedis();
  const { url } = redis;
  const cli = fileURLToPath(new URL('../bin/rafcast.js', import.meta.url));
  const times: number[] = [];
  const counts = step === 'queued' ? [1, 2] : [2];
  try {
    for (const workers of counts) {
      const procs = Array.from({ length: workers }, () => spawn(process.execPath, [cli, 'worker', '--redis', url], { stdio: 'ignore' }));
      const out = join(dir, `queued-${n}-${workers}`);
      rmSync(out, { recursive: true, force: true });
      const t0 = Date.now();
      const cpu0 = busyCpuSeconds();
      const config = await flowConfig({ data, asOf: 2024, out, models: ['mlp', 'logistic'], seed: 1, annualBaseRate: DEMO_BASE_RATE_ANNUAL, shards: 4 });
      const runKey = await enqueueFlow(config, connectionOf(url));
      await followFlow(runKey, connectionOf(url));
      times.push((Date.now() - t0) / 1000);
      const cores = (busyCpuSeconds() - cpu0) / times.at(-1)!;
      // Each stage's wall time, from the jobs' finishing times.
      const queue = new Queue(QUEUE, { connection: connectionOf(url) });
      let prev = t0;
      const parts: string[] = [];
      for (const stage of FLOW_STAGES) {
        const finished = (await queue.getJob(`${runKey}-${stage}`))?.finishedOn ?? prev;
        parts.push(`${stage} ${((finished - prev) / 1000).toFixed(0)}`);
        prev = finished;
      }
      await queue.close();
      console.log(`  ${workers} worker${workers === 1 ? '' : 's'}: ${times.at(-1)!.toFixed(1)} s, ${cores.toFixed(2)} cores busy on average (${parts.join(', ')} s)`);
      for (const p of procs) p.kill('SIGTERM');
    }
  } finally {
    redis.stop();
  }
  const what = `rafcast run --redis, ${n.toLocaleString('en-US')} members, 4 shards, MLP and logistic`;
  if (step === 'queued') console.log(`${what}: one worker ${times[0]!.toFixed(1)} s, two workers ${times[1]!.toFixed(1)} s, speedup ${(times[0]! / times[1]!).toFixed(2)}`);
  else console.log(`${what}, two workers: ${times[0]!.toFixed(1)} s end to end (${(times[0]! / 60).toFixed(1)} min)`);
} else if (step === 'scaling') {
  // Issue 20's scaling: one one-thread worker against two, each stage's CPU-seconds and serial part, Amdahl's law: scripts/bench-scaling.ts.
  const { benchScaling } = await import('./bench-scaling.ts');
  await benchScaling(n, dir);
} else if (step === 'memory') {
  // Issue 20's memory at scale: each job's peak resident memory in the queued flow, per stage: scripts/bench-memory.ts.
  const { benchMemory } = await import('./bench-memory.ts');
  await benchMemory(n, dir);
} else if (step === 'redis-load') {
  // Issue 20's Redis load check: a flow of n shards enqueued and fanned out, and the status call's cost: scripts/bench-redis-load.ts.
  const { benchRedisLoad } = await import('./bench-redis-load.ts');
  await benchRedisLoad(n, dir);
} else if (step === 'cli-start') {
  // How long `rafcast --help`, `rafcast score --help` and `rafcast --version` take from a shell,
  // through bin/rafcast.js on a current dist/ (built first if it is not): the median of n runs
  // after one to warm the disk cache, and the peak RSS of one more run (read at its exit by a
  // module preloaded for that run only, so the timed runs are the command alone).
  const { spawnSync } = await import('node:child_process');
  const root = fileURLToPath(new URL('..', import.meta.url));
  let state = buildState(root).state;
  if (state !== 'current') {
    spawnSync(process.execPath, [join(root, 'scripts', 'build.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
    state = buildState(root).state;
  }
  const cli = join(root, 'bin', 'rafcast.js');
  const peakRss = "data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss '+process.resourceUsage().maxRSS+'\\n'))";
  const parts: string[] = [];
  for (const args of [['--help'], ['score', '--help'], ['--version']]) {
    const times: number[] = [];
    for (let r = 0; r <= n; r++) {
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [cli, ...args], { stdio: 'ignore' });
      if (p.status !== 0) throw new Error(`rafcast ${args.join(' ')} exited with ${p.status}`);
      if (r > 0) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const p = spawnSync(process.execPath, ['--import', peakRss, cli, ...args], { encoding: 'utf8' });
    const kb = Number(/maxrss (\d+)/.exec(p.stderr)?.[1]);
    parts.push(`${args.join(' ')} ${Math.round(times[Math.floor(times.length / 2)]!)} ms ${(kb / 1024).toFixed(0)} MB`);
  }
  const from = state === 'current' ? 'dist/' : `the sources through tsx (dist/ ${state} after npm run build)`;
  console.log(`rafcast start from ${from}, median of ${n} runs and peak RSS: ${parts.join('; ')}`);
} else {
  console.error(`unknown step ${step}`);
  process.exit(2);
}
