// ACO REACH alignment's rules (./README.md) on a hand-made plan, performance year 2026, each
// expected figure worked out by hand beside it.
// Windows: PY 2026 aligns on services from 2023-07-01 (30 months before 2026-01-01) to 2025-06-30
// (6 months before): alignment year 1 from 2023-07-01 (charges weigh 1), year 2 from 2024-07-01
// (weigh 2). The projection, PY 2027: 2024-07-01 to 2026-06-30, year 2 from 2025-07-01.
// Clinicians: P1 1000000001 (08 family practice) and P2 1000000002 (06 cardiology), participants
// under TINs A 111111111 and B 222222222; PF 1000000003 (08), preferred under A; outside O1
// 2000000001 (08, bills as 999999999) and O2 2000000002 (06, bills as 888888888).
// 99213 is a PQEM code; 93000 (an ECG) is not. Every member is enrolled all of 2025 unless said.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../../data/csv.ts';
import { openDuckDb } from '../../data/duckdb.ts';
import { loadAlignmentRules, loadMinimumAligned, loadPqemCodes, loadPrimaryCareSpecialties } from '../../data/reference/alignment-rules.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { alignmentWindow, createServiceTables } from './alignment-sql.ts';
import { writeAlignment, type AlignSummary } from './write-alignment.ts';
import { stagedSources } from './run-align.ts';

const P1 = '1000000001';
const P2 = '1000000002';
const PF = '1000000003';
const O1 = '2000000001';
const O2 = '2000000002';
const A = '111111111';
const B = '222222222';
const billsAs: Record<string, string | null> = { [P1]: A, [P2]: B, [PF]: A, [O1]: '999999999', [O2]: '888888888' };

