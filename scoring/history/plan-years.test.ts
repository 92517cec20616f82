// What each service year is scored with (plan-years.ts), against the bundled tables: the factors from
// data/reference/cms-hcc/derived/normalization_ma_adjustment_blend.csv (DOMAIN.md section 1 step 7),
// the model tables bundled for V24 2020-2026 and V28 2024-2026, CPT/HCPCS lists for 2023-2026.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../data/errors.ts';
import { loadPlanTables, planYears, procedureListYears } from './plan-years.ts';

describe('planYears', () => {
  it('scores service year y with payment year y + 1: its blend, normalisation, coding adjustment and tables', () => {
    const [p2021, , , p2024] = planYears({ firstYear: 2021, lastYear: 2024 });
    // PY2022: V24 alone (blend 1.00), normalisation 1.118, coding adjustment 0.059. No V28 tables
    // before 2024: the nearest, 2024. No CPT/HCPCS list for 2021: the nearest, 2023.
    expect(p2021).toEqual({
      serviceYear: 2021,
      paymentYear: 2022,
      tablesYear: { V24: 2022, V28: 2024 },
      blend: { V24: 1 },
      normalization: { V24: 1.118 },
      codingAdjustment: 0.059,
      procedureListYear: 2023,
    });
    // PY2025: 33/67, 1.153 / 1.045 (DOMAIN.md's table); 2024's own list.
    expect(p2024).toEqual({
      serviceYear: 2024,
      paymentYear: 2025,
      tablesYear: { V24: 2025, V28: 2025 },
      blend: { V24: 0.33, V28: 0.67 },
      normalization: { V24: 1.153, V28: 1.045 },
      codingAdjustment: 0.059,
      procedureListYear: 2024,
    });
  });

  it('scores every year with one payment year\'s tables and factors under --tables-year, still paying in y + 1', () => {
    const [p2021] = planYears({ firstYear: 2021, lastYear: 2021, tablesYear: 2025 });
    expect(p2021).toMatchObject({ paymentYear: 2022, tablesYear: { V24: 2025, V28: 2025 }, blend: { V24: 0.33, V28: 0.67 }, normalization: { V24: 1.153, V28: 1.045 } });
  });

  it('pays on one model alone under --model', () => {
    expect(planYears({ firstYear: 2024, lastYear: 2024, model: 'V28' })[0]).toMatchObject({ blend: { V28: 1 }, normalization: { V28: 1.045 } });
  });

  it('stops on a payment year with no factors, naming --tables-year', () => {
    // Service year 2026 pays in 2027: the table stops at 2026.
    expect(() => planYears({ firstYear: 2026, lastYear: 2026 })).toThrow(ConfigError);
    expect(() => planYears({ firstYear: 2026, lastYear: 2026 })).toThrow(/service year 2026 pays in 2027.*--tables-year/);
  });

  it('stops on a service year with no CPT/HCPCS list only when strict', () => {
    expect(() => planYears({ firstYear: 2022, lastYear: 2023, procedureListPolicy: 'strict' })).toThrow(/no eligible CPT\/HCPCS list for service year 2022/);
    expect(planYears({ firstYear: 2023, lastYear: 2024, procedureListPolicy: 'strict' }).map((p) => p.procedureListYear)).toEqual([2023, 2024]);
  });
});

describe('procedureListYears', () => {
  it("gives each year of dates of service read its plan's list, and the year before the first the first plan's", () => {
    // Dates of service from July 2023 (the first initial window) to December 2025. 2023 is not a
    // service year here: it takes the first plan's list, 2024's, although a 2023 list is bundled
    // (what the history has always done; scoring/README.md, "Eligible claims").
    expect(procedureListYears(planYears({ firstYear: 2024, lastYear: 2025 }))).toEqual(
      new Map([
        [2023, 2024],
        [2024, 2024],
        [2025, 2025],
      ]),
    );
    // No list before 2023: 2020-2022 all take the nearest, 2023.
    expect([...procedureListYears(planYears({ firstYear: 2021, lastYear: 2022 }))]).toEqual([
      [2020, 2023],
      [2021, 2023],
      [2022, 2023],
    ]);
  });
});

describe('loadPlanTables', () => {
  it('loads each model-year of tables once for the years that share them', () => {
    // 2021: V24 2022, V28 2024; 2022: V24 2023, V28 2024 (shared).
    expect([...loadPlanTables(planYears({ firstYear: 2021, lastYear: 2022 })).keys()]).toEqual(['V24/2022', 'V28/2024', 'V24/2023']);
  });
});
