// `npm run bench`: speed figures, printed, never asserted. Each step runs in its own process so
// its peak memory (max RSS) is its own. File-to-file and loading steps run BENCH_REPEATS times (default 3)
// and print the median run with the range: this machine shares its host, and single runs of the
// same code were seen to differ by 30%. Sizes: BENCH_MEMBERS (default 1,000,000) for scoring,
// BENCH_POPULATION (default 1,000,000) members for generating a synthetic plan over five years
// and loading and validating its claims, then its five-year risk score history, features,
// training and prediction; BENCH_QUALITY (default 20,000) members for the models' precision.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const members = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
const population = Number(process.env.BENCH_POPULATION ?? 1_000_000);
const steps: [string, number, number][] = [
  ['cli-start', 1, 10],
  ['score-batch', 1, members],
  ['score-file-jsonl', repeats, members],
  ['score-file-csv', repeats, members],
  ['score-file-parquet', repeats, members],
  ['generate', 1, population],
  ['load-generated', repeats, population],
  ['history', 1, population],
  ['features', 1, population],
  ['train', 1, population],
  ['predict', 1, population],
  ['quality', 1, Number(process.env.BENCH_QUALITY ?? 20_000)],
  ['queued', 1, 200_000],
  ['queued-e2e', 1, population],
];
const script = fileURLToPath(new URL('./bench-steps.ts', import.meta.url));
const rate = (line: string): number => Number(/([\d,]+) (?:members|rows|member-years)\/s/.exec(line)?.[1]?.replaceAll(',', '') ?? NaN);

console.log(`rafcast bench: ${members.toLocaleString("en-US")} members (about 8 codes each), a synthetic plan of ${population.toLocaleString("en-US")} members x 5 years; node ${process.version}`);
for (const [step, runs, size] of steps) {
  const lines: string[] = [];
  for (let r = 0; r < runs; r++) {
    const p = spawnSync(process.execPath, ['--import', 'tsx', script, step, String(size)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    if (p.status !== 0) {
      console.log(`${step}: failed (exit ${p.status})`);
      process.exitCode = 1;
      break;
    }
    lines.push(p.stdout.trim());
  }
  if (lines.length < runs) continue;
  lines.sort((a, b) => rate(a) - rate(b));
  const median = lines[Math.floor(lines.length / 2)]!;
  const range = runs > 1 ? ` [median of ${runs}; range ${rate(lines[0]!).toLocaleString('en-US')}-${rate(lines.at(-1)!).toLocaleString('en-US')}/s]` : '';
  console.log(`${median}${range}`);
}
