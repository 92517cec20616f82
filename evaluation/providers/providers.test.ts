// The provider view's rules (./README.md) on a hand-made plan: as-of 2026, cut-off 2026-01-01, so
// the window is 2025 and the prior window 2024. Four clinicians:
//   A 1000000001 and B 1000000002 in practice 111111111 (North, a partner), C 1000000003 and
//   D 1000000004 in 222222222 (South, not a partner).
// Claims (99213 is an E/M code and risk-adjustment eligible; 80053, a metabolic panel, is neither):
//   M1: 99213 by A on 2025-02-01 (E11.22 -> HCC 37) and 2025-03-01; 99213 by B on 2025-04-01
//       (J44.9 -> HCC 280); 80053 by B on 2025-05-01 and 2025-06-01 (E11.9, J44.9); 99213 by C on
//       2024-06-01 (E11.9 -> 38, J44.9 -> 280: the prior window).
//   M2: 99213 by A on 2025-03-01 and by C on 2025-09-01 (no diagnosis that maps); 99213 by D on
//       2025-07-01 (J44.9 -> HCC 280), claim K15, the only claim of 2025 behind M2's HCC 280.
//   M3: 99213 by C on 2025-02-10 (I50.22 -> HCC 226) and 2025-08-10; 99213 by B on 2024-03-01 (I50.22).
//   M4: 99213 by A on 2024-05-01 only: no visit in the window.
//   M5: 99213 by B on 2025-04-10 (J44.9 -> 280); 99213 by A on 2024-04-10 (J44.9).
// Suspects' rows (injected, as suspects.csv gives them): M1 226 recapture $3,000 and 48 medication and
// lab $500 each (one item); M2 280 drop_off $1,200 and 62 lab unpriced; M3 38 medication $2,000;
// M4 226 recapture $2,500.
// Overuse alerts: by the audit-risk library (evaluation/audit-risk/audit-risk.ts writeAuditRisk) on
// these claims, with a history whose V28 HCCs of 2025 are M2's 280 alone (the other members' HCCs
// are left out of it, so that no other alert fires; the rules have their own tests) and M2 a man of
// 72 on February 1 of 2026, non-dual, community: one alert, single_claim on K15 by D, priced as in
// audit-risk.test.ts's a01 (the same man and HCC): $6,553.47 with 280, $3,630.42 without, $2,923.05.
// Its alerts.csv is read as rafcast providers reads it (provider-alerts.ts alertsRelationSql).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../../data/csv.ts';
import { openDuckDb } from '../../data/duckdb.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { writeAuditRisk } from '../audit-risk/audit-risk.ts';
import { alertsRelationSql } from './provider-alerts.ts';
import { providerWindows } from './provider-sql.ts';
import { writeProviderViews, type ProvidersSummary } from './provider-views.ts';

const A = '1000000001';
const B = '1000000002';
const C = '1000000003';
const D = '1000000004';
// V28's label of HCC 280 (the tables' labels, as audit-risk writes them).
const COPD = 'Chronic Obstructive Pulmonary Disease, Interstitial Lung Disorders, and Other Chronic Lung Disorders';

const claims: [string, string, string, string, string, string][] = [
  // member, npi, date, procedures, diagnoses
  ['M1', A, '2025-02-01', '99213', 'E1122', ''],
  ['M1', A, '2025-03-01', '99213', '', ''],
  ['M1', B, '2025-04-01', '99213', 'J449', ''],
  ['M1', B, '2025-05-01', '80053', 'E119|J449', ''],
  ['M1', B, '2025-06-01', '80053', 'E119|J449', ''],
  ['M1', C, '2024-06-01', '99213', 'E119|J449', ''],
  ['M2', A, '2025-03-01', '99213', '', ''],
  ['M2', C, '2025-09-01', '99213', '', ''],
  ['M3', C, '2025-02-10', '99213', 'I5022', ''],
  ['M3', C, '2025-08-10', '99213', '', ''],
  ['M3', B, '2024-03-01', '99213', 'I5022', ''],
  ['M4', A, '2024-05-01', '99213', '', ''],
  ['M5', B, '2025-04-10', '99213', 'J449', ''],
  ['M5', A, '2024-04-10', '99213', 'J449', ''],
  ['M2', D, '2025-07-01', '99213', 'J449', ''],
];
const list = (s: string) => `[${s.split('|').filter((x) => x !== '').map((x) => `'${x}'`).join(', ')}]::VARCHAR[]`;

