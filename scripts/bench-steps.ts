// One benchmark step per process (see bench.ts). Prints one line of figures.
import { mkdirSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { computeKnownHistory } from '../features/known-history.ts';
import { dollarsKnownHistoryYears } from '../features/data-cutoff.ts';
import { defaultCutoff } from '../data/received-by.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { evaluateRun } from '../evaluation/evaluate-run.ts';
import type { Evaluation } from '../evaluation/evaluation-types.ts';
import { predictRun, trainRun } from '../models/model-run.ts';
import type { TrainConfig } from '../models/classifier.ts';
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
} else if (step === 'quality') {
  // Issue 15's quality figures: on generated plans of n members (plan seeds BENCH_PLAN_SEEDS,
  // default 11,12,13; 2021-2025), trained at T-1 and backtested at as-of T for T in
  // BENCH_AS_OF (default 2024,2025): precision at 20% and AUC of every list as the mean and range
  // over the plan seeds, the best model's spread over model seeds (BENCH_MODEL_SEEDS, default
  // 1,2,3), and training seconds. Plans and feature tables are kept in .bench/ and reused.
  const planSeeds = (process.env.BENCH_PLAN_SEEDS ?? '11,12,13').split(',').map(Number);
  const years = (process.env.BENCH_AS_OF ?? '2024,2025').split(',').map(Number);
  const modelSeeds = (process.env.BENCH_MODEL_SEEDS ?? '1,2,3').split(',').map(Number);
  const { baselineFigures } = await import('./bench-baselines.ts');
  // The models measured: logistic, the MLP as it was before its L2 penalty was applied (l2 0),
  // an ensemble of five such networks with the penalty, and the default model (what rafcast train
  // and run train: DEFAULT_TRAIN_CONFIG, one network with l2 1e-3).
  // BENCH_LISTS (names, comma-separated) measures some of them only; the default model always.
  const ALL_LISTS: { name: string; model: 'mlp' | 'logistic'; config: Partial<TrainConfig>; best?: boolean }[] = [
    { name: 'logistic', model: 'logistic', config: {} },
    { name: 'mlp-l2-0', model: 'mlp', config: { l2: 0 } },
    { name: 'ensemble5', model: 'mlp', config: { members: 5 } },
    { name: 'mlp', model: 'mlp', config: {}, best: true },
  ];
  const chosen = process.env.BENCH_LISTS?.split(',');
  const QUALITY_LISTS = ALL_LISTS.filter((l) => l.best || chosen === undefined || chosen.includes(l.name));
  type Figures = { precision: number; auc: number };
  // figures[list][T] = one entry per plan seed; spread[T] = per plan seed, the best model's max - min over model seeds.
  const figures = new Map<string, Map<number, Figures[]>>();
  const seconds = new Map<string, number[]>();
  const spread = new Map<number, number[]>();
  // dollars[T] = per plan seed, the evaluation of the default model's first seed (every list's revenue).
  const dollars = new Map<number, Evaluation[]>();
  const fitCpu: number[] = [];
  const add = (list: string, T: number, f: Figures): void => {
    if (!figures.has(list)) figures.set(list, new Map());
    const byYear = figures.get(list)!;
    if (!byYear.has(T)) byYear.set(T, []);
    byYear.get(T)!.push(f);
  };
  const best = QUALITY_LISTS.find((l) => l.best)!;
  for (const planSeed of planSeeds) {
    const data = join(dir, `quality-${n}-s${planSeed}`);
    const history = join(data, 'history');
    if (!existsSync(join(history, 'raf_history.parquet'))) {
      await generatePopulation({ members: n, firstYear: 2021, lastYear: 2025, seed: planSeed, out: data });
      await computeHistory({ data, firstYear: 2021, lastYear: 2025, out: history, annualBaseRate: DEMO_BASE_RATE_ANNUAL });
    }
    const featuresOf = async (y: number): Promise<string> => {
      // Named by its cut-off (the default, January 1 of y), which the table also records: a table
      // kept from another cut-off is never read in its place.
      const f = join(data, `features-${y}-on-${defaultCutoff(y)}.parquet`);
      if (!existsSync(f)) await buildFeatures({ data, history, asOf: y, out: f });
      return f;
    };
    // The histories as known on January 1 of T that training (T's) and the expected dollars (T's and
    // T-2's) read, computed once per plan and year and kept.
    const knownOf = async (T: number): Promise<Record<number, string>> => {
      const out: Record<number, string> = {};
      for (const y of dollarsKnownHistoryYears(T)) {
        const k = join(data, `known-${y}-on-${defaultCutoff(T)}`);
        if (!existsSync(join(k, 'raf_history.parquet'))) await computeKnownHistory({ data, history, asOf: y, dataThrough: defaultCutoff(T), out: k });
        out[y] = k;
      }
      return out;
    };
    for (const T of years) {
      const features = { [T - 1]: await featuresOf(T - 1), [T]: await featuresOf(T) };
      const knownHistory = await knownOf(T);
      // BENCH_PREPARE_ONLY=1: the plans, feature tables and known histories only, so that the
      // models' timings can be taken later on an idle machine.
      if (process.env.BENCH_PREPARE_ONLY === '1') continue;
      // The baselines: naive (RAF_{T-1}) and the analyst's (DOMAIN.md section 4), on the members with a RAF_T.
      const baselines = await baselineFigures(data, history, features[T]!, T);
      add('naive', T, baselines.naive);
      add('analyst', T, baselines.analyst);
      for (const list of QUALITY_LISTS) {
        const seeds = list.best ? modelSeeds : [modelSeeds[0]!];
        const precisions: number[] = [];
        for (const seed of seeds) {
          const out = join(dir, `quality-run-${n}-s${planSeed}-${T}-${list.name}-${seed}`);
          const cpu0 = process.cpuUsage();
          const r = await trainRun({ data, history, features, knownHistory: { [T]: knownHistory[T]! }, asOf: T, model: list.model, seed, config: list.config, out });
          const cpu = process.cpuUsage(cpu0);
          if (list.best && n >= 1_000_000) fitCpu.push((cpu.user + cpu.system) / 1e6);
          const b = r.backtest!;
          if (list.best && seed === seeds[0]) {
            // Every list's dollars (evaluation/evaluate-run.ts): the model's, the dollars-ranked list,
            // the baselines, perfect knowledge and the ceiling, as `rafcast evaluate` measures them.
            const e = await evaluateRun({ run: out, asOf: T, out: join(out, 'evaluation'), annualBaseRate: DEMO_BASE_RATE_ANNUAL, data, history, features: features[T]!, knownHistory });
            if (!dollars.has(T)) dollars.set(T, []);
            dollars.get(T)!.push(e);
          }
          precisions.push(b.model.precision);
          if (seed === seeds[0]) add(list.name, T, { precision: b.model.precision, auc: b.model.auc });
          if (!seconds.has(list.name)) seconds.set(list.name, []);
          seconds.get(list.name)!.push(r.training.seconds);
        }
        if (list.best) {
          if (!spread.has(T)) spread.set(T, []);
          spread.get(T)!.push(Math.max(...precisions) - Math.min(...precisions));
        }
      }
    }
  }
  if (process.env.BENCH_PREPARE_ONLY === '1') {
    console.log(`quality: plans of ${n.toLocaleString('en-US')} members prepared in ${dir} (plan seeds ${planSeeds.join(', ')}; as-of ${years.join(', ')})`);
    process.exit(0);
  }
  const pct = (v: number): string => (100 * v).toFixed(1);
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const range = (v: number[], f: (x: number) => string): string => `${f(mean(v))} [${f(Math.min(...v))}-${f(Math.max(...v))}]`;
  console.log(`quality on generated plans of ${n.toLocaleString('en-US')} members (plan seeds ${planSeeds.join(', ')}; mean [range] over them), trained at T-1, backtested at T; precision@20% and AUC:`);
  for (const T of years) {
    console.log(`  as-of ${T}:`);
    const naive = figures.get('naive')!.get(T)!;
    const analyst = figures.get('analyst')!.get(T)!;
    for (const [list, byYear] of figures) {
      const f = byYear.get(T)!;
      const gain = (base: Figures[]): string => range(f.map((x, i) => x.precision - base[i]!.precision), (v) => `${v >= 0 ? '+' : ''}${pct(v)}`);
      const vs = list === 'naive' ? '' : list === 'analyst' ? `  vs naive ${gain(naive)}` : `  vs naive ${gain(naive)}, vs analyst ${gain(analyst)}`;
      console.log(`    ${list.padEnd(10)} ${range(f.map((x) => x.precision), pct)}%  AUC ${range(f.map((x) => x.auc), (v) => v.toFixed(3))}${vs}`);
    }
    const s = spread.get(T)!;
    console.log(`    ${best.name} over model seeds ${modelSeeds.join(', ')}: spread (max - min precision) ${range(s, pct)} points`);
  }
  // Dollars (issue 15's second goal): each list's accelerated and incremental revenue against the
  // naive list's (ratio, mean [range] over the plan seeds) and the share of the perfect-knowledge
  // and ceiling lists' dollars it captures.
  const money = (v: number): string => `$${(v / 1e6).toFixed(2)}M`;
  for (const T of years) {
    const evs = dollars.get(T) ?? [];
    if (evs.length === 0) continue;
    console.log(`  dollars at as-of ${T} (payment year ${T + 1}; default model, model seed ${modelSeeds[0]}; mean [range] over the plan seeds):`);
    const of = (e: Evaluation, name: string) => e.lists.find((l) => l.name === name);
    for (const name of ['naive', 'analyst', 'model', 'dollars', 'perfect', 'ceiling']) {
      const ls = evs.map((e) => of(e, name)).filter((l) => l !== undefined);
      if (ls.length !== evs.length) continue;
      const acc = ls.map((l) => l.revenue.accelerated.total);
      const inc = ls.map((l) => l.revenue.incremental.total);
      const naive = evs.map((e) => of(e, 'naive')!);
      const ratio = (xs: number[], base: (number | null)[]): string => range(xs.map((x, i) => x / base[i]!), (v) => `${v.toFixed(2)}x`);
      const accText = `accelerated ${range(acc, money)} (${ratio(acc, naive.map((l) => l.revenue.accelerated.total))} naive)`;
      const incText = inc.every((v) => v !== null)
        ? `incremental ${range(inc as number[], money)} (${ratio(inc as number[], naive.map((l) => l.revenue.incremental.total))} naive)`
        : 'incremental not measurable (no RAF_T+1)';
      const share = (ref: 'perfect' | 'ceiling'): string => {
        const c = ls.map((l) => l.captured?.[ref]);
        if (c.some((x) => x?.accelerated == null)) return '';
        const part = (k: 'accelerated' | 'incremental'): string => (c.every((x) => x?.[k] != null) ? range(c.map((x) => x![k]!), (v) => `${(100 * v).toFixed(0)}%`) : 'n/a');
        return `; of ${ref}: ${part('accelerated')} accelerated, ${part('incremental')} incremental`;
      };
      const p = range(ls.map((l) => l.metrics.precision), pct);
      console.log(`    ${name.padEnd(8)} precision ${p}%, ${accText}, ${incText}${name === 'perfect' || name === 'ceiling' ? '' : share('perfect') + share('ceiling')}`);
    }
  }
  if (fitCpu.length > 0) console.log(`  the default model's training at ${n.toLocaleString('en-US')} members: ${range(fitCpu, (v) => v.toFixed(0))} CPU-seconds (features read, fit, backtest)`);
  const times = [...seconds].map(([list, t]) => `${list} ${mean(t).toFixed(1)} s`).join(', ');
  console.log(`  training seconds per model, mean over runs (fit only, this machine as loaded at the time): ${times}`);
} else if (step === 'quality-desynpuf') {
  // Issue 15's quality figures on the public DE-SynPUF samples: scripts/bench-quality-desynpuf.ts.
  const { qualityDesynpuf } = await import('./bench-quality-desynpuf.ts');
  await qualityDesynpuf(dir);
} else if (step === 'queued' || step === 'queued-e2e') {
  /** CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq) since boot, from /proc/stat. */
  const busyCpuSeconds = (): number => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) / 100;
  };
  // The flow on BullMQ for a generated plan of n members (from the contract's files: checking,
  // history, features, MLP and logistic, scores, evaluation, list, report; 4 shards), against a
  // Redis started here. 'queued': one worker process, then two, and the speedup; 'queued-e2e':
  // two worker processes only (the end-to-end time at a health plan's size).
  const data = join(dir, `synthetic-${n}`);
  if (!existsSync(join(data, 'claims.parquet'))) await generatePopulation({ members: n, firstYear: 2021, lastYear: 2025, seed: 2021, out: data });
  const { spawn } = await import('node:child_process');
  const { Queue } = await import('bullmq');
  const port = 6400 + (process.pid % 500);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const url = `redis://127.0.0.1:${port}`;
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
    redis.kill('SIGKILL');
  }
  const what = `rafcast run --redis, ${n.toLocaleString('en-US')} members, 4 shards, MLP and logistic`;
  if (step === 'queued') console.log(`${what}: one worker ${times[0]!.toFixed(1)} s, two workers ${times[1]!.toFixed(1)} s, speedup ${(times[0]! / times[1]!).toFixed(2)}`);
  else console.log(`${what}, two workers: ${times[0]!.toFixed(1)} s end to end (${(times[0]! / 60).toFixed(1)} min)`);
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
