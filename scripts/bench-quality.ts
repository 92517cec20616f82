// The bench step quality (`npm run bench -- --only quality`), issue 15's goals on generated plans:
// see quality() below and `npm run bench -- --help`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { FEATURE_VERSION } from '../features/schema.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { buildFeatures } from '../features/build-features.ts';
import { computeKnownHistory } from '../features/known-history.ts';
import { dollarsKnownHistoryYears } from '../features/data-cutoff.ts';
import { defaultCutoff } from '../data/received-by.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { evaluateRun } from '../evaluation/evaluate-run.ts';
import type { Evaluation } from '../evaluation/evaluation-types.ts';
import { trainRun } from '../models/train-run.ts';
import type { TrainConfig } from '../models/classifier.ts';
import { DEFAULT_MODEL, type ModelKind } from '../models/model-kinds.ts';

/** The quality figures on generated plans of n members, kept in dir (.bench/). */
export async function quality(n: number, dir: string): Promise<void> {
// Issue 15's quality figures: on generated plans of n members (plan seeds BENCH_PLAN_SEEDS,
// default 11,12,13; 2021-2025), trained at T-1 and backtested at as-of T for T in
// BENCH_AS_OF (default 2024,2025): precision at 20% and AUC of every list as the mean and range
// over the plan seeds, the default model's and the MLP's spread over model seeds (BENCH_MODEL_SEEDS, default
// 1,2,3), and training seconds. Plans and feature tables are kept in .bench/ and reused.
const planSeeds = (process.env.BENCH_PLAN_SEEDS ?? '11,12,13').split(',').map(Number);
// BENCH_EVIDENCE=1: the plans with their pharmacy and labs files (issue 17: suspects feed the
// model's evidence features), kept apart (quality-<n>-s<seed>-evidence). Their members,
// enrollment and claims are the bytes of the plan without them (data/synthetic/README.md), so the
// two runs differ in the evidence features alone.
const withEvidence = process.env.BENCH_EVIDENCE === '1';
const years = (process.env.BENCH_AS_OF ?? '2024,2025').split(',').map(Number);
const modelSeeds = (process.env.BENCH_MODEL_SEEDS ?? '1,2,3').split(',').map(Number);
const { baselineFigures } = await import('./bench-baselines.ts');
// The models measured: logistic, the MLP as it was before dropout (l2 1e-3, no dropout, one
// network of the raw columns), one network of the raw columns with dropout 0.2 (the default until
// December 2026), an ensemble of five such networks, the MLP (DEFAULT_TRAIN_CONFIG: two networks
// fed the columns and their 8-bin encoding; the default model until 2026-12-04), and the default
// model (what rafcast train and run train first: DEFAULT_MODEL, boosted trees). BENCH_LISTS
// (names, comma-separated) measures some of them only; the default model always. The default model
// and the MLP are trained with every model seed (their spread over seeds printed), the others with
// the first; the dollars are the default model's.
const ALL_LISTS: { name: string; model: ModelKind; config: Partial<TrainConfig>; best?: boolean; allSeeds?: boolean }[] = [
  { name: 'logistic', model: 'logistic', config: {} },
  { name: 'mlp-l2', model: 'mlp', config: { l2: 1e-3, dropout: 0, members: 1, encodeBins: 0 } },
  { name: 'mlp-raw1', model: 'mlp', config: { members: 1, encodeBins: 0 } },
  { name: 'ensemble5', model: 'mlp', config: { members: 5, encodeBins: 0 } },
  { name: 'mlp', model: 'mlp', config: {}, allSeeds: true },
  { name: DEFAULT_MODEL, model: DEFAULT_MODEL, config: {}, best: true, allSeeds: true },
];
const chosen = process.env.BENCH_LISTS?.split(',');
const QUALITY_LISTS = ALL_LISTS.filter((l) => l.best || chosen === undefined || chosen.includes(l.name));
type Figures = { precision: number; auc: number };
// figures[list][T] = one entry per plan seed; spread[list][T] = per plan seed, a list's max - min over model seeds.
const figures = new Map<string, Map<number, Figures[]>>();
const seconds = new Map<string, number[]>();
const spread = new Map<string, Map<number, number[]>>();
// dollars[T] = per plan seed, the evaluation of the default model's first seed (every list's revenue).
const dollars = new Map<number, Evaluation[]>();
const fitCpu: number[] = [];
const add = (list: string, T: number, f: Figures): void => {
  if (!figures.has(list)) figures.set(list, new Map());
  const byYear = figures.get(list)!;
  if (!byYear.has(T)) byYear.set(T, []);
  byYear.get(T)!.push(f);
};
for (const planSeed of planSeeds) {
  const data = join(dir, `quality-${n}-s${planSeed}${withEvidence ? '-evidence' : ''}`);
  const history = join(data, 'history');
  if (!existsSync(join(history, 'raf_history.parquet'))) {
    await generatePopulation({ members: n, firstYear: 2021, lastYear: 2025, seed: planSeed, out: data, ...(withEvidence ? { evidence: true } : {}) });
    await computeHistory({ data, firstYear: 2021, lastYear: 2025, out: history, annualBaseRate: DEMO_BASE_RATE_ANNUAL });
  }
  const featuresOf = async (y: number): Promise<string> => {
    // Named by its cut-off (the default, January 1 of y), which the table also records, and the
    // schema's version: a table kept from another cut-off or schema is never read in its place.
    const f = join(data, `features-${y}-on-${defaultCutoff(y)}-v${FEATURE_VERSION}.parquet`);
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
      const seeds = list.allSeeds ? modelSeeds : [modelSeeds[0]!];
      const precisions: number[] = [];
      for (const seed of seeds) {
        const out = join(dir, `quality-run-${n}-s${planSeed}${withEvidence ? '-evidence' : ''}-${T}-${list.name}-${seed}`);
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
      if (list.allSeeds) {
        if (!spread.has(list.name)) spread.set(list.name, new Map());
        const byYear = spread.get(list.name)!;
        if (!byYear.has(T)) byYear.set(T, []);
        byYear.get(T)!.push(Math.max(...precisions) - Math.min(...precisions));
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
console.log(`quality on generated plans of ${n.toLocaleString("en-US")} members${withEvidence ? " with pharmacy and labs files" : ""} (plan seeds ${planSeeds.join(', ')}; mean [range] over them), trained at T-1, backtested at T; precision@20% and AUC:`);
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
  for (const [list, byYear] of spread) console.log(`    ${list} over model seeds ${modelSeeds.join(', ')}: spread (max - min precision) ${range(byYear.get(T)!, pct)} points`);
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
}
