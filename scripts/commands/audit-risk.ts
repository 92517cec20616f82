// `rafcast audit-risk`: the HCCs of service year T-1 (paid in T) whose coding would likely fail a
// RADV review, one row per member, HCC and rule (evaluation/audit-risk/run-audit-risk.ts).
import type { Command } from 'commander';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { givenOptions, parseDollarsOption, parseMemoryLimit, parseYearOption, rejectedFileNames, runAction } from '../cli-support.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';

export interface AuditRiskOptions {
  data: string;
  asOf: number;
  out: string;
  baseRate: number;
  history?: string;
  memoryLimit?: string;
  force?: boolean;
}

export function addAuditRiskCommand(program: Command): void {
  program
    .command('audit-risk')
    .description('Overuse alerts: HCCs coded in T-1 (paid in T) that would likely fail a RADV review, each with its rule, claim, provider and dollars at stake.')
    .requiredOption('--data <dir>', 'folder with members, enrollment and claims, and providers when the plan has it (.parquet or .csv)')
    .requiredOption('--as-of <year>', 'the payment year T: the HCCs of service year T-1 are checked', parseYearOption('--as-of'))
    .requiredOption('--out <dir>', 'folder for alerts.csv, audit-risk-summary.json and audit-risk-summary.txt')
    .option('--force', FORCE_HELP)
    .option('--history <dir>', 'the rafcast history holding service year T-1 (default <data>/history)')
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseDollarsOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB; it spills to disk beyond (default: 4GB)', parseMemoryLimit)
    .addHelpText(
      'after',
      `
alerts.csv, one row per member, V28 HCC of T-1 and rule broken by the eligible claims behind it:
  single_claim            one claim in the year
  unacceptable_specialty  only professional claims of specialties not acceptable for risk
                          adjustment (providers file; without one the rule is not evaluated)
  chart_review_only       only chart review records
  acute_outpatient_only   acute MI (228) or stroke (249) on outpatient/professional claims with
                          no inpatient claim of it within 60 days
  lone_severity           one provider codes this level; another codes a lower one
with the latest claim behind it, its provider NPI, and the payment of T with the HCC minus
without it (the suspects' pricing; a lower level other claims support is kept). The rules and
their sources: data/reference/audit-risk/README.md. audit-risk-summary.txt/json: counts and
dollars by rule (no member id). Input rows the loader rejects: <out>/<table>.rejected.csv.

Examples:
  rafcast audit-risk --data runs/synthetic --as-of 2026 --out runs/audit-2026
  rafcast audit-risk --data runs/plan --as-of 2026 --history runs/plan-history --base-rate 12000 --out runs/audit-2026`,
    )
    .action((o: AuditRiskOptions) => runAction(() => auditRisk(o), { out: o.out }));
}

async function auditRisk(o: AuditRiskOptions): Promise<void> {
  await claimOutputFolder(o.out, { option: '--out', command: 'rafcast audit-risk', writes: ['alerts.csv', 'audit-risk-summary.json', 'audit-risk-summary.txt', ...rejectedFileNames(['members', 'enrollment', 'claims', 'providers'])], force: o.force === true });
  const [{ runAuditRisk }, { auditRiskText }, { progressBar }] = await Promise.all([
    import('../../evaluation/audit-risk/run-audit-risk.ts'),
    import('../../evaluation/audit-risk/audit-risk.ts'),
    import('../progress.ts'),
  ]);
  const started = performance.now();
  let bar: ReturnType<typeof progressBar> | undefined;
  let stage = '';
  const s = await runAuditRisk(
    {
      data: o.data,
      asOf: o.asOf,
      out: o.out,
      annualBaseRate: o.baseRate,
      ...givenOptions({ history: o.history, memoryLimit: o.memoryLimit }),
    },
    (st, done, total) => {
      if (st === 'pricing alerts') (bar ??= progressBar(st, 'members')).update(done, total);
      else if (st !== stage) process.stderr.write(`${st} ...\n`);
      stage = st;
    },
  );
  bar?.stop();
  const rejected = Object.entries(s.rejectedRows).map(([f, n]) => `${f}: ${n} rows rejected\n`).join('');
  process.stdout.write(`${auditRiskText(s)}${rejected}${((performance.now() - started) / 1000).toFixed(1)} s\n${[...s.files, ...s.quarantine].map((f) => `  ${f}`).join('\n')}\n`);
}
