// `npm run bench`: speed figures, printed, never asserted. Each step runs in its own process so
// its peak memory (max RSS) is its own. Sizes: BENCH_MEMBERS (default 1,000,000).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const members = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const steps = ['score-batch', 'score-file-jsonl', 'score-file-csv', 'score-file-parquet'];
const script = fileURLToPath(new URL('./bench-steps.ts', import.meta.url));

console.log(`rafcast bench: ${members.toLocaleString('en-US')} members, about 8 codes each; node ${process.version}`);
for (const step of steps) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, step, String(members)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.log(`${step}: failed (exit ${r.status})`);
    process.exitCode = 1;
    continue;
  }
  process.stdout.write(r.stdout);
}
