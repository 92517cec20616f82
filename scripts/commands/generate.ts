// `rafcast generate`: a synthetic Medicare Advantage plan and its calibration report
// (pipelines/generate-population.ts).
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseCountOption, parseGeneratedFormat, parseSeedOption, parseYearRange, runAction } from '../cli-support.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';

export interface GenerateOptions {
  members: number;
  years: [number, number];
  seed: number;
  out: string;
  format: 'parquet' | 'csv';
  january?: boolean;
  /** False with --no-evidence: no pharmacy, labs, providers, participants or voluntary_alignment file. */
  evidence: boolean;
  force?: boolean;
}

export function addGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('Write a synthetic Medicare Advantage plan: members, enrollment, claims, pharmacy, labs and providers, an ACO REACH participant list and voluntary alignments, with truth/ and calibration.json.')
    .requiredOption('--members <n>', 'members enrolled in the first year; each later year some leave and new enrollees join (the plan grows about 2% a year), so the files hold more members than this', parseCountOption('--members'))
    .requiredOption('--years <first-last>', 'service years, e.g. 2021-2025', parseYearRange)
    .option('--seed <n>', 'random seed: the same seed writes the same bytes', parseSeedOption('--seed'), 1)
    .requiredOption('--out <dir>', 'folder for members, enrollment, claims, pharmacy, labs, providers, participants, voluntary_alignment, truth/ and calibration.json')
    .option('--force', FORCE_HELP)
    .option('--format <format>', 'parquet or csv', parseGeneratedFormat, 'parquet')
    .option('--january', "also the January after the last year, as a plan knows it on January 1: its enrollment (one month known), no claims")
    .option('--no-evidence', 'skip the optional files pharmacy, labs, providers, participants and voluntary_alignment (the others are the same bytes either way)')
    .addHelpText(
      'after',
      `
--members is the first year's enrollment, not the files' member count: each year members leave
(8% disenroll, others die) and new enrollees join (data/synthetic/README.md), so --members 20000 over 2021-2025 writes
about 31,000 members in all (30,893 with seed 2021).

The files follow the input contract (data/README.md). truth/ holds the latent conditions per
member-year: for evaluation only, never for features. pharmacy, labs and providers (the
optional files) come from the latent conditions at the rates of data/synthetic/README.md
("Pharmacy, labs and providers"); participants and voluntary_alignment (an ACO REACH entity's
list and its members' designations) at the rates of its "ACO REACH participants and voluntary
alignment"; --no-evidence leaves them all out. calibration.json sets each target of
data/synthetic/README.md beside the value reached. Each claim's received_date is its thru_date
plus a lag drawn by claim type (data/synthetic/README.md, "When claims arrive"), so a run with
a data cut-off (rafcast history --data-through) sees what a plan would have received by then.

Examples:
  rafcast generate --members 10000 --years 2021-2025 --seed 7 --out runs/synthetic
  rafcast generate --members 1000 --years 2024-2025 --out runs/small --format csv
  rafcast generate --members 20000 --years 2021-2025 --january --out runs/january   # then rafcast run --as-of 2026`,
    )
    .action((o: GenerateOptions) => runAction(() => generate(o), { out: o.out }));
}

async function generate(o: GenerateOptions): Promise<void> {
  await claimOutputFolder(o.out, { option: '--out', command: 'rafcast generate', writes: ['members.parquet', 'enrollment.parquet', 'claims.parquet', ...(o.evidence ? ['pharmacy.parquet', 'labs.parquet', 'providers.parquet', 'participants.parquet', 'voluntary_alignment.parquet'] : []), 'truth', 'calibration.json'], ownedIf: ['calibration.json'], force: o.force === true });
  const [{ generatePopulation }, { targetsOutsideTolerance }, { progressBar }] = await Promise.all([
    import('../../pipelines/generate-population.ts'),
    import('../../evaluation/calibration-misses.ts'),
    import('../progress.ts'),
  ]);
  const bar = progressBar('generating', 'member-years');
  const started = performance.now();
  const s = await generatePopulation(
    { members: o.members, firstYear: o.years[0], lastYear: o.years[1], seed: o.seed, out: o.out, format: o.format, evidence: o.evidence, ...(o.january === true ? { januaryAfter: true } : {}) },
    (done, total) => bar.update(done, total),
  );
  bar.stop();
  const misses = targetsOutsideTolerance(s.calibration);
  process.stdout.write(
    `${s.members} members, ${s.memberYears} member-years, ${s.claims} claims; ${((performance.now() - started) / 1000).toFixed(1)} s\n` +
      `calibration: ${misses.length === 0 ? 'every target within tolerance' : `outside tolerance: ${misses.join(', ')}`} (${join(o.out, 'calibration.json')})\n` +
      s.files.map((f) => `  ${f}\n`).join(''),
  );
}