// member, npi, date, code, paid (billing TIN: billsAs, unless a sixth element gives it)
type Claim = [string, string, string, string, number, string?];
const claims: Claim[] = [
  // B01 plurality, weighted: P1 $100 in year 2 (x2 = 200) beats O1's two $80 visits in year 1 (160),
  // though O1 has more visits and more dollars. Claims, TIN A, primary care step.
  ['B01', P1, '2024-08-01', '99213', 100],
  ['B01', O1, '2023-08-01', '99213', 80],
  ['B01', O1, '2023-09-01', '99213', 80],
  // B02 specialist fallback: no primary care service; P2 $100 in year 2 (200) beats O2 $150 in year 1 (150).
  ['B02', P2, '2024-09-01', '99213', 100],
  ['B02', O2, '2023-10-01', '99213', 150],
  // B03 primary care first, at exactly 10%: O1 (08) $60 x2 = 120, P2 (06) $540 x2 = 1080; 120 / 1200
  // = 10%, the threshold: the primary care step, where only O1 has charges. Claims elsewhere.
  ['B03', O1, '2024-10-01', '99213', 60],
  ['B03', P2, '2024-10-02', '99213', 540],
  // B04 just under 10%: O1 $30 x2 = 60, P2 $300 x2 = 600; 60 / 660 = 9.1%: the specialist step, P2. Claims, TIN B.
  ['B04', O1, '2024-10-01', '99213', 30],
  ['B04', P2, '2024-10-02', '99213', 300],
  // B05 a tie (200 each) goes to the latest visit, O1's. Claims elsewhere.
  ['B05', P1, '2024-08-01', '99213', 100],
  ['B05', O1, '2024-11-01', '99213', 100],
  // B06 the mirror: P1's visit is the later. Claims, TIN A.
  ['B06', O1, '2024-08-01', '99213', 100],
  ['B06', P1, '2024-11-01', '99213', 100],
  // B07 voluntary precedence: claims go to O1 (P1 billed no PQEM), but B07 designated P1 on
  // 2025-03-01 and P1 saw them in 2025 (an ECG): not removed. Voluntary, TIN A.
  ['B07', O1, '2024-08-01', '99213', 200],
  ['B07', O1, '2024-09-01', '99213', 200],
  ['B07', P1, '2025-05-01', '93000', 50],
  // B08 both: claims to P1 and a designation of P1 (2024-12-01). Both, TIN A.
  ['B08', P1, '2024-08-01', '99213', 100],
  // B09 removal: designated P1 on 2024-06-01; in 2025 no participant or preferred provider saw
  // them and O1 billed a PQEM visit: removed. Claims decide: O1. Claims elsewhere.
  ['B09', O1, '2025-04-01', '99213', 50],
  // B10 not removed: as B09, but PF, a preferred provider, saw them in 2025. Voluntary, TIN A.
  ['B10', PF, '2025-02-01', '93000', 40],
  ['B10', O1, '2025-04-01', '99213', 50],
  // B11 the window's first day counts, the day before does not: P1 on 2023-07-01 ($100 x1) beats
  // O1's $150 of 2023-06-30, which is out. Claims, TIN A (reach 100, outside 0).
  ['B11', P1, '2023-07-01', '99213', 100],
  ['B11', O1, '2023-06-30', '99213', 150],
  // B12 the window's last day counts, the day after does not: O1 2025-06-30 $100 x2 = 200 beats P1
  // 2024-07-01 $90 x2 = 180; P1's $150 of 2025-07-01 is out. Claims elsewhere.
  ['B12', O1, '2025-06-30', '99213', 100],
  ['B12', P1, '2025-07-01', '99213', 150],
  ['B12', P1, '2024-07-01', '99213', 90],
  // B13 year 2 begins on 2024-07-01: P1 that day $100 x2 = 200 beats O1 2024-06-30 $150 x1 = 150. Claims, TIN A.
  ['B13', P1, '2024-07-01', '99213', 100],
  ['B13', O1, '2024-06-30', '99213', 150],
  // B14 died on 2025-12-31, before the performance year: ineligible.
  ['B14', P1, '2024-08-01', '99213', 100],
  // B15 enrolled in 2024 only, not in 2025: ineligible.
  ['B15', P1, '2024-08-01', '99213', 100],
  // B16 P1 billing under TIN 777777777, which is not on the list with P1: an outside practice. Claims elsewhere.
  ['B16', P1, '2024-08-01', '99213', 100, '777777777'],
  // B17 on track: nothing in 2026's window, P1 on 2025-09-01 in 2027's. None now; claims for 2027.
  ['B17', P1, '2025-09-01', '99213', 100],
  // B18 at risk: P1 on 2023-08-01 (2026's window only), O1 on 2025-08-01 (2027's only). Claims now, elsewhere for 2027.
  ['B18', P1, '2023-08-01', '99213', 100],
  ['B18', O1, '2025-08-01', '99213', 100],
  // B19 designated O1, outside the entity (2025-01-01): that designation takes precedence over P1's claims. Voluntary elsewhere.
  ['B19', P1, '2024-08-01', '99213', 100],
  // B20: no service. None.
];
const voluntary: [string, string, string][] = [
  ['B07', P1, '2025-03-01'],
  ['B08', P1, '2024-12-01'],
  ['B09', P1, '2024-06-01'],
  ['B10', P1, '2024-06-01'],
  ['B19', O1, '2025-01-01'],
];
const members = Array.from({ length: 20 }, (_, i) => `B${String(i + 1).padStart(2, '0')}`);

