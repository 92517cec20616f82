// The list for the coming year (issue 14): on a plan of 2021-2025, `rafcast run --as-of 2026` (what
// a plan runs on January 1, 2026, with no data dated in 2026) trains at 2025, scores the members
// assumed to continue into 2026, writes the lists for 2026 and a report that marks what needs 2026
// or 2027 "not yet known"; the backtest at 2025 (2026 unknown) completes with incremental revenue
// "not measurable". Any number of shards gives the same bytes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../data/duckdb.ts';
import { generatePopulationFiles } from '../data/synthetic/generate.ts';
import { parseCsvObjects } from '../data/csv.ts';
import type { Evaluation } from '../evaluation/evaluation-types.ts';
import { queryRows } from '../test/duckdb-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { runPipeline, type RunSummary } from './run.ts';

const settings = { models: ['logistic' as const], seed: 1, annualBaseRate: 10402.34 };

describe('rafcast run for the coming year', () => {
  let data: string;
  let backtest: string;
  let backtestSummary: RunSummary;
  let coming: string;
  let comingSummary: RunSummary;
  beforeAll(async () => {
    data = tempDir('coming-plan');
    await generatePopulationFiles({ members: 800, firstYear: 2021, lastYear: 2025, seed: 11, out: data });
    backtest = tempDir('coming-backtest');
    backtestSummary = await runPipeline({ ...settings, data, asOf: 2025, out: backtest });
    coming = tempDir('coming-2026');
    comingSummary = await runPipeline({ ...settings, data, asOf: 2026, out: coming, backtest });
  }, 240_000);

  it('at as-of 2025 (2025 in the data, 2026 not) completes, incremental revenue not measurable rather than $0', () => {
    const e = JSON.parse(readFileSync(join(backtest, 'evaluation/logistic/evaluation.json'), 'utf8')) as Evaluation;
    expect(backtestSummary.evaluations.logistic!.asOf).toBe(2025);
    const model = e.lists.find((l) => l.name === 'model')!;
    expect(model.revenue.incremental.total).toBeNull();
    expect(model.revenue.incremental.notMeasurable).toMatch(/2026/);
    expect(existsSync(join(backtest, 'report.html'))).toBe(true);
  });

  it('counts the members assumed to continue: enrolled all of 2025 and alive on December 31, 2025', async () => {
    // Independently of population.ts: 12 months in 2025 (enrollment runs from January, so
    // enrolled on December 31) and no death on or before December 31, 2025.
    const [{ n }] = (await queryRows(
      `SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(join(data, 'enrollment.parquet'))}) e
         JOIN read_parquet(${sqlString(join(data, 'members.parquet'))}) m USING (member_id)
       WHERE e.year = 2025 AND e.months_enrolled = 12 AND (m.death_date IS NULL OR m.death_date > DATE '2025-12-31')`,
    )) as [{ n: number }];
    expect(n).toBeGreaterThan(600);
    expect(comingSummary.config.asOfEnrollment).toEqual({
      source: 'assumed',
      members: n,
      assumption: 'the data has no enrollment in 2026: members enrolled and alive on December 31, 2025 are assumed to continue into 2026',
    });
    // Recorded in the run's outputs, and the members scored are exactly those.
    expect(JSON.parse(readFileSync(join(coming, 'run-summary.json'), 'utf8')).asOfEnrollment.members).toBe(n);
    const [{ rows }] = (await queryRows(`SELECT count(*)::INTEGER AS rows FROM read_parquet(${sqlString(join(coming, 'features/features_2026.parquet'))})`)) as [{ rows: number }];
    expect(rows).toBe(n);
    // The list: the top 20% of them (listSize: round(0.2 x n)), every row as of 2026.
    const list = parseCsvObjects(readFileSync(join(coming, 'candidates/candidates.csv'), 'utf8'));
    expect(list.length).toBe(Math.round(0.2 * n));
    expect(new Set(list.map((r) => r.as_of))).toEqual(new Set(['2026']));
    expect(parseCsvObjects(readFileSync(join(coming, 'candidates/outreach.csv'), 'utf8')).length).toBe(list.length);
  });

  it('evaluates no model and marks every figure that needs 2026 or 2027 "not yet known"; the dollars are candidates.csv\'s', () => {
    expect(comingSummary.evaluations).toEqual({});
    expect(existsSync(join(coming, 'evaluation'))).toBe(false);
    const html = readFileSync(join(coming, 'report.html'), 'utf8');
    expect(html).toContain('The candidate list for 2026');
    expect(html.match(/not yet known \(needs the claims of 2026/g)?.length).toBe(4);
    const list = parseCsvObjects(readFileSync(join(coming, 'candidates/candidates.csv'), 'utf8'));
    const total = (col: string): string =>
      `$${(list.reduce((a, r) => a + Math.round(Number(r[col]) * 100), 0) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    expect(html).toContain(`Expected accelerated: ${total('expected_accelerated')}`);
    expect(html).toContain(`Expected incremental: ${total('expected_incremental')}`);
    // The backtest's measured figures, as its evaluation holds them.
    const e = backtestSummary.evaluations.logistic!;
    const auc = e.lists.find((l) => l.name === 'model')!.metrics.auc.toFixed(3);
    expect(html).toContain(`<td>logistic</td><td>${(e.lists.find((l) => l.name === 'model')!.metrics.precision * 100).toFixed(1)}%</td><td>${auc}</td>`);
  });

  it('gives the same lists and report in three shards as in one', async () => {
    const sharded = tempDir('coming-2026-shards');
    await runPipeline({ ...settings, data, asOf: 2026, out: sharded, backtest, shards: 3 });
    for (const f of ['candidates/candidates.csv', 'candidates/outreach.csv', 'report.html']) {
      expect(readFileSync(join(sharded, f)).equals(readFileSync(join(coming, f))), f).toBe(true);
    }
  }, 120_000);

  it("takes the data's January enrollment of 2026 when it has one, not the assumption", async () => {
    // The plan with a January 2026: half of the members enrolled all of 2025 stay (one month
    // known), the other half left on December 31, and one member joins.
    const jan = tempDir('coming-january');
    const from = (f: string): string => `read_parquet(${sqlString(join(data, `${f}.parquet`))})`;
    const to = (f: string): string => sqlString(join(jan, `${f}.parquet`));
    await queryRows(`COPY (SELECT * FROM ${from('claims')}) TO ${to('claims')} (FORMAT parquet)`);
    await queryRows(`COPY (SELECT * FROM ${from('members')} UNION ALL SELECT 'JOINED', DATE '1960-12-15', 'F', '0', NULL) TO ${to('members')} (FORMAT parquet)`);
    await queryRows(
      `COPY (SELECT * FROM ${from('enrollment')}
         UNION ALL SELECT member_id, 2026, 1, dual_status, institutional, false, contract_id FROM ${from('enrollment')} WHERE year = 2025 AND months_enrolled = 12 AND hash(member_id) % 2 = 0
         UNION ALL SELECT 'JOINED', 2026, 1, 'none', false, true, 'H0001') TO ${to('enrollment')} (FORMAT parquet)`,
    );
    // Independently: the 2026 rows of members alive on January 1, 2026.
    const [{ n }] = (await queryRows(
      `SELECT count(*)::INTEGER AS n FROM read_parquet(${to('enrollment')}) e JOIN read_parquet(${to('members')}) m USING (member_id)
       WHERE e.year = 2026 AND e.months_enrolled > 0 AND (m.death_date IS NULL OR m.death_date >= DATE '2026-01-01')`,
    )) as [{ n: number }];
    const out = tempDir('coming-january-run');
    const s = await runPipeline({ ...settings, data: jan, asOf: 2026, out });
    expect(s.config.asOfEnrollment).toEqual({ source: 'data', members: n });
    expect(s.config.years).toEqual([2021, 2025]);
    const ids = (await queryRows(`SELECT member_id FROM read_parquet(${sqlString(join(out, 'features/features_2026.parquet'))})`)).map((r) => String(r.member_id));
    expect(ids.length).toBe(n);
    expect(ids).toContain('JOINED');
    // Fewer than the members the assumption would have taken (about half of them left).
    expect(n).toBeLessThan(comingSummary.config.asOfEnrollment!.members);
  }, 120_000);

  it('refuses an as-of year two years after the data', async () => {
    await expect(runPipeline({ ...settings, data, asOf: 2027, out: tempDir('coming-2027') })).rejects.toThrow(/no enrollment in 2027, and 2027 is not the year after its last year with claims \(2025\)/);
  });
});
