// `rafcast report`: a self-contained HTML report of an evaluation (evaluation/report.ts).
import type { Command } from 'commander';
import { parseCountOption, runAction } from '../cli-support.ts';
import { S3_ENDPOINT_HELP, STORE_READ_HELP, parseS3Endpoint, parseStoreUrl, storeFolders } from '../cli-store.ts';

export interface ReportOptions {
  evaluation: string;
  candidates?: string;
  providers?: string;
  suspects?: string;
  knownHistory?: string;
  alignment?: string;
  benchmark?: string;
  alignBacktest?: string;
  top: number;
  out: string;
  store?: string;
  s3Endpoint?: string;
}

export function addReportCommand(program: Command): void {
  program
    .command('report')
    .description('A self-contained HTML report of an evaluation: headline figures, lift and gain curves, deciles, dollars, cash by month, the outreach list.')
    .requiredOption('--evaluation <dir>', 'a folder from rafcast evaluate')
    .option('--candidates <dir>', 'a folder from rafcast candidates: the top of its outreach list goes in the report')
    .option('--providers <dir>', 'a folder from rafcast providers: clinicians ranked by open dollars and their recapture rates')
    .option('--suspects <dir>', 'a folder from rafcast suspects of the same as-of: with --known-history, the three-column illustration of the outreach members shown')
    .option('--known-history <dir>', 'the rafcast history as known on the suspects\' cut-off (T-2..T), for the three columns')
    .option('--alignment <dir>', 'a folder from rafcast align: the ACO REACH section (alignment by type and practice against the minimum, the projection)')
    .option('--benchmark <dir>', 'a folder from rafcast benchmark of the same performance year, with --alignment: the benchmark by alignment type, lost to the cap, where effort pays')
    .option('--align-backtest <dir>', 'a folder from rafcast align-backtest, with --alignment: how far the projection held before')
    .option('--store <url>', `${STORE_READ_HELP} (--evaluation evaluation/<kind>, --candidates candidates)`, parseStoreUrl)
    .option('--s3-endpoint <url>', S3_ENDPOINT_HELP, parseS3Endpoint)
    .option('--top <n>', 'outreach rows (and clinicians, practices, effort rows) to show', parseCountOption('--top'), 20)
    .requiredOption('--out <file>', 'the HTML file (owner-only: it may hold member ids)')
    .addHelpText(
      'after',
      `
The file has no scripts and fetches nothing: charts are inline SVG (Vega-Lite, rendered in Node).
With --alignment (and --benchmark, --align-backtest), the ACO REACH section; without, a note.
With --candidates, --suspects and --known-history, each outreach member shown gets the three
columns of rafcast explain (demographics only, plus HCCs coded, full coding of every suspect: RAF,
monthly and annual payment for T+1), at the suspects' base rate.

Examples:
  rafcast report --evaluation runs/evaluation-2024 --out runs/report-2024.html
  rafcast report --evaluation runs/evaluation-2024 --candidates runs/candidates-2024 --out runs/report.html
  rafcast report --evaluation runs/evaluation-2024 --providers runs/providers-2024 --out runs/report.html
  rafcast report --evaluation runs/evaluation-2024 --alignment runs/align-2026 --benchmark runs/benchmark-2026 --align-backtest runs/align-backtest-2025 --out runs/report.html
  rafcast report --evaluation runs/evaluation-2024 --candidates runs/candidates-2024 --suspects runs/suspects-2024 --known-history runs/known-2024 --out runs/report.html
  rafcast report --store s3://rafcast-runs/2024 --evaluation evaluation/mlp --candidates candidates --out runs/report-2024.html`,
    )
    .action((o: ReportOptions) => runAction(() => report(o), { out: o.out, outIsFile: true }));
}

async function report(given: ReportOptions): Promise<void> {
  // A run in an S3 store: every folder option inside its local copy; --out stays a local file.
  const s = await storeFolders(given);
  const folders = ['evaluation', 'candidates', 'providers', 'suspects', 'knownHistory', 'alignment', 'benchmark', 'alignBacktest'] as const;
  const o: ReportOptions = s === undefined ? given : { ...given, ...Object.fromEntries(folders.filter((k) => given[k] !== undefined).map((k) => [k, s.inRun(given[k]!)])) };
  if ((o.suspects === undefined) !== (o.knownHistory === undefined)) {
    const { ConfigError } = await import('../../data/errors.ts');
    throw new ConfigError('--suspects and --known-history go together: the three columns need the suspects and the history they were found in');
  }
  if (o.alignment === undefined && (o.benchmark !== undefined || o.alignBacktest !== undefined)) {
    const { ConfigError } = await import('../../data/errors.ts');
    throw new ConfigError('--benchmark and --align-backtest go with --alignment: the ACO REACH section starts from rafcast align\'s folder');
  }
  const { writeReport } = await import('../../evaluation/report.ts');
  const illustration = o.suspects !== undefined && o.knownHistory !== undefined ? { suspects: o.suspects, knownHistory: o.knownHistory } : undefined;
  const aco = o.alignment === undefined ? undefined : { alignment: o.alignment, ...(o.benchmark !== undefined ? { benchmark: o.benchmark } : {}), ...(o.alignBacktest !== undefined ? { backtest: o.alignBacktest } : {}) };
  await writeReport(o.evaluation, o.out, o.candidates, o.top, o.providers, illustration, aco);
  process.stdout.write(`report: ${o.out}\n`);
}