describe('ACO REACH alignment, performance year 2026', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  let out: string;
  let summary: AlignSummary;
  let rows: Map<string, Record<string, string>>;
  const csv = (f: string) => parseCsvObjects(readFileSync(join(out, f), 'utf8'));

  beforeAll(async () => {
    ({ connection: conn, close } = await openDuckDb());
    await conn.run(
      `CREATE TABLE members AS SELECT * FROM (VALUES ${members
        .map((m) => `('${m}', DATE '1950-01-01', ${m === 'B14' ? `DATE '2025-12-31'` : 'NULL::DATE'})`)
        .join(', ')}) t(member_id, birth_date, death_date)`,
    );
    await conn.run(
      `CREATE TABLE enrollment AS SELECT * FROM (VALUES ${members.map((m) => `('${m}', ${m === 'B15' ? 2024 : 2025}, 12)`).join(', ')}) t(member_id, year, months_enrolled)`,
    );
    await conn.run(
      `CREATE TABLE claims AS SELECT * FROM (VALUES ${claims
        .map(([m, npi, d, code, paid, tin], i) => {
          const billing = tin ?? billsAs[npi];
          return `('K${i + 1}', '${m}', 'professional', DATE '${d}', ['${code}']::VARCHAR[], ${paid}::DECIMAL(14,2), '${npi}', ${billing === null || billing === undefined ? 'NULL' : `'${billing}'`}, 'encounter')`;
        })
        .join(', ')}) t(claim_id, member_id, claim_type, thru_date, procedure_codes, paid_amount, rendering_npi, billing_tin, record_source)`,
    );
    await conn.run(
      `CREATE TABLE providers AS SELECT * FROM (VALUES ('${P1}', '08'), ('${P2}', '06'), ('${PF}', '08'), ('${O1}', '08'), ('${O2}', '06')) t(npi, specialty)`,
    );
    await conn.run(
      `CREATE TABLE participants AS SELECT * FROM (VALUES ('${A}', '${P1}', 'participant', DATE '2023-01-01', NULL::DATE),
        ('${B}', '${P2}', 'participant', DATE '2023-01-01', DATE '2026-12-31'), ('${A}', '${PF}', 'preferred', DATE '2023-01-01', NULL::DATE)) t(tin, npi, provider_type, start_date, end_date)`,
    );
    await conn.run(
      `CREATE TABLE voluntary_alignment AS SELECT * FROM (VALUES ${voluntary.map(([m, n, d]) => `('${m}', '${n}', DATE '${d}')`).join(', ')}) t(member_id, npi, signed_date)`,
    );
    out = tempDir('align');
    const rules = loadAlignmentRules(2026);
    summary = await writeAlignment(conn, {
      // The tables of every file, as a run that staged them names them (run-align.ts).
      sources: stagedSources({ members: '', enrollment: '', claims: '', providers: '', voluntary_alignment: '' }),
      now: { window: alignmentWindow(2026, rules), rules },
      next: { window: alignmentWindow(2027, rules), rules },
      acoType: 'standard',
      minimum: loadMinimumAligned(2026, 'standard'),
      out,
      notes: [],
    });
    rows = new Map(csv('alignment.csv').map((r) => [r.member_id!, r]));
  });
  afterAll(() => close());

  const alignmentOf = (m: string) => {
    const r = rows.get(m)!;
    return { alignment: r.alignment, tin: r.aligned_tin };
  };

  it('alignment window: 30 to 6 months before the performance year, two alignment years', () => {
    const rules = loadAlignmentRules(2026);
    expect(alignmentWindow(2026, rules)).toEqual({ performanceYear: 2026, start: '2026-01-01', from: '2023-07-01', middle: '2024-07-01', to: '2025-07-01' });
    expect([rules.earlierYearWeight, rules.laterYearWeight, rules.primaryCareShare]).toEqual([1, 2, 0.1]);
  });

  it('plurality of weighted PQEM charges: the later alignment year weighs twice the earlier', () => {
    expect(alignmentOf('B01')).toEqual({ alignment: 'claims', tin: A });
    const r = rows.get('B01')!;
    // P1 100 x 2 = 200; O1 (80 + 80) x 1 = 160; visits: 1 by the entity, 2 outside.
    expect([r.claims_step, r.reach_charges, r.outside_charges, r.reach_visits, r.outside_visits]).toEqual(['primary_care', '200.00', '160.00', '1', '2']);
  });

  it('specialist fallback: without primary care services the specialists decide', () => {
    expect(alignmentOf('B02')).toEqual({ alignment: 'claims', tin: B });
    expect(rows.get('B02')!.claims_step).toBe('specialist');
  });

  it('primary care specialists first when they hold at least 10% of the weighted charges', () => {
    // B03 at exactly 10%: O1, a primary care physician, decides although P2 billed 9 times more.
    expect(alignmentOf('B03')).toEqual({ alignment: 'claims_elsewhere', tin: '' });
    expect([rows.get('B03')!.claims_step, rows.get('B03')!.outside_charges]).toEqual(['primary_care', '120.00']);
    // B04 at 9.1%: the specialists decide, P2.
    expect(alignmentOf('B04')).toEqual({ alignment: 'claims', tin: B });
    expect([rows.get('B04')!.claims_step, rows.get('B04')!.reach_charges]).toEqual(['specialist', '600.00']);
  });

  it('a tie in charges goes to the latest visit, either way', () => {
    expect(alignmentOf('B05').alignment).toBe('claims_elsewhere');
    expect(alignmentOf('B06')).toEqual({ alignment: 'claims', tin: A });
  });

  it('voluntary alignment takes precedence over claims; with claims agreeing it is both', () => {
    expect(alignmentOf('B07')).toEqual({ alignment: 'voluntary', tin: A });
    expect(rows.get('B07')!.claims_winner).toBe('outside');
    expect(alignmentOf('B08')).toEqual({ alignment: 'both', tin: A });
    // A designation outside the entity also takes precedence: B19 is not aligned, though P1 had all its charges.
    expect(alignmentOf('B19')).toEqual({ alignment: 'voluntary_elsewhere', tin: '' });
  });

  it('removal: no participant or preferred provider in a year and an outside PQEM claim removes the designation', () => {
    expect(alignmentOf('B09').alignment).toBe('claims_elsewhere');
    expect(rows.get('B09')!.voluntary_removed).toBe('true');
    // A preferred provider's service (any service) keeps it.
    expect(alignmentOf('B10')).toEqual({ alignment: 'voluntary', tin: A });
    expect(rows.get('B10')!.voluntary_removed).toBe('false');
    expect(summary.voluntaryRemoved).toBe(1);
  });

  it('window edges: the first day (30 months before) and the last (the day before 6 months before) count, the days outside do not', () => {
    expect(alignmentOf('B11')).toEqual({ alignment: 'claims', tin: A });
    expect([rows.get('B11')!.reach_charges, rows.get('B11')!.outside_charges, rows.get('B11')!.outside_visits]).toEqual(['100.00', '0.00', '0']);
    expect(alignmentOf('B12').alignment).toBe('claims_elsewhere');
    // O1 200 against P1 180.
    expect([rows.get('B12')!.outside_charges, rows.get('B12')!.reach_charges]).toEqual(['200.00', '180.00']);
    // The second alignment year starts on 2024-07-01: P1's $100 that day weighs 2.
    expect(alignmentOf('B13')).toEqual({ alignment: 'claims', tin: A });
    expect(rows.get('B13')!.reach_charges).toBe('200.00');
  });

  it('eligibility: each excluded member names the rule', () => {
    expect([rows.get('B14')!.eligible, rows.get('B14')!.excluded_by, rows.get('B14')!.alignment]).toEqual(['false', 'died_before_performance_year', 'ineligible']);
    expect([rows.get('B15')!.eligible, rows.get('B15')!.excluded_by, rows.get('B15')!.alignment]).toEqual(['false', 'not_enrolled_year_before', 'ineligible']);
    expect(summary.excludedBy).toEqual({ died_before_performance_year: 1, not_enrolled_year_before: 1 });
  });

  it('a participant NPI billing under a TIN not on the list with it does not align to the entity', () => {
    expect(alignmentOf('B16').alignment).toBe('claims_elsewhere');
  });

  it('projection: on track, at risk, aligned now, with the visit counts behind it', () => {
    const p = (m: string) => {
      const r = rows.get(m)!;
      return [r.projection, r.next_alignment, r.next_reach_visits, r.next_outside_visits];
    };
    expect(p('B17')).toEqual(['on_track', 'claims', '1', '0']);
    expect(p('B18')).toEqual(['at_risk', 'claims_elsewhere', '0', '1']);
    // B12: 2027 weighs P1's 2025-07-01 $150 x2 + 2024-07-01 $90 x1 = 390 against O1's $100 x1.
    expect(p('B12')).toEqual(['on_track', 'claims', '2', '1']);
    // B11: its one visit (2023-07-01) ages out of 2027's window.
    expect(p('B11')).toEqual(['at_risk', 'none', '0', '0']);
    expect(p('B01')).toEqual(['aligned_now', 'claims', '1', '0']);
    // B09's removed designation stays removed.
    expect(rows.get('B09')!.projection).toBe('not_aligned');
    expect(summary.projection).toEqual({ aligned_now: 8, at_risk: 2, ineligible: 2, not_aligned: 6, on_track: 2 });
  });

  it('counts by practice and against the minimum aligned beneficiaries', () => {
    // Aligned 10: claims B01 B02 B04 B06 B11 B13 B18, voluntary B07 B10, both B08.
    expect(summary.byAlignment).toEqual({ both: 1, claims: 7, claims_elsewhere: 5, ineligible: 2, none: 2, voluntary: 2, voluntary_elsewhere: 1 });
    expect(summary.aligned).toBe(10);
    expect(summary.minimum?.minimum).toBe(5000);
    expect(summary.marginOverMinimum).toBe(-4990);
    // A: claims B01 B06 B11 B13 B18, voluntary B07 B10, both B08; at risk B11 B18; on track B12 B17;
    // projected for 2027: B01 B06 B07 B08 B10 B13 and the two on track. B: B02 B04, both staying.
    expect(csv('practices.csv')).toEqual([
      { tin: A, aligned: '8', claims: '5', voluntary: '2', both_aligned: '1', at_risk: '2', on_track: '2', projected_next: '8' },
      { tin: B, aligned: '2', claims: '2', voluntary: '0', both_aligned: '0', at_risk: '0', on_track: '0', projected_next: '2' },
    ]);
  });

  it('the summary names no member', () => {
    const text = readFileSync(join(out, 'align-summary.txt'), 'utf8') + readFileSync(join(out, 'align-summary.json'), 'utf8');
    for (const m of members) expect(text).not.toContain(m);
  });
});

