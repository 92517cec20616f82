// Every member's expected dollars from early documentation at as-of T (issue 15 part 2; DOMAIN.md
// sections 2 and 4), from what the plan knows on the run's data cut-off C (default January 1 of T)
// only: the history as known on C and the claims received by C (evaluation/known-on-cutoff.ts),
// never the complete history, so a claim of T-1 received after C opens no HCC, moves no RAF_{T-1},
// no rate and no fit. One function (planDollars) for the candidate list (its expected dollars, and
// its order with --rank-by dollars) and for the evaluation (the dollars-ranked list and the
// expected dollars beside the measured, which read the complete history).
//
// 1. Priced: each member's open HCCs of T-1 and T-2 as known on C, priced by the engine and
//    weighted by the plan's recapture rates measured on T-1 as known on C
//    (evaluation/candidate-value.ts, evaluation/recapture-rates.ts): what the outreach list names,
//    HCC by HCC.
// 2. Expected: the dollar model (evaluation/dollar-model.ts), fitted at as-of A = T-2 on what
//    each member of A brought, every figure as known on C: the accelerated target is the August
//    lump sum of payment year T-1 (RAF_{T-2} - RAF_init_{T-2}, paid in August of T-1, before C);
//    the incremental target is the gap RAF_{T-1} - c x RAF_{T-2} with RAF_{T-1} (and c) as known
//    on C, the label rule of the model's training (models/model-run.ts): the complete RAF_{T-1}
//    is not known on C, and the lump sum of payment year T (A = T-1) is paid in August of T, after
//    C. Fitting the gap at A = T-3 instead (RAF_{T-2} - c x RAF_{T-3}, complete on C) would need
//    open HCCs of T-5 and RAF_{T-4}, which a plan's history rarely holds (a 2021-2025 plan at
//    T = 2024 has neither: every member would look new). Its inputs are the priced dollars and
//    RAF_{A-1} as known on C. The rates priced at A are those of as-of T (measured on T-1 as known
//    on C, the latest year before T). When A cannot be fitted (no history of A or A+1), the
//    priced dollars are the expected ones, and `model` says why.
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { OUTPUT_FILE_MODE, temporaryPathFor } from '../data/atomic-file.ts';
import { csvField } from '../data/csv.ts';
import { sqlString } from '../data/duckdb.ts';
import type { ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { pricingDemographics, pricingFor } from './pricing.ts';
import { expectedGain, openHccValues, type ExpectedGain } from './candidate-value.ts';
import { readMonthsPaid } from './enrolled-months.ts';
import { ratesOf, readOpenHccs, readRecaptureCells, type RecaptureCell, type RecaptureSources } from './recapture-rates.ts';
import { defaultCutoff } from '../data/received-by.ts';
import { suspectDollars, type SuspectDollarSources } from './suspect-dollars.ts';
import { dollarInputs, fitDollarModel, predictDollars, type DollarModel } from './dollar-model.ts';
import { growthRatio, memberValue, type MemberScores } from './revenue.ts';
import { requireBaseRate } from '../scoring/revenue.ts';
import { withFeatureRows } from '../models/model-run.ts';
import type { RunInputs } from '../models/run-registry.ts';
import { knownOnCutoff } from './known-on-cutoff.ts';
import { PLAN_DOLLARS_FILES, knownRafT1, savePlanDollars } from './plan-dollars-file.ts';

/** No open HCC: nothing expected. */
export const NO_GAIN: ExpectedGain = { hccs: [], accelerated: 0, incremental: 0, dollars: 0 };

/**
 * Each member's expected gain at as-of `A` (open HCCs of A-1 and A-2, priced for payment year
 * A+1, weighted by `cells`' rates), for the members of `members` (a relation of member_id);
 * members without an open HCC are absent (NO_GAIN).
 */
export async function expectedGains(
  conn: DuckDBConnection,
  src: RecaptureSources,
  A: number,
  members: string,
  cells: readonly RecaptureCell[],
  annualBaseRate: number,
): Promise<Map<string, ExpectedGain>> {
  const { pricing, models } = pricingFor(A + 1, annualBaseRate);
  const rateOf = ratesOf(cells);
  const open = await readOpenHccs(conn, src, A, members, models);
  const demographics = await pricingDemographics(conn, src.history, A, members);
  const priced = [...open.keys()].filter((id) => demographics.has(id));
  const values = openHccValues(priced.map((id) => ({ demographics: demographics.get(id)!, open: open.get(id)! })), pricing);
  return new Map(priced.map((id, i) => [id, expectedGain(open.get(id)!, values[i]!, rateOf)]));
}

/** The members of as-of A, the dollar model's inputs and what each brought, for the fit at A = T-2. */
async function fitAt(
  conn: DuckDBConnection,
  src: RecaptureSources,
  evidence: SuspectDollarSources,
  A: number,
  cells: readonly RecaptureCell[],
  annualBaseRate: number,
): Promise<DollarModel | string> {
  const hist = src.history;
  const rows = (
    await conn.runAndReadAll(
      `SELECT a.member_id, a.raf::DOUBLE AS raf, a.raf_init::DOUBLE AS raf_init, b.raf::DOUBLE AS raf_next, p.raf::DOUBLE AS raf_prev
       FROM (SELECT * FROM ${hist} WHERE year = ${A}) a
         LEFT JOIN (SELECT * FROM ${hist} WHERE year = ${A + 1}) b USING (member_id)
         LEFT JOIN (SELECT * FROM ${hist} WHERE year = ${A - 1}) p USING (member_id)
       ORDER BY a.member_id`,
    )
  ).getRowObjectsJson();
  if (rows.length === 0) return `the history has no ${A} to fit the dollar model on`;
  const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));
  const ids = rows.map((r) => String(r.member_id));
  await conn.run(`CREATE OR REPLACE TEMP TABLE _fit_members AS SELECT member_id FROM ${hist} WHERE year = ${A}`);
  const priced = await expectedGains(conn, src, A, '_fit_members', cells, annualBaseRate);
  // The suspects as the plan knew them on January 1 of A: evidence received by then, never coded before A.
  const suspects = await suspectDollars(conn, evidence, A, defaultCutoff(A), '_fit_members', annualBaseRate);
  const paid = await readMonthsPaid(conn, A + 1, ids);
  const scores: MemberScores[] = rows.map((r, i) => ({ rafT: num(r.raf), rafInitT: num(r.raf_init), rafNext: num(r.raf_next), monthsPaid: paid[i]! }));
  const growth = growthRatio(scores, A);
  if (growth.c === null) return `the dollar model cannot be fitted at as-of ${A}: ${growth.notMeasurable ?? 'c is not measurable'}`;
  const X = rows.map((r, i) => {
    const g = priced.get(ids[i]!) ?? NO_GAIN;
    const prev = num(r.raf_prev);
    return dollarInputs(
      { pricedAccelerated: g.accelerated, pricedIncremental: g.incremental, rafT1: Number.isNaN(prev) ? null : prev, suspectDollars: suspects.get(ids[i]!) ?? 0 },
      annualBaseRate,
    );
  });
  const values = scores.map((m) => memberValue(m, growth.c, annualBaseRate));
  return fitDollarModel(X, values.map((v) => v.accelerated), values.map((v) => v.incremental ?? 0), A);
}

