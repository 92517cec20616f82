// The bench step quality-desynpuf (`npm run bench -- --only quality-desynpuf`), issue 15's goal on
// public data: the quality step's figures on CMS's DE-SynPUF samples (2008-2010). For each sample
// folder `<k>-sample-*` under BENCH_DESYNPUF (default ../shared/external-data/desynpuf-milwaukee-10k
// beside the repository: the bench may read it, the product never does), the sample is imported
// (`rafcast import desynpuf`) and its history computed for 2008-2010 with payment year 2025's
// tables (`rafcast history --tables-year 2025`), both kept in .bench/desynpuf-<k>/ and reused;
// then the default model (`rafcast train`'s defaults) and logistic regression are trained at as-of
// 2009 and backtested at 2010 (the list for 2010). Printed per list (naive, analyst's, logistic,
// default model): precision at 20% and AUC as the mean and [range] over the samples, each sample's
// line, and once the features the training neutralised (constant at 2009, varying at 2010:
// models/constant-features.ts). The naive list's and the models' figures are the runs' backtests
// (run.json); the analyst's list is computed as evaluation/analyst-list.ts does, on the same members.
import { existsSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDesynpuf } from '../data/adapters/desynpuf.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { buildFeatures } from '../features/build-features.ts';
import { trainRun } from '../models/train-run.ts';
import { DEFAULT_TRAIN_CONFIG } from '../models/classifier.ts';
import { DEFAULT_MODEL, type ModelKind } from '../models/model-kinds.ts';
import type { RunRecord } from '../models/run-registry.ts';
import { baselineFigures } from './bench-baselines.ts';

const FIRST_YEAR = 2008;
const LAST_YEAR = 2010;
/** The list for 2010: trained at as-of 2009, backtested at 2010. */
const AS_OF = 2010;
const TABLES_YEAR = 2025;
const SEED = 1;

interface Figures {
  precision: number;
  auc: number;
}

interface SampleResult {
  k: number;
  members: number;
  positives: number;
  lists: Map<string, Figures>;
  prepared: string;
}

const LIST_NAMES = ['naive', 'analyst', 'logistic', 'mlp', 'default'] as const;
const MODELS: { name: (typeof LIST_NAMES)[number]; model: ModelKind }[] = [
  { name: 'logistic', model: 'logistic' },
  { name: 'mlp', model: 'mlp' },
  // The default model: what `rafcast train` trains with no --model and no settings.
  { name: 'default', model: DEFAULT_MODEL },
];

/** The sample folders `<k>-sample-*` under `root`, by k. */
function sampleFolders(root: string): { k: number; path: string }[] {
  if (!existsSync(root)) {
    throw new Error(`${root} does not exist: point BENCH_DESYNPUF at the folder holding the DE-SynPUF samples (1-sample-10000, ...)`);
  }
  // statSync follows a symbolic link to a sample folder.
  const found = readdirSync(root)
    .filter((name) => /^\d+-sample-/.test(name) && statSync(join(root, name)).isDirectory())
    .map((name) => ({ k: Number(name.split('-')[0]), path: join(root, name) }))
    .sort((a, b) => a.k - b.k);
  if (found.length === 0) throw new Error(`${root} holds no sample folder named <k>-sample-*`);
  return found;
}

/**
 * The sample imported and its history computed, in `dir`, unless a previous bench did it from the
 * same folder with the same settings (bench-cache.json, written once both are complete).
 */
async function prepareSample(source: string, dir: string): Promise<string> {
  const marker = join(dir, 'bench-cache.json');
  const key = { source: realpathSync(source), years: `${FIRST_YEAR}-${LAST_YEAR}`, tablesYear: TABLES_YEAR, annualBaseRate: DEMO_BASE_RATE_ANNUAL };
  if (existsSync(marker) && JSON.stringify(JSON.parse(readFileSync(marker, 'utf8')).key) === JSON.stringify(key)) return 'cached';
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const s = await importDesynpuf(source, dir);
  const t1 = performance.now();
  await computeHistory({ data: dir, firstYear: FIRST_YEAR, lastYear: LAST_YEAR, out: join(dir, 'history'), annualBaseRate: DEMO_BASE_RATE_ANNUAL, tablesYear: TABLES_YEAR });
  const t2 = performance.now();
  writeFileSync(marker, `${JSON.stringify({ key, members: s.members, claims: s.claims }, null, 2)}\n`);
  return `imported ${((t1 - t0) / 1000).toFixed(0)} s, history ${((t2 - t1) / 1000).toFixed(0)} s`;
}

