// `rafcast evaluate`: a backtest at as-of T of the model's candidate list, the two baselines
// (naive: top 20% by RAF_{T-1}; analyst's: RAF_{T-1}, new members at their demographic score), a
// list made elsewhere when given (--list) and, on generated data, the list perfect knowledge of
// RAF_T's conditions would pick from truth/ (this file is the only reader of truth/): classification
// metrics over all, continuing and new members (evaluation/lists.ts),
// accelerated and incremental revenue, and payment year T+1's cash by month (DOMAIN.md section 4;
// evaluation/revenue.ts). Outputs are reproducible byte for byte from the same inputs.
import { requireBaseRate } from '../scoring/revenue.ts';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicFileWriter, writeFileAtomically } from '../data/atomic-file.ts';
import { csvField } from '../data/csv.ts';
import { ConfigError } from '../data/errors.ts';
import { readMemberScores } from './member-scores.ts';
import { growthRatio, listRevenue, memberScoresAt, memberValue } from './revenue.ts';
import { columnOf, hasYear, topShareLabels } from '../models/dataset.ts';
import { listSize } from '../models/metrics.ts';
import { TOP_SHARE, withScoredMembers } from '../models/model-run.ts';
import { historyDir, historyFile } from '../models/run-registry.ts';
import { perfectScores } from './perfect-list.ts';
import { TRUTH_CONDITIONS_FILE } from '../data/contract-files.ts';
import { analystListScores } from './analyst-list.ts';
import { placeExternalList, readExternalList } from './external-list.ts';
import { evaluateLists, type CandidateList } from './lists.ts';
import { yearScoring } from './year-scoring.ts';
import { roundHalfUp } from '../scoring/rounding.ts';
import { compareLists, verdictText } from './verdict.ts';
import { REFERENCE_LISTS, type CapturedShare, type Evaluation, type ExternalListSummary, type ListKind } from './evaluation-types.ts';
import { planDollars } from './member-dollars.ts';
import { knownOnCutoff } from './known-on-cutoff.ts';
import { expectedAt, knownRafT1, readPlanDollars } from './plan-dollars-file.ts';
import { dollarsOrder, scoreOfOrder } from './dollars-ranking.ts';

export interface EvaluateOptions {
  run: string;
  asOf: number;
  out: string;
  annualBaseRate: number;
  data?: string;
  history?: string;
  /** A queued run's intermediate files: the as-of year's features, the model's scores, the checked shards. */
  features?: string;
  scores?: string;
  checked?: readonly string[];
  /** A list made elsewhere (CSV or Parquet, member_id and optionally rank) to evaluate beside the others (evaluation/external-list.ts). */
  list?: string;
  /**
   * The data cut-off of the as-of year's features, which the naive and analyst lists read, and of
   * the expected dollars (default January 1 of T; models/model-run.ts, evaluation/known-on-cutoff.ts).
   */
  dataThrough?: string;
  /** Every member's expected dollars already computed (a run's dollars job: evaluation/plan-dollars-file.ts); absent, computed here. */
  dollars?: string;
  /** The histories as known on the cut-off already computed (a run's history stage), by as-of year: T's and T-2's; a year not given is computed. */
  knownHistory?: Record<number, string>;
  /** members.csv lists every member with their true and expected dollars, not only the members of some list (an analyst's file; at a million members, about 150 MB). */
  allMembers?: boolean;
}

/** The features the evaluation reads of every member. */
const EVALUATION_FEATURES = ['raf_t1', 'missing_t1'];

