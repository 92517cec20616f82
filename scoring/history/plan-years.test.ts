// What each service year is scored with (plan-years.ts), against the bundled tables: the factors from
// data/reference/cms-hcc/derived/normalization_ma_adjustment_blend.csv (DOMAIN.md section 1 step 7),
// the model tables bundled for V24 2020-2026 and V28 2024-2027, CPT/HCPCS lists for 2023-2026.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../data/errors.ts';
import { paymentScore } from '../payment-score.ts';
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
      diagnosisExclusions: [],
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
      diagnosisExclusions: [],
    });
  });

  it('scores service year 2026 with PY2027: 100% V28 on its own bundled tables, normalisation 1.079, coding adjustment 5.9%', () => {
    // PROVENANCE.md S8: PY2027 keeps the 2024 CMS-HCC (V28) model and its 2026 coefficients; the
    // manifest bundles them as 2027 explicitly. V24 has no PY2027 tables: its raw score (weight 0)
    // uses the nearest, 2026's. 2026 dates of service have their own CPT/HCPCS list. Both PY2027
    // exclusions (ra_diagnosis_source_exclusions.csv, payment_year_from 2027) are in force.
    const [p2026] = planYears({ firstYear: 2026, lastYear: 2026 });
    expect(p2026).toEqual({
      serviceYear: 2026,
      paymentYear: 2027,
      tablesYear: { V24: 2026, V28: 2027 },
      blend: { V28: 1 },
      normalization: { V28: 1.079 },
      codingAdjustment: 0.059,
      procedureListYear: 2026,
      diagnosisExclusions: ['audio_only', 'chart_review_unlinked'],
    });
    // DOMAIN.md's worked example (raw V28 2.927) paid in 2027, by hand:
    // 2.927 / 1.079 = 2.71270 -> 2.713; 2.713 x 0.941 = 2.552933 -> 2.553.
    // (In PY2025, with 1.045, the same raw score pays 2.636: DOMAIN.md section 1.)
    expect(paymentScore({ V28: 2.927 }, p2026!)).toEqual({ normalized: { V28: 2.713 }, blended: 2.713, paymentScore: 2.553 });
  });

  it('scores every year with one payment year\'s tables and factors under --tables-year, still paying in y + 1', () => {
    const [p2021] = planYears({ firstYear: 2021, lastYear: 2021, tablesYear: 2025 });
    expect(p2021).toMatchObject({ paymentYear: 2022, tablesYear: { V24: 2025, V28: 2025 }, blend: { V24: 0.33, V28: 0.67 }, normalization: { V24: 1.153, V28: 1.045 } });
    // The exclusions follow the dates of service, not the tables: none for 2025 dates under --tables-year 2027.
    expect(planYears({ firstYear: 2025, lastYear: 2025, tablesYear: 2027 })[0]).toMatchObject({ normalization: { V28: 1.079 }, diagnosisExclusions: [] });
  });

  it('pays on one model alone under --model', () => {
    expect(planYears({ firstYear: 2024, lastYear: 2024, model: 'V28' })[0]).toMatchObject({ blend: { V28: 1 }, normalization: { V28: 1.045 } });
  });

  it('stops on a payment year with no factors, naming --tables-year', () => {
    // Service year 2027 pays in 2028: the table stops at 2027.
    expect(() => planYears({ firstYear: 2027, lastYear: 2027 })).toThrow(ConfigError);
    expect(() => planYears({ firstYear: 2027, lastYear: 2027 })).toThrow(/service year 2027 pays in 2028.*--tables-year/);
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
