// The bench's ACO REACH steps (bench-steps.ts; issue 19) on the generate and history steps' plan
// (.bench/synthetic-<n>, five service years 2021-2025, and .bench/history-<n>), for performance
// year 2026. `align` times runAlign (rafcast align): loading and checking members, enrollment,
// claims, providers, participants and voluntary alignment, the alignment of 2026 and the projection
// for 2027, the files. The plan's REACH files are generated first when it lacks them (the generate
// step writes none, to time what it always timed): the plan generated again with them, same seed,
// its other files the same bytes (data/synthetic/README.md), in a process of its own
// (`generate-evidence`), so that its time and peak RSS are printed apart and not in align's.
// `benchmark` times runBenchmark (rafcast benchmark) with the align step's folder and the history
// step's history passed in, as a run that kept them would: the rates, the scores of service years
// 2025 and 2021, the cap, the base rates, the effort ranking, the files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { runAlign } from '../evaluation/alignment/run-align.ts';
import { runBenchmark } from '../evaluation/alignment/run-benchmark.ts';
import { DEFAULT_MEMORY_LIMIT } from '../data/staged-contract.ts';

const PY = 2026;

const gib = (): string => `${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GiB`;
const paths = (n: number, dir: string) => ({
  data: join(dir, `synthetic-${n}`),
  history: join(dir, `history-${n}`),
  align: join(dir, `align-${PY}-${n}`),
  benchmark: join(dir, `benchmark-${PY}-${n}`),
  rates: join(dir, 'aco-rates.csv'),
});
const fresh = (d: string): void => {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true, mode: 0o700 });
};

/** The generate step's plan again with the optional files (participants, voluntary_alignment among them); prints its time and peak RSS. */
export async function generateWithEvidence(n: number, dir: string): Promise<void> {
  const t0 = performance.now();
  const s = await generatePopulation({ members: n, firstYear: 2021, lastYear: 2025, seed: 2021, out: paths(n, dir).data, evidence: true });
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${gib()}, ${s.memberYears.toLocaleString('en-US')} member-years`);
}

/** runAlign for 2026 on the plan, timed; the REACH files generated first (apart) when missing. */
export async function benchAlign(n: number, dir: string): Promise<void> {
  const p = paths(n, dir);
  if (!existsSync(join(p.data, 'claims.parquet'))) throw new Error(`${p.data} is missing: run the generate step first`);
  let prepared = '';
  if (!existsSync(join(p.data, 'participants.parquet')) || !existsSync(join(p.data, 'voluntary_alignment.parquet'))) {
    const script = fileURLToPath(new URL('./bench-steps.ts', import.meta.url));
    const g = spawnSync(process.execPath, ['--import', 'tsx', script, 'generate-evidence', String(n)], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (g.status !== 0) throw new Error(`generating the plan's REACH files failed (exit ${g.status})`);
    prepared = `; the plan generated again with its REACH files first, in its own process (${g.stdout.trim()}; not in the time or the peak RSS)`;
  }
  fresh(p.align);
  const t0 = performance.now();
  const s = await runAlign({ data: p.data, performanceYear: PY, out: p.align, acoType: 'standard' });
  const seconds = (performance.now() - t0) / 1000;
  const read = (t: string): string => s.notes.find((x) => x.startsWith(`${t}: `))?.replace(/ rows read = .*/, '').replace(`${t}: `, '') ?? '0';
  console.log(
    `rafcast align for ${PY} with the projection for ${PY + 1} (loading and checking the claims, participants ${read('participants')} rows and voluntary_alignment ${read('voluntary_alignment')} rows; DuckDB limit ${DEFAULT_MEMORY_LIMIT}): ` +
      `${Math.round(s.members / seconds).toLocaleString('en-US')} members/s (${s.members.toLocaleString('en-US')} members, ${seconds.toFixed(1)} s), peak RSS ${gib()}; ` +
      `${s.aligned.toLocaleString('en-US')} aligned, ${(s.projection.on_track ?? 0).toLocaleString('en-US')} on track, ${(s.projection.at_risk ?? 0).toLocaleString('en-US')} at risk${prepared}`,
  );
}

/** runBenchmark for 2026 with the align step's folder and the history step's history, timed. */
export async function benchBenchmark(n: number, dir: string): Promise<void> {
  const p = paths(n, dir);
  if (!existsSync(join(p.align, 'align-summary.json'))) throw new Error(`${p.align} is missing: run the align step first`);
  if (!existsSync(join(p.history, 'history.json'))) throw new Error(`${p.history} is missing: run the history step first`);
  // One entity-level row: every claims-aligned beneficiary's base rate from the same figures.
  writeFileSync(p.rates, 'level,key,regional_rate,historical_expenditure,trend\nentity,,12000,10000,1.05\n');
  fresh(p.benchmark);
  const t0 = performance.now();
  const s = await runBenchmark({ data: p.data, performanceYear: PY, out: p.benchmark, rates: p.rates, alignment: p.align, history: p.history });
  const seconds = (performance.now() - t0) / 1000;
  const total = s.totals.find((t) => t.alignment === 'total')!;
  console.log(
    `rafcast benchmark for ${PY} with --alignment and --history (scores of service years ${s.scores.performanceYear.serviceYear} and ${s.scores.referenceYear.serviceYear}, the cap, base rates, effort ranking, files): ` +
      `${Math.round(total.beneficiaries / seconds).toLocaleString('en-US')} members/s (${total.beneficiaries.toLocaleString('en-US')} aligned beneficiaries, ${seconds.toFixed(1)} s), peak RSS ${gib()}; ` +
      `benchmark $${Math.round(total.dollars).toLocaleString('en-US')}, lost to the cap $${Math.round(total.lostToCap).toLocaleString('en-US')}`,
  );
}