describe('crediting a service to the entity (createServiceTables)', () => {
  it('credits a participant only inside its span on the list, and counts a preferred provider as in network but not as a participant', async () => {
    const { connection, close } = await openDuckDb();
    try {
      // P1 on the list 2024-01-01 to 2024-12-31; PF preferred from 2024-01-01.
      await connection.run(
        `CREATE TABLE participants AS SELECT * FROM (VALUES ('${A}', '${P1}', 'participant', DATE '2024-01-01', DATE '2024-12-31'),
          ('${A}', '${PF}', 'preferred', DATE '2024-01-01', NULL::DATE)) t(tin, npi, provider_type, start_date, end_date)`,
      );
      await connection.run(
        `CREATE TABLE claims AS SELECT * FROM (VALUES
           ('K1', 'X', 'professional', DATE '2023-12-31', ['99213']::VARCHAR[], 10.00::DECIMAL(14,2), '${P1}', NULL::VARCHAR, 'encounter'),
           ('K2', 'X', 'professional', DATE '2024-01-01', ['99213']::VARCHAR[], 10.00::DECIMAL(14,2), '${P1}', NULL::VARCHAR, 'encounter'),
           ('K3', 'X', 'professional', DATE '2024-12-31', ['99213']::VARCHAR[], 10.00::DECIMAL(14,2), '${P1}', '${A}', 'encounter'),
           ('K4', 'X', 'professional', DATE '2025-01-01', ['99213']::VARCHAR[], 10.00::DECIMAL(14,2), '${P1}', '${A}', 'encounter'),
           ('K5', 'X', 'professional', DATE '2024-06-01', ['93000']::VARCHAR[], 10.00::DECIMAL(14,2), '${PF}', NULL::VARCHAR, 'encounter'),
           ('K6', 'X', 'professional', DATE '2024-06-01', ['99213']::VARCHAR[], 10.00::DECIMAL(14,2), '${P1}', NULL::VARCHAR, 'chart_review_linked'))
         t(claim_id, member_id, claim_type, thru_date, procedure_codes, paid_amount, rendering_npi, billing_tin, record_source)`,
      );
      await createServiceTables(connection, {
        members: 'members',
        enrollment: 'enrollment',
        claims: 'claims',
        participants: 'participants',
        pqemCodes: loadPqemCodes(),
        primaryCareSpecialties: loadPrimaryCareSpecialties(),
      });
      const r = await connection.runAndReadAll(`SELECT claim_id, participant_tin, in_network, pqem FROM _al_claims ORDER BY claim_id`);
      // K1 the day before the span, K4 the day after: outside. K2, K3 the span's first and last days.
      // K5 PF: in network, not a participant, not PQEM. K6, a chart review record: not a service.
      expect(r.getRowObjectsJson()).toEqual([
        { claim_id: 'K1', participant_tin: null, in_network: false, pqem: true },
        { claim_id: 'K2', participant_tin: A, in_network: true, pqem: true },
        { claim_id: 'K3', participant_tin: A, in_network: true, pqem: true },
        { claim_id: 'K4', participant_tin: null, in_network: false, pqem: true },
        { claim_id: 'K5', participant_tin: null, in_network: true, pqem: false },
      ]);
    } finally {
      close();
    }
  });
});