export async function qualityDesynpuf(benchDir: string): Promise<void> {
  const started = performance.now();
  const root = resolve(process.env.BENCH_DESYNPUF ?? fileURLToPath(new URL('../../shared/external-data/desynpuf-milwaukee-10k', import.meta.url)));
  const samples = sampleFolders(root);
  const results: SampleResult[] = [];
  // Feature name -> the samples where a run neutralised it at the backtest, and the most members differing.
  const neutralised = new Map<string, { samples: Set<number>; members: number }>();
  // Feature name -> the samples where it was constant at training.
  const constantAtTraining = new Map<string, Set<number>>();
  for (const { k, path } of samples) {
    const dir = join(benchDir, `desynpuf-${k}`);
    process.stderr.write(`quality-desynpuf: sample ${k} (${path}) ...\n`);
    const prepared = await prepareSample(path, dir);
    const history = join(dir, 'history');
    const features: Record<number, string> = {};
    for (const y of [AS_OF - 1, AS_OF]) {
      features[y] = join(dir, `features-${y}.parquet`);
      await buildFeatures({ data: dir, history, asOf: y, out: features[y] });
    }
    const analyst = await baselineFigures(dir, history, features[AS_OF]!, AS_OF);
    const lists = new Map<string, Figures>();
    lists.set('analyst', analyst.analyst);
    let members = analyst.members;
    for (const m of MODELS) {
      const r: RunRecord = await trainRun({ data: dir, history, features, asOf: AS_OF, model: m.model, seed: SEED, out: join(dir, `run-${m.name}-${AS_OF}`) });
      const b = r.backtest;
      if (b === null) throw new Error(`sample ${k}: the ${m.name} run has no backtest at ${AS_OF}`);
      if (b.members !== analyst.members) throw new Error(`sample ${k}: the backtest has ${b.members} members, the analyst's list ${analyst.members}`);
      lists.set('naive', { precision: b.naive.precision, auc: b.naive.auc });
      lists.set(m.name, { precision: b.model.precision, auc: b.model.auc });
      members = b.members;
      for (const f of r.neutralisedAtBacktest ?? []) {
        const n = neutralised.get(f.name) ?? { samples: new Set<number>(), members: 0 };
        n.samples.add(k);
        n.members = Math.max(n.members, f.rowsDiffering);
        neutralised.set(f.name, n);
      }
      for (const f of r.constantFeatures ?? []) constantAtTraining.set(f, (constantAtTraining.get(f) ?? new Set<number>()).add(k));
    }
    results.push({ k, members, positives: analyst.positives, lists, prepared });
  }

  const pct = (v: number): string => (100 * v).toFixed(1);
  const auc = (v: number): string => v.toFixed(3);
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const range = (v: number[], f: (x: number) => string): string => `${f(mean(v))} [${f(Math.min(...v))}-${f(Math.max(...v))}]`;
  const signed = (v: number): string => `${v >= 0 ? '+' : ''}${pct(v)}`;
  const c = DEFAULT_TRAIN_CONFIG;
  const mlp = `mlp ${c.hidden.join('-')}${c.members > 1 ? `, ${c.members} networks averaged` : ''}${(c.encodeBins ?? 0) > 0 ? `, ${c.encodeBins}-bin encoding` : ''}`;
  const out: string[] = [];
  out.push(
    `quality on DE-SynPUF (${samples.length} samples of ${root}; ${FIRST_YEAR}-${LAST_YEAR}, tables of payment year ${TABLES_YEAR}), ` +
      `the list for ${AS_OF}: trained at ${AS_OF - 1}, backtested at ${AS_OF}; precision@20% and AUC, mean [range] over the samples:`,
  );
  for (const name of LIST_NAMES) {
    const f = results.map((r) => r.lists.get(name)!);
    const vsNaive = name === 'naive' ? '' : `  vs naive ${range(results.map((r) => r.lists.get(name)!.precision - r.lists.get('naive')!.precision), signed)}`;
    const label = name === 'default' ? `default (${DEFAULT_MODEL})` : name === 'mlp' ? mlp : name;
    out.push(`  ${label.padEnd(30)} ${range(f.map((x) => x.precision), pct)}%  AUC ${range(f.map((x) => x.auc), auc)}${vsNaive}`);
  }
  const atLeast = results.filter((r) => r.lists.get('default')!.precision >= r.lists.get('naive')!.precision).length;
  out.push(`  the default model's precision@20% is at least the naive list's in ${atLeast} of ${results.length} samples`);
  out.push('  per sample (precision@20% / AUC):');
  for (const r of results) {
    const parts = LIST_NAMES.map((name) => `${name} ${pct(r.lists.get(name)!.precision)}% / ${auc(r.lists.get(name)!.auc)}`);
    out.push(`    sample ${r.k} (${r.members.toLocaleString('en-US')} members at ${AS_OF}, ${r.positives.toLocaleString('en-US')} in the top 20%; ${r.prepared}): ${parts.join(', ')}`);
  }
  if (neutralised.size > 0) {
    const names = [...neutralised].map(([name, n]) => `${name} (${n.samples.size} of ${results.length} samples, up to ${n.members.toLocaleString('en-US')} members differing)`);
    out.push(`  warning: features constant at ${AS_OF - 1} but varying at ${AS_OF}, neutralised by the training (models/constant-features.ts): ${names.join(', ')}`);
  } else {
    out.push(`  no feature was neutralised at ${AS_OF}`);
  }
  const quiet = [...constantAtTraining].filter(([name]) => !neutralised.has(name));
  if (quiet.length > 0) {
    const names = quiet.map(([name, ks]) => (ks.size === results.length ? name : `${name} (${ks.size} of ${results.length} samples)`));
    out.push(`  constant at ${AS_OF - 1} and not varying at ${AS_OF} (nothing to neutralise): ${names.join(', ')}`);
  }
  out.push(`  ${((performance.now() - started) / 1000).toFixed(0)} s in all (this machine as loaded at the time)`);
  console.log(out.join('\n'));
}
