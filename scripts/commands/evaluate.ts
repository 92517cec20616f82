// `rafcast evaluate`: a run's backtest at as-of T of the model's list and the list ranked by
// expected dollars against the naive and analyst's lists, beside the references (perfect
// knowledge, the ceiling of true dollars), and a list made elsewhere (--list), with accelerated and
// incremental revenue (evaluation/evaluate-run.ts).
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { DATA_THROUGH_HELP, parseDataThrough, parseDollarsOption, parseYearOption, runAction } from '../cli-support.ts';
import { S3_ENDPOINT_HELP, STORE_READ_HELP, parseS3Endpoint, parseStoreUrl, storeFolders } from '../cli-store.ts';
import { growthLines, listLine } from '../summary-lines.ts';
import { externalListLines, groupLines } from '../group-lines.ts';
import { dollars, listLabel, percent } from '../../evaluation/format.ts';
import type { Evaluation } from '../../evaluation/evaluation-types.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';

export interface EvaluateOptions {
  run: string;
  asOf: number;
  out: string;
  baseRate: number;
  data?: string;
  history?: string;
  list?: string;
  dataThrough?: string;
  allMembers?: boolean;
  statuses?: string;
  force?: boolean;
  store?: string;
  s3Endpoint?: string;
}

export function addEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description(
      'Backtest a run at as-of T: the model\'s, the naive, the analyst\'s and (on generated data) the perfect-knowledge lists, and a list made elsewhere, with accelerated and incremental revenue.',
    )
    .requiredOption('--run <dir>', 'a run folder from rafcast train')
    .requiredOption('--as-of <year>', 'the as-of year T (the history needs T and, for incremental revenue, T+1)', parseYearOption('--as-of'))
    .requiredOption('--out <dir>', 'folder for evaluation.json, members.csv, deciles.csv and cash.csv')
    .option('--force', FORCE_HELP)
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseDollarsOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--data <dir>', 'other data than the run was trained on')
    .option('--history <dir>', 'its rafcast history output (default <data>/history)')
    .option('--data-through <date>', `${DATA_THROUGH_HELP}: the model's scores and the naive and analyst lists see only those claims; labels and dollars come from the complete history`, parseDataThrough)
    .option('--all-members', "members.csv lists every member with their true and expected dollars, not only the lists' members (about 150 MB at a million members)")
    .option('--statuses <run>', 'a run folder served by rafcast serve: of the members its care managers marked documented, the open HCCs coded in T and their dollars (outreach-outcome.json; its history/ unless --history)')
    .option('--store <url>', `${STORE_READ_HELP} (--run models/<kind>; --data defaults to the run's input/, --history to its history/)`, parseStoreUrl)
    .option('--s3-endpoint <url>', S3_ENDPOINT_HELP, parseS3Endpoint)
    .option('--list <file>', 'a list made elsewhere to evaluate beside the others: CSV or Parquet with a member_id column and, optionally, rank (1 = first; else file order)')
    .addHelpText(
      'after',
      `
Accelerated revenue (dollars moved earlier): the positive August lump sums of payment year T+1
for the list's members enrolled and alive in August, which early capture would have paid in
January, 7 months earlier. Incremental revenue (dollars gained): c = mean(RAF_{T+1}) / mean(RAF_T)
over the members with both years; listed members above c, their gaps in dollars; a listed member
with no RAF_{T+1} (died, left) has no measurable gap and is counted apart. Without RAF_{T+1} in
the data, c and incremental revenue are not measurable. The two are never added. DOMAIN.md section 4.

Baselines: the naive list ranks by RAF_{T-1}, members new in T last; the analyst's ranks new
members by the demographic payment score the engine gives them. Figures are given over all
members and over continuing (with RAF_{T-1}) and new members apart: a group's precision is the
share of the list's members in that group who are in the top 20% of RAF_T overall.
A --list file is evaluated as given, whatever its size (which is printed); member ids that are not
members at as-of T are counted, not evaluated; a repeated member id is an error.

Examples:
  rafcast train --data runs/synthetic --as-of 2024 --out runs/models/mlp-2024
  rafcast evaluate --run runs/models/mlp-2024 --as-of 2024 --out runs/evaluation-2024
  rafcast evaluate --run runs/models/mlp-2024 --as-of 2024 --data-through 2024-01-15 --out runs/evaluation-2024-jan15
  rafcast evaluate --run runs/models/mlp-2024 --as-of 2024 --list vendor-list.csv --out runs/evaluation-2024-vendor
  rafcast evaluate --run runs/models/mlp-2024 --as-of 2024 --all-members --out runs/evaluation-2024-every-member
  rafcast evaluate --run runs/default-2024/models/mlp --as-of 2024 --statuses runs/default-2024 --out runs/evaluation-2024-outreach
  rafcast evaluate --store s3://rafcast-runs/2024 --run models/logistic --as-of 2024 --out runs/evaluation-2024
  rafcast evaluate --store s3://runs/2024 --s3-endpoint http://minio.internal:9000 --run models/mlp --as-of 2024 --out runs/evaluation-2024`,
    )
    .action((o: EvaluateOptions) => runAction(() => evaluate(o), { out: o.out }));
}

