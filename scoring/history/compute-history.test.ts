// `rafcast history` (scoring/history/compute-history.ts) on hand-built members whose every number is worked out
// here from DOMAIN.md sections 1-2 and the CMS tables, and on a generated population whose
// eligible diagnoses must each land in exactly one window of each kind.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../../data/duckdb.ts';
import { queryRows } from '../../test/duckdb-helpers.ts';
import { excludedBy, isRiskAdjustmentEligible, loadDiagnosisSourceExclusions, loadEligibleProcedures } from '../../data/reference/eligibility.ts';
import { loadSubmissionDeadlines } from '../../data/reference/submission-deadlines.ts';
import { windowDeadlines } from '../payment-calendar.ts';
import { computeHistory, type HistorySummary } from './compute-history.ts';
import { generatePopulationFiles } from '../../data/synthetic/generate.ts';
import { tempDir } from '../../test/temp-dir.ts';

const tmp = (): string => tempDir('history');

const query = queryRows;

const BASE_RATE = 10402.34;

describe('computeHistory on hand-built members (service years 2024-2025, V28 alone)', () => {
  let out: string;
  let summary: HistorySummary;
  let rows: Record<string, unknown>[];
  const row = (member: string, year: number) => rows.find((r) => r.member_id === member && r.year === year);

  beforeAll(async () => {
    const data = tmp();
    out = tmp();
    writeFileSync(
      join(data, 'members.csv'),
      [
        'member_id,birth_date,sex,orec,death_date',
        'LATE,1950-03-10,F,0,', // 74 on Feb 1 2025: CNA female 70-74
        'INELIGIBLE,1950-03-10,F,0,',
        'TURNS65,1960-06-15,F,0,', // 64 on Feb 1 2025, 65 on Feb 1 2026
        'DIED,1940-01-01,M,0,2024-05-10',
        'JOINED2025,1955-01-01,M,0,',
        'INPATIENT,1950-03-10,F,0,',
        // The earliest birth date load accepts (data/contract.ts DATE_RANGES): 126 on Feb 1 2026, over the engine's 125.
        'TOOOLD,1900-01-02,M,0,',
      ].join('\n'),
    );
    writeFileSync(
      join(data, 'enrollment.csv'),
      [
        'member_id,year,months_enrolled,dual_status,institutional,new_enrollee,contract_id',
        'LATE,2024,12,none,false,false,H1',
        'INELIGIBLE,2024,12,none,false,false,H1',
        'TURNS65,2024,12,none,false,false,H1',
        'TURNS65,2025,12,none,false,false,H1',
        'DIED,2024,5,none,false,false,H1',
        'DIED,2025,2,none,false,false,H1', // enrolment after death: the history still ends
        'JOINED2025,2025,12,none,false,false,H1',
        'INPATIENT,2024,12,none,false,false,H1',
        'TOOOLD,2025,12,none,false,false,H1',
      ].join('\n'),
    );
    writeFileSync(
      join(data, 'claims.csv'),
      [
        'claim_id,member_id,claim_type,bill_type,from_date,thru_date,procedure_codes,diagnosis_codes,paid_amount,rendering_npi',
        // Diabetes with complications (E11.22 -> V28 HCC 37, V24 HCC 18), coded only in the second half of 2024.
        'C1,LATE,professional,,2024-09-15,2024-09-15,99214,E11.22,120.00,1111111111',
        'C2,LATE,professional,,2024-10-20,2024-10-20,99214,E11.22|Z79.4,130.00,2222222222',
        // 81002 (urinalysis) is not on CMS's eligible CPT/HCPCS list: the claim counts for nothing.
        'C3,INELIGIBLE,professional,,2024-03-01,2024-03-01,81002,E11.22,15.00,3333333333',
        // Inpatient (bill type 111) needs no procedure; coded in March it is in both windows.
        'C4,INPATIENT,inpatient,111,2024-03-01,2024-03-05,,E11.22,9000.00,4444444444',
        'C5,DIED,professional,,2024-04-01,2024-04-01,99214,E11.22,120.00,5555555555',
      ].join('\n'),
    );
    summary = await computeHistory({ data, firstYear: 2024, lastYear: 2025, out, annualBaseRate: BASE_RATE, model: 'V28' });
    rows = await query(`SELECT * FROM read_parquet(${sqlString(join(out, 'raf_history.parquet'))})`);
  });

  it('scores a condition coded only in the second half of y in RAF_y, not RAF_init_y, and pays the difference in August', () => {
    // CMS V28 relative factors (ra_coefficients_2026.csv, C28): CNA_F70_74 0.395, CNA_HCC37 0.166, CNA_D1 0.
    // PY2025 V28 normalisation 1.045, coding adjustment 5.9% (normalization_ma_adjustment_blend.csv).
    // RAF_2024:      raw 0.395 + 0.166 = 0.561; round(0.561 / 1.045, 3) = 0.537; round(0.537 x 0.941, 3) = 0.505.
    // RAF_init_2024: raw 0.395;                 round(0.395 / 1.045, 3) = 0.378; round(0.378 x 0.941, 3) = 0.356.
    // Monthly: 0.505 x 10,402.34 / 12 = 437.765 -> 437.77; 0.356 x 10,402.34 / 12 = 308.603 -> 308.60.
    // August lump sum of PY2025: 6 x (437.77 - 308.60) = 775.02.
    expect(row('LATE', 2024)).toMatchObject({
      payment_year: 2025,
      segment: 'CNA',
      age: 74,
      raw_v28: 0.561,
      raw_init_v28: 0.395,
      n_hcc_v28: 1,
      raf: 0.505,
      raf_init: 0.356,
      monthly_payment: '437.77',
      monthly_payment_init: '308.60',
      august_lump_sum: '775.02',
      n_dx: 3,
      n_dx_init: 0,
    });
  });

  it('gives each HCC its first and last date of service and the provider of the last', async () => {
    const hcc = await query(
      `SELECT member_id, year, model, hcc, factor, first_service_date::VARCHAR AS first, last_service_date::VARCHAR AS last, provider_npi, in_initial
       FROM read_parquet(${sqlString(join(out, 'raf_hcc.parquet'))}) WHERE member_id IN ('LATE', 'INPATIENT') ORDER BY member_id, model`,
    );
    expect(hcc).toEqual([
      { member_id: 'INPATIENT', year: 2024, model: 'V24', hcc: 18, factor: 0.302, first: '2024-03-05', last: '2024-03-05', provider_npi: '4444444444', in_initial: true },
      { member_id: 'INPATIENT', year: 2024, model: 'V28', hcc: 37, factor: 0.166, first: '2024-03-05', last: '2024-03-05', provider_npi: '4444444444', in_initial: true },
      { member_id: 'LATE', year: 2024, model: 'V24', hcc: 18, factor: 0.302, first: '2024-09-15', last: '2024-10-20', provider_npi: '2222222222', in_initial: false },
      { member_id: 'LATE', year: 2024, model: 'V28', hcc: 37, factor: 0.166, first: '2024-09-15', last: '2024-10-20', provider_npi: '2222222222', in_initial: false },
    ]);
  });

  it('counts a claim with an ineligible procedure code for nothing: a demographic-only score', () => {
    // Demographics alone: 0.395 -> 0.378 -> 0.356 in both windows; no lump sum.
    expect(row('INELIGIBLE', 2024)).toMatchObject({ raw_v28: 0.395, raf: 0.356, raf_init: 0.356, n_hcc_v28: 0, n_dx: 0, august_lump_sum: '0.00' });
    // C1, C2 (3 codes), C4, C5 are eligible; C3's one code is not.
    expect(summary.diagnoses).toMatchObject({ inRange: 6, eligible: 5, ineligible: 1 });
  });

  it('scores a condition coded in the first half of y in both windows (no lump sum)', () => {
    expect(row('INPATIENT', 2024)).toMatchObject({ raw_v28: 0.561, raw_init_v28: 0.561, raf: 0.505, raf_init: 0.505, august_lump_sum: '0.00' });
  });

  it('moves a member who turns 65 between years from the disabled to the aged segment', () => {
    // Age on Feb 1 of the payment year: 64 in 2025 (CND_F60_64 0.436), 65 in 2026 (CNA_F65_69 0.33).
    expect(row('TURNS65', 2024)).toMatchObject({ segment: 'CND', age: 64, raw_v28: 0.436 });
    expect(row('TURNS65', 2025)).toMatchObject({ segment: 'CNA', age: 65, raw_v28: 0.33, payment_year: 2026 });
  });

  it('ends the history at death and has no row for a year a member was not enrolled', () => {
    expect(rows.filter((r) => r.member_id === 'DIED').map((r) => r.year)).toEqual([2024]);
    expect(rows.filter((r) => r.member_id === 'JOINED2025').map((r) => r.year)).toEqual([2025]);
    expect(rows).toHaveLength(7);
  });

  it('sets aside a member-year it cannot score, with the reason, and counts it', () => {
    expect(rows.some((r) => r.member_id === 'TOOOLD')).toBe(false);
    expect(summary.rejected).toBe(1);
    expect(readFileSync(join(out, 'raf_history.rejected.csv'), 'utf8').trim().split('\n')).toEqual([
      'member_id,year,field,reason',
      'TOOOLD,2025,birth_date,age 126 on February 1 is over 125',
    ]);
  });

  it('writes owner-only files and a manifest of what each year was scored with', () => {
    for (const f of ['raf_history.parquet', 'raf_hcc.parquet', 'history.json']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
    const manifest = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    expect(manifest.plans.map((p: { paymentYear: number; blend: object }) => [p.paymentYear, p.blend])).toEqual([
      [2025, { V28: 1 }],
      [2026, { V28: 1 }],
    ]);
  });
});

describe('computeHistory on a generated population', () => {
  it('attributes every eligible diagnosis to exactly one window of each kind, with SQL eligibility equal to the reference rule', async () => {
    const data = tmp();
    const out = tmp();
    // Service years 2025-2026: 2026 dates of service pay in PY2027, whose exclusions apply.
    const [first, last] = [2025, 2026];
    await generatePopulationFiles({ members: 400, firstYear: 2024, lastYear: 2026, seed: 5, out: data });
    const s = await computeHistory({ data, firstYear: first, lastYear: last, out, annualBaseRate: BASE_RATE });
    // The same input gives the same bytes.
    const again = tmp();
    await computeHistory({ data, firstYear: first, lastYear: last, out: again, annualBaseRate: BASE_RATE });
    for (const f of ['raf_history.parquet', 'raf_hcc.parquet']) expect(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), f).toBe(true);

    // The claims counted again here, eligibility by isRiskAdjustmentEligible, windows by date.
    const claims = await query(
      `SELECT c.member_id, c.claim_type, c.bill_type, c.thru_date::VARCHAR AS dos, c.procedure_codes, c.procedure_modifiers,
              coalesce(c.record_source, 'encounter') AS record_source, len(c.diagnosis_codes)::INTEGER AS n,
              coalesce(c.received_date, c.thru_date)::VARCHAR AS received
       FROM read_parquet(${sqlString(join(data, 'claims.parquet'))}) c WHERE c.thru_date BETWEEN DATE '${first - 1}-07-01' AND DATE '${last}-12-31'`,
    );
    const enrolled = new Set(
      (await query(`SELECT member_id || '/' || year AS k FROM read_parquet(${sqlString(join(out, 'raf_history.parquet'))})`)).map((r) => r.k),
    );
    let inRange = 0;
    let eligible = 0;
    const excluded: Record<string, Record<number, number>> = {};
    const attributed = { mid: 0, init: 0 };
    // Received after the deadline its window honours (windowDeadlines over CMS's dates), in a year asked for.
    const afterDeadline = { mid: 0, init: 0 };
    const deadlines = loadSubmissionDeadlines();
    const onTime = (received: string, deadline: string | null): boolean => deadline === null || received <= deadline;
    for (const c of claims) {
      const n = Number(c.n);
      inRange += n;
      const year = Number(String(c.dos).slice(0, 4));
      const ok = isRiskAdjustmentEligible(
        { claimType: c.claim_type as 'professional', billType: c.bill_type as string | null, procedures: c.procedure_codes as string[] },
        // The first service year's list for the year before it (plan-years.ts, procedureListYears).
        loadEligibleProcedures(Math.max(year, first)),
      );
      if (!ok) continue;
      const rule = excludedBy({ procedure_modifiers: c.procedure_modifiers as string[], record_source: String(c.record_source) }, year, loadDiagnosisSourceExclusions());
      if (rule !== null) {
        excluded[rule] ??= {};
        excluded[rule][year] = (excluded[rule][year] ?? 0) + n;
        continue;
      }
      eligible += n;
      const initYear = Number(String(c.dos).slice(5, 7)) >= 7 ? year + 1 : year;
      const received = String(c.received);
      const midOnTime = onTime(received, windowDeadlines(year, deadlines).midYear);
      const initOnTime = onTime(received, windowDeadlines(initYear, deadlines).initial);
      if (year >= first && year <= last && !midOnTime) afterDeadline.mid += n;
      if (initYear >= first && initYear <= last && !initOnTime) afterDeadline.init += n;
      if (midOnTime && enrolled.has(`${c.member_id}/${year}`)) attributed.mid += n;
      if (initOnTime && enrolled.has(`${c.member_id}/${initYear}`)) attributed.init += n;
    }
    const sums = (await query(`SELECT sum(n_dx)::BIGINT AS mid, sum(n_dx_init)::BIGINT AS init FROM read_parquet(${sqlString(join(out, 'raf_history.parquet'))})`))[0]!;
    const d = s.diagnoses;
    expect(inRange).toBeGreaterThan(1000);
    const excludedTotal = Object.values(excluded).flatMap((y) => Object.values(y)).reduce((a, b) => a + b, 0);
    expect(d).toMatchObject({ inRange, eligible, excluded: excludedTotal, ineligible: inRange - eligible - excludedTotal });
    // Each rule's count by year of service, as the reference rule counts them: some in 2026, none before.
    for (const e of d.exclusions) {
      expect(e.byServiceYear, e.rule).toEqual({ 2024: 0, 2025: 0, 2026: excluded[e.rule]?.[2026] ?? 0 });
      expect(e.diagnoses, e.rule).toBeGreaterThan(0);
    }
    expect(d.midYear.attributed).toBe(attributed.mid);
    expect(d.initial.attributed).toBe(attributed.init);
    expect(Number(sums.mid)).toBe(attributed.mid);
    expect(Number(sums.init)).toBe(attributed.init);
    expect(d.midYear.afterDeadline).toBe(afterDeadline.mid);
    expect(d.initial.afterDeadline).toBe(afterDeadline.init);
    // The generator's lags (at most 365 days) never miss a final deadline (13 months after the year),
    // but some June claims miss the initial one (early September).
    expect(afterDeadline.mid).toBe(0);
    expect(afterDeadline.init).toBeGreaterThan(0);
    for (const w of [d.midYear, d.initial]) expect(w.attributed + w.outsideYears + w.afterDeadline + w.notEnrolled).toBe(eligible);
    // July-December 2024 opens 2025's initial window only; July-December 2026 belongs to 2027's.
    expect(d.midYear.outsideYears).toBeGreaterThan(0);
    expect(d.initial.outsideYears).toBeGreaterThan(0);
  });
});

