// `rafcast providers`: per clinician and per practice coding, recapture and open dollars, and a
// worklist per clinician, at as-of T (evaluation/providers/run-providers.ts).
import type { Command } from 'commander';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { DATA_THROUGH_HELP, givenOptions, parseDataThrough, parseDollarsOption, parseMemoryLimit, parseYearOption, rejectedFileNames, runAction } from '../cli-support.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';

export interface ProvidersOptions {
  data: string;
  asOf: number;
  out: string;
  baseRate: number;
  suspects?: string;
  auditRisk?: string;
  history?: string;
  knownHistory?: string;
  dataThrough?: string;
  memoryLimit?: string;
  force?: boolean;
}

export function addProvidersCommand(program: Command): void {
  program
    .command('providers')
    .description("Providers at as-of T: each clinician's and practice's members, HCCs coded, recapture rate and open dollars, and a worklist per clinician.")
    .requiredOption('--data <dir>', 'folder with members, enrollment and claims (rendering_npi, procedure_codes), and providers when the plan has it (.parquet or .csv)')
    .requiredOption('--as-of <year>', 'the as-of year T', parseYearOption('--as-of'))
    .requiredOption('--out <dir>', 'folder for providers.csv, provider-hccs.csv, practices.csv, worklists/, providers-summary.json and .txt, suspects/ and audit-risk/')
    .option('--force', FORCE_HELP)
    .option('--suspects <dir>', 'a folder from rafcast suspects with the same --as-of and --data-through (computed into <out>/suspects otherwise)')
    .option('--audit-risk <dir>', 'a folder from rafcast audit-risk with the same --as-of (computed into <out>/audit-risk otherwise, from --history)')
    .option('--history <dir>', 'the complete rafcast history (default <data>/history), for the suspects and the overuse alerts (it must hold T-1 unless --audit-risk is given)')
    .option('--known-history <dir>', 'a rafcast history of T-2..T computed with the same --data-through, for the suspects (computed otherwise)')
    .option('--data-through <date>', `${DATA_THROUGH_HELP}; the window is the 12 months before it`, parseDataThrough)
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12), for the suspects\' dollars', parseDollarsOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB; it spills to disk beyond (default: 4GB)', parseMemoryLimit)
    .addHelpText(
      'after',
      `
The window is the 12 months before the cut-off (default January 1 of T: all of T-1), by date of
service, claims received by the cut-off; the prior window the 12 months before it.
Attribution: each member with an evaluation-and-management visit in the window (a claim with a
rendering NPI and a code of data/reference/providers/em_codes.csv: office 99202-99215, home
99341-99350, preventive 99381-99397 and 99401-99404, G0402, G0438, G0439; one visit a day) goes
to the clinician with the most visits; a tie goes to the later last visit, then to the lower NPI.
providers.csv, a row per rendering NPI: members seen, E/M visits, members attributed, HCCs coded
(eligible claims, V28) by HCC with members and frequency (members coded / members seen), the
recapture rate (of the attributed members' HCCs of the prior window, the share this clinician
coded again in the window, or one above it), and the attributed members' open HCCs (recapture,
drop-off) and suspects (medication, lab, comorbidity) with their dollars (rafcast suspects), and
the overuse alerts (rafcast audit-risk, payment year T) on claims the clinician rendered, with
their dollars at audit risk (audit_alerts, audit_dollars: counted for the NPI who coded, not the
attributed one). practices.csv: the same by TIN, with the partner flag. worklists/<npi>.csv: the
attributed members with an open HCC, a suspect or an overuse alert, most open and suspect dollars
first (audit dollars, at risk rather than to gain, are a column apart and only break ties). Member ids are in the worklists, suspects/, audit-risk/ and
the *.rejected.csv files only, never on the terminal or in the summary.
providers-summary.txt/json: the counts, and partner practices beside the others.
Every column and rule: evaluation/providers/README.md.

Examples:
  rafcast providers --data runs/synthetic --as-of 2026 --out runs/providers-2026
  rafcast providers --data runs/synthetic --as-of 2026 --suspects runs/suspects-2026 --audit-risk runs/audit-risk-2026 --out runs/providers-2026
  rafcast providers --data runs/synthetic --as-of 2026 --data-through 2026-03-31 --out runs/providers-2026-q1`,
    )
    .action((o: ProvidersOptions) => runAction(() => providers(o), { out: o.out }));
}

async function providers(o: ProvidersOptions): Promise<void> {
  await claimOutputFolder(o.out, {
    option: '--out',
    command: 'rafcast providers',
    writes: ['providers.csv', 'provider-hccs.csv', 'practices.csv', 'worklists', 'providers-summary.json', 'providers-summary.txt', 'suspects', 'audit-risk', ...rejectedFileNames(['members', 'enrollment', 'claims', 'providers'])],
    force: o.force === true,
  });
  const [{ runProviders }, { providersSummaryText }, { progressBar }] = await Promise.all([
    import('../../evaluation/providers/run-providers.ts'),
    import('../../evaluation/providers/summary-text.ts'),
    import('../progress.ts'),
  ]);
  const started = performance.now();
  const bars = new Map<string, ReturnType<typeof progressBar>>();
  let stage = '';
  const s = await runProviders(
    {
      data: o.data,
      asOf: o.asOf,
      out: o.out,
      annualBaseRate: o.baseRate,
      ...givenOptions({
        suspects: o.suspects,
        auditRisk: o.auditRisk,
        history: o.history,
        knownHistory: o.knownHistory,
        dataThrough: o.dataThrough,
        memoryLimit: o.memoryLimit,
      }),
    },
    (st, done, total) => {
      if (st === 'scoring member-years' || st === 'pricing suspects' || st === 'pricing alerts') {
        let bar = bars.get(st);
        if (bar === undefined) bars.set(st, (bar = progressBar(st, st === 'scoring member-years' ? 'member-years' : 'members')));
        bar.update(done, total);
      } else if (st !== stage) process.stderr.write(`${st} ...\n`);
      stage = st;
    },
  );
  for (const b of bars.values()) b.stop();
  process.stdout.write(`${providersSummaryText(s)}${((performance.now() - started) / 1000).toFixed(1)} s\n${s.files.map((f) => `  ${f}`).join('\n')}\n`);
}
