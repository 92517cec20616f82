// The benchmark's rules worked by hand (benchmark.ts; the rules per year:
// data/reference/alignment/benchmark_by_performance_year.csv): the growth cap above, at and below it,
// the symmetric floor, voluntary exempt, both-aligned capped; the base-rate blend; the totals and
// the dollars lost to the cap; the effort ranking with and without suspects; the rates file's checks.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDb } from '../../data/duckdb.ts';
import { tempDir } from '../../test/temp-dir.ts';
import type { InputError } from '../../data/errors.ts';
import { loadBenchmarkRules, type BenchmarkRules } from '../../data/reference/alignment-rules.ts';
import { benchmarkRows, benchmarkTotals, capScore, claimsBaseRate, effortRanking, MissingHistoricalError, populationCap, type AlignedBeneficiary, type BenchmarkRates } from './benchmark.ts';
import { parseRates } from './benchmark-rates.ts';
import { readSuspectGains } from './run-benchmark.ts';

const CAP_ONLY = { cap: 1.03, floor: null };
const SYMMETRIC = { cap: 1.03, floor: 0.97 };

describe('the risk score growth cap (capScore)', () => {
  it('limits a claims-aligned score above the cap to 1.03 x the reference score: 1.162 -> 1.19686, not the source example\'s 1.194', () => {
    // 1.162 x 1.03 = 1.162 + 0.03486 = 1.19686; a raw 1.200 is above it.
    const c = capScore('claims', 1.2, 1.162, CAP_ONLY);
    expect(c.limit).toBeCloseTo(1.19686, 12);
    expect(c.capped).toBeCloseTo(1.19686, 12);
    expect(c.atCap).toBe(true);
    expect(c.by).toBe('cap');
    expect(c.capped).not.toBeCloseTo(1.194, 3);
  });

  it('how the example\'s 1.194 could arise: 1.200 x 0.995 (a 0.5% reduction of the raw score), or a reference of 1.159 (1.159 x 1.03 = 1.19377)', () => {
    expect(1.2 * 0.995).toBeCloseTo(1.194, 12);
    expect(Math.round(1.159 * 1.03 * 1000) / 1000).toBe(1.194);
    expect(Math.round(1.162 * 1.03 * 1000) / 1000).toBe(1.197);
  });

  it('counts a score exactly at the cap as at the cap, unchanged', () => {
    // 1.000 x 1.03 = 1.03: a score of 1.03 is at the cap, coding more adds nothing.
    const c = capScore('claims', 1.03, 1.0, CAP_ONLY);
    expect(c.atCap).toBe(true);
    expect(c.capped).toBe(1.03);
    // 1.162 x 1.03 is 1.1968599999999999 in floating point; the score 1.19686 is still at the cap.
    expect(capScore('claims', 1.19686, 1.162, CAP_ONLY).atCap).toBe(true);
  });

  it('leaves a score below the cap as it is', () => {
    const c = capScore('claims', 1.01, 1.0, CAP_ONLY);
    expect(c).toEqual({ capped: 1.01, limit: 1.03, lower: null, atCap: false, by: null });
  });

  it('raises a claims-aligned score below floor x the reference score where the cap is symmetric (0.9 -> 0.97)', () => {
    const c = capScore('claims', 0.9, 1.0, SYMMETRIC);
    expect(c.capped).toBeCloseTo(0.97, 12);
    expect(c.by).toBe('floor');
    expect(c.atCap).toBe(false);
    // Without a floor the same score stands.
    expect(capScore('claims', 0.9, 1.0, CAP_ONLY).capped).toBe(0.9);
  });

  it('does not cap a voluntary-aligned score (1.5 over a reference of 1.0 stays 1.5)', () => {
    expect(capScore('voluntary', 1.5, 1.0, SYMMETRIC)).toEqual({ capped: 1.5, limit: null, lower: null, atCap: false, by: null });
  });

  it('caps a both-aligned score as a claims-aligned one (0.8 x 1.03 = 0.824)', () => {
    const c = capScore('both', 1.0, 0.8, CAP_ONLY);
    expect(c.capped).toBeCloseTo(0.824, 12);
    expect(c.atCap).toBe(true);
  });

  it('leaves a claims-aligned score without a reference score uncapped', () => {
    expect(capScore('claims', 1.4, null, SYMMETRIC)).toEqual({ capped: 1.4, limit: null, lower: null, atCap: false, by: null });
  });
});