export async function evaluateRun(opts: EvaluateOptions, log: (line: string) => void = () => undefined): Promise<Evaluation> {
  requireBaseRate(opts.annualBaseRate);
  const T = opts.asOf;
  // A list made elsewhere is read and checked first: bad input stops before any model is loaded.
  const externalFile = opts.list !== undefined ? await readExternalList(opts.list) : undefined;
  await mkdir(opts.out, { recursive: true, mode: 0o700 });
  return withScoredMembers(
    // Scores given (a queued run's), two feature columns are read, not the whole matrix.
    { ...opts, columns: EVALUATION_FEATURES },
    async ({ conn, inputs, run, backend, schema, rows, prob, attachData, memberIndex }) => {
      const hist = historyFile(inputs);
      const n = rows.ids.length;
      if (!(await hasYear(conn, hist, T))) throw new ConfigError(`the history has no ${T}: an evaluation at as-of ${T} needs RAF_${T}`);
      if (!(await hasYear(conn, hist, T + 1))) log(`the history has no ${T + 1}: c and incremental revenue are not measurable`);
      // Scores by member, as columns in the rows' order (evaluation/member-scores.ts): RAF_T,
      // RAF_init_T, RAF_{T+1}, and the months of payment year T+1 each member is enrolled and alive
      // in (enrolled-months.ts): lump sums and monthly payments count only those.
      await attachData();
      const index = await memberIndex();
      const { scores: members, assumed } = await readMemberScores(conn, hist, T, index);
      if (assumed !== null) log(`${assumed.assumption} (${assumed.members} members)`);
      const growth = growthRatio(members, T);
      const c = growth.c;
      const { labels } = topShareLabels(members.rafT, TOP_SHARE);
      const k = listSize(n, TOP_SHARE);

      // The lists (evaluation/lists.ts): the model's, the naive and analyst's baselines, a list
      // made elsewhere (--list), perfect knowledge on generated data.
      const feature = (name: string): Float64Array => {
        const col = columnOf(rows, name);
        return Float64Array.from({ length: n }, (_, i) => rows.x.values[i * rows.x.cols + col]!);
      };
      // The feature matrix holds float32; a payment score has 3 places, so rounding gives RAF_{T-1} back exactly.
      const rafT1 = Float64Array.from(feature('raf_t1'), (v) => roundHalfUp(v, 3));
      const isNew = Uint8Array.from(feature('missing_t1'), (v) => (v === 1 ? 1 : 0));
      const analyst = await analystListScores(conn, index, rafT1, isNew, T, yearScoring(historyDir(inputs), T - 1));
      if (analyst.unscored > 0) log(`analyst's list: ${analyst.unscored} of ${analyst.newMembers} new members have no demographic score (scored 0)`);
      // Every member's expected dollars from data before T as known on the cut-off
      // (evaluation/member-dollars.ts, evaluation/known-on-cutoff.ts): the dollars-ranked list, and
      // the expected dollars of the model's and that list's members. What each list brings is
      // measured on the complete history.
      // A run computes them once for every model and the list (its dollars job); alone, here.
      const plan =
        opts.dollars !== undefined
          ? await readPlanDollars(opts.dollars, rows.ids)
          : await (async () => {
              const known = await knownOnCutoff(conn, inputs, T, opts.dataThrough, opts.knownHistory, log);
              // The evaluation reads each member's dollars, not their priced HCCs: none is kept.
              return planDollars(conn, known, T, rows.ids, knownRafT1(rows), opts.annualBaseRate, async () => undefined).finally(() => known.close());
            })();
      const gainOf = (i: number) => expectedAt(plan.expected, i);
      const expectedDollars = plan.expected.dollars;
      const how =
        'notFitted' in plan.model
          ? `the open HCCs of ${T - 2} and ${T - 1} priced and weighted by the plan's recapture rates (${plan.model.notFitted})`
          : `the dollar model fitted at as-of ${plan.model.fittedAt} on what each member brought then, from the open HCCs of ${T - 2} and ${T - 1} priced and weighted by the plan's recapture rates and RAF_${T - 1}`;
      const scores: CandidateList[] = [
        { name: 'model', description: `the ${run.record.model} model's top 20% by probability`, score: Float64Array.from(prob), size: k },
        {
          name: 'dollars',
          description: `top 20% by the expected accelerated + incremental dollars of early documentation from data before ${T} (${how}), then the ${run.record.model} model's probability`,
          score: scoreOfOrder(dollarsOrder(expectedDollars, prob)),
          size: k,
        },
        { name: 'naive', description: `top 20% by RAF_${T - 1}; members new in ${T} (no RAF_${T - 1}) score 0 and rank last`, score: rafT1, size: k },
        {
          name: 'analyst',
          description: `top 20% by RAF_${T - 1}, and for members new in ${T} (no RAF_${T - 1}) the engine's demographic payment score of ${T}`,
          score: analyst.score,
          size: k,
        },
      ];
      let externalList: ExternalListSummary | undefined;
      if (externalFile !== undefined) {
        const placed = placeExternalList(externalFile, rows.ids);
        externalList = placed.summary;
        const { file, evaluated, unknown, order } = placed.summary;
        scores.push({
          name: 'external',
          description:
            `the list in ${file} as given: ${evaluated} members (${((100 * evaluated) / n).toFixed(1)}% of members) ${order === 'rank' ? 'by its rank column' : 'in file order'}` +
            `${unknown > 0 ? `; ${unknown} of its rows are not members at as-of ${T} (not evaluated)` : ''}`,
          score: placed.score,
          size: evaluated,
          asGiven: true,
        });
      }
      // Perfect knowledge, from the generator's latent conditions (generated data only).
      const truthFile = join(inputs.data, TRUTH_CONDITIONS_FILE);
      let truthFingerprint: string | null = null;
      if (existsSync(truthFile)) {
        truthFingerprint = createHash('sha256').update(readFileSync(truthFile)).digest('hex');
        const perfect = await perfectScores(conn, truthFile, hist, T, index, yearScoring(historyDir(inputs), T));
        if (perfect.uncodable > 0) log(`perfect knowledge: ${perfect.uncodable} true conditions have no code in the V28 tables of ${T + 1} (left out)`);
        scores.push({
          name: 'perfect',
          description: `top 20% by RAF_${T} as if every true condition of ${T} had been coded and nothing else (perfect knowledge of the score the label ranks by)`,
          score: perfect.score,
          size: k,
        });
      }
      // The ceiling (a reference, like perfect knowledge): the members with the most true dollars,
      // their positive August lump sum + their gap above c priced (evaluation/revenue.ts's
      // memberValue), as no list made on January 1 can know them.
      scores.push({
        name: 'ceiling',
        description: `top 20% by each member's true accelerated + incremental dollars (the positive August lump sum of ${T + 1} and the gap of RAF_${T + 1} above c x RAF_${T}): the dollars ranking's ceiling`,
        score: Float64Array.from({ length: n }, (_, i) => {
          const v = memberValue(memberScoresAt(members, i), c, opts.annualBaseRate);
          return v.accelerated + (v.incremental ?? 0);
        }),
        size: k,
      });
      const evaluated = evaluateLists(scores, labels, isNew, TOP_SHARE).map(
        (l) => ({ ...l, revenue: listRevenue(members, l.list, growth, opts.annualBaseRate, T + 1) }),
      );
      const share = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : a / b);
      const capturedOf = (l: (typeof evaluated)[number], ref: ListKind): CapturedShare | undefined => {
        const r = evaluated.find((x) => x.name === ref);
        return r === undefined
          ? undefined
          : { accelerated: share(l.revenue.accelerated.total, r.revenue.accelerated.total), incremental: share(l.revenue.incremental.total, r.revenue.incremental.total) };
      };
      // Expected dollars of a list's members, summed in cents.
      const expectedOf = (list: readonly number[]) => ({
        accelerated: list.reduce((a, i) => a + Math.round(gainOf(i).accelerated * 100), 0) / 100,
        incremental: list.reduce((a, i) => a + Math.round(gainOf(i).incremental * 100), 0) / 100,
      });
      const lists = evaluated.map((l) => {
        const perfect = capturedOf(l, 'perfect');
        const ceiling = capturedOf(l, 'ceiling');
        return {
          ...l,
          captured: { ...(perfect !== undefined ? { perfect } : {}), ...(ceiling !== undefined ? { ceiling } : {}) },
          ...(l.name === 'model' || l.name === 'dollars' ? { expected: expectedOf(l.list) } : {}),
        };
      });

      // The model's list (and a list made elsewhere) against every baseline by name: perfect
      // knowledge is a reference, not a baseline.
      const isSubject = (name: string): boolean => name === 'model' || name === 'dollars' || name === 'external';
      const baselines = lists.filter((l) => !isSubject(l.name) && !REFERENCE_LISTS.includes(l.name));
      const comparisons = lists.filter((l) => isSubject(l.name)).flatMap((l) => baselines.map((b) => compareLists(l, b)));
      const verdict = verdictText(comparisons);
      const evaluation: Evaluation = {
        asOf: T,
        paymentYear: T + 1,
        annualBaseRate: opts.annualBaseRate,
        run: { id: run.record.runId, model: run.record.model, seed: run.record.seed, backend, fingerprint: run.record.fingerprint.combined },
        truthFingerprint,
        members: n,
        withBothYears: growth.withBothYears,
        c,
        cNotMeasurable: growth.notMeasurable,
        enrollmentAssumed: assumed,
        listSize: k,
        lists: lists.map(({ name, description, metrics, groups, revenue, captured, expected }) => ({ name, description, metrics, groups, revenue, captured, ...(expected !== undefined ? { expected } : {}) })),
        ...(externalList !== undefined ? { externalList } : {}),
        verdict,
        comparisons,
        dollarModel: plan.model,
      };
      await writeFileAtomically(join(opts.out, 'evaluation.json'), `${JSON.stringify(evaluation, null, 2)}\n`);

      // Per member: every listed member of any list (every member with allMembers), in member id
      // order, written as they go (at 5,000,000 members the lines held about a gigabyte).
      const inList = lists.map((l) => {
        const on = new Uint8Array(n);
        for (const i of l.list) on[i] = 1;
        return on;
      });
      // months_paid: months of T+1 enrolled and alive; august_lump_sum: the lump sum paid (empty when
      // not enrolled in August); gap and incremental empty when not measurable (no RAF_{T+1}).
      const membersCsv = await AtomicFileWriter.open(join(opts.out, 'members.csv'));
      try {
        await membersCsv.write(
          `member_id,${lists.map((l) => `in_${l.name}`).join(',')},probability,expected_accelerated,expected_incremental,expected_dollars,raf_t1,new_member,analyst_score,raf_t,raf_init_t,raf_next,accelerated,gap,incremental,no_next_year,months_paid,august_lump_sum\n`,
        );
        const num = (x: number): string => (Number.isNaN(x) ? '' : String(x));
        for (let i = 0; i < n; i++) {
          if (opts.allMembers !== true && !inList.some((on) => on[i] === 1)) continue;
          const m = memberScoresAt(members, i);
          const v = memberValue(m, c, opts.annualBaseRate);
          const g = gainOf(i);
          await membersCsv.write(
            `${[csvField(rows.ids[i]!), ...inList.map((on) => (on[i] === 1 ? 'true' : 'false')), prob[i], g.accelerated.toFixed(2), g.incremental.toFixed(2), g.dollars.toFixed(2), num(rafT1[i]!), isNew[i] === 1 ? 'true' : 'false', num(analyst.score[i]!), num(m.rafT), num(m.rafInitT), num(m.rafNext),
              v.accelerated.toFixed(2), v.gap === null ? '' : v.gap.toFixed(6), v.incremental === null ? '' : v.incremental.toFixed(2), v.noNextYear ? 'true' : 'false',
              m.monthsPaid, v.lumpSum === null ? '' : v.lumpSum.toFixed(2)].join(',')}\n`,
          );
        }
        await membersCsv.commit();
      } catch (e) {
        await membersCsv.abort();
        throw e;
      }
      const decileLines = ['list,decile,members,positives,rate,lift,cumulative_gain'];
      for (const l of lists) for (const d of l.metrics.deciles) decileLines.push([l.name, d.decile, d.members, d.positives, d.rate, d.lift, d.cumulativeGain].join(','));
      await writeFileAtomically(join(opts.out, 'deciles.csv'), `${decileLines.join('\n')}\n`);
      const cashLines = ['list,month,initial,mid_year,lump_sum,total'];
      for (const l of lists) for (const m of l.revenue.cash) cashLines.push([l.name, m.month, m.initial.toFixed(2), m.midYear.toFixed(2), m.lumpSum.toFixed(2), m.total.toFixed(2)].join(','));
      await writeFileAtomically(join(opts.out, 'cash.csv'), `${cashLines.join('\n')}\n`);
      return evaluation;
    },
    log,
  );
}