describe('computeHistory with the PY2027 exclusions by record source (service years 2025-2026, default blend)', () => {
  // Every member: a woman born 1950-03-10, 75 on February 1, 2026 and 76 on February 1, 2027, so
  // CNA_F75_79 (0.465) in both payment years. E11.22 maps to V28 HCC37 (CNA_HCC37 0.166); I10 maps
  // to no V28 HCC. Both years are 100% V28 (normalization_ma_adjustment_blend.csv): PY2026 1.067,
  // PY2027 1.079 (PROVENANCE.md S8), coding adjustment 5.9%. All dated March, so in both windows.
  //   0.465 + 0.166 = 0.631 in PY2026: 0.631 / 1.067 = 0.5914 -> 0.591; x 0.941 = 0.5561 -> 0.556.
  //   0.465 in PY2026:                 0.465 / 1.067 = 0.4358 -> 0.436; x 0.941 = 0.4103 -> 0.410.
  //   0.631 in PY2027:                 0.631 / 1.079 = 0.5848 -> 0.585; x 0.941 = 0.5505 -> 0.550.
  //   0.465 in PY2027:                 0.465 / 1.079 = 0.4310 -> 0.431; x 0.941 = 0.4056 -> 0.406.
  let out: string;
  let summary: HistorySummary;
  let rows: Record<string, unknown>[];
  const row = (member: string, year: number) => rows.find((r) => r.member_id === member && r.year === year);
  const MEMBERS = ['AUDIO93', 'AUDIOFQ', 'UNLINKED', 'LINKED'];

  beforeAll(async () => {
    const data = tmp();
    out = tmp();
    writeFileSync(join(data, 'members.csv'), ['member_id,birth_date,sex,orec,death_date', ...MEMBERS.map((m) => `${m},1950-03-10,F,0,`)].join('\n'));
    writeFileSync(
      join(data, 'enrollment.csv'),
      [
        'member_id,year,months_enrolled,dual_status,institutional,new_enrollee,contract_id',
        ...MEMBERS.flatMap((m) => [`${m},2025,12,none,false,false,H1`, `${m},2026,12,none,false,false,H1`]),
      ].join('\n'),
    );
    writeFileSync(
      join(data, 'claims.csv'),
      [
        'claim_id,member_id,claim_type,bill_type,from_date,thru_date,procedure_codes,procedure_modifiers,diagnosis_codes,paid_amount,rendering_npi,record_source',
        // An audio-only office visit (modifier 93) coding diabetes, in 2025 (kept) and 2026 (taken out).
        'A1,AUDIO93,professional,,2025-03-10,2025-03-10,99214,93,E11.22,80.00,1111111111,',
        'A2,AUDIO93,professional,,2026-03-10,2026-03-10,99214,93,E11.22,80.00,1111111111,',
        // The same at an FQHC or RHC (modifier FQ), beside another line's modifier 25.
        'F1,AUDIOFQ,professional,,2025-03-10,2025-03-10,99214,FQ|25,E11.22,80.00,1111111111,encounter',
        'F2,AUDIOFQ,professional,,2026-03-10,2026-03-10,99214,25|FQ,E11.22,80.00,1111111111,encounter',
        // An unlinked chart review record adding diabetes, in 2025 (kept) and 2026 (taken out).
        'U1,UNLINKED,professional,,2025-03-10,2025-03-10,99214,,E11.22,0.00,3333333333,chart_review_unlinked',
        'U2,UNLINKED,professional,,2026-03-10,2026-03-10,99214,,E11.22,0.00,3333333333,chart_review_unlinked',
        // An office visit coding only hypertension, and a chart review linked to it adding diabetes (kept).
        'L1,LINKED,professional,,2026-03-10,2026-03-10,99214,,I10,95.00,2222222222,encounter',
        'L2,LINKED,professional,,2026-03-10,2026-03-10,99214,,E11.22,0.00,2222222222,chart_review_linked',
      ].join('\n'),
    );
    summary = await computeHistory({ data, firstYear: 2025, lastYear: 2026, out, annualBaseRate: BASE_RATE });
    rows = await query(`SELECT * FROM read_parquet(${sqlString(join(out, 'raf_history.parquet'))})`);
  });

  it('keeps the diagnoses of audio-only encounters (93, FQ) and unlinked chart reviews dated 2025 (PY2026)', () => {
    for (const m of ['AUDIO93', 'AUDIOFQ', 'UNLINKED']) {
      expect(row(m, 2025), m).toMatchObject({ payment_year: 2026, raw_v28: 0.631, raw_init_v28: 0.631, n_hcc_v28: 1, raf: 0.556, raf_init: 0.556, n_dx: 1, n_dx_init: 1 });
    }
  });

  it('takes them out when dated 2026 (PY2027): a demographic-only score paid with normalisation 1.079', () => {
    for (const m of ['AUDIO93', 'AUDIOFQ', 'UNLINKED']) {
      expect(row(m, 2026), m).toMatchObject({ payment_year: 2027, segment: 'CNA', age: 76, raw_v28: 0.465, n_hcc_v28: 0, raf: 0.406, raf_init: 0.406, n_dx: 0, n_dx_init: 0 });
    }
  });

  it('keeps a linked chart review dated 2026: its diagnosis pays in PY2027 (0.631 -> 0.585 -> 0.550)', async () => {
    // n_dx 2: the visit's I10 and the chart review's E11.22, both eligible.
    expect(row('LINKED', 2026)).toMatchObject({ payment_year: 2027, raw_v28: 0.631, raw_init_v28: 0.631, n_hcc_v28: 1, raf: 0.55, raf_init: 0.55, n_dx: 2, n_dx_init: 2 });
    expect(row('LINKED', 2025)).toMatchObject({ payment_year: 2026, raw_v28: 0.465, raf: 0.41, n_dx: 0 });
    const hcc = await query(
      `SELECT member_id, year, hcc, provider_npi FROM read_parquet(${sqlString(join(out, 'raf_hcc.parquet'))}) WHERE model = 'V28' ORDER BY member_id, year`,
    );
    // Only the kept diagnoses give HCCs: 2025 for the three, 2026 for LINKED alone.
    expect(hcc).toEqual([
      { member_id: 'AUDIO93', year: 2025, hcc: 37, provider_npi: '1111111111' },
      { member_id: 'AUDIOFQ', year: 2025, hcc: 37, provider_npi: '1111111111' },
      { member_id: 'LINKED', year: 2026, hcc: 37, provider_npi: '2222222222' },
      { member_id: 'UNLINKED', year: 2025, hcc: 37, provider_npi: '3333333333' },
    ]);
  });

  it('says in history.json how many diagnoses each rule took out, by year of service, and every diagnosis lands in one bucket', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    // 8 diagnoses read (one per claim). Taken out: A2 and F2 by audio_only (2), U2 by
    // chart_review_unlinked (1), all dated 2026. Eligible: A1, F1, U1, L1, L2 = 5.
    expect(manifest.diagnoses).toEqual(summary.diagnoses);
    expect(manifest.diagnoses).toMatchObject({
      inRange: 8,
      ineligible: 0,
      excluded: 3,
      exclusions: [
        { rule: 'audio_only', paymentYearFrom: 2027, diagnoses: 2, byServiceYear: { 2024: 0, 2025: 0, 2026: 2 } },
        { rule: 'chart_review_unlinked', paymentYearFrom: 2027, diagnoses: 1, byServiceYear: { 2024: 0, 2025: 0, 2026: 1 } },
      ],
      eligible: 5,
      // Calendar year and July-June alike: the 5 eligible land in member-years (A1, F1, U1 in 2025; L1, L2 in 2026).
      midYear: { attributed: 5, outsideYears: 0, afterDeadline: 0, notEnrolled: 0, unscored: 0 },
      initial: { attributed: 5, outsideYears: 0, afterDeadline: 0, notEnrolled: 0, unscored: 0 },
    });
    expect(manifest.plans.map((p: { serviceYear: number; diagnosisExclusions: string[] }) => [p.serviceYear, p.diagnosisExclusions])).toEqual([
      [2025, []],
      [2026, ['audio_only', 'chart_review_unlinked']],
    ]);
  });
});