describe('the base rate (claimsBaseRate)', () => {
  it('blends 35% regional and 65% trended historical (PY 2022): 0.35 x 12,000 + 0.65 x 10,000 x 1.05 = 4,200 + 6,825 = 11,025', () => {
    expect(claimsBaseRate(12000, 10000, 1.05, loadBenchmarkRules(2022))).toBeCloseTo(11025, 9);
  });

  it('blends 45/55 (PY 2024): 0.45 x 12,000 + 0.55 x 10,000 x 1.05 = 5,400 + 5,775 = 11,175', () => {
    expect(claimsBaseRate(12000, 10000, 1.05, loadBenchmarkRules(2024))).toBeCloseTo(11175, 9);
  });
});

// PY 2026 rules with the weights' arithmetic kept round: regional 10,000, trend 1.0.
const RULES: BenchmarkRules = { performanceYear: 2026, referenceYear: 2022, cap: 1.03, floor: 0.97, regionalWeight: 0.45, historicalWeight: 0.55, source: 'test' };
const RATES: BenchmarkRates = {
  regionalRate: 10000,
  trend: 1.0,
  entityHistorical: 10000,
  practiceHistorical: new Map([['111111111', 8000]]),
  beneficiaryHistorical: new Map(),
};
const MEMBERS: AlignedBeneficiary[] = [
  { memberId: 'A1', alignment: 'claims', tin: '111111111', score: 1.2, referenceScore: 1.0 },
  { memberId: 'A2', alignment: 'both', tin: null, score: 1.0, referenceScore: 1.0 },
  { memberId: 'A3', alignment: 'claims', tin: null, score: 0.9, referenceScore: 1.0 },
  { memberId: 'V1', alignment: 'voluntary', tin: null, score: 1.5, referenceScore: 1.0 },
  { memberId: 'V2', alignment: 'voluntary', tin: null, score: 0.8, referenceScore: null },
  { memberId: 'U1', alignment: 'claims', tin: null, score: null, referenceScore: 1.0 },
  { memberId: 'N1', alignment: 'claims', tin: null, score: 1.1, referenceScore: null },
];

