// `rafcast candidates`: the January list. The members most likely to be in the top 20% of RAF_T,
// in the two forms their users work with: for finance, each member's rank, probability, decile,
// RAF_{T-2}, RAF_{T-1}, segment and what outreach on their open HCCs is expected to bring
// (expected_accelerated, expected_incremental, expected_dollars; and suspect_dollars, what the
// member's medication and lab suspects would add if every one were a condition and documented,
// evaluation/suspect-dollars.ts, an input of the expected dollars and not a part of them); for care managers, the same
// members ordered by expected_dollars, each with the HCCs to recapture (code, description, last
// date coded, provider, recapture rate, expected dollars; ' | '-separated, as CMS labels hold ';')
// and the member's own provider. recapture-rates.csv gives every rate the list used.
//
// Open HCCs and the rates: evaluation/recapture-rates.ts; what they are worth:
// evaluation/candidate-value.ts.
import { requireBaseRate } from '../scoring/revenue.ts';
import { writeFile, unlink, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicFileWriter, OUTPUT_FILE_MODE, temporaryPathFor, writeFileAtomically } from '../data/atomic-file.ts';
import { csvField } from '../data/csv.ts';
import { copyAtomically, forEachChunk, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import type { ExpectedGain, PricedHcc } from './candidate-value.ts';
import { memberProviderSql } from './recapture-rates.ts';
import { calibrationCsv, calibrationTable, type CalibrationRow } from './candidate-calibration.ts';
import { readMemberScores } from './member-scores.ts';
import { growthRatio, memberScoresAt } from './revenue.ts';
import { NO_GAIN, planDollars, type MemberDollars } from './member-dollars.ts';
import type { DollarModel } from './dollar-model.ts';
import { listOrder, RANK_BY, type RankBy } from './dollars-ranking.ts';
import { reasonsFor, reasonsText } from './reasons.ts';
import { decilesOf, listSize } from '../models/metrics.ts';
import { columnOf, hasYear } from '../models/dataset.ts';
import { roundHalfUp } from '../scoring/rounding.ts';
import { withScoredMembers } from '../models/model-run.ts';
import { historyFile } from '../models/run-registry.ts';
import { knownOnCutoff } from './known-on-cutoff.ts';
import { expectedAt, forEachPricedHccs, knownRafT1, readPlanDollars } from './plan-dollars-file.ts';

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
  /** The data cut-off of the as-of year's features (default January 1 of T; models/model-run.ts). */
  dataThrough?: string;
  /** What orders the list (evaluation/dollars-ranking.ts): the model's probability (the paper's list, the default) or the expected dollars. */
  rankBy?: RankBy;
  /** Every member's expected dollars already computed (a run's dollars job: evaluation/plan-dollars-file.ts); absent, computed here. */
  dollars?: string;
  /**
   * The histories as known on the cut-off already computed (a run's history stage), by as-of year:
   * T's and T-2's (evaluation/known-on-cutoff.ts); a year not given is computed.
   */
  knownHistory?: Record<number, string>;
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
  rankBy: RankBy;
  /** The dollar model the expected dollars come from (evaluation/dollar-model.ts, fitted at as-of T-2), or why there is none. */
  dollarModel: DollarModel | { notFitted: string };
  paymentYear: number;
  /** The payment year whose factors priced the list (differs when T+1 has none bundled). */
  factorsYear: number;
  /** The expected dollars against the measured, over the whole list (calibration.csv), or why there is none. */
  calibration: { total: CalibrationRow; c: number; file: string } | { notMeasurable: string };
  files: string[];
  backend: string;
}

/** The features the candidate list reads of every member. */
const CANDIDATE_FEATURES = ['raf_t1', 'missing_t1', 'raf_t2', 'missing_t2', 'age'];

