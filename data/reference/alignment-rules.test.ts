// ACO REACH alignment's reference data (data/reference/alignment/README.md): the lists hold what
// the README says they hold, the minimums are the participation agreement's, and a year without
// rules stops, naming the years there are; the benchmark's cap, floor, reference year and blend per
// performance year are the CMS figures its README cites.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { loadAlignmentRules, loadBenchmarkRules, loadMinimumAligned, loadPqemCodes, loadPrimaryCareSpecialties } from './alignment-rules.ts';

describe('ACO REACH alignment reference', () => {
  it('lists the PQEM codes: office, home, nursing facility, care management, transitional care, wellness visits; no test or procedure', () => {
    const codes = loadPqemCodes();
    // 99201-99205, 99211-99215 (10); nursing facility 10; domiciliary 9 + 2; home 9; 99483; BHI 4; CCM 4; TCM 2; ACP 2; G0402, G0438, G0439, G0506.
    expect(codes).toHaveLength(57);
    expect(codes).toEqual(expect.arrayContaining(['99213', '99304', '99341', '99490', '99495', '99497', 'G0402', 'G0438', 'G0439']));
    for (const c of ['93000', '80053', '99221', '99281']) expect(codes).not.toContain(c);
  });

  it('lists the primary care specialties: five physician specialties and NP, CNS, PA', () => {
    expect(loadPrimaryCareSpecialties()).toEqual(['01', '08', '11', '37', '38', '50', '89', '97']);
  });

  it('gives the minimum aligned beneficiaries of the participation agreement, and none where it could not be read', () => {
    expect(loadMinimumAligned(2026, 'standard')?.minimum).toBe(5000);
    expect([2023, 2024, 2025, 2026].map((y) => loadMinimumAligned(y, 'new_entrant')?.minimum)).toEqual([2000, 3000, 4000, 5000]);
    expect(loadMinimumAligned(2024, 'high_needs')?.minimum).toBe(750);
    expect(loadMinimumAligned(2025, 'high_needs')).toBeUndefined();
  });

  it('stops for a performance year without rules, naming the years there are', () => {
    expect(() => loadAlignmentRules(2031)).toThrow('no ACO REACH alignment rules for performance year 2031');
    expect(loadAlignmentRules(2023)).toMatchObject({ windowStartMonthsBefore: 30, windowEndMonthsBefore: 6 });
  });
});

describe('the rules per performance year (benchmark_by_performance_year.csv)', () => {
  it('reads PY 2026: cap 1.03, floor 0.97, reference year 2022, 45% regional / 55% historical', () => {
    const r = loadBenchmarkRules(2026);
    expect([r.cap, r.floor, r.referenceYear, r.regionalWeight, r.historicalWeight]).toEqual([1.03, 0.97, 2022, 0.45, 0.55]);
    expect(r.source).toContain('Quick Reference');
  });

  it('reads PY 2022 as DOMAIN.md gives it: 35/65, reference year 2020, no floor', () => {
    const r = loadBenchmarkRules(2022);
    expect([r.cap, r.floor, r.referenceYear, r.regionalWeight, r.historicalWeight]).toEqual([1.03, null, 2020, 0.35, 0.65]);
  });

  it('stops on a year it lacks, naming the years it has', () => {
    expect(() => loadBenchmarkRules(2031)).toThrow(ConfigError);
    expect(() => loadBenchmarkRules(2031)).toThrow(/holds 2022, 2023, 2024, 2025, 2026/);
  });
});