describe('computeHistory as known on a date (dataThrough 2025-01-01, service year 2024, V28 alone)', () => {
  // Every member: a woman born 1950-03-10, 74 on February 1, 2025: CNA_F70_74 0.395 (V28, PY2025).
  // E11.22 maps to V28 HCC37 (CNA_HCC37 0.166). PY2025: normalisation 1.045, coding adjustment 5.9%.
  //   0.395 + 0.166 = 0.561: round(0.561 / 1.045, 3) = 0.537; round(0.537 x 0.941, 3) = 0.505.
  //   0.395 alone:           round(0.395 / 1.045, 3) = 0.378; round(0.378 x 0.941, 3) = 0.356.
  const CUTOFF = '2025-01-01';
  const MEMBERS = ['ONCUTOFF', 'LATE', 'NODATE', 'LATEINELIGIBLE'];
  const header = 'claim_id,member_id,claim_type,bill_type,from_date,thru_date,procedure_codes,diagnosis_codes,paid_amount,rendering_npi,received_date';
  const claims = [
    // Received on the cut-off day itself: known (the cut-off is inclusive).
    'K1,ONCUTOFF,professional,,2024-11-15,2024-11-15,99214,E11.22,120.00,1111111111,2025-01-01',
    // Dated December 2024 but received in February 2025: not known on January 1 (2 diagnoses).
    'L1,LATE,professional,,2024-12-20,2024-12-20,99214,E11.22|Z79.4,120.00,2222222222,2025-02-03',
    // No received_date: counts as received on its thru_date, 2024-12-31, so known.
    'N1,NODATE,professional,,2024-12-31,2024-12-31,99214,E11.22,120.00,3333333333,',
    // Ineligible (81002 is not on CMS's list) and received late: counted as not yet received, not as ineligible.
    'I1,LATEINELIGIBLE,professional,,2024-12-15,2024-12-15,81002,E11.22,15.00,4444444444,2025-01-15',
  ];
  const write = (dir: string, rows: string[]): void => {
    writeFileSync(join(dir, 'members.csv'), ['member_id,birth_date,sex,orec,death_date', ...MEMBERS.map((m) => `${m},1950-03-10,F,0,`)].join('\n'));
    writeFileSync(
      join(dir, 'enrollment.csv'),
      ['member_id,year,months_enrolled,dual_status,institutional,new_enrollee,contract_id', ...MEMBERS.map((m) => `${m},2024,12,none,false,false,H1`)].join('\n'),
    );
    writeFileSync(join(dir, 'claims.csv'), [header, ...rows].join('\n'));
  };
  let data: string;
  let cut: string;
  let full: string;
  let cutSummary: HistorySummary;
  let fullSummary: HistorySummary;
  const read = async (dir: string) => query(`SELECT * FROM read_parquet(${sqlString(join(dir, 'raf_history.parquet'))}) ORDER BY member_id`);

  beforeAll(async () => {
    data = tmp();
    cut = tmp();
    full = tmp();
    write(data, claims);
    cutSummary = await computeHistory({ data, firstYear: 2024, lastYear: 2024, out: cut, annualBaseRate: BASE_RATE, model: 'V28', dataThrough: CUTOFF });
    fullSummary = await computeHistory({ data, firstYear: 2024, lastYear: 2024, out: full, annualBaseRate: BASE_RATE, model: 'V28' });
  });

  it('scores only the claims received by the cut-off: a claim received after it changes no score', async () => {
    const rows = await read(cut);
    const of = (m: string) => rows.find((r) => r.member_id === m);
    // K1 (received on the day) and N1 (no received_date, dated 2024-12-31) count: 0.561 -> 0.505.
    for (const m of ['ONCUTOFF', 'NODATE']) expect(of(m), m).toMatchObject({ raw_v28: 0.561, raf: 0.505, n_hcc_v28: 1, n_dx: 1 });
    // L1 arrived on 2025-02-03: on January 1 LATE is demographic only, 0.395 -> 0.356.
    expect(of('LATE')).toMatchObject({ raw_v28: 0.395, raf: 0.356, n_hcc_v28: 0, n_dx: 0 });
    // On complete data L1 counts: 0.561 -> 0.505, n_dx 2 (E11.22 and Z79.4).
    expect((await read(full)).find((r) => r.member_id === 'LATE')).toMatchObject({ raw_v28: 0.561, raf: 0.505, n_dx: 2 });
  });

  it('gives the same bytes as the same data without the claims received after the cut-off', async () => {
    const without = tmp();
    const out = tmp();
    write(without, claims.filter((c) => !c.startsWith('L1,') && !c.startsWith('I1,')));
    await computeHistory({ data: without, firstYear: 2024, lastYear: 2024, out, annualBaseRate: BASE_RATE, model: 'V28', dataThrough: CUTOFF });
    for (const f of ['raf_history.parquet', 'raf_hcc.parquet']) expect(readFileSync(join(out, f)).equals(readFileSync(join(cut, f))), f).toBe(true);
  });

  it('counts the diagnoses not yet received apart, so that every diagnosis read still lands in one bucket', () => {
    // In range (July 2023 - December 2024): K1 1 + L1 2 + N1 1 + I1 1 = 5. Not yet received: L1 2 +
    // I1 1 = 3 (I1 is not judged: not ineligible). Eligible 5 - 3 = 2 (K1, N1), both in calendar
    // 2024; both dated July-December 2024, so in the July-June window of 2025, outside the years.
    expect(cutSummary.diagnoses).toMatchObject({
      inRange: 5,
      notYetReceived: 3,
      ineligible: 0,
      excluded: 0,
      eligible: 2,
      midYear: { attributed: 2, outsideYears: 0, afterDeadline: 0, notEnrolled: 0, unscored: 0 },
      initial: { attributed: 0, outsideYears: 2, afterDeadline: 0, notEnrolled: 0, unscored: 0 },
    });
    // On complete data: nothing not yet received; I1's 1 ineligible; 4 eligible, all in calendar 2024.
    expect(fullSummary.diagnoses).toMatchObject({ inRange: 5, notYetReceived: 0, ineligible: 1, eligible: 4, midYear: { attributed: 4 } });
  });

  it('records the cut-off in history.json (null on complete data)', () => {
    expect(JSON.parse(readFileSync(join(cut, 'history.json'), 'utf8'))).toMatchObject({ dataThrough: CUTOFF, diagnoses: { notYetReceived: 3 } });
    expect(JSON.parse(readFileSync(join(full, 'history.json'), 'utf8')).dataThrough).toBeNull();
    expect(cutSummary.dataThrough).toBe(CUTOFF);
  });

  it('rejects a cut-off that is not a date, naming the option', async () => {
    await expect(
      computeHistory({ data, firstYear: 2024, lastYear: 2024, out: tmp(), annualBaseRate: BASE_RATE, dataThrough: '2025-02-30' }),
    ).rejects.toThrow(/dataThrough.*YYYY-MM-DD.*2025-02-30/);
  });
});