async function evaluate(given: EvaluateOptions): Promise<void> {
  // A run in an S3 store: its local copy, the folders inside it; the data the run was given and its history by default.
  const s = await storeFolders(given);
  const o: EvaluateOptions =
    s === undefined
      ? given
      : { ...given, run: s.inRun(given.run), data: s.inRun(given.data ?? 'input'), history: s.inRun(given.history ?? 'history'), ...(given.statuses !== undefined ? { statuses: s.inRun(given.statuses) } : {}) };
  await claimOutputFolder(o.out, { option: '--out', command: 'rafcast evaluate', writes: ['evaluation.json', 'members.csv', 'deciles.csv', 'cash.csv', 'outreach-outcome.json'], ownedIf: ['evaluation.json'], force: o.force === true });
  const { evaluateRun } = await import('../../evaluation/evaluate-run.ts');
  const started = performance.now();
  const e = await evaluateRun({ run: o.run, asOf: o.asOf, out: o.out, annualBaseRate: o.baseRate, data: o.data, history: o.history, list: o.list, allMembers: o.allMembers === true, ...(o.dataThrough !== undefined ? { dataThrough: o.dataThrough } : {}) }, (l) => process.stderr.write(`${l}\n`));
  const lines = [
    `as-of ${e.asOf}: ${e.members} members, lists of ${e.listSize}`,
    ...growthLines(e),
    ...e.lists.map((l) => listLine(l.name, l, e.asOf)),
    ...groupLines(e),
    ...dollarsLines(e),
    ...externalListLines(e),
    e.verdict,
    ...(await outcomeLines(o)),
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
    ...['evaluation.json', 'members.csv', 'deciles.csv', 'cash.csv', ...(o.statuses !== undefined ? ['outreach-outcome.json'] : [])].map((f) => `  ${join(o.out, f)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** With --statuses: what the outreach brought (evaluation/serve/outreach-outcome.ts), written to outreach-outcome.json, in two lines. */
async function outcomeLines(o: EvaluateOptions): Promise<string[]> {
  if (o.statuses === undefined) return [];
  const [{ outreachOutcome }, { writeFileAtomically }] = await Promise.all([import('../../evaluation/serve/outreach-outcome.ts'), import('../../data/atomic-file.ts')]);
  const r = await outreachOutcome({ run: o.statuses, asOf: o.asOf, ...(o.history !== undefined ? { history: o.history } : {}) });
  await writeFileAtomically(join(o.out, 'outreach-outcome.json'), `${JSON.stringify(r, null, 2)}\n`);
  const line = (what: string, g: typeof r.documented): string =>
    `${what}: ${g.members} members, ${g.coded} of their ${g.openHccs} open HCCs coded in ${o.asOf}${g.codedShare === null ? '' : ` (${percent(g.codedShare)})`}, worth ${dollars(g.codedDollars)} a year of ${dollars(g.openDollars)}`;
  return [line('outreach, marked documented', r.documented), line('outreach, the other listed members', r.notDocumented)];
}

/**
 * Each list's dollars as a share of the references' (perfect knowledge, the ceiling), the expected
 * dollars of the model's and the dollars-ranked lists beside the measured, and the dollar model
 * they come from.
 */
export function dollarsLines(e: Evaluation): string[] {
  const share = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : percent(x));
  const refs = (['perfect', 'ceiling'] as const).filter((r) => e.lists.some((l) => l.name === r));
  if (refs.length === 0) return [];
  const lines = [`share of the reference lists' dollars (accelerated / incremental): ${refs.map((r) => listLabel(r)).join('; ')}`];
  for (const l of e.lists) {
    if (refs.includes(l.name as (typeof refs)[number])) continue;
    lines.push(`${l.name.padEnd(8)} ${refs.map((r) => `${r} ${share(l.captured?.[r]?.accelerated)} / ${share(l.captured?.[r]?.incremental)}`).join('  ')}`);
  }
  for (const l of e.lists) {
    if (l.expected === undefined) continue;
    const inc = l.revenue.incremental.total;
    lines.push(
      `${l.name.padEnd(8)} expected on January 1: accelerated ${dollars(l.expected.accelerated)} (measured ${dollars(l.revenue.accelerated.total)}), incremental ${dollars(l.expected.incremental)} (measured ${inc === null ? 'not measurable' : dollars(inc)})`,
    );
  }
  const m = e.dollarModel;
  if (m !== undefined) lines.push('notFitted' in m ? `expected dollars: the open HCCs priced alone (${m.notFitted})` : `expected dollars: the dollar model fitted at as-of ${m.fittedAt} on ${m.members} members (evaluation/dollar-model.ts)`);
  return lines;
}