/** A member's expected dollars (the dollar model's, or the priced ones when it could not be fitted). */
export interface MemberDollars {
  accelerated: number;
  incremental: number;
  dollars: number;
}

/** Every member's expected dollars at as-of T (module comment), with what they rest on. */
export interface PlanDollars {
  /** By member id, the priced open HCCs; members without an open HCC are absent (NO_GAIN). */
  priced: Map<string, ExpectedGain>;
  /** By member id, the dollars of their suspects (suspect-dollars.ts); members without any are absent. */
  suspects: Map<string, number>;
  /** Per member of `ids`, in their order: the expected dollars. */
  expected: MemberDollars[];
  /** The dollar model, or why there is none (then `expected` holds the priced dollars). */
  model: DollarModel | { notFitted: string };
  cells: RecaptureCell[];
  /** The payment year whose factors priced the HCCs (T+1, or the nearest bundled). */
  factorsYear: number;
  /** The model whose HCCs the outreach list names: the largest weight of the blend. */
  shown: ModelVersion;
}

/**
 * The expected dollars of the members `ids` at as-of T, from what the whole plan knows on the
 * cut-off (`known`: evaluation/known-on-cutoff.ts's relations of the history, its HCCs and the
 * claims received by then); `scratch` is a file path beside which a temporary CSV of the ids is
 * written (and removed). `rafT1[i]` is RAF_{T-1} of ids[i] as known on the cut-off (null: new in T).
 */
