// One of the models stage's jobs alone on a kept run folder (a memory bench's, kept with
// BENCH_MEMORY_KEEP=1, or scripts/replicate-run.ts's copy of one): the expected dollars, a model's
// evaluation, the candidate list, one network of the run's first model (`network`, the
// train-network job: NETWORK=b, default 0, written to <out>/network-<b+1>), that model's assembly,
// validation and backtest from the networks so written (`train`, the train job), or the history's or the features' merge (`history-merge`, `features-merge`:
// the run's merged files taken as the one shard to merge, so the same rows sorted and written as
// from every shard), with the run's own files, in this process; prints the memory
// at each line the job logs, and at the end the process's peak resident size (maxRSS) and seconds.
// Issue 20's per-job figures at 1,000,000 and 5,000,000 members come from it.
//   node --import tsx scripts/job-memory.ts <run folder> <plan folder> dollars|evaluate|list|network|train|history-merge|features-merge <out folder>
import { mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeCandidates } from '../evaluation/candidates.ts';
import { evaluateRun } from '../evaluation/evaluate-run.ts';
import { writePlanDollars } from '../evaluation/member-dollars.ts';
import { flowCutoff, knownHistoryKeys, mergesOf, networksOfModel, readFlowConfig } from '../pipelines/jobs.ts';
import { trainNetworkRun, trainRun } from '../models/train-run.ts';
import { storeKeys as key } from '../pipelines/run-keys.ts';
import { mergeShardFiles } from '../pipelines/shards.ts';

const [run, data, job, out] = process.argv.slice(2);
if (run === undefined || data === undefined || out === undefined || !['dollars', 'evaluate', 'list', 'network', 'train', 'history-merge', 'features-merge'].includes(job ?? '')) {
  console.error('usage: node --import tsx scripts/job-memory.ts <run folder> <plan folder> dollars|evaluate|list|network|train|history-merge|features-merge <out folder>');
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
if (job === 'history-merge' || job === 'features-merge') {
  // As the flow's merge jobs (pipelines/jobs.ts mergesOf): the history's largest, the whole
  // history, or both feature tables one after the other, the run's file taken as the one shard.
  mkdirSync(out, { recursive: true });
  const merges = job === 'history-merge' ? mergesOf(c, 'history').slice(0, 1) : mergesOf(c, 'features');
  for (const m of merges) {
    for (const f of m.files) {
      const to = join(out, f.file === '' ? basename(m.key) : f.file);
      await mergeShardFiles([join(run, m.key, f.file)], to, f.orderBy);
      log(`${basename(to)} merged`);
    }
  }
} else if (job === 'network' || job === 'train') {
  // As the flow's train-network and train jobs read them (pipelines/processors.ts trainOptions).
  const known = Object.fromEntries(knownHistoryKeys(c).map((k) => [k.asOf, join(run, k.key)] as const));
  const features = { [T - 1]: join(run, key.features(T - 1)), [T]: join(run, key.features(T)) };
  const opts = { data, history: join(run, key.history), features, dataThrough: cutoff, knownHistory: known, asOf: T, model, seed: c.seed };
  const b = Number(process.env.NETWORK ?? 0);
  if (job === 'network') await trainNetworkRun(opts, b, join(out, `network-${b + 1}`), log);
  else await trainRun({ ...opts, networks: Array.from({ length: networksOfModel(model) }, (_, i) => join(out, `network-${i + 1}`)), out: join(out, 'model') }, log);
} else if (job === 'dollars') await writePlanDollars({ ...inputs, out }, log);
else if (job === 'evaluate') await evaluateRun({ ...inputs, out }, log);
else await writeCandidates({ ...inputs, top: 0.2, out }, log);
console.log(`${job}: maxRSS ${gib(process.resourceUsage().maxRSS * 1024)} GiB, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
