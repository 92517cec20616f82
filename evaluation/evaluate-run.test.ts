// `rafcast evaluate` on a generated plan: byte-reproducible outputs, totals that add up from the
// per-member table, lump sums only for members enrolled in August of T+1 and the same lump sums as
// the history's, listed members with no RAF_{T+1} counted apart with no measurable gap, and the
// perfect-knowledge list from truth/ as an upper bound on precision.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatedPlan } from '../test/generated-plan.ts';
import { tempDir } from '../test/temp-dir.ts';
import { evaluateRun } from './evaluate-run.ts';
import { type Evaluation } from './evaluation-types.ts';
import { trainRun } from '../models/train-run.ts';

describe('evaluateRun', () => {
  let out: string;
  let e: Evaluation;
  let run: string;
  let data: string;
  beforeAll(async () => {
    data = await generatedPlan({ members: 3000, seed: 8 });
    run = tempDir('run');
    await trainRun({ data, asOf: 2024, model: 'logistic', seed: 2, out: run });
    out = tempDir('evaluation');
    e = await evaluateRun({ run, asOf: 2024, out, annualBaseRate: 10402.34 });
  }, 120_000);

  it('writes the same bytes from the same inputs', async () => {
    const again = tempDir('evaluation');
    await evaluateRun({ run, asOf: 2024, out: again, annualBaseRate: 10402.34 });
    for (const f of ['evaluation.json', 'members.csv', 'deciles.csv', 'cash.csv']) expect(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), f).toBe(true);
  });

  it("lists every member in members.csv with allMembers, the listed members' rows unchanged", async () => {
    const every = tempDir('evaluation');
    await evaluateRun({ run, asOf: 2024, out: every, annualBaseRate: 10402.34, allMembers: true });
    const all = readFileSync(join(every, 'members.csv'), 'utf8').trim().split('\n');
    const listed = readFileSync(join(out, 'members.csv'), 'utf8').trim().split('\n');
    // A header and one row per member of the evaluation, more than the lists' union holds.
    expect(all).toHaveLength(e.members + 1);
    expect(listed.length).toBeLessThan(all.length);
    // Every row of the default file is in the full one, the same text.
    const rows = new Set(all);
    for (const line of listed) expect(rows.has(line)).toBe(true);
    // The rows added are members of no list: false in every in_ column.
    const head = all[0]!.split(',');
    const inCols = head.flatMap((h, j) => (h.startsWith('in_') ? [j] : []));
    const added = all.slice(1).filter((l) => !new Set(listed).has(l));
    expect(added).toHaveLength(all.length - listed.length);
    for (const l of added) expect(inCols.map((j) => l.split(',')[j])).toEqual(inCols.map(() => 'false'));
  });

  it('adds the per-member dollars up to the list totals, with no RAF_{T+1} counted apart and not as $0', () => {
    const lines = readFileSync(join(out, 'members.csv'), 'utf8').trim().split('\n');
    const head = lines[0]!.split(',');
    const col = (name: string) => head.indexOf(name);
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const l of e.lists) {
      const mine = rows.filter((r) => r[col(`in_${l.name}`)] === 'true');
      expect(mine).toHaveLength(l.revenue.members);
      const cents = (name: string) => mine.reduce((a, r) => a + Math.round(Number(r[col(name)]) * 100), 0) / 100;
      expect(cents('accelerated')).toBe(l.revenue.accelerated.total);
      expect(cents('incremental')).toBe(l.revenue.incremental.total);
      const noNext = mine.filter((r) => r[col('no_next_year')] === 'true');
      expect(noNext.length).toBe(l.revenue.incremental.noNextYear);
      expect(mine.length - noNext.length).toBe(l.revenue.incremental.withBothYears);
      // Counted, with an empty RAF_{T+1} and an empty (not measurable) gap: not dropped, not zero-filled.
      for (const r of noNext) expect([r[col('raf_next')], r[col('gap')], r[col('incremental')]]).toEqual(['', '', '']);
      // The share over the list's members with both years beside the share over the whole list.
      expect(l.revenue.incremental.shareOfBothYears).toBeCloseTo(l.revenue.incremental.members! / l.revenue.incremental.withBothYears, 12);
      expect(l.revenue.incremental.share).toBeCloseTo(l.revenue.incremental.members! / l.revenue.members, 12);
    }
    expect(e.lists.find((l) => l.name === 'model')!.revenue.incremental.noNextYear).toBeGreaterThan(0);
  });

  it('pays lump sums only to members enrolled and alive in August of T+1, the same lump sums the history writes', async () => {
    const lines = readFileSync(join(out, 'members.csv'), 'utf8').trim().split('\n');
    const head = lines[0]!.split(',');
    const col = (name: string) => head.indexOf(name);
    const rows = lines.slice(1).map((l) => l.split(','));
    // A member paid fewer than 8 months of 2025 (died or left before August) gets no lump sum.
    const gone = rows.filter((r) => Number(r[col('months_paid')]) < 8);
    expect(gone.length).toBeGreaterThan(0);
    for (const r of gone) expect([r[col('accelerated')], r[col('august_lump_sum')]]).toEqual(['0.00', '']);
    expect(e.lists.some((l) => l.revenue.accelerated.notEnrolledInAugust.members > 0)).toBe(true);
    // One rounding: each lump sum paid is the history's august_lump_sum of 2024 for that member.
    const { openDuckDb } = await import('../data/duckdb.ts');
    const db = await openDuckDb();
    try {
      const history = new Map(
        (await db.connection.runAndReadAll(`SELECT member_id, august_lump_sum::VARCHAR AS lump FROM read_parquet('${join(data, 'history', 'raf_history.parquet')}') WHERE year = 2024`))
          .getRowObjectsJson()
          .map((r) => [String(r.member_id), Number(r.lump).toFixed(2)]),
      );
      const paid = rows.filter((r) => r[col('august_lump_sum')] !== '');
      expect(paid.length).toBeGreaterThan(0);
      for (const r of paid) expect(r[col('august_lump_sum')]).toBe(history.get(r[col('member_id')]!));
    } finally {
      db.close();
    }
  });

  it('bounds the lists with perfect knowledge and says how the model compares', () => {
    const [model, naive, perfect] = ['model', 'naive', 'perfect'].map((n) => e.lists.find((l) => l.name === n)!);
    expect(perfect!.metrics.precision).toBeGreaterThan(Math.max(model!.metrics.precision, naive!.metrics.precision));
    expect(e.c).toBeGreaterThan(0.8);
    // The verdict compares the model's list with each baseline, accelerated and incremental apart,
    // differences signed (verdict.test.ts holds the words).
    const vsNaive = e.comparisons!.find((c) => c.baseline === 'naive')!;
    expect(vsNaive.accelerated.difference).toBe((Math.round(model!.revenue.accelerated.total * 100) - Math.round(naive!.revenue.accelerated.total * 100)) / 100);
    expect(vsNaive.incremental.difference).toBe((Math.round(model!.revenue.incremental.total! * 100) - Math.round(naive!.revenue.incremental.total! * 100)) / 100);
    expect(e.comparisons!.map((c) => c.baseline)).not.toContain('perfect');
    expect(e.verdict).toContain(model!.revenue.accelerated.total.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
    expect(e.verdict).not.toMatch(/earns/);
    expect(e.truthFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});