describe('the benchmark (benchmarkRows, benchmarkTotals)', () => {
  const rows = benchmarkRows(MEMBERS, RATES, RULES);
  const by = (id: string) => rows.find((r) => r.memberId === id)!;

  it('prices each beneficiary: base rate x capped score, and what the cap took', () => {
    // A1: practice 111111111's historical 8,000: 0.45 x 10,000 + 0.55 x 8,000 = 4,500 + 4,400 = 8,900;
    // capped 1.03: 8,900 x 1.03 = 9,167.00; uncapped 8,900 x 1.2 = 10,680.00; lost 1,513.00.
    expect(by('A1')).toMatchObject({ historicalLevel: 'practice', dollars: 9167, uncappedDollars: 10680, capDollars: 1513, atCap: true, headroom: 0 });
    expect(by('A1').baseRate).toBeCloseTo(8900, 9);
    // A2 (both): the entity's 10,000: base 10,000; 1.0 under the cap 1.03: 10,000.00, headroom 0.03.
    expect(by('A2')).toMatchObject({ type: 'claims', historicalLevel: 'entity', dollars: 10000, capDollars: 0, atCap: false });
    expect(by('A2').headroom).toBeCloseTo(0.03, 12);
    // A3: 0.9 raised to the floor 0.97: 9,700.00 against 9,000.00 uncapped: the floor adds 700.
    expect(by('A3')).toMatchObject({ cappedBy: 'floor', dollars: 9700, uncappedDollars: 9000, capDollars: -700 });
    expect(by('A3').headroom).toBeCloseTo(0.06, 12);
    // V1: voluntary, the regional rate 10,000 x 1.5 = 15,000.00, no limit.
    expect(by('V1')).toMatchObject({ type: 'voluntary', baseRate: 10000, dollars: 15000, limit: null, headroom: null });
    // U1 has no performance-year score: not in the benchmark.
    expect(rows.map((r) => r.memberId)).toEqual(['A1', 'A2', 'A3', 'V1', 'V2', 'N1']);
  });

  it('totals by alignment: claims 9,167 + 9,700 + 11,000 = 29,867; both 10,000; voluntary 15,000 + 8,000 = 23,000; total 62,867', () => {
    const t = Object.fromEntries(benchmarkTotals(rows).map((x) => [x.alignment, x]));
    expect(t.claims).toMatchObject({ beneficiaries: 3, atCap: 1, raisedByFloor: 1, dollars: 29867, uncappedDollars: 30680, lostToCap: 1513, addedByFloor: 700 });
    expect(t.both).toMatchObject({ beneficiaries: 1, dollars: 10000, lostToCap: 0 });
    expect(t.voluntary).toMatchObject({ beneficiaries: 2, dollars: 23000, uncappedDollars: 23000, lostToCap: 0, atCap: 0 });
    // uncapped 63,680 - lost 1,513 + added by the floor 700 = 62,867.
    expect(t.total).toMatchObject({ beneficiaries: 6, dollars: 62867, uncappedDollars: 63680, lostToCap: 1513, addedByFloor: 700 });
  });

  it('applies the cap to the claims-aligned population as CMS does: mean (1.2 + 1.0 + 0.9) / 3 = 1.0333 against 1.03 x 1.0', () => {
    const p = populationCap(rows, RULES)!;
    expect(p.beneficiaries).toBe(3);
    expect(p.meanScore).toBeCloseTo(3.1 / 3, 12);
    expect(p.cappedMeanScore).toBeCloseTo(1.03, 12);
  });

  it('takes the most specific historical expenditure: the beneficiary\'s over the practice\'s over the entity\'s', () => {
    const rates = { ...RATES, beneficiaryHistorical: new Map([['A1', 12000]]) };
    // 0.45 x 10,000 + 0.55 x 12,000 = 4,500 + 6,600 = 11,100.
    const a1 = benchmarkRows([MEMBERS[0]!], rates, RULES)[0]!;
    expect(a1.historicalLevel).toBe('beneficiary');
    expect(a1.baseRate).toBeCloseTo(11100, 9);
  });

  it('stops, with a count, when a claims-aligned beneficiary has no historical expenditure at any level', () => {
    const rates = { ...RATES, entityHistorical: null };
    // A2, A3 and N1 have no practice on the rates (U1 is not priced); A1's practice has one; voluntary needs none.
    expect(() => benchmarkRows(MEMBERS, rates, RULES)).toThrow(MissingHistoricalError);
    expect(() => benchmarkRows(MEMBERS, rates, RULES)).toThrow('3 claims-aligned beneficiaries have no historical expenditure');
  });
});

describe('where effort pays (effortRanking)', () => {
  const rows = benchmarkRows(MEMBERS, RATES, RULES);

  it('lists claims-aligned beneficiaries at the cap apart, ranks the rest by headroom x base rate and the voluntary by uncapped value', () => {
    // A3: headroom 1.03 - 0.97 (its floor-raised score) = 0.06 x 10,000 = 600; A2: 0.03 x 10,000 = 300.
    // V1: 10,000 x 1.5 = 15,000; V2: 8,000. N1 (no reference score, nothing caps it): 11,000.
    expect(effortRanking(rows).map((e) => [e.group, e.rank, e.memberId, e.basis, e.value])).toEqual([
      ['at_cap', 0, 'A1', 'at_cap', 0],
      ['under_cap', 1, 'A3', 'headroom', 600],
      ['under_cap', 2, 'A2', 'headroom', 300],
      ['voluntary', 1, 'V1', 'uncapped_value', 15000],
      ['voluntary', 2, 'V2', 'uncapped_value', 8000],
      ['no_reference', 1, 'N1', 'uncapped_value', 11000],
    ]);
  });

  it('with suspects, counts what they add under the cap: A2 gains 0.03 of its 0.05 (300), A3 nothing (0.9 + 0.05 stays under its floor 0.97)', () => {
    const gains = new Map([
      ['A2', 0.05],
      ['A3', 0.05],
      ['V1', 0.2],
    ]);
    expect(effortRanking(rows, gains).map((e) => [e.group, e.rank, e.memberId, e.basis, e.value])).toEqual([
      ['at_cap', 0, 'A1', 'at_cap', 0],
      ['under_cap', 1, 'A2', 'suspects', 300],
      ['under_cap', 2, 'A3', 'suspects', 0],
      ['voluntary', 1, 'V1', 'suspects', 2000],
      ['voluntary', 2, 'V2', 'suspects', 0],
      ['no_reference', 1, 'N1', 'suspects', 0],
    ]);
  });
});

