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
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { AtomicFileWriter } from '../data/atomic-file.ts';
import type { ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { pricingDemographics, pricingFor } from './pricing.ts';
import { expectedGain, openHccValues, type ExpectedGain } from './candidate-value.ts';
import { readMonthsPaid } from './enrolled-months.ts';
import { memberProviderSql, ratesOf, readOpenHccsOf, readRecaptureCells, type RecaptureCell, type RecaptureSources } from './recapture-rates.ts';
import { defaultCutoff } from '../data/received-by.ts';
import { suspectDollars, type SuspectDollarSources } from './suspect-dollars.ts';
import { dollarInputs, fitDollarModel, predictDollars, type DollarModel } from './dollar-model.ts';
import { growthRatio, memberScoresAt, memberValue, type MemberScoreColumns } from './revenue.ts';
import { createMemberIndex, readByIndex, readIds, type MemberIndex } from '../data/member-index.ts';
import { requireBaseRate } from '../scoring/revenue.ts';
import { withFeatureRows } from '../models/model-run.ts';
import type { RunInputs } from '../models/run-registry.ts';
import { knownOnCutoff } from './known-on-cutoff.ts';
import { PLAN_DOLLARS_FILES, expectedDollarsOf, knownRafT1, pricedLine, savePlanDollars, setExpected, type ExpectedDollars } from './plan-dollars-file.ts';

/** No open HCC: nothing expected. */
export const NO_GAIN: ExpectedGain = { hccs: [], accelerated: 0, incremental: 0, dollars: 0 };

/** Members priced at a time: their open HCCs, demographics and the engine's batch are held for this many only. */
export const PRICING_MEMBERS = 100_000;

/**
 * Each member's expected gain at as-of `A` (open HCCs of A-1 and A-2, priced for payment year
 * A+1, weighted by `cells`' rates), for the members `ids` (`index`, their index in DuckDB:
 * data/member-index.ts): `take(i, gain)` for each member with an open HCC, in the order of `ids`;
 * a member without one is skipped (NO_GAIN). The members are priced `chunk` at a time, so what is
 * held does not grow with the plan (at 1,000,000 members every open HCC at once held gigabytes).
 */
export async function forEachExpectedGain(
  conn: DuckDBConnection,
  src: RecaptureSources,
  A: number,
  ids: readonly string[],
  index: MemberIndex,
  cells: readonly RecaptureCell[],
  annualBaseRate: number,
  take: (i: number, gain: ExpectedGain) => void | Promise<void>,
  chunk = PRICING_MEMBERS,
): Promise<void> {
  const { pricing, models } = pricingFor(A + 1, annualBaseRate);
  const rateOf = ratesOf(cells);
  // Once for every chunk: the HCC rows of of these members with their places, each
  // member's provider, and the history rows pricingDemographics reads: plain copies, filled
  // without keeping their insertion order. Grouping the open HCCs of 5,000,000 members in one
  // statement ran out of the 3 GB a model run gives DuckDB (as a temporary table, as a table, and
  // without the insertion order); copying their rows does not, and each chunk groups its own.
  await conn.run('SET preserve_insertion_order = false');
  try {
    await conn.run(
      `CREATE OR REPLACE TABLE _gain_hcc AS SELECT h.*, x.i FROM ${src.hcc} h JOIN ${index.table} x USING (member_id) WHERE h.year IN (${A - 1}, ${A - 2})`,
    );
    await conn.run(`CREATE OR REPLACE TABLE _gain_provider AS SELECT * FROM (${memberProviderSql(src.claims, A - 1)}) SEMI JOIN ${index.table} USING (member_id)`);
    await conn.run(
      `CREATE OR REPLACE TABLE _gain_hist AS SELECT member_id, year, sex, age, orec, dual_status, institutional FROM ${src.history}
       WHERE year IN (${A - 1}, ${A - 2}) AND member_id IN (SELECT member_id FROM ${index.table})`,
    );
  } finally {
    await conn.run('RESET preserve_insertion_order');
  }
  for (let from = 0; from < ids.length; from += chunk) {
    const to = Math.min(ids.length, from + chunk);
    const hcc = `(SELECT * EXCLUDE (i) FROM _gain_hcc WHERE i >= ${from} AND i < ${to})`;
    const open = await readOpenHccsOf(conn, { ...src, hcc }, A, index, models, from, to, '_gain_provider');
    const demographics = await pricingDemographics(conn, '_gain_hist', A, `(SELECT member_id FROM ${index.table} WHERE i >= ${from} AND i < ${to})`);
    const priced = [...open.keys()].filter((i) => demographics.has(ids[i]!));
    const values = openHccValues(priced.map((i) => ({ demographics: demographics.get(ids[i]!)!, open: open.get(i)! })), pricing);
    for (let k = 0; k < priced.length; k++) await take(priced[k]!, expectedGain(open.get(priced[k]!)!, values[k]!, rateOf));
  }
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
  // The members of A in member id order, then their scores by place (data/member-index.ts).
  const ids = await readIds(conn, `SELECT member_id FROM ${hist} WHERE year = ${A} ORDER BY member_id`);
  if (ids.length === 0) return `the history has no ${A} to fit the dollar model on`;
  const index = await createMemberIndex(conn, ids, '_fit_index');
  const year = (y: number): string => `(SELECT member_id, raf, raf_init FROM ${hist} WHERE year = ${y})`;
  const [rafT, rafInitT, rafNext, rafPrev] = await readByIndex(
    conn,
    `SELECT x.i, a.raf::DOUBLE, a.raf_init::DOUBLE, b.raf::DOUBLE, p.raf::DOUBLE
     FROM ${index.table} x JOIN ${year(A)} a USING (member_id) LEFT JOIN ${year(A + 1)} b USING (member_id) LEFT JOIN ${year(A - 1)} p USING (member_id)`,
    index,
    4,
  );
  await conn.run(`CREATE OR REPLACE TEMP TABLE _fit_members AS SELECT member_id FROM ${index.table}`);
  // Of each member's priced open HCCs, the fit reads their two sums.
  const pricedAccelerated = new Float64Array(ids.length);
  const pricedIncremental = new Float64Array(ids.length);
  await forEachExpectedGain(conn, src, A, ids, index, cells, annualBaseRate, (i, g) => {
    pricedAccelerated[i] = g.accelerated;
    pricedIncremental[i] = g.incremental;
  });
  // The suspects as the plan knew them on January 1 of A: evidence received by then, never coded before A.
  const suspects = await suspectDollars(conn, evidence, A, defaultCutoff(A), '_fit_members', annualBaseRate);
  const scores: MemberScoreColumns = { rafT: rafT!, rafInitT: rafInitT!, rafNext: rafNext!, monthsPaid: await readMonthsPaid(conn, A + 1, index) };
  const growth = growthRatio(scores, A);
  if (growth.c === null) return `the dollar model cannot be fitted at as-of ${A}: ${growth.notMeasurable ?? 'c is not measurable'}`;
  const X = ids.map((id, i) => {
    const prev = rafPrev![i]!;
    return dollarInputs(
      { pricedAccelerated: pricedAccelerated[i]!, pricedIncremental: pricedIncremental[i]!, rafT1: Number.isNaN(prev) ? null : prev, suspectDollars: suspects.get(id) ?? 0 },
      annualBaseRate,
    );
  });
  // What each member brought, the two targets, without an object per member.
  const accelerated = new Array<number>(ids.length);
  const incremental = new Array<number>(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const v = memberValue(memberScoresAt(scores, i), growth.c, annualBaseRate);
    accelerated[i] = v.accelerated;
    incremental[i] = v.incremental ?? 0;
  }
  return fitDollarModel(X, accelerated, incremental, A);
}

/** A member's expected dollars (the dollar model's, or the priced ones when it could not be fitted). */
export interface MemberDollars {
  accelerated: number;
  incremental: number;
  dollars: number;
}

/** Every member's expected dollars at as-of T (module comment), with what they rest on. */
export interface PlanDollars {
  /** By member id, the priced open HCCs, when kept (PricedHccs); members without an open HCC are absent (NO_GAIN). */
  priced?: Map<string, ExpectedGain>;
  /** By member id, the dollars of their suspects (suspect-dollars.ts); members without any are absent. */
  suspects: Map<string, number>;
  /** Per member of `ids`, in their order: the expected dollars. */
  expected: ExpectedDollars;
  /** The dollar model, or why there is none (then `expected` holds the priced dollars). */
  model: DollarModel | { notFitted: string };
  cells: RecaptureCell[];
  /** The payment year whose factors priced the HCCs (T+1, or the nearest bundled). */
  factorsYear: number;
  /** The model whose HCCs the outreach list names: the largest weight of the blend. */
  shown: ModelVersion;
}

/**
 * What becomes of each member's priced open HCCs: kept in the result by member id ('keep': a list
 * written alone names its members' HCCs from them), or handed to a function as they are priced, in
 * the order of the ids, and not kept (a run's dollars job writes them to its folder; at 1,000,000
 * members they are about a gigabyte of objects).
 */
export type PricedHccs = 'keep' | ((id: string, gain: ExpectedGain) => Promise<void>);

/**
 * The expected dollars of the members `ids` at as-of T, from what the whole plan knows on the
 * cut-off (`known`: evaluation/known-on-cutoff.ts's relations of the history, its HCCs and the
 * claims received by then). `rafT1[i]` is RAF_{T-1} of ids[i] as known on the cut-off (null: new in T).
 */
export async function planDollars(
  conn: DuckDBConnection,
  known: RecaptureSources & Pick<SuspectDollarSources, 'pharmacy' | 'labs'> & { dataThrough: string },
  T: number,
  ids: readonly string[],
  rafT1: readonly (number | null)[],
  annualBaseRate: number,
  pricedHccs: PricedHccs = 'keep',
): Promise<PlanDollars> {
  const index = await createMemberIndex(conn, ids, '_plan_members');
  await conn.run(`CREATE OR REPLACE TEMP TABLE _members AS SELECT member_id FROM ${index.table}`);
  const src: RecaptureSources = { hcc: known.hcc, history: known.history, claims: known.claims };
  const cells = await readRecaptureCells(conn, src, T);
  // Each member's priced dollars (members without an open HCC: NO_GAIN, 0).
  const gains = expectedDollarsOf(ids.length);
  const priced = pricedHccs === 'keep' ? new Map<string, ExpectedGain>() : undefined;
  await forEachExpectedGain(conn, src, T, ids, index, cells, annualBaseRate, async (i, g) => {
    setExpected(gains, i, g);
    if (priced !== undefined) priced.set(ids[i]!, g);
    else if (typeof pricedHccs === 'function') await pricedHccs(ids[i]!, g);
  });
  const evidence: SuspectDollarSources = {
    hcc: known.hcc,
    history: known.history,
    ...(known.pharmacy !== undefined ? { pharmacy: known.pharmacy } : {}),
    ...(known.labs !== undefined ? { labs: known.labs } : {}),
  };
  const suspects = await suspectDollars(conn, evidence, T, known.dataThrough, '_members', annualBaseRate);
  const fitted = await fitAt(conn, src, evidence, T - 2, cells, annualBaseRate);
  const expected = typeof fitted === 'string' ? gains : expectedDollarsOf(ids.length);
  if (typeof fitted !== 'string') {
    ids.forEach((id, i) => {
      const facts = { pricedAccelerated: gains.accelerated[i]!, pricedIncremental: gains.incremental[i]!, rafT1: rafT1[i]!, suspectDollars: suspects.get(id) ?? 0 };
      setExpected(expected, i, predictDollars(fitted, dollarInputs(facts, annualBaseRate)));
    });
  }
  const { factorsYear, shown } = pricingFor(T + 1, annualBaseRate);
  return { ...(priced !== undefined ? { priced } : {}), suspects, expected, model: typeof fitted === 'string' ? { notFitted: fitted } : fitted, cells, factorsYear, shown };
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
      // The priced HCCs go to priced.jsonl as they are priced, in the features' order, not held.
      const pricedFile = await AtomicFileWriter.open(join(opts.out, PLAN_DOLLARS_FILES.priced));
      let plan: PlanDollars;
      try {
        plan = await planDollars(conn, known, T, rows.ids, knownRafT1(rows), opts.annualBaseRate, (id, gain) => pricedFile.write(pricedLine(id, gain))).finally(() => known.close());
        await pricedFile.commit();
      } catch (e) {
        await pricedFile.abort();
        throw e;
      }
      await savePlanDollars(plan, rows.ids, T, opts.out);
    },
    log,
  );
}
