// `rafcast candidates`: the January list. The members most likely to be in the top 20% of RAF_T,
// in the two forms their users work with: for finance, each member's rank, probability, decile,
// RAF_{T-2}, RAF_{T-1}, segment and the dollars their open HCCs would bring if recaptured; for
// care managers, the same members ordered by those dollars, each with the HCCs to recapture
// (code, description, last date coded, provider; ' | '-separated, as CMS labels hold ';') and
// the member's own provider.
//
// Open HCCs and what they are worth: evaluation/candidate-value.ts.
import { writeFile, unlink, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OUTPUT_FILE_MODE, temporaryPathFor, writeFileAtomically } from '../data/atomic-file.ts';
import { csvField } from '../data/csv.ts';
import { copyAtomically, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import { loadPaymentFactors, type ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { nearestYear, tablesFor } from '../data/reference/tables-for.ts';
import { openHccValue, type OpenHcc } from './candidate-value.ts';
import { blendedModels, resolvePaymentParameters, type PaymentParameters } from '../scoring/payment-score.ts';
import { decilesOf, listSize, rankOrder } from '../models/metrics.ts';
import { withScoredMembers } from '../models/model-run.ts';
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
  memoryLimit?: string;  /** A queued run's intermediate files: the as-of year's features, the model's scores, the checked shards. */
  features?: string;
  scores?: string;
  checked?: readonly string[];
}

export interface CandidatesSummary {
  members: number;
  listed: number;
  expectedDollars: number;
  paymentYear: number;
  /** The payment year whose factors priced the list (differs when T+1 has none bundled). */
  factorsYear: number;
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
  const hierarchy = new Map(weights.map((m) => [m, tablesFor(m, factorsYear).hierarchy]));
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
      // Open HCCs: coded in T-1 or T-2, the latest coding of each.
      const hccRows = (
        await conn.runAndReadAll(
          `SELECT h.member_id, h.model, h.hcc, arg_max(h.description, h.year) AS description, arg_max(h.factor, h.year) AS factor,
                  max(h.last_service_date)::VARCHAR AS last_date, arg_max(h.provider_npi, (h.year, h.last_service_date)) AS provider,
                  max(h.year) = ${T - 2} AS dropped
           FROM read_parquet(${sqlString(hcc)}) h JOIN _list USING (member_id)
           WHERE h.year IN (${T - 1}, ${T - 2}) GROUP BY ALL ORDER BY h.member_id, h.model, h.hcc`,
        )
      ).getRowObjectsJson();
      const open = new Map<string, OpenHcc[]>();
      for (const r of hccRows) {
        const list = open.get(String(r.member_id)) ?? [];
        list.push({
          model: r.model as ModelVersion,
          hcc: Number(r.hcc),
          description: String(r.description ?? ''),
          factor: Number(r.factor),
          lastDate: String(r.last_date),
          provider: String(r.provider ?? ''),
          dropped: r.dropped === true,
        });
        open.set(String(r.member_id), list);
      }
      const expected = new Map<string, number>();
      const kept = new Map<string, OpenHcc[]>();
      for (const id of ids) {
        const value = openHccValue(open.get(id) ?? [], params, hierarchy, shown, opts.annualBaseRate);
        expected.set(id, value.dollars);
        kept.set(id, value.kept);
      }
      const dollarsCsv = temporaryPathFor(join(opts.out, 'dollars.csv'));
      await writeFile(
        dollarsCsv,
        ids.map((id) => `${csvField(id)},${expected.get(id)!.toFixed(2)},${kept.get(id)?.length ?? 0}`).join('\n') + '\n',
        { mode: OUTPUT_FILE_MODE },
      );
      const files: string[] = [];
      try {
        await conn.run(
          `CREATE OR REPLACE TEMP TABLE _dollars AS SELECT * FROM read_csv(${sqlString(dollarsCsv)}, header = false, auto_detect = false,
             columns = {'member_id': 'VARCHAR', 'expected_dollars': 'DECIMAL(14,2)', 'open_hccs': 'INTEGER'})`,
        );
      } finally {
        await unlink(dollarsCsv).catch(() => undefined);
      }
      // The member's provider: the NPI on most of their professional claims in T-1.
      await attachData();
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE _provider AS
         SELECT member_id, arg_max(rendering_npi, (n, rendering_npi)) AS provider_npi FROM (
           SELECT c.member_id, c.rendering_npi, count(*) AS n FROM claims c JOIN _list USING (member_id)
           WHERE c.claim_type = 'professional' AND c.rendering_npi IS NOT NULL AND c.thru_date BETWEEN DATE '${T - 1}-01-01' AND DATE '${T - 1}-12-31'
           GROUP BY ALL) GROUP BY member_id`,
      );
      const finance = `
        SELECT l.member_id, l.rank, l.probability, l.decile, h2.raf AS raf_t2, h1.raf AS raf_t1, h1.segment,
               d.open_hccs, d.expected_dollars, ${T} AS as_of, ${sqlString(run.record.model)} AS model, ${sqlString(run.record.runId)} AS run_id,
               ${sqlString(backend)} AS backend
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
      const byDollars = ids.map((id, r) => ({ id, r })).sort((a, b) => expected.get(b.id)! - expected.get(a.id)! || a.r - b.r);
      const lines = ['priority,member_id,expected_dollars,probability,list_rank,member_provider_npi,hccs_to_recapture,hccs'];
      byDollars.forEach(({ id, r }, p) => {
        const hccs = (kept.get(id) ?? [])
          .sort((a, b) => b.factor - a.factor || a.hcc - b.hcc)
          .map((h) => `${h.model} HCC ${h.hcc} ${h.description} (last coded ${h.lastDate}${h.provider ? ` by NPI ${h.provider}` : ''}${h.dropped ? `; not coded in ${T - 1}` : ''})`);
        lines.push(
          [p + 1, csvField(id), expected.get(id)!.toFixed(2), prob[listed[r]!], r + 1, providers.get(id) ?? '', hccs.length, csvField(hccs.join(' | '))].join(','),
        );
      });
      await writeFileAtomically(join(opts.out, 'outreach.csv'), `${lines.join('\n')}\n`);
      files.push(join(opts.out, 'outreach.csv'));
      const total = ids.reduce((a, id) => a + expected.get(id)!, 0);
      log(`${k} of ${rows.ids.length} members listed; expected dollars ${total.toFixed(2)}`);
      return {
        members: rows.ids.length,
        listed: k,
        expectedDollars: Math.round(total * 100) / 100,
        paymentYear: T + 1,
        factorsYear,
        files,
        backend,
      };
    },
    log,
  );
}
