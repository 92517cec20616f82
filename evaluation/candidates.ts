// `rafcast candidates`: the January list. The members most likely to be in the top 20% of RAF_T,
// in the two forms their users work with: for finance, each member's rank, probability, decile,
// RAF_{T-2}, RAF_{T-1}, segment and what outreach on their open HCCs is expected to bring
// (expected_accelerated, expected_incremental, expected_dollars); for care managers, the same
// members ordered by expected_dollars, each with the HCCs to recapture (code, description, last
// date coded, provider, recapture rate, expected dollars; ' | '-separated, as CMS labels hold ';')
// and the member's own provider. recapture-rates.csv gives every rate the list used.
//
// Open HCCs and the rates: evaluation/recapture-rates.ts; what they are worth:
// evaluation/candidate-value.ts.
import { writeFile, unlink, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OUTPUT_FILE_MODE, temporaryPathFor, writeFileAtomically } from '../data/atomic-file.ts';
import { csvField } from '../data/csv.ts';
import { copyAtomically, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import { loadPaymentFactors } from '../data/reference/cms-hcc-tables.ts';
import { nearestYear, tablesFor } from '../data/reference/tables-for.ts';
import { expectedGain, openHccValues, type ExpectedGain, type PricedHcc } from './candidate-value.ts';
import { memberProviderSql, ratesOf, readOpenHccs, readRecaptureCells, type RecaptureSources } from './recapture-rates.ts';
import { calibrationCsv, calibrationTable, readMemberScores, type CalibrationRow } from './candidate-calibration.ts';
import { growthRatio } from './revenue.ts';
import { resolveDemographics, type Demographics, type DualStatus } from '../scoring/demographics.ts';
import { blendedModels, resolvePaymentParameters, type PaymentParameters } from '../scoring/payment-score.ts';
import { decilesOf, listSize, rankOrder } from '../models/metrics.ts';
import { hasYear } from '../models/dataset.ts';
import { withScoredMembers, type ScoredMembers } from '../models/model-run.ts';
import { historyDir, historyFile } from '../models/run-registry.ts';

export interface CandidatesOptions {
  run: string;
  asOf: number;
  /** Share of the members on the list (default 0.2). */
  top: number;
  out: string;
  annualBaseRate: number;
  data?: string;
  history?: string;
  memoryLimit?: string;
  /** A queued run's intermediate files: the as-of year's features, the model's scores, the checked shards. */
  features?: string;
  scores?: string;
  checked?: readonly string[];
}

export interface CandidatesSummary {
  members: number;
  listed: number;
  /** Sums over the list of each member's expected dollars (evaluation/candidate-value.ts): moved from August to January-June. */
  expectedAccelerated: number;
  /** Gained: would otherwise never be paid. */
  expectedIncremental: number;
  /** expectedAccelerated + expectedIncremental. */
  expectedDollars: number;
  paymentYear: number;
  /** The payment year whose factors priced the list (differs when T+1 has none bundled). */
  factorsYear: number;
  /** The expected dollars against the measured, over the whole list (calibration.csv), or why there is none. */
  calibration: { total: CalibrationRow; c: number; file: string } | { notMeasurable: string };
  files: string[];
  backend: string;
}

/** Payment parameters of payment year T+1, or of the nearest bundled year. */
function pricing(paymentYear: number): { params: PaymentParameters; factorsYear: number } {
  const rows = loadPaymentFactors();
  const years = [...new Set(rows.map((r) => r.paymentYear))].filter((y) => {
    try {
      resolvePaymentParameters(y, rows);
      return true;
    } catch {
      return false;
    }
  });
  const factorsYear = nearestYear(years, paymentYear);
  return { params: resolvePaymentParameters(factorsYear, rows), factorsYear };
}

export async function writeCandidates(opts: CandidatesOptions, log: (line: string) => void = () => undefined): Promise<CandidatesSummary> {
  if (!(opts.top > 0 && opts.top <= 1)) throw new ConfigError(`--top must be a share in (0, 1], found ${opts.top}`);
  if (!(opts.annualBaseRate > 0)) throw new ConfigError(`the base rate must be positive, found ${opts.annualBaseRate}`);
  const T = opts.asOf;
  const { params, factorsYear } = pricing(T + 1);
  const weights = blendedModels(params);
  // The model whose HCCs the outreach list names: the one with the largest weight.
  const shown = [...weights].sort((a, b) => (params.blend[b] ?? 0) - (params.blend[a] ?? 0))[0]!;
  const tables = Object.fromEntries(weights.map((m) => [m, tablesFor(m, factorsYear)]));
  await mkdir(opts.out, { recursive: true, mode: 0o700 });

  return withScoredMembers(
    opts,
    async ({ conn, inputs, run, backend, rows, prob, attachData }) => {
      const order = rankOrder(prob);
      const deciles = decilesOf(prob);
      const k = listSize(rows.ids.length, opts.top);
      const listed = Array.from(order.subarray(0, k));
      const ids = listed.map((i) => rows.ids[i]!);
      // The list's members into DuckDB, with rank and probability.
      const listCsv = temporaryPathFor(join(opts.out, 'list.csv'));
      await writeFile(listCsv, listed.map((i, r) => `${csvField(rows.ids[i]!)},${r + 1},${prob[i]},${deciles[i]}`).join('\n') + '\n', { mode: OUTPUT_FILE_MODE });
      try {
        await conn.run(
          `CREATE OR REPLACE TEMP TABLE _list AS SELECT * FROM read_csv(${sqlString(listCsv)}, header = false, auto_detect = false,
             columns = {'member_id': 'VARCHAR', 'rank': 'INTEGER', 'probability': 'DOUBLE', 'decile': 'INTEGER'})`,
        );
      } finally {
        await unlink(listCsv).catch(() => undefined);
      }
      const hist = historyFile(inputs);
      const hcc = join(historyDir(inputs), 'raf_hcc.parquet');
      // The member's provider and the rates read the claims; the rates read the whole plan's
      // history and claims (a queued run passes every shard's), never a shard's.
      await attachData();
      const src: RecaptureSources = { hcc: `read_parquet(${sqlString(hcc)})`, history: `read_parquet(${sqlString(hist)})`, claims: 'claims' };
      const cells = await readRecaptureCells(conn, src, T);
      const rateOf = ratesOf(cells);
      const open = await readOpenHccs(conn, src, T, '_list', weights);
      const demographics = await pricingDemographics(conn, hist, T);
      const priced = ids.filter((id) => (open.get(id)?.length ?? 0) > 0);
      const values = openHccValues(
        priced.map((id) => ({ demographics: demographics.get(id)!, open: open.get(id)! })),
        { tables, params, annualBaseRate: opts.annualBaseRate },
      );
      const gains = new Map<string, ExpectedGain>(priced.map((id, i) => [id, expectedGain(open.get(id)!, values[i]!, rateOf)]));
      const none: ExpectedGain = { hccs: [], accelerated: 0, incremental: 0, dollars: 0 };
      const gainOf = (id: string): ExpectedGain => gains.get(id) ?? none;
      // What the outreach list names: the shown model's open HCCs with a value, largest expected dollars first.
      const named = (id: string): PricedHcc[] =>
        gainOf(id)
          .hccs.filter((h) => h.open.model === shown && h.value > 0)
          .sort((a, b) => b.accelerated + b.incremental - (a.accelerated + a.incremental) || a.open.hcc - b.open.hcc);
      const dollarsCsv = temporaryPathFor(join(opts.out, 'dollars.csv'));
      await writeFile(
        dollarsCsv,
        ids
          .map((id) => {
            const g = gainOf(id);
            return `${csvField(id)},${named(id).length},${g.accelerated.toFixed(2)},${g.incremental.toFixed(2)},${g.dollars.toFixed(2)}`;
          })
          .join('\n') + '\n',
        { mode: OUTPUT_FILE_MODE },
      );
      const files: string[] = [];
      try {
        await conn.run(
          `CREATE OR REPLACE TEMP TABLE _dollars AS SELECT * FROM read_csv(${sqlString(dollarsCsv)}, header = false, auto_detect = false,
             columns = {'member_id': 'VARCHAR', 'open_hccs': 'INTEGER', 'expected_accelerated': 'DECIMAL(14,2)', 'expected_incremental': 'DECIMAL(14,2)',
                        'expected_dollars': 'DECIMAL(14,2)'})`,
        );
      } finally {
        await unlink(dollarsCsv).catch(() => undefined);
      }
      // The member's provider: as the rates define it (recapture-rates.ts), in T-1.
      await conn.run(`CREATE OR REPLACE TEMP TABLE _provider AS SELECT * FROM (${memberProviderSql('claims', T - 1)}) SEMI JOIN _list USING (member_id)`);
      const finance = `
        SELECT l.member_id, l.rank, l.probability, l.decile, h2.raf AS raf_t2, h1.raf AS raf_t1, h1.segment,
               d.open_hccs, d.expected_accelerated, d.expected_incremental, d.expected_dollars, ${T} AS as_of,
               ${sqlString(run.record.model)} AS model, ${sqlString(run.record.runId)} AS run_id, ${sqlString(backend)} AS backend
        FROM _list l JOIN _dollars d USING (member_id)
          LEFT JOIN (SELECT * FROM read_parquet(${sqlString(hist)}) WHERE year = ${T - 1}) h1 USING (member_id)
          LEFT JOIN (SELECT * FROM read_parquet(${sqlString(hist)}) WHERE year = ${T - 2}) h2 USING (member_id)
        ORDER BY l.rank`;
      for (const [name, format] of [['candidates.csv', 'csv'], ['candidates.parquet', 'parquet']] as const) {
        await copyAtomically(conn, finance, join(opts.out, name), format);
        files.push(join(opts.out, name));
      }
      // Outreach: by expected dollars, then rank; one row a member, the HCCs spelled out.
      const providers = new Map(
        (await conn.runAndReadAll(`SELECT member_id, provider_npi FROM _provider`)).getRowObjectsJson().map((r) => [String(r.member_id), String(r.provider_npi)]),
      );
      const byDollars = ids.map((id, r) => ({ id, r })).sort((a, b) => gainOf(b.id).dollars - gainOf(a.id).dollars || a.r - b.r);
      const lines = ['priority,member_id,expected_accelerated,expected_incremental,expected_dollars,probability,list_rank,member_provider_npi,hccs_to_recapture,hccs'];
      byDollars.forEach(({ id, r }, p) => {
        const g = gainOf(id);
        const hccs = named(id).map((h) => outreachHcc(h, T));
        lines.push(
          [p + 1, csvField(id), g.accelerated.toFixed(2), g.incremental.toFixed(2), g.dollars.toFixed(2), prob[listed[r]!], r + 1, providers.get(id) ?? '', hccs.length, csvField(hccs.join(' | '))].join(','),
        );
      });
      await writeFileAtomically(join(opts.out, 'outreach.csv'), `${lines.join('\n')}\n`);
      files.push(join(opts.out, 'outreach.csv'));
      await writeFileAtomically(join(opts.out, 'recapture-rates.csv'), recaptureRatesCsv([...gains.values()].flatMap((g) => g.hccs)));
      files.push(join(opts.out, 'recapture-rates.csv'));
      // The backtest of the expected dollars, when the history holds T+1 (candidate-calibration.ts).
      let calibration: CandidatesSummary['calibration'];
      if (await hasYear(conn, hist, T + 1)) {
        const scores = await readMemberScores(conn, hist, T, rows.ids);
        const growth = growthRatio(scores, T);
        if (growth.c === null) {
          calibration = { notMeasurable: growth.notMeasurable ?? `c is not measurable` };
        } else {
          const at = new Map(rows.ids.map((id, i) => [id, i]));
          const table = calibrationTable(
            byDollars.map(({ id }) => {
              const g = gainOf(id);
              return { expectedAccelerated: g.accelerated, expectedIncremental: g.incremental, expectedDollars: g.dollars, scores: scores[at.get(id)!]! };
            }),
            growth.c,
            opts.annualBaseRate,
          );
          const file = join(opts.out, 'calibration.csv');
          await writeFileAtomically(file, calibrationCsv(table));
          files.push(file);
          calibration = { total: table[table.length - 1]!, c: growth.c, file };
        }
      } else {
        calibration = { notMeasurable: `the history has no ${T + 1}: what the list brought is not known yet (RAF_${T + 1} is needed)` };
      }
      // Totals in cents: whole numbers add exactly.
      const cents = (f: (g: ExpectedGain) => number): number => ids.reduce((a, id) => a + Math.round(f(gainOf(id)) * 100), 0) / 100;
      const totals = { accelerated: cents((g) => g.accelerated), incremental: cents((g) => g.incremental), dollars: cents((g) => g.dollars) };
      log(`${k} of ${rows.ids.length} members listed; expected accelerated ${totals.accelerated.toFixed(2)}, incremental ${totals.incremental.toFixed(2)}`);
      return {
        members: rows.ids.length,
        listed: k,
        expectedAccelerated: totals.accelerated,
        expectedIncremental: totals.incremental,
        expectedDollars: totals.dollars,
        paymentYear: T + 1,
        factorsYear,
        calibration,
        files,
        backend,
      };
    },
    log,
  );
}

/** An open HCC as the outreach list names it: the evidence, the rate and the expected dollars (the shown model's part). */
function outreachHcc(h: PricedHcc, T: number): string {
  const o = h.open;
  const notes = [
    `last coded ${o.lastDate}${o.provider ? ` by NPI ${o.provider}` : ''}${o.byMemberProvider ? " (the member's provider)" : ''}`,
    ...(o.dropped ? [`not coded in ${T - 1}`] : []),
    ...(h.outrankedBy.length > 0 ? [`below HCC ${h.outrankedBy.join(', ')}`] : []),
    `recapture rate ${h.rate.rate.toFixed(2)}`,
    `expected $${(h.accelerated + h.incremental).toFixed(2)}`,
  ];
  return `${o.model} HCC ${o.hcc} ${o.description} (${notes.join('; ')})`;
}

/** recapture-rates.csv: one row per rate the list used (model, HCC, class, provider), with its pool and counts, and how many listed HCCs used it. */
function recaptureRatesCsv(hccs: readonly PricedHcc[]): string {
  const rows = new Map<string, { line: string; n: number }>();
  for (const h of hccs) {
    const o = h.open;
    const r = h.rate;
    const key = [o.model, o.hcc, o.dropped ? 'dropped' : 'persistent', o.byMemberProvider].join(',');
    const line = `${key},${r.rate.toFixed(4)},${csvField(r.ratePool)},${r.atRisk},${r.recaptured},${r.late.toFixed(4)},${csvField(r.latePool)},${r.recapturedOutsideWindow}`;
    const row = rows.get(key) ?? { line, n: 0 };
    row.n++;
    rows.set(key, row);
  }
  const sorted = [...rows.entries()].sort(([a], [b]) => {
    const [ma, ha, ...ra] = a.split(',');
    const [mb, hb, ...rb] = b.split(',');
    return ma!.localeCompare(mb!) || Number(ha) - Number(hb) || ra.join(',').localeCompare(rb.join(','));
  });
  return `${['model,hcc,class,by_member_provider,rate,rate_pool,at_risk,recaptured,late_share,late_pool,recaptured_outside_window,listed_hccs', ...sorted.map(([, r]) => `${r.line},${r.n}`)].join('\n')}\n`;
}

/**
 * Demographics for payment year T+1 of the members of `_list` with a history row in T-1 or T-2,
 * from the latest: the age moved on to February 1 of T+1, dual and institutional status as of
 * that row, no longer a new enrollee (every member with an open HCC has such a row).
 */
async function pricingDemographics(conn: ScoredMembers['conn'], hist: string, T: number): Promise<Map<string, Demographics>> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT member_id, year, sex, age, orec, dual_status, institutional FROM read_parquet(${sqlString(hist)})
       WHERE year IN (${T - 1}, ${T - 2}) AND member_id IN (SELECT member_id FROM _list)
       QUALIFY row_number() OVER (PARTITION BY member_id ORDER BY year DESC) = 1`,
    )
  ).getRowObjectsJson();
  return new Map(
    rows.map((r) => [
      String(r.member_id),
      resolveDemographics(
        {
          sex: r.sex as Demographics['sex'],
          age: Number(r.age) + (T - Number(r.year)),
          orec: String(r.orec),
          dualStatus: r.dual_status as DualStatus,
          institutional: r.institutional === true,
          newEnrollee: false,
        },
        T + 1,
      ),
    ]),
  );
}