describe('rafcast providers: attribution, recapture rate, practices, worklists', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  let out: string;
  let summary: ProvidersSummary;
  const csv = (f: string) => parseCsvObjects(readFileSync(join(out, f), 'utf8'));
  const byKey = (f: string, k: string) => new Map(csv(f).map((r) => [r[k]!, r]));

  beforeAll(async () => {
    ({ connection: conn, close } = await openDuckDb());
    await conn.run(
      `CREATE TABLE claims AS SELECT * FROM (VALUES ${claims
        .map(([m, npi, d, p, dx], i) => `(${i + 1}, 'K${i + 1}', '${m}', 'professional', NULL::VARCHAR, DATE '${d}', DATE '${d}', ${list(p)}, []::VARCHAR[], ${list(dx)}, 50.00, '${npi}', 'encounter', NULL::DATE)`)
        .join(', ')}) t(_row, claim_id, member_id, claim_type, bill_type, from_date, thru_date, procedure_codes, procedure_modifiers, diagnosis_codes, paid_amount, rendering_npi, record_source, received_date)`,
    );
    await conn.run(
      `CREATE TABLE providers AS SELECT * FROM (VALUES ('${A}', 'Dr A', '08', '111111111', 'North', true), ('${B}', 'Dr B', '11', '111111111', 'North', true),
        ('${C}', 'Dr C', '08', '222222222', 'South', false), ('${D}', 'Dr D', '08', '222222222', 'South', false)) t(npi, name, specialty, tin, practice_name, partner)`,
    );
    await conn.run(
      `CREATE TABLE suspects AS SELECT * FROM (VALUES ('M1', 226, 'Heart Failure', 'recapture', 'coded in 2024', 3000.00),
        ('M1', 48, 'Morbid Obesity', 'medication', 'fills', 500.00), ('M1', 48, 'Morbid Obesity', 'lab', 'BMI', 500.00),
        ('M2', 280, 'COPD', 'drop_off', 'coded in 2024', 1200.00), ('M2', 62, 'Liver', 'lab', 'results', NULL),
        ('M3', 38, 'Diabetes', 'medication', 'insulin', 2000.00), ('M4', 226, 'Heart Failure', 'recapture', 'coded in 2024', 2500.00))
        t(member_id, hcc, description, evidence_type, detail, dollars)`,
    );
    await conn.run(`CREATE TABLE raf_hcc AS SELECT 'M2' AS member_id, 2025 AS year, 'V28' AS model, 280 AS hcc`);
    await conn.run(`CREATE TABLE raf_history AS SELECT 'M2' AS member_id, 2025 AS year, 'M' AS sex, 72 AS age, '0' AS orec, 'none' AS dual_status, false AS institutional`);
    const audit = tempDir('providers-audit');
    await writeAuditRisk(conn, { asOf: 2026, claims: 'claims', providers: 'providers', hcc: 'raf_hcc', history: 'raf_history', annualBaseRate: DEMO_BASE_RATE_ANNUAL, out: audit });
    out = tempDir('providers');
    summary = await writeProviderViews(conn, {
      asOf: 2026,
      dataThrough: '2026-01-01',
      claims: 'claims',
      providers: 'providers',
      suspects: 'suspects',
      alerts: alertsRelationSql(join(audit, 'alerts.csv')),
      out,
    });
  });
  afterAll(() => close());

  it('attributes each member to the plurality of E/M visits, a tie to the later last visit, non-E/M claims and visits before the window not counted', () => {
    // M1: A 2 E/M visits, B 1 (its two 80053 claims are not E/M; counted, B would have 3) -> A.
    // M2: A 1 (2025-03-01), D 1 (2025-07-01), C 1 (2025-09-01): a tie, C's last visit is latest -> C (by lower NPI it would be A).
    // M3: C 2 -> C. M4: its only visit is in 2024, outside the window -> nobody. M5: B 1 -> B (no open item: no worklist).
    const worklists = readdirSync(join(out, 'worklists')).sort();
    expect(worklists).toEqual([`${A}.csv`, `${C}.csv`]);
    const members = (npi: string) => parseCsvObjects(readFileSync(join(out, 'worklists', `${npi}.csv`), 'utf8')).map((r) => r.member_id);
    expect(members(A)).toEqual(['M1']);
    // M1's HCC 48 has two evidence rows (medication 'fills', lab 'BMI'), each $500.00 (an HCC is
    // priced once): one item, its evidence types and details each joined in order.
    const m1 = parseCsvObjects(readFileSync(join(out, 'worklists', `${A}.csv`), 'utf8'))[0]!;
    expect(m1.suspects).toBe('HCC 48 Morbid Obesity: $500.00 (lab|medication; BMI; fills)');
    const p = byKey('providers.csv', 'npi');
    expect([A, B, C, D].map((n) => p.get(n)!.members_attributed)).toEqual(['1', '1', '2', '0']);
    // E/M visits: A 3 (M1 twice, M2), B 2 (M1, M5; the 80053 claims are not visits), C 3 (M2, M3 twice; M1's 2024 visit is outside).
    expect([A, B, C].map((n) => p.get(n)!.em_visits)).toEqual(['3', '2', '3']);
    expect(summary.membersAttributed).toBe(4);
  });

  it('recapture rate: of the attributed members prior-year HCCs, the share their clinician coded again, an HCC above it counting', () => {
    // A: M1's 2024 HCCs are 38 and 280. A coded 37 (E11.22), which outranks 38 in V28: 38 recaptured.
    // 280 was coded again in 2025 by B, not by A: not recaptured by A. 1 of 2 = 0.5.
    // C: M3's 2024 HCC 226 (coded by B), coded by C on 2025-02-10: 1 of 1. M2 had none.
    // B: M5's 2024 HCC 280 (coded by A), coded by B on 2025-04-10: 1 of 1.
    const p = byKey('providers.csv', 'npi');
    expect([A, B, C].map((n) => [p.get(n)!.prior_hccs, p.get(n)!.recaptured, p.get(n)!.recapture_rate])).toEqual([
      ['2', '1', '0.5'],
      ['1', '1', '1.0'],
      ['1', '1', '1.0'],
    ]);
    // Diagnoses by HCC: A coded 37 for M1 and saw M1 and M2 (50%); B coded 280 for M1 and M5 and saw
    // only them (100%; its 80053 claims, not eligible, code nothing).
    expect(p.get(A)!.diagnoses_by_hcc).toBe('HCC 37: 1 (50.0%)');
    expect(p.get(B)!.diagnoses_by_hcc).toBe('HCC 280: 2 (100.0%)');
    expect(p.get(C)!.diagnoses_by_hcc).toBe('HCC 226: 1 (50.0%)');
  });

  it('rolls clinicians up to their practice: members seen once however many of its clinicians saw them, the rate pooled', () => {
    const t = byKey('practices.csv', 'tin');
    const north = t.get('111111111')!;
    // North: A saw M1, M2; B saw M1, M5 -> 3 members (not 4). Attributed 1 + 1. Recapture pooled
    // (1 + 1) / (2 + 1) = 0.6667 (the clinicians' rates averaged would give 0.75).
    expect([north.clinicians, north.members_seen, north.members_attributed, north.prior_hccs, north.recaptured, north.recapture_rate]).toEqual(['2', '3', '2', '3', '2', '0.6667']);
    // 280 coded for M1 and M5, 37 for M1, over the 3 members seen.
    expect(north.diagnoses_by_hcc).toBe('HCC 280: 2 (66.7%); HCC 37: 1 (33.3%)');
    // Dollars: M1's 226 recapture $3,000 open; its 48 (medication and lab, one HCC) $500 once, not $1,000.
    expect([north.open_dollars, north.suspect_dollars, north.total_dollars, north.partner]).toEqual(['3000.00', '500.00', '3500.00', 'true']);
    const south = t.get('222222222')!;
    // South: M2's 280 drop-off $1,200 open; M3's 38 $2,000 and M2's unpriced 62 suspects (2 HCCs, $2,000).
    expect([south.members_seen, south.members_attributed, south.open_dollars, south.suspect_hccs, south.suspect_dollars, south.partner]).toEqual(['2', '2', '1200.00', '2', '2000.00', 'false']);
    // Partner comparison, pooled: partner 2 members, 2 of 3, $3,000 / 2 and $500 / 2 a member; not partner 2 members, 1 of 1, $600 and $1,000 a member.
    expect(summary.partnerComparison.map((g) => [g.group, g.membersAttributed, g.recaptureRate, g.openDollarsPerMember, g.suspectDollarsPerMember])).toEqual([
      ['partner', 2, 0.6667, 1500, 250],
      ['not partner', 2, 1, 600, 1000],
    ]);
    // M4 has no visit: its $2,500 is counted apart, so attributed + unattributed = all the suspects' dollars.
    expect(summary.dollars).toEqual({ openAttributed: 4200, suspectAttributed: 2500, openUnattributed: 2500, suspectUnattributed: 0 });
  });

  it("orders a clinician's worklist by open and suspect dollars, open HCCs, suspects and overuse alerts described", () => {
    // C: M3 $2,000 before M2 $1,200 (by member id M2 would come first; M2's $2,923.05 at audit risk
    // is not added to the order: it is money at risk, not to gain).
    const rows = parseCsvObjects(readFileSync(join(out, 'worklists', `${C}.csv`), 'utf8'));
    expect(rows.map((r) => [r.rank, r.member_id, r.total_dollars, r.open_dollars, r.suspect_dollars, r.audit_dollars])).toEqual([
      ['1', 'M3', '2000.00', '0.00', '2000.00', '0.00'],
      ['2', 'M2', '1200.00', '1200.00', '0.00', '2923.05'],
    ]);
    expect(rows[1]!.open_hccs).toBe('HCC 280 COPD: $1200.00 (drop_off; coded in 2024)');
    expect(rows[1]!.suspects).toBe('HCC 62 Liver: unpriced (lab; results)');
    // M2's alert is on C's worklist (C is M2's clinician), though D coded it.
    expect(rows.map((r) => r.overuse_alerts)).toEqual(['', `HCC 280 ${COPD}: $2923.05 (single_claim; claim K15 by ${D}: one claim in the year)`]);
  });

  it('counts each overuse alert for the clinician who rendered its claim, not the attributed one, and rolls it up to the practice', () => {
    // K15 was rendered by D: D has 1 alert and $2,923.05 at audit risk; C (M2's clinician) none.
    const p = byKey('providers.csv', 'npi');
    expect([A, B, C, D].map((n) => [p.get(n)!.audit_alerts, p.get(n)!.audit_dollars])).toEqual([
      ['0', '0.00'],
      ['0', '0.00'],
      ['0', '0.00'],
      ['1', '2923.05'],
    ]);
    // D saw M2 (K15) and coded 280 for it; no member is attributed to D, so D has no worklist.
    expect([p.get(D)!.members_seen, p.get(D)!.diagnoses_by_hcc, p.get(D)!.members_with_items]).toEqual(['1', 'HCC 280: 1 (100.0%)', '0']);
    const t = byKey('practices.csv', 'tin');
    expect([t.get('222222222')!.audit_alerts, t.get('222222222')!.audit_dollars, t.get('111111111')!.audit_alerts]).toEqual(['1', '2923.05', '0']);
    expect(summary.audit).toEqual({ alerts: 1, memberHccs: 1, dollars: 2923.05, alertsWithoutClinician: 0 });
  });

  it('lists a member with only overuse alerts, counts an HCC broken by two rules once in the dollars, and an alert without an NPI apart', async () => {
    // Injected alerts (as alerts.csv gives them): M5's 280 by two rules on B's claim K13, $100 each row
    // (the HCC's dollars, once); M4's 226 on a claim with no NPI, $50. M5 is attributed to B and has
    // no open item: B now has a worklist, M5 alone, nothing to gain, $100 at risk. M4 has no clinician.
    await conn.run(
      `CREATE OR REPLACE TABLE injected AS SELECT * FROM (VALUES ('M5', 280, 'COPD', 'single_claim', 'K13', '${B}', 'one claim in the year', 100.00),
        ('M5', 280, 'COPD', 'lone_severity', 'K13', '${B}', 'coded by one provider', 100.00), ('M4', 226, 'Heart Failure', 'single_claim', 'K12', NULL, 'one claim in the year', 50.00))
        t(member_id, hcc, description, rule, claim_id, provider_npi, detail, dollars)`,
    );
    const again = tempDir('providers');
    const s2 = await writeProviderViews(conn, { asOf: 2026, dataThrough: '2026-01-01', claims: 'claims', providers: 'providers', suspects: 'suspects', alerts: 'injected', out: again });
    const rows = parseCsvObjects(readFileSync(join(again, 'worklists', `${B}.csv`), 'utf8'));
    expect(rows.map((r) => [r.rank, r.member_id, r.total_dollars, r.audit_dollars, r.open_hccs, r.suspects])).toEqual([['1', 'M5', '0.00', '100.00', '', '']]);
    expect(rows[0]!.overuse_alerts).toBe(`HCC 280 COPD: $100.00 (lone_severity|single_claim; claim K13 by ${B}: coded by one provider; claim K13 by ${B}: one claim in the year)`);
    const b = new Map(parseCsvObjects(readFileSync(join(again, 'providers.csv'), 'utf8')).map((r) => [r.npi!, r])).get(B)!;
    expect([b.audit_alerts, b.audit_dollars, b.members_with_items]).toEqual(['2', '100.00', '1']);
    expect(s2.audit).toEqual({ alerts: 3, memberHccs: 2, dollars: 150, alertsWithoutClinician: 1 });
    expect(s2.worklists).toBe(3);
  });

  it('takes the window as the 12 months before the cut-off, and the prior window as the 12 before that', () => {
    expect(providerWindows('2026-01-01')).toEqual({ cutoff: '2026-01-01', from: '2025-01-01', priorFrom: '2024-01-01' });
    // A cut-off of March 31, 2026: March 31, 2025 to March 30, 2026 (the cut-off day itself is outside);
    // February 29 a year back is March 1.
    expect(providerWindows('2026-03-31')).toEqual({ cutoff: '2026-03-31', from: '2025-03-31', priorFrom: '2024-03-31' });
    expect(providerWindows('2024-02-29')).toEqual({ cutoff: '2024-02-29', from: '2023-03-01', priorFrom: '2022-03-01' });
  });
});