export async function writeCandidates(opts: CandidatesOptions, log: (line: string) => void = () => undefined): Promise<CandidatesSummary> {
  if (!(opts.top > 0 && opts.top <= 1)) throw new ConfigError(`--top must be a share in (0, 1], found ${opts.top}`);
  requireBaseRate(opts.annualBaseRate);
  const T = opts.asOf;
  const rankBy: RankBy = opts.rankBy ?? 'probability';
  if (!RANK_BY.includes(rankBy)) throw new ConfigError(`--rank-by must be one of ${RANK_BY.join(', ')}, found ${String(rankBy)}`);
  await mkdir(opts.out, { recursive: true, mode: 0o700 });

  return withScoredMembers(
    // Scores given (a queued run's), the feature columns the list shows are read, not the whole matrix.
    { ...opts, columns: CANDIDATE_FEATURES },
    async ({ conn, inputs, run, backend, schema, rows, prob, attachData, memberIndex }) => {
      // The complete history gives only the backtest of the expected dollars (calibration.csv).
      const hist = historyFile(inputs);
      // The member's provider and the rates read the claims; the rates read the whole plan's
      // history and claims (a queued run passes every shard's), never a shard's. Every member is
      // priced, so that the list can be ranked by dollars (evaluation/member-dollars.ts). All of
      // it, RAF_{T-2} and RAF_{T-1} too, as known on the cut-off (evaluation/known-on-cutoff.ts).
      await attachData();
      const known = await knownOnCutoff(conn, inputs, T, opts.dataThrough, opts.knownHistory, log);
      try {
        const feature = (name: string, i: number): number => rows.x.values[i * rows.x.cols + columnOf(rows, name)]!;
        const rafT1 = knownRafT1(rows);
        // A run computes them once for every model and the list (its dollars job); alone, here.
        const computed = opts.dollars === undefined ? await planDollars(conn, known, T, rows.ids, rafT1, opts.annualBaseRate, 'keep') : undefined;
        const plan = computed ?? (await readPlanDollars(opts.dollars!, rows.ids));
        const { shown, factorsYear } = plan;
        if ('notFitted' in plan.model) log(`expected dollars priced from the open HCCs alone: ${plan.model.notFitted}`);
        else log(`expected dollars from the dollar model fitted at as-of ${plan.model.fittedAt} (${plan.model.members} members)`);
        // By the member's place in the rows: the list keeps places, no map by member id.
        const expectedOf = (i: number): MemberDollars => expectedAt(plan.expected, i);
        const order = listOrder(rankBy, plan.expected.dollars, prob);
        const deciles = decilesOf(prob);
        const k = listSize(rows.ids.length, opts.top);
        const listed = Array.from(order.subarray(0, k));
        const ids = listed.map((i) => rows.ids[i]!);
        // A listed member's place on the list (its rank - 1), by member id.
        const placeOf = new Map(ids.map((id, r) => [id, r]));
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
      // What the outreach list names: the shown model's open HCCs with a value, largest expected dollars first.
      const named = (gain: ExpectedGain): PricedHcc[] =>
        gain.hccs
          .filter((h) => h.open.model === shown && h.value > 0)
          .sort((a, b) => b.accelerated + b.incremental - (a.accelerated + a.incremental) || a.open.hcc - b.open.hcc);
      // The member's provider: as the rates define it (recapture-rates.ts), in T-1.
      await conn.run(`CREATE OR REPLACE TEMP TABLE _provider AS SELECT * FROM (${memberProviderSql(known.claims, T - 1)}) SEMI JOIN _list USING (member_id)`);
      const providers = new Map(
        (await conn.runAndReadAll(`SELECT member_id, provider_npi FROM _provider`)).getRowObjectsJson().map((r) => [String(r.member_id), String(r.provider_npi)]),
      );
      // Outreach: by expected dollars, then rank (priority - 1 of each place on the list).
      const byDollars = Array.from({ length: k }, (_, r) => r).sort((a, b) => expectedOf(listed[b]!).dollars - expectedOf(listed[a]!).dollars || a - b);
      const priorityOf = new Int32Array(k);
      byDollars.forEach((r, p) => (priorityOf[r] = p));
      // Why each member is listed (evaluation/reasons.ts), from the features (age, RAF_{T-1}, RAF_{T-2}) and a new member's enrollment of T.
      const duals = new Map(
        (await conn.runAndReadAll(`SELECT e.member_id, e.dual_status FROM enrollment e SEMI JOIN _list USING (member_id) WHERE e.year = ${T}`))
          .getRowObjectsJson()
          .map((r) => [String(r.member_id), String(r.dual_status)]),
      );
      const reasonsOf = (id: string, i: number, hccs: readonly PricedHcc[]): string => {
        const newMember = feature('missing_t1', i) === 1;
        const dual = duals.get(id);
        return reasonsText(
          reasonsFor({
            asOf: T,
            newMember,
            age: Math.round(feature('age', i)),
            dual: dual === 'full' || dual === 'partial' || dual === 'none' ? dual : null,
            // The feature matrix holds float32; a payment score has 3 places, so rounding gives it back exactly.
            rafT1: rafT1[i]!,
            rafT2: feature('missing_t2', i) === 1 ? null : roundHalfUp(feature('raf_t2', i), 3),
            hccs,
          }),
        );
      };
      // One pass over the listed members' priced HCCs (the run's priced.jsonl, read a line at a
      // time, or those computed here): each member's count of named HCCs, its outreach line, kept
      // in DuckDB by priority (held to its memory limit, spilling beyond: about 0.8 KB a member),
      // and the rates its HCCs used. A member without an open HCC names none.
      const namedCount = new Int32Array(k);
      const rates = new Map<string, RateUse>();
      const seen = new Uint8Array(k);
      // A table of the work database, as the member index (data/member-index.ts).
      await conn.run(`CREATE OR REPLACE TABLE _outreach (priority INTEGER, line VARCHAR)`);
      const appender = await conn.createAppender('_outreach');
      try {
        const take = (r: number, gain: ExpectedGain): void => {
          if (seen[r] === 1) return;
          seen[r] = 1;
          const id = ids[r]!;
          const i = listed[r]!;
          const g = expectedOf(i);
          const hccs = named(gain);
          namedCount[r] = hccs.length;
          addRateUses(rates, gain.hccs);
          const texts = hccs.map((h) => outreachHcc(h, T));
          appender.appendInteger(priorityOf[r]!);
          appender.appendVarchar(
            [priorityOf[r]! + 1, csvField(id), g.accelerated.toFixed(2), g.incremental.toFixed(2), g.dollars.toFixed(2), (plan.suspects.get(id) ?? 0).toFixed(2), prob[i], r + 1, providers.get(id) ?? '', csvField(reasonsOf(id, i, hccs)), texts.length, csvField(texts.join(' | '))].join(','),
          );
          appender.endRow();
        };
        if (computed !== undefined) {
          for (const [id, gain] of computed.priced!) {
            const r = placeOf.get(id);
            if (r !== undefined) take(r, gain);
          }
        } else {
          await forEachPricedHccs(opts.dollars!, (id) => placeOf.has(id), (id, gain) => take(placeOf.get(id)!, gain));
        }
        for (let r = 0; r < k; r++) take(r, NO_GAIN);
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      const dollarsCsv = temporaryPathFor(join(opts.out, 'dollars.csv'));
      await writeFile(
        dollarsCsv,
        ids
          .map((id, r) => {
            const g = expectedOf(listed[r]!);
            return `${csvField(id)},${namedCount[r]},${g.accelerated.toFixed(2)},${g.incremental.toFixed(2)},${g.dollars.toFixed(2)},${(plan.suspects.get(id) ?? 0).toFixed(2)}`;
          })
          .join('\n') + '\n',
        { mode: OUTPUT_FILE_MODE },
      );
      const files: string[] = [];
      try {
        await conn.run(
          `CREATE OR REPLACE TEMP TABLE _dollars AS SELECT * FROM read_csv(${sqlString(dollarsCsv)}, header = false, auto_detect = false,
             columns = {'member_id': 'VARCHAR', 'open_hccs': 'INTEGER', 'expected_accelerated': 'DECIMAL(14,2)', 'expected_incremental': 'DECIMAL(14,2)',
                        'expected_dollars': 'DECIMAL(14,2)', 'suspect_dollars': 'DECIMAL(14,2)'})`,
        );
      } finally {
        await unlink(dollarsCsv).catch(() => undefined);
      }
      const finance = `
        SELECT l.member_id, l.rank, l.probability, l.decile, h2.raf AS raf_t2, h1.raf AS raf_t1, h1.segment,
               d.open_hccs, d.expected_accelerated, d.expected_incremental, d.expected_dollars, d.suspect_dollars, ${T} AS as_of,
               ${sqlString(run.record.model)} AS model, ${sqlString(run.record.runId)} AS run_id, ${sqlString(backend)} AS backend, ${sqlString(rankBy)} AS rank_by
        FROM _list l JOIN _dollars d USING (member_id)
          LEFT JOIN (SELECT * FROM ${known.history} WHERE year = ${T - 1}) h1 USING (member_id)
          LEFT JOIN (SELECT * FROM ${known.history} WHERE year = ${T - 2}) h2 USING (member_id)
        ORDER BY l.rank`;
      for (const [name, format] of [['candidates.csv', 'csv'], ['candidates.parquet', 'parquet']] as const) {
        await copyAtomically(conn, finance, join(opts.out, name), format);
        files.push(join(opts.out, name));
      }
      // Outreach: one row a member, the HCCs spelled out, in priority order.
      const outreach = await AtomicFileWriter.open(join(opts.out, 'outreach.csv'));
      try {
        await outreach.write('priority,member_id,expected_accelerated,expected_incremental,expected_dollars,suspect_dollars,probability,list_rank,member_provider_npi,reasons,hccs_to_recapture,hccs\n');
        await forEachChunk(conn, 'SELECT line FROM _outreach ORDER BY priority', async (chunk) => {
          const line = chunk.getColumnVector(0);
          for (let j = 0; j < chunk.rowCount; j++) await outreach.write(`${line.getItem(j) as string}\n`);
        });
        await outreach.commit();
      } catch (e) {
        await outreach.abort();
        throw e;
      }
      files.push(join(opts.out, 'outreach.csv'));
      await conn.run('DROP TABLE _outreach');
      await writeFileAtomically(join(opts.out, 'recapture-rates.csv'), recaptureRatesCsv(rates));
      files.push(join(opts.out, 'recapture-rates.csv'));
      // The backtest of the expected dollars, when the history holds T+1 (candidate-calibration.ts).
      let calibration: CandidatesSummary['calibration'];
      if (await hasYear(conn, hist, T + 1)) {
        const { scores } = await readMemberScores(conn, hist, T, await memberIndex());
        const growth = growthRatio(scores, T);
        if (growth.c === null) {
          calibration = { notMeasurable: growth.notMeasurable ?? `c is not measurable` };
        } else {
          const table = calibrationTable(
            byDollars.map((r) => {
              const g = expectedOf(listed[r]!);
              return { expectedAccelerated: g.accelerated, expectedIncremental: g.incremental, expectedDollars: g.dollars, scores: memberScoresAt(scores, listed[r]!) };
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
      const cents = (f: (g: MemberDollars) => number): number => listed.reduce((a, i) => a + Math.round(f(expectedOf(i)) * 100), 0) / 100;
      const totals = { accelerated: cents((g) => g.accelerated), incremental: cents((g) => g.incremental), dollars: cents((g) => g.dollars) };
      log(`${k} of ${rows.ids.length} members listed; expected accelerated ${totals.accelerated.toFixed(2)}, incremental ${totals.incremental.toFixed(2)}`);
      return {
        members: rows.ids.length,
        listed: k,
        expectedAccelerated: totals.accelerated,
        expectedIncremental: totals.incremental,
        expectedDollars: totals.dollars,
        rankBy,
        dollarModel: plan.model,
        paymentYear: T + 1,
        factorsYear,
        calibration,
        files,
        backend,
      };
      } finally {
        await known.close();
      }
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
    `worth $${h.value.toFixed(2)} a year`,
  ];
  return `${o.model} HCC ${o.hcc} ${o.description} (${notes.join('; ')})`;
}

/** A rate the list used (model, HCC, class, provider): its line of recapture-rates.csv and how many listed HCCs used it. */
interface RateUse {
  line: string;
  n: number;
}

/** Counts the rates `hccs` used into `rates`, by their key (a rate's line is the same for every HCC of its key). */
function addRateUses(rates: Map<string, RateUse>, hccs: readonly PricedHcc[]): void {
  for (const h of hccs) {
    const o = h.open;
    const r = h.rate;
    const key = [o.model, o.hcc, o.dropped ? 'dropped' : 'persistent', o.byMemberProvider].join(',');
    const row = rates.get(key) ?? { line: `${key},${r.rate.toFixed(4)},${csvField(r.ratePool)},${r.atRisk},${r.recaptured},${r.late.toFixed(4)},${csvField(r.latePool)},${r.recapturedOutsideWindow}`, n: 0 };
    row.n++;
    rates.set(key, row);
  }
}

/** recapture-rates.csv: one row per rate the list used (model, HCC, class, provider), with its pool and counts, and how many listed HCCs used it. */
function recaptureRatesCsv(rows: ReadonlyMap<string, RateUse>): string {
  const sorted = [...rows.entries()].sort(([a], [b]) => {
    const [ma, ha, ...ra] = a.split(',');
    const [mb, hb, ...rb] = b.split(',');
    return ma!.localeCompare(mb!) || Number(ha) - Number(hb) || ra.join(',').localeCompare(rb.join(','));
  });
  return `${['model,hcc,class,by_member_provider,rate,rate_pool,at_risk,recaptured,late_share,late_pool,recaptured_outside_window,listed_hccs', ...sorted.map(([, r]) => `${r.line},${r.n}`)].join('\n')}\n`;
}
