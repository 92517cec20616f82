// Every member's expected dollars at as-of T (evaluation/member-dollars.ts) read nothing dated T or
// later: on a generated plan, the figures at as-of 2024 are the same from the whole plan as from a
// copy that stops on December 31, 2023 (history, claims and enrollment before 2024, no death after).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { generatedPlan } from '../test/generated-plan.ts';
import { tempDir } from '../test/temp-dir.ts';
import { forEachExpectedGain, planDollars, type PlanDollars } from './member-dollars.ts';
import { createMemberIndex } from '../data/member-index.ts';
import { expectedAt, forEachPricedHccs, readPlanDollars, savePlanDollars } from './plan-dollars-file.ts';
import type { ExpectedGain } from './candidate-value.ts';
import { writeFileSync } from 'node:fs';

const T = 2024;

/** The priced HCCs of the members `of`, by member id, as the list reads them (forEachPricedHccs). */
async function readPricedHccs(dir: string, of: ReadonlySet<string>): Promise<Map<string, ExpectedGain>> {
  const priced = new Map<string, ExpectedGain>();
  await forEachPricedHccs(dir, (id) => of.has(id), (id, gain) => priced.set(id, gain));
  return priced;
}

/** planDollars at as-of 2024 on the plan, every file seen through `where` (a filter per file). */
async function dollarsOf(data: string, cut: boolean): Promise<{ plan: PlanDollars; ids: string[]; chunked: [string, ExpectedGain][] }> {
  const db = await openDuckDb();
  const conn = db.connection;
  try {
    const dir = tempDir('dollars');
    const before = (sql: string): string => (cut ? sql : 'true');
    const hist = join(dir, 'raf_history.parquet');
    const hcc = join(dir, 'raf_hcc.parquet');
    await conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(join(data, 'history', 'raf_history.parquet'))}) WHERE ${before(`year < ${T}`)}) TO ${sqlString(hist)} (FORMAT parquet)`);
    await conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(join(data, 'history', 'raf_hcc.parquet'))}) WHERE ${before(`year < ${T}`)}) TO ${sqlString(hcc)} (FORMAT parquet)`);
    await conn.run(`CREATE VIEW claims AS SELECT * FROM read_parquet(${sqlString(join(data, 'claims.parquet'))}) WHERE ${before(`thru_date < DATE '${T}-01-01'`)}`);
    await conn.run(`CREATE VIEW enrollment AS SELECT * FROM read_parquet(${sqlString(join(data, 'enrollment.parquet'))}) WHERE ${before(`year < ${T}`)}`);
    await conn.run(
      `CREATE VIEW members AS SELECT * REPLACE (${cut ? `CASE WHEN death_date < DATE '${T}-01-01' THEN death_date END` : 'death_date'} AS death_date) FROM read_parquet(${sqlString(join(data, 'members.parquet'))})`,
    );
    // The members of 2024 and their RAF_2023, from the whole plan (the same for both).
    const rows = (
      await conn.runAndReadAll(
        `SELECT a.member_id, p.raf::DOUBLE AS raf FROM read_parquet(${sqlString(join(data, 'history', 'raf_history.parquet'))}) a
         LEFT JOIN (SELECT * FROM read_parquet(${sqlString(join(data, 'history', 'raf_history.parquet'))}) WHERE year = ${T - 1}) p USING (member_id)
         WHERE a.year = ${T} ORDER BY a.member_id`,
      )
    ).getRowObjectsJson();
    const ids = rows.map((r) => String(r.member_id));
    const rafT1 = rows.map((r) => (r.raf === null ? null : Number(r.raf)));
    const known = { history: `read_parquet(${sqlString(hist)})`, hcc: `read_parquet(${sqlString(hcc)})`, claims: 'claims', dataThrough: `${T}-01-01` };
    const plan = await planDollars(conn, known, T, ids, rafT1, DEMO_BASE_RATE_ANNUAL, 'keep');
    // The same members priced 97 at a time (13 chunks; planDollars prices 100,000 at a time, so these 1,200 in one).
    const chunked: [string, ExpectedGain][] = [];
    const index = await createMemberIndex(conn, ids, '_test_chunks');
    await forEachExpectedGain(conn, known, T, ids, index, plan.cells, DEMO_BASE_RATE_ANNUAL, (i, g) => void chunked.push([ids[i]!, g]), 97);
    return { plan, ids, chunked };
  } finally {
    db.close();
  }
}

