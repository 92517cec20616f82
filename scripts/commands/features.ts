// `rafcast features`: the feature table of an as-of year and its schema
// (features/write-feature-table.ts), or the list of features.
import { join } from 'node:path';
import type { Command } from 'commander';
import { DATA_THROUGH_HELP, parseDataThrough, parseYearOption, runAction } from '../cli-support.ts';


export interface FeaturesOptions {
  data: string;
  history?: string;
  asOf: number;
  out: string;
  list?: boolean;
  dataThrough?: string;
}

export function addFeaturesCommand(program: Command): void {
  const command = program
    .command('features')
    .description('Write the feature table of an as-of year T: one row per member enrolled in T, from data dated before January 1 of T.')
    .requiredOption('--data <dir>', 'folder with members, enrollment and claims')
    .option('--history <dir>', 'rafcast history output (default: <data>/history)')
    .requiredOption('--as-of <year>', 'the as-of year T', parseYearOption('--as-of'))
    .requiredOption('--out <file>', 'the feature table (.parquet); the schema goes to <file>.schema.json')
    .option('--data-through <date>', DATA_THROUGH_HELP, parseDataThrough)
    .option('--list', 'print the features with their meanings and stop')
    .addHelpText(
      'after',
      `
Features: RAF_{T-2} and RAF_{T-1} (raw and payment score, change), dollars in T-1 per V28
condition category (log-scaled), dollars on claims mapping to no HCC, HCCs coded in T-2 but
not T-1 with their coefficients, visits, inpatient days, months enrolled, demographics and
segment. Members new to the plan get missing-value indicators. rafcast features --list names them.

What is known on the list's day: the features see only the claims received by --data-through
(default January 1 of T; a plan that runs its list on January 15 says --data-through 2025-01-15),
and the RAF features come from the history as known on that date, computed from the data for the
two years they read. A file without received dates cuts by date of service only: every claim
dated before T counts as known.

Examples:
  rafcast features --data runs/synthetic --as-of 2025 --out runs/features-2025.parquet
  rafcast features --data runs/synthetic --as-of 2025 --data-through 2025-01-15 --out runs/features-2025-jan15.parquet
  rafcast features --data runs/synthetic --history runs/history --as-of 2024 --out f2024.parquet`,
    )
    .action((o: FeaturesOptions) => runAction(() => features(o), { out: o.out, outIsFile: true }));
  // --list needs none of the others: given, they stop being required (commander checks after parsing).
  command.on('option:list', () => {
    for (const option of command.options) option.makeOptionMandatory(false);
  });
}

async function features(o: FeaturesOptions): Promise<void> {
  if (o.list) {
    const { featureDefinitions } = await import('../../features/schema.ts');
    for (const d of featureDefinitions()) process.stdout.write(`${d.name}\t${d.meaning}\n`);
    return;
  }
  const { writeFeatureTable } = await import('../../features/write-feature-table.ts');
  const started = performance.now();
  const s = await writeFeatureTable(
    { data: o.data, history: o.history ?? join(o.data, 'history'), asOf: o.asOf, out: o.out, ...(o.dataThrough !== undefined ? { dataThrough: o.dataThrough } : {}) },
    (line) => process.stderr.write(`${line}\n`),
  );
  process.stdout.write(
    `${s.members} members x ${s.schema.names.length} features (schema ${s.schema.hash.slice(0, 12)}), data through ${s.dataThrough}; ${((performance.now() - started) / 1000).toFixed(1)} s\n  ${s.output}\n  ${s.schemaFile}\n`,
  );
}