describe("computeHistory honours CMS's submission deadlines (service year 2025, V28 alone)", () => {
  // data/reference/submission-deadlines, payment year 2026: initial 2025-09-05, final 2027-01-29.
  // Every member: a woman born 1950-03-10, 75 on February 1, 2026: CNA_F75_79 0.465 (V28, PY2026);
  // E11.22 -> HCC37, CNA_HCC37 0.166. PY2026: normalisation 1.067, coding adjustment 5.9%.
  //   0.465 + 0.166 = 0.631: round(0.631 / 1.067, 3) = 0.591; round(0.591 x 0.941, 3) = 0.556.
  //   0.465 alone:           round(0.465 / 1.067, 3) = 0.436; round(0.436 x 0.941, 3) = 0.410.
  const MEMBERS = ['ONTIME', 'MISSEDINITIAL', 'MISSEDFINAL', 'NODATE'];
  let summary: HistorySummary;
  let rows: Record<string, unknown>[];
  let out: string;
  const row = (m: string) => rows.find((r) => r.member_id === m);

  beforeAll(async () => {
    const data = tmp();
    out = tmp();
    writeFileSync(join(data, 'members.csv'), ['member_id,birth_date,sex,orec,death_date', ...MEMBERS.map((m) => `${m},1950-03-10,F,0,`)].join('\n'));
    writeFileSync(
      join(data, 'enrollment.csv'),
      ['member_id,year,months_enrolled,dual_status,institutional,new_enrollee,contract_id', ...MEMBERS.map((m) => `${m},2025,12,none,false,false,H1`)].join('\n'),
    );
    writeFileSync(
      join(data, 'claims.csv'),
      [
        'claim_id,member_id,claim_type,bill_type,from_date,thru_date,procedure_codes,diagnosis_codes,paid_amount,rendering_npi,received_date',
        // Dated June 2025 (both windows of 2025), received on the initial deadline day: in both.
        'T1,ONTIME,professional,,2025-06-20,2025-06-20,99214,E11.22,120.00,1111111111,2025-09-05',
        // Received a day after the initial deadline: out of RAF_init_2025, in RAF_2025.
        'M1,MISSEDINITIAL,professional,,2025-06-20,2025-06-20,99214,E11.22,120.00,1111111111,2025-09-06',
        // Received after the final deadline (2027-01-29): in neither window.
        'F1,MISSEDFINAL,professional,,2025-03-10,2025-03-10,99214,E11.22,120.00,1111111111,2027-02-01',
        // No received_date: received on its thru_date, 2025-06-30, in time for both.
        'N1,NODATE,professional,,2025-06-30,2025-06-30,99214,E11.22,120.00,1111111111,',
      ].join('\n'),
    );
    summary = await computeHistory({ data, firstYear: 2025, lastYear: 2025, out, annualBaseRate: BASE_RATE, model: 'V28' });
    rows = await query(`SELECT * FROM read_parquet(${sqlString(join(out, 'raf_history.parquet'))})`);
  });

  it('counts a claim in the July-June window only when received by the initial deadline, in the calendar year by the final one', () => {
    for (const m of ['ONTIME', 'NODATE']) expect(row(m), m).toMatchObject({ raw_v28: 0.631, raw_init_v28: 0.631, raf: 0.556, raf_init: 0.556, n_dx: 1, n_dx_init: 1 });
    // RAF_2025 has HCC37, RAF_init_2025 does not: the August lump sum pays it.
    expect(row('MISSEDINITIAL')).toMatchObject({ raw_v28: 0.631, raw_init_v28: 0.465, raf: 0.556, raf_init: 0.41, n_dx: 1, n_dx_init: 0 });
    expect(Number(row('MISSEDINITIAL')!.august_lump_sum)).toBeGreaterThan(0);
    expect(row('MISSEDFINAL')).toMatchObject({ raw_v28: 0.465, raw_init_v28: 0.465, raf: 0.41, raf_init: 0.41, n_dx: 0, n_dx_init: 0 });
  });

  it('counts the diagnoses received after a deadline apart, and records the deadlines in history.json', () => {
    // 4 diagnoses in range, all eligible. Calendar year: F1 after the final deadline (1), 3 attributed.
    // July-June: M1 and F1 after the initial deadline (2), 2 attributed (T1, N1).
    expect(summary.diagnoses).toMatchObject({
      inRange: 4,
      eligible: 4,
      midYear: { attributed: 3, outsideYears: 0, afterDeadline: 1, notEnrolled: 0 },
      initial: { attributed: 2, outsideYears: 0, afterDeadline: 2, notEnrolled: 0 },
    });
    const manifest = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    expect(manifest.deadlines).toEqual([{ serviceYear: 2025, initial: '2025-09-05', midYear: '2027-01-29' }]);
  });
});
