// `rafcast align`: ACO REACH beneficiary alignment for a performance year, the projection for the
// next, and counts by practice against the model's minimum (evaluation/alignment/run-align.ts).
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';
import { ACO_TYPES, type AcoType } from '../../data/reference/alignment-rules.ts';
import { parseMemoryLimit, parseYearOption, runAction } from '../cli-support.ts';

export interface AlignOptions {
  data: string;
  performanceYear: number;
  out: string;
  acoType: AcoType;
  memoryLimit?: string;
  force?: boolean;
}

function parseAcoType(value: string): AcoType {
  if (!(ACO_TYPES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${ACO_TYPES.join(', ')}, found "${value}"`);
  return value as AcoType;
}

const REJECTED = ['members', 'enrollment', 'claims', 'providers', 'participants', 'voluntary_alignment'].map((t) => `${t}.rejected.csv`);

export function addAlignCommand(program: Command): void {
  program
    .command('align')
    .description('ACO REACH alignment for performance year PY: who is eligible, who aligns by claims or by voluntary designation, who is on track to align or at risk of aligning away, and the count by practice against the model minimum.')
    .requiredOption('--data <dir>', 'folder with members, enrollment, claims and participants, and providers and voluntary_alignment when the plan has them (.parquet or .csv)')
    .requiredOption('--performance-year <year>', 'the performance year PY', parseYearOption('--performance-year'))
    .requiredOption('--out <dir>', 'folder for alignment.csv, practices.csv, align-summary.json and align-summary.txt')
    .option('--aco-type <type>', `the entity's type, for its minimum aligned count: ${ACO_TYPES.join(', ')}`, parseAcoType, 'standard' as AcoType)
    .option('--force', FORCE_HELP)
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB; it spills to disk beyond (default: 4GB)', parseMemoryLimit)
    .addHelpText(
      'after',
      `
Rules (sources and what could not be verified: data/reference/alignment/README.md):
  eligible       alive on January 1 of PY and enrolled in PY-1 (else excluded_by names the rule)
  claims         PQEM services (data/reference/alignment/pqem_codes.csv) from 30 to 6 months
                 before PY; charges (paid_amount) of the later alignment year weigh 2, the
                 earlier 1; primary care specialists' services decide when they hold at least
                 10% of the weighted charges, else the specialists'; the entity's participants
                 (TIN and NPI on the list that day) against each outside practice; a tie goes
                 to the latest service
  voluntary      the latest designation signed before PY, to a participant: it takes precedence
                 over claims ("both" when claims agree); removed when, in a calendar year
                 since it was signed, no participant or preferred provider saw the beneficiary
                 and an outside provider billed a PQEM service (it stays removed)
  projection     the same rules for PY+1 on the claims there are: aligned_now, on_track (not
                 aligned for PY, aligned for PY+1 so far), at_risk (aligned for PY, not for PY+1
                 so far), with the PQEM visit counts behind each
alignment.csv: one row per member. practices.csv: aligned (claims, voluntary, both), at risk,
on track and projected by participant TIN. align-summary.txt/json: the counts and the entity's
aligned count against the minimum for its type and year. Member ids are in alignment.csv and
the *.rejected.csv files only, never on the terminal or in the summary.
Every column: evaluation/alignment/README.md.

Examples:
  rafcast align --data runs/reach --performance-year 2026 --out runs/align-2026
  rafcast align --data runs/reach --performance-year 2025 --aco-type new_entrant --out runs/align-2025`,
    )
    .action((o: AlignOptions) => runAction(() => align(o), { out: o.out }));
}

async function align(o: AlignOptions): Promise<void> {
  await claimOutputFolder(o.out, {
    option: '--out',
    command: 'rafcast align',
    writes: ['alignment.csv', 'practices.csv', 'align-summary.json', 'align-summary.txt', ...REJECTED],
    force: o.force === true,
  });
  const [{ runAlign }, { alignSummaryText }] = await Promise.all([import('../../evaluation/alignment/run-align.ts'), import('../../evaluation/alignment/write-alignment.ts')]);
  const started = performance.now();
  const s = await runAlign(
    { data: o.data, performanceYear: o.performanceYear, out: o.out, acoType: o.acoType, ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}) },
    (stage) => process.stderr.write(`${stage} ...\n`),
  );
  process.stdout.write(`${alignSummaryText(s)}${((performance.now() - started) / 1000).toFixed(1)} s\n${s.files.map((f) => `  ${f}`).join('\n')}\n`);
}