describe('the rates file (parseRates)', () => {
  const HEADER = 'level,key,regional_rate,historical_expenditure,trend\n';

  it('reads an entity row, a practice row (TIN with its hyphen) and a beneficiary row', () => {
    const r = parseRates(`${HEADER}entity,,12000,10000,1.05\npractice,11-1111111,,9000,\nbeneficiary,ZQ7781,,13000,\n`, 'rates.csv');
    expect(r).toEqual({ regionalRate: 12000, trend: 1.05, entityHistorical: 10000, practiceHistorical: new Map([['111111111', 9000]]), beneficiaryHistorical: new Map([['ZQ7781', 13000]]) });
  });

  const bad = (body: string): InputError => {
    try {
      parseRates(`${HEADER}${body}`, 'rates.csv');
    } catch (e) {
      return e as InputError;
    }
    throw new Error('accepted');
  };

  it('names the file, the row and the field of a bad row', () => {
    expect(bad('entity,,12000,,1.05\npractice,12345,,9000,\n')).toMatchObject({ file: 'rates.csv', row: 2, field: 'key' });
    expect(bad('entity,,-5,,1.05\n')).toMatchObject({ row: 1, field: 'regional_rate', message: 'file rates.csv, row 1, field regional_rate: expected a number above 0, found "-5"' });
    expect(bad('entity,,12000,,\n')).toMatchObject({ row: 1, field: 'trend' });
    expect(bad('entity,,12000,,1.05\nbeneficiary,ZQ7781,100,9000,\n')).toMatchObject({ row: 2, field: 'regional_rate' });
    expect(bad('entity,,12000,,1.05\nregion,,1,1,1\n')).toMatchObject({ row: 2, field: 'level' });
    expect(bad('practice,111111111,,9000,\n').message).toContain('no entity row');
  });

  it('never puts a member id in a message', () => {
    const e = bad('entity,,12000,,1.05\nbeneficiary,ZQ7781,,9000,\nbeneficiary,ZQ7781,,9500,\n');
    expect(e).toMatchObject({ row: 3, field: 'key' });
    expect(e.message).not.toContain('ZQ7781');
    expect(bad('entity,,12000,,1.05\nbeneficiary,ZQ7781,,abc,\n').message).not.toContain('ZQ7781');
  });

  it('refuses a header without the columns', () => {
    expect(() => parseRates('level,key,rate\nentity,,1\n', 'rates.csv')).toThrow(/lacks regional_rate, historical_expenditure, trend/);
  });
});

describe("the suspects' score gains (readSuspectGains)", () => {
  it('counts an HCC once across evidence types, adds a member\'s HCCs, and leaves unpriced suspects out', async () => {
    const csv = join(tempDir('benchmark-suspects'), 'suspects.csv');
    // A: HCC 38 by medication and by lab (0.30 - 0.10 = 0.20, once) and HCC 226 (0.50 - 0.10 = 0.40): 0.60.
    // B: one suspect without demographics to price it (blank scores): no gain.
    writeFileSync(
      csv,
      'member_id,hcc,evidence_type,score_without,score_with,dollars\nA,38,medication,0.10,0.30,100\nA,38,lab,0.10,0.30,100\nA,226,medication,0.10,0.50,200\nB,38,lab,,,\n',
    );
    const db = await openDuckDb();
    try {
      const g = await readSuspectGains(db.connection, csv);
      expect([...g.keys()]).toEqual(['A']);
      expect(g.get('A')).toBeCloseTo(0.6, 12);
    } finally {
      db.close();
    }
  });
});
