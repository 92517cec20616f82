// `rafcast candidates` (evaluation/candidates.ts) on a generated plan and a trained model: the
// finance list and the outreach list, their expected dollars, the list from a queued run's stored
// scores, and the backtest of the expected dollars.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../data/csv.ts';
import { sqlString } from '../data/duckdb.ts';
import { predictRun } from '../models/model-run.ts';
import { trainRun } from '../models/train-run.ts';
import { queryRows } from '../test/duckdb-helpers.ts';
import { generatedPlan } from '../test/generated-plan.ts';
import { tempDir } from '../test/temp-dir.ts';
import { writeCandidates } from './candidates.ts';

describe('writeCandidates', () => {
  let data: string;
  let runDir: string;
  beforeAll(async () => {
    data = await generatedPlan({ members: 2000, seed: 5 });
    runDir = tempDir('run');
    await trainRun({ data, asOf: 2025, model: 'logistic', seed: 3, out: runDir });
  }, 120_000);

  // The default list at as-of 2025 (ranked by probability, the plan found from the run's record),
  // written once for the three tests that read it: each write fits the dollar model again.
  let defaultList: Promise<{ out: string; summary: Awaited<ReturnType<typeof writeCandidates>> }> | undefined;
  const probabilityList = () =>
    (defaultList ??= (async () => {
      const out = tempDir('candidates');
      return { out, summary: await writeCandidates({ run: runDir, asOf: 2025, top: 0.2, out, annualBaseRate: 10402.34 }) };
    })());

  it('lists from scores computed before (a queued run\'s), and refuses scores that miss a member', async () => {
    const scores = join(tempDir('pred'), 'scores.parquet');
    await predictRun({ run: runDir, asOf: 2025, out: scores });
    const { out: fresh } = await probabilityList();
    const reused = tempDir('cand');
    await writeCandidates({ run: runDir, asOf: 2025, top: 0.2, out: reused, annualBaseRate: 10402.34, data, scores });
    for (const f of ['candidates.csv', 'outreach.csv', 'recapture-rates.csv']) expect(readFileSync(join(reused, f)).equals(readFileSync(join(fresh, f))), f).toBe(true);
    // The same scores less their first member: refused, with the counts.
    const partial = join(tempDir('pred'), 'partial.parquet');
    await queryRows(`COPY (SELECT * FROM read_parquet(${sqlString(scores)}) WHERE rank > 1) TO ${sqlString(partial)} (FORMAT parquet)`);
    await expect(writeCandidates({ run: runDir, asOf: 2025, top: 0.2, out: tempDir('cand'), annualBaseRate: 10402.34, data, scores: partial })).rejects.toThrow(
      /does not score the members of these features: 1 have no score/,
    );
  }, 180_000);

  it('refuses an as-of year without members (one the data does not reach) instead of writing an empty list', async () => {
    // The plan's years are 2021-2025: at as-of 2031 no member is enrolled, nor enrolled and alive at the end of 2030.
    const out = tempDir('cand');
    const list = writeCandidates({ run: runDir, asOf: 2031, top: 0.2, out, annualBaseRate: 10402.34, data });
    await expect(list).rejects.toMatchObject({ code: 'E_CONFIG' });
    await expect(list).rejects.toThrow(/^no members at as-of 2031 in .*: no member is enrolled in 2031 and alive on January 1 \(or, when the data has no enrollment in 2031, enrolled all of 2030 and alive at its end\); there is no one to score$/);
    expect(existsSync(join(out, 'candidates.csv'))).toBe(false);
  }, 60_000);

  it('writes the candidate list for finance and the outreach list for care managers, with expected accelerated and incremental dollars', async () => {
    const { out, summary: s } = await probabilityList();
    const csv = (f: string) => readFileSync(join(out, f), 'utf8').trim().split('\n');
    const finance = csv('candidates.csv');
    expect(finance[0]).toBe(
      'member_id,rank,probability,decile,raf_t2,raf_t1,segment,open_hccs,expected_accelerated,expected_incremental,expected_dollars,suspect_dollars,as_of,model,run_id,backend,rank_by',
    );
    expect(finance.length - 1).toBe(Math.round(0.2 * s.members));
    const rows = finance.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => Number(r[1]))).toEqual(rows.map((_, i) => i + 1));
    const probs = rows.map((r) => Number(r[2]));
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
    // expected_dollars = expected_accelerated + expected_incremental, to the cent, and the totals are theirs.
    const cents = (x: string | undefined): number => Math.round(Number(x) * 100);
    for (const r of rows) expect(cents(r[10]), r[0]).toBe(cents(r[8]) + cents(r[9]));
    expect(rows.reduce((a, r) => a + cents(r[8]), 0) / 100).toBe(s.expectedAccelerated);
    expect(rows.reduce((a, r) => a + cents(r[9]), 0) / 100).toBe(s.expectedIncremental);
    expect(s.expectedDollars).toBe(Math.round((s.expectedAccelerated + s.expectedIncremental) * 100) / 100);
    // A member with no HCC coded in 2023 or 2024 has nothing open to name; the dollar model (fitted
    // at as-of 2023) still expects something of them, from their RAF_2024 or their being new.
    const hccs = new Set(
      (await queryRows(`SELECT DISTINCT member_id FROM read_parquet(${sqlString(join(data, 'history', 'raf_hcc.parquet'))}) WHERE year IN (2023, 2024)`)).map((r) => String(r.member_id)),
    );
    const without = rows.filter((r) => !hccs.has(r[0]!));
    expect(without.length).toBeGreaterThan(0);
    for (const r of without) expect(r[7]).toBe('0');
    expect(s.rankBy).toBe('probability');
    expect(s.dollarModel).toMatchObject({ fittedAt: 2023 });
    for (const r of rows) expect(r[16]).toBe('probability');
    // This plan has no pharmacy or labs files: no member has suspect dollars.
    for (const r of rows) expect(r[11]).toBe('0.00');
    const outreach = csv('outreach.csv');
    expect(outreach[0]).toBe('priority,member_id,expected_accelerated,expected_incremental,expected_dollars,suspect_dollars,probability,list_rank,member_provider_npi,reasons,hccs_to_recapture,hccs');
    const dollars = outreach.slice(1).map((l) => Number(l.split(',')[4]));
    expect(dollars).toEqual([...dollars].sort((a, b) => b - a));
    expect(new Set(outreach.slice(1).map((l) => l.split(',')[1]))).toEqual(new Set(rows.map((r) => r[0])));
    expect(csv('recapture-rates.csv')[0]).toBe('model,hcc,class,by_member_provider,rate,rate_pool,at_risk,recaptured,late_share,late_pool,recaptured_outside_window,listed_hccs');
    // 2025 is the data's last year: what the list brings is not known yet, and no calibration is written.
    expect(s.calibration).toEqual({ notMeasurable: 'the history has no 2026: what the list brought is not known yet (RAF_2026 is needed)' });
    expect(existsSync(join(out, 'calibration.csv'))).toBe(false);
    for (const f of ['candidates.csv', 'candidates.parquet', 'outreach.csv', 'recapture-rates.csv']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
  });

  it('ranks by expected dollars with --rank-by dollars, and says why each member is listed', async () => {
    const { summary: p } = await probabilityList();
    const byDollars = tempDir('candidates');
    const d = await writeCandidates({ run: runDir, asOf: 2025, top: 0.2, out: byDollars, annualBaseRate: 10402.34, rankBy: 'dollars' });
    const rows = (dir: string) => readFileSync(join(dir, 'candidates.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const listed = rows(byDollars);
    expect(d.rankBy).toBe('dollars');
    expect(listed).toHaveLength(p.listed);
    // Ranked by expected_dollars, highest first; rank_by says so.
    const dollars = listed.map((r) => Number(r[10]));
    expect(dollars).toEqual([...dollars].sort((a, b) => b - a));
    expect(listed.map((r) => Number(r[1]))).toEqual(listed.map((_, i) => i + 1));
    for (const r of listed) expect(r[16]).toBe('dollars');
    // No list of the same size expects more dollars: the probability list's total is at most its.
    expect(d.expectedDollars).toBeGreaterThan(p.expectedDollars);
    // Every listed member carries one to three reasons, ' | '-separated, and no member id.
    const outreach = readFileSync(join(byDollars, 'outreach.csv'), 'utf8');
    const reasons: string[] = [];
    parseCsv(outreach, (f) => {
      reasons.push(f[9] ?? '');
    });
    const body = reasons.slice(1).filter((r, i) => i < listed.length);
    expect(body).toHaveLength(listed.length);
    for (const r of body) {
      const n = r.split(' | ').length;
      expect(r.length > 0 && n >= 1 && n <= 3, r).toBe(true);
      expect(r).not.toMatch(/M\d{8}/);
    }
    expect(body.some((r) => /coded in 20(23|24), not yet in 2025/.test(r))).toBe(true);
    expect(body.some((r) => /^new member in 2025, age \d+/.test(r)) || body.some((r) => /RAF (rose|fell) /.test(r))).toBe(true);
  }, 120_000);

  it('sets the expected dollars of a backtest beside the measured: the lump sums paid in August of T+1, the gaps above c', async () => {
    // As of 2024 (the model trained for 2025 applied a year earlier): 2025 is in the history.
    const out = tempDir('candidates-2024');
    const s = await writeCandidates({ run: runDir, asOf: 2024, top: 0.2, out, annualBaseRate: 10402.34 });
    if (!('total' in s.calibration)) throw new Error(`no calibration: ${s.calibration.notMeasurable}`);
    const table = readFileSync(join(out, 'calibration.csv'), 'utf8').trim().split('\n');
    expect(table).toHaveLength(12);
    const all = table[11]!.split(',');
    expect(all.slice(0, 2)).toEqual(['all', String(s.listed)]);
    expect([Number(all[2]), Number(all[4])]).toEqual([s.expectedAccelerated, s.expectedIncremental]);
    // Measured accelerated, straight from the history's august_lump_sum of 2024 (payment year
    // 2025), positive, for the listed members enrolled in August of 2025 (8 or more months of 2025,
    // counted from January) and not dead before August 2025.
    const list = join(out, 'candidates.parquet');
    const [lumps] = await queryRows(
      `SELECT sum(h.august_lump_sum)::DOUBLE AS total FROM read_parquet(${sqlString(join(data, 'history', 'raf_history.parquet'))}) h
       JOIN read_parquet(${sqlString(list)}) l USING (member_id)
       JOIN read_parquet(${sqlString(join(data, 'enrollment.parquet'))}) e ON e.member_id = h.member_id AND e.year = 2025
       JOIN read_parquet(${sqlString(join(data, 'members.parquet'))}) m ON m.member_id = h.member_id
       WHERE h.year = 2024 AND h.august_lump_sum > 0 AND e.months_enrolled >= 8 AND (m.death_date IS NULL OR m.death_date >= DATE '2025-08-01')`,
    );
    expect(Number(all[3])).toBeCloseTo(Number(lumps!.total), 2);
    expect(s.calibration.total.measuredAccelerated).toBe(Number(all[3]));
    expect(s.calibration.total.measuredIncremental).toBe(Number(all[5]));
  });
});
