// `rafcast load`: the contract's files checked and stored as typed Parquet or Arrow
// (pipelines/load-contract.ts).
import { DEFAULT_MAX_REJECTED_SHARE } from '../../data/quarantine.ts';
import type { Command } from 'commander';
import { parseMemoryLimit, parseOutputTableFormat, parseShareOption, runAction } from '../cli-support.ts';
import { rejectedRowsText } from '../rejected-summary.ts';
import { FORCE_HELP } from '../../data/output-folder.ts';

export interface LoadOptions {
  members: string;
  enrollment?: string;
  claims?: string;
  pharmacy?: string;
  labs?: string;
  providers?: string;
  participants?: string;
  voluntaryAlignment?: string;
  out: string;
  format: 'parquet' | 'arrow';
  maxRejectedShare: number;
  rejected?: string;
  memoryLimit?: string;
  force?: boolean;
}

export function addLoadCommand(program: Command): void {
  program
    .command('load')
    .description('Validate the contract\'s files (members, enrollment, claims; optional pharmacy, labs, providers, participants, voluntary_alignment) and store them as typed Parquet.')
    .requiredOption('--members <file>', 'members: .csv or .parquet (loaded first: the others are checked against it)')
    .option('--enrollment <file>', 'enrollment: .csv or .parquet')
    .option('--claims <file>', 'claims: .csv or .parquet')
    .option('--pharmacy <file>', 'pharmacy fills (optional file): .csv or .parquet')
    .option('--labs <file>', 'lab results (optional file): .csv or .parquet')
    .option('--providers <file>', 'providers (optional file): .csv or .parquet')
    .option('--participants <file>', 'ACO REACH participant and preferred providers (optional file): .csv or .parquet')
    .option('--voluntary-alignment <file>', 'ACO REACH voluntary alignment designations (optional file; checked against members): .csv or .parquet')
    .requiredOption('--out <dir>', 'folder for the tables loaded (.parquet or .arrow)')
    .option('--format <format>', 'output format: parquet or arrow (Arrow IPC file)', parseOutputTableFormat, 'parquet')
    .option('--max-rejected-share <share>', 'fail when more than this share of a file\'s rows is rejected', parseShareOption('--max-rejected-share'), DEFAULT_MAX_REJECTED_SHARE)
    .option('--rejected <dir>', 'folder for each file\'s rejected rows, <table>.rejected.csv (default: the --out folder)')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB (default: 80% of memory)', parseMemoryLimit)
    .option('--force', FORCE_HELP)
    .addHelpText(
      'after',
      `
The fields of each file are in data/README.md. Rejected rows go to <table>.rejected.csv
(members, enrollment, claims, pharmacy, labs, providers, participants, voluntary_alignment) in the --out folder or the --rejected one (file, row, field,
reason); the input folders are only read. The summary gives read = accepted + rejected per file.

Examples:
  rafcast load --members members.csv --enrollment enrollment.csv --claims claims.csv --out runs/loaded
  rafcast load --members m.parquet --claims claims.parquet --out runs/loaded --memory-limit 3GB
  rafcast load --members /ro/members.csv --claims /ro/claims.csv --out runs/loaded --rejected runs/rejected
  rafcast load --members members.csv --claims claims.csv --out runs/loaded --format arrow
  rafcast load --members members.csv --pharmacy pharmacy.csv --labs labs.csv --providers providers.csv --out runs/evidence
  rafcast load --members members.csv --participants participants.csv --voluntary-alignment voluntary_alignment.csv --out runs/reach
  rafcast load --members members.csv --out shared/plan --force`,
    )
    .action((o: LoadOptions) => runAction(() => load(o), { out: o.out }));
}

async function load(o: LoadOptions): Promise<void> {
  const { loadContract } = await import('../../pipelines/load-contract.ts');
  await (await import('../../data/output-folder.ts')).claimOutputFolder(o.out, { option: '--out', command: 'rafcast load', writes: ['members', 'enrollment', 'claims', ...(['pharmacy', 'labs', 'providers'] as const).filter((t) => o[t] !== undefined), ...(o.participants !== undefined ? ['participants'] : []), ...(o.voluntaryAlignment !== undefined ? ['voluntary_alignment'] : [])].map((t) => `${t}.${o.format}`), force: o.force === true });
  const started = performance.now();
  const loaded = await loadContract(
    {
      files: {
        members: o.members,
        enrollment: o.enrollment,
        claims: o.claims,
        pharmacy: o.pharmacy,
        labs: o.labs,
        providers: o.providers,
        participants: o.participants,
        voluntary_alignment: o.voluntaryAlignment,
      },
      out: o.out,
      format: o.format,
      maxRejectedShare: o.maxRejectedShare,
      rejectedDir: o.rejected,
      memoryLimit: o.memoryLimit,
    },
    (table) => process.stderr.write(`checking ${table} ...\n`),
  );
  for (const l of loaded) {
    process.stdout.write(
      `${l.table}: read ${l.read} = accepted ${l.accepted} + rejected ${rejectedRowsText(l.rejected, l.rejectedByField)} -> ${l.output}` +
        `${l.rejected > 0 ? `; rejected rows: ${l.quarantine}` : ''}\n`,
    );
  }
  process.stdout.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