export async function planDollars(
  conn: DuckDBConnection,
  known: RecaptureSources & Pick<SuspectDollarSources, 'pharmacy' | 'labs'> & { dataThrough: string },
  scratch: string,
  T: number,
  ids: readonly string[],
  rafT1: readonly (number | null)[],
  annualBaseRate: number,
): Promise<PlanDollars> {
  const csv = temporaryPathFor(scratch);
  await writeFile(csv, `${ids.map((id) => csvField(id)).join('\n')}\n`, { mode: OUTPUT_FILE_MODE });
  try {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE _members AS SELECT * FROM read_csv(${sqlString(csv)}, header = false, auto_detect = false, columns = {'member_id': 'VARCHAR'})`,
    );
  } finally {
    await unlink(csv).catch(() => undefined);
  }
  const src: RecaptureSources = { hcc: known.hcc, history: known.history, claims: known.claims };
  const cells = await readRecaptureCells(conn, src, T);
  const priced = await expectedGains(conn, src, T, '_members', cells, annualBaseRate);
  const evidence: SuspectDollarSources = {
    hcc: known.hcc,
    history: known.history,
    ...(known.pharmacy !== undefined ? { pharmacy: known.pharmacy } : {}),
    ...(known.labs !== undefined ? { labs: known.labs } : {}),
  };
  const suspects = await suspectDollars(conn, evidence, T, known.dataThrough, '_members', annualBaseRate);
  const fitted = await fitAt(conn, src, evidence, T - 2, cells, annualBaseRate);
  const expected = ids.map((id, i): MemberDollars => {
    const g = priced.get(id) ?? NO_GAIN;
    if (typeof fitted === 'string') return { accelerated: g.accelerated, incremental: g.incremental, dollars: g.dollars };
    const facts = { pricedAccelerated: g.accelerated, pricedIncremental: g.incremental, rafT1: rafT1[i]!, suspectDollars: suspects.get(id) ?? 0 };
    return predictDollars(fitted, dollarInputs(facts, annualBaseRate));
  });
  const { factorsYear, shown } = pricingFor(T + 1, annualBaseRate);
  return { priced, suspects, expected, model: typeof fitted === 'string' ? { notFitted: fitted } : fitted, cells, factorsYear, shown };
}

export interface PlanDollarsOptions {
  asOf: number;
  annualBaseRate: number;
  /** The contract's data, the complete history, the checked shards (a run's), the as-of year's features. */
  data: string;
  history: string;
  checked?: readonly string[];
  features: string;
  /** The data cut-off of the as-of year (default January 1 of T). */
  dataThrough?: string;
  /** The histories as known on the cut-off already computed, by as-of year (evaluation/known-on-cutoff.ts). */
  knownHistory?: Record<number, string>;
  /** The folder written. */
  out: string;
}

/**
 * A run's dollars job: every member's expected dollars at as-of T, for the members of the as-of
 * year's features, written to a folder (evaluation/plan-dollars-file.ts) that every model's
 * evaluation and the candidate list read instead of computing them again.
 */
export async function writePlanDollars(opts: PlanDollarsOptions, log: (line: string) => void = () => undefined): Promise<void> {
  requireBaseRate(opts.annualBaseRate);
  const T = opts.asOf;
  await mkdir(opts.out, { recursive: true, mode: 0o700 });
  const inputs: RunInputs = { data: opts.data, history: opts.history, ...(opts.checked !== undefined ? { checked: opts.checked } : {}), features: { [T]: opts.features } };
  await withFeatureRows(
    inputs,
    // The two columns knownRafT1 reads, not the whole matrix.
    { asOf: T, names: ['raf_t1', 'missing_t1'], ...(opts.dataThrough !== undefined ? { dataThrough: opts.dataThrough } : {}) },
    async ({ conn, inputs: used, schema, rows, attachData }) => {
      await attachData();
      const known = await knownOnCutoff(conn, used, T, opts.dataThrough, opts.knownHistory, log);
      const plan = await planDollars(conn, known, join(opts.out, PLAN_DOLLARS_FILES.members), T, rows.ids, knownRafT1(rows), opts.annualBaseRate).finally(() => known.close());
      await savePlanDollars(plan, rows.ids, T, opts.out);
    },
    log,
  );
}