describe('planDollars', () => {
  let data: string;
  beforeAll(async () => {
    data = await generatedPlan({ members: 1200, seed: 21 });
  }, 180_000);

  it('reads nothing dated in T or later: the whole plan and the plan cut on December 31 of T-1 give the same dollars', async () => {
    const whole = await dollarsOf(data, false);
    const cut = await dollarsOf(data, true);
    // The model is fitted at as-of 2022 (T-2) on RAF_2022, RAF_2023 and the enrollment of 2023.
    expect('fittedAt' in whole.plan.model ? whole.plan.model.fittedAt : whole.plan.model.notFitted).toBe(T - 2);
    expect(cut.plan.model).toEqual(whole.plan.model);
    expect(cut.plan.expected).toEqual(whole.plan.expected);
    expect([...cut.plan.priced!.entries()]).toEqual([...whole.plan.priced!.entries()]);
    // Priced a chunk of members at a time: the same gains, in the same order (the order priced.jsonl is written in).
    expect(whole.chunked).toEqual([...whole.plan.priced!.entries()]);
    expect(whole.chunked.length).toBeGreaterThan(600);
    // Not a list of zeros: most members expect something, and some more than others.
    const dollars = Array.from(whole.plan.expected.dollars);
    expect(dollars.filter((d) => d > 0).length).toBeGreaterThan(dollars.length / 2);
    expect(new Set(dollars).size).toBeGreaterThan(100);
    // Each member's dollars = accelerated + incremental, to the cent.
    for (let i = 0; i < whole.ids.length; i++) {
      const e = expectedAt(whole.plan.expected, i);
      expect(Math.round(e.dollars * 100)).toBe(Math.round(e.accelerated * 100) + Math.round(e.incremental * 100));
    }

    // A run computes them once (its dollars job) and every evaluation and the list read them back:
    // the same numbers bit for bit (toEqual compares numbers with Object.is), in the readers' order.
    const dir = tempDir('plan-dollars');
    await savePlanDollars(whole.plan, whole.ids, T, dir);
    const reversed = [...whole.ids].reverse();
    const back = await readPlanDollars(dir, reversed);
    const e = whole.plan.expected;
    expect(back.expected).toEqual({ accelerated: e.accelerated.slice().reverse(), incremental: e.incremental.slice().reverse(), dollars: e.dollars.slice().reverse() });
    expect([...back.suspects.entries()].sort()).toEqual([...whole.plan.suspects.entries()].sort());
    expect({ model: back.model, cells: back.cells, factorsYear: back.factorsYear, shown: back.shown }).toEqual({
      model: whole.plan.model,
      cells: whole.plan.cells,
      factorsYear: whole.plan.factorsYear,
      shown: whole.plan.shown,
    });
    // The priced HCCs of the members asked for: every tenth member, those without an open HCC absent.
    const some = new Set(whole.ids.filter((_, i) => i % 10 === 0));
    const priced = await readPricedHccs(dir, some);
    expect([...priced.entries()].sort()).toEqual([...whole.plan.priced!.entries()].filter(([id]) => some.has(id)).sort());
    expect(priced.size).toBeGreaterThan(10);
    // Other members than the features' are refused: one member fewer.
    await expect(readPlanDollars(dir, whole.ids.slice(1))).rejects.toThrow(/prices other members than these features: 0 have no expected dollars, \d+ priced against \d+ members/);
  }, 120_000);
});

describe("the folder of a plan's expected dollars (plan-dollars-file.ts)", () => {
  it('reads back members whose ids hold a quote or a backslash, and only the members asked for', async () => {
    // Three members, by hand: two with one open HCC each (made-up figures), one without any.
    const gain = (v: number): ExpectedGain => ({ hccs: [], accelerated: v, incremental: v / 2, dollars: v * 1.5 });
    const ids = ['A"1', 'B\\2', 'C'];
    const plan: PlanDollars = {
      priced: new Map([
        ['A"1', gain(10)],
        ['B\\2', gain(20)],
      ]),
      suspects: new Map([['C', 3.5]]),
      expected: { accelerated: Float64Array.of(10, 20, 0), incremental: Float64Array.of(5, 10, 0), dollars: Float64Array.of(15, 30, 0) },
      model: { notFitted: 'by hand' },
      cells: [],
      factorsYear: 2025,
      shown: 'V28',
    };
    const dir = tempDir('plan-dollars-ids');
    await savePlanDollars(plan, ids, T, dir);
    const back = await readPlanDollars(dir, ids);
    expect(back.expected).toEqual(plan.expected);
    expect([...back.suspects.entries()]).toEqual([['C', 3.5]]);
    expect([...(await readPricedHccs(dir, new Set(['B\\2', 'C']))).entries()]).toEqual([['B\\2', gain(20)]]);
    expect([...(await readPricedHccs(dir, new Set(['A"1']))).entries()]).toEqual([['A"1', gain(10)]]);
    // A line that is not rafcast's names the file and the line.
    writeFileSync(join(dir, 'priced.jsonl'), '["A\\"1", {broken\n');
    await expect(readPricedHccs(dir, new Set(['A"1']))).rejects.toThrow(`${join(dir, 'priced.jsonl')}, line 1: not a line written by rafcast`);
  });
});
