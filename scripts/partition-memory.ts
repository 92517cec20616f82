// The partition of a plan (pipelines/partition-pieces.ts) in this process, step by step: the plan,
// each piece's job one after another, then the merge; prints each step's wall and CPU seconds, the
// largest piece's, the disk the pieces' files take, and the process's peak resident size (maxRSS:
// every step's peak is at most this). Issue 20's partition figures at 1,000,000 and 5,000,000
// members come from it (RAFCAST_THREADS=1 gives one core's figures).
//   node --import tsx scripts/partition-memory.ts <plan folder> <shards> <out folder>
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TableName } from '../data/contract.ts';
import { checkPiece, mergePieces, planPieces } from '../pipelines/partition-pieces.ts';

const [data, shardsArg, out] = process.argv.slice(2);
const shards = Number(shardsArg);
if (data === undefined || out === undefined || !Number.isInteger(shards) || shards < 1) {
  console.error('usage: node --import tsx scripts/partition-memory.ts <plan folder> <shards> <out folder>');
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
const pieces = join(out, 'pieces');
mkdirSync(pieces, { recursive: true, mode: 0o700 });
const gib = (b: number): string => (b / 2 ** 30).toFixed(2);
const du = (path: string): string => execFileSync('du', ['-sh', path], { encoding: 'utf8' }).split('\t')[0]!;
/** Runs a step and prints its wall and CPU seconds and the process's resident size after it. */
async function step<T>(name: string, run: () => Promise<T>): Promise<{ value: T; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await run();
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(`${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${cpu.toFixed(1)} CPU-s, rss ${gib(process.memoryUsage().rss)} GiB`);
  return { value, cpu };
}
const t0 = performance.now();
const { value: plan } = await step('plan', () => planPieces(data, shards));
console.log(`  pieces: ${plan.tables.map((t) => `${t.table} ${t.pieces.length}`).join(', ')}`);
const dir = (t: TableName, p: number): string => join(pieces, `${t}-${p}`);
let cpu = 0;
let most = 0;
const tp0 = performance.now();
for (const t of plan.tables) {
  for (let p = 0; p < t.pieces.length; p++) {
    const c0 = process.cpuUsage();
    await checkPiece(plan, t.table, p, dir(t.table, p), pieces);
    const c = process.cpuUsage(c0);
    const s = (c.user + c.system) / 1e6;
    cpu += s;
    most = Math.max(most, s);
  }
  console.log(`  ${t.table} done at ${((performance.now() - t0) / 1000).toFixed(0)} s, rss ${gib(process.memoryUsage().rss)} GiB`);
}
console.log(`pieces: ${((performance.now() - tp0) / 1000).toFixed(1)} s, ${cpu.toFixed(1)} CPU-s (the largest piece ${most.toFixed(1)} CPU-s); their files ${du(pieces)}`);
const { value: summary } = await step('merge', () => mergePieces(plan, dir, join(out, 'shards'), out));
console.log(`shards: ${du(join(out, 'shards'))} (hard links to the pieces' files), ${summary.members.reduce((a, b) => a + b, 0)} members`);
console.log(`in all ${((performance.now() - t0) / 1000).toFixed(1)} s; peak resident size (maxRSS) ${gib(process.resourceUsage().maxRSS * 1024)} GiB`);
