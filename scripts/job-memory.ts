// One of the models stage's later jobs alone on a kept run folder (a memory bench's, kept with
// BENCH_MEMORY_KEEP=1, or scripts/replicate-run.ts's copy of one): the expected dollars, a model's
// evaluation or the candidate list, with the run's own files, in this process; prints the memory
// at each line the job logs, and at the end the process's peak resident size (maxRSS) and seconds.
// Issue 20's per-job figures at 1,000,000 and 5,000,000 members come from it.
//   node --import tsx scripts/job-memory.ts <run folder> <plan folder> dollars|evaluate|list <out folder>
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeCandidates } from '../evaluation/candidates.ts';
import { evaluateRun } from '../evaluation/evaluate-run.ts';
import { writePlanDollars } from '../evaluation/member-dollars.ts';
import { flowCutoff, readFlowConfig } from '../pipelines/jobs.ts';
import { storeKeys as key } from '../pipelines/run-keys.ts';

const [run, data, job, out] = process.argv.slice(2);
if (run === undefined || data === undefined || out === undefined || !['dollars', 'evaluate', 'list'].includes(job ?? '')) {
  console.error('usage: node --import tsx scripts/job-memory.ts <run folder> <plan folder> dollars|evaluate|list <out folder>');
  process.exit(2);
}
const c = await readFlowConfig(run);
const T = c.asOf;
const model = c.models[0]!;
const cutoff = flowCutoff(c);
const shards = readdirSync(join(run, key.shards)).sort().map((s) => join(run, key.shards, s));
// The histories as known on the cut-off the expected dollars read, by as-of year.
const knownHistory: Record<number, string> = {};
for (const d of readdirSync(join(run, 'history-known'))) {
  const m = new RegExp(`^as-of-(\\d+)-through-${cutoff}$`).exec(d);
  if (m) knownHistory[Number(m[1])] = join(run, 'history-known', d);
}
const t0 = performance.now();
const gib = (b: number): string => (b / 2 ** 30).toFixed(2);
const log = (line: string): void => {
  const m = process.memoryUsage();
  console.log(`[${((performance.now() - t0) / 1000).toFixed(1)} s] rss ${gib(m.rss)} GiB, heap ${gib(m.heapUsed)} GiB | ${line}`);
};
const inputs = {
  run: join(run, key.model(model)),
  asOf: T,
  annualBaseRate: c.annualBaseRate,
  data,
  history: join(run, key.history),
  features: join(run, key.features(T)),
  scores: join(run, key.scores(model)),
  checked: shards,
  dataThrough: cutoff,
  knownHistory,
  dollars: join(run, key.dollars),
};
if (job === 'dollars') await writePlanDollars({ ...inputs, out }, log);
else if (job === 'evaluate') await evaluateRun({ ...inputs, out }, log);
else await writeCandidates({ ...inputs, top: 0.2, out }, log);
console.log(`${job}: maxRSS ${gib(process.resourceUsage().maxRSS * 1024)} GiB, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
