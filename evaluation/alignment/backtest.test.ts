// The projection's backtest (./README.md, "Backtest of the projection") on a hand-made plan:
// performance year PY 2025, the projection for 2026 made on the data known on 2025-01-01, against
// 2026's alignment from the complete data. Each member's path is worked out by hand beside it.
// Windows: PY 2025 aligns on services from 2022-07-01 to 2024-06-30 (year 2 from 2023-07-01);
// 2026 from 2023-07-01 to 2025-06-30 (year 2 from 2024-07-01, charges x2).
// Clinicians (all 08, primary care): P1 participant under TIN A 111111111 from 2022-01-01, open;
// P3 participant under TIN C 333333333 from 2022-01-01 to 2025-06-30 (leaves; not known on the
// cut-off); O1 outside (bills as 999999999). 99213 is a PQEM code. Born 1950; enrolled 12 months
// of 2024 and 2025 unless said.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../../data/csv.ts';
import { openDuckDb } from '../../data/duckdb.ts';
import { loadAlignmentRules } from '../../data/reference/alignment-rules.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { alignmentWindow } from './alignment-sql.ts';
import { backtestRows, writeBacktest, type BacktestSummary } from './write-backtest.ts';
import { stagedSources } from './run-align.ts';

const P1 = '1000000001';
const P3 = '1000000003';
const O1 = '2000000001';
const billsAs: Record<string, string> = { [P1]: '111111111', [P3]: '333333333', [O1]: '999999999' };

// member, npi, thru date, paid, received date (none: received on the thru date)
type Claim = [string, string, string, number, string?];
const claims: Claim[] = [
  // C01 aligned_now -> aligned: P1 2024-03-01 is in both windows; nothing else. Claims to A both years.
  ['C01', P1, '2024-03-01', 100],
  // C02 aligned_now -> ineligible: as C01, but dies on 2025-08-15, after the cut-off (not known then).
  ['C02', P1, '2024-03-01', 100],
  // C03 on_track -> aligned: P1 2024-09-01 (received 2024-09-20, known) is in 2026's window only.
  ['C03', P1, '2024-09-01', 100, '2024-09-20'],
  // C04 on_track -> not aligned: as C03 (P1 $100 x2 = 200), then O1 in 2025 (after the cut-off)
  // $150 + $150, x2 = 600: claims elsewhere.
  ['C04', P1, '2024-09-01', 100, '2024-09-20'],
  ['C04', O1, '2025-03-01', 150],
  ['C04', O1, '2025-04-01', 150],
  // C05 at_risk -> not aligned: P1 2023-01-01 in 2025's window only (claims to A for 2025); O1
  // 2024-10-01 in 2026's only: elsewhere for 2026, projected and actual.
  ['C05', P1, '2023-01-01', 100],
  ['C05', O1, '2024-10-01', 100],
  // C06 at_risk -> aligned: as C05 (O1 $100 x2 = 200 for 2026), then P1 2025-05-01 $150 x2 = 300
  // after the cut-off: back to A.
  ['C06', P1, '2023-01-01', 100],
  ['C06', O1, '2024-10-01', 100],
  ['C06', P1, '2025-05-01', 150],
  // C07 not_aligned -> aligned: P1 2024-12-15, received 2025-02-10, after the cut-off (claims lag):
  // on 2025-01-01 no service in either window. From the complete data, claims to A.
  ['C07', P1, '2024-12-15', 100, '2025-02-10'],
  // C08 not_aligned -> aligned: no claim; a designation of P1 signed 2025-04-01 (below), after the
  // cut-off: voluntary for 2026 (no outside PQEM service: not removed).
  // C09 aligned_now -> not aligned: designated P3 on 2024-05-01, no claim. On 2025-01-01 P3's end
  // date (2025-06-30) is not known: voluntary to C for 2025 and 2026. From the complete list P3 is
  // not a participant on 2026-01-01: voluntary elsewhere.
  // C10 ineligible -> aligned: enrolled in 2025 only (new to the plan); P1 2025-02-01. On the
  // cut-off not enrolled in 2024: ineligible. For 2026 (enrolled in 2025): claims to A.
  ['C10', P1, '2025-02-01', 100],
  // C11 not_aligned -> not aligned: O1 2024-08-01, after 2025's window, in 2026's: elsewhere.
  ['C11', O1, '2024-08-01', 100],
  // C12 not_aligned -> ineligible: no service; enrolled in 2024 only: not enrolled in 2025, so
  // excluded for 2026.
];
const voluntary: [string, string, string][] = [
  ['C08', P1, '2025-04-01'],
  ['C09', P3, '2024-05-01'],
];
const members = Array.from({ length: 12 }, (_, i) => `C${String(i + 1).padStart(2, '0')}`);
const enrolledIn = (m: string): number[] => (m === 'C10' ? [2025] : m === 'C12' ? [2024] : [2024, 2025]);

describe('the projection backtest: PY 2025, the projection for 2026 made on 2025-01-01', () => {
  let conn: DuckDBConnection;
  let close: () => void;
  let out: string;
  let summary: BacktestSummary;
  let rows: Map<string, Record<string, string>>;

  beforeAll(async () => {
    ({ connection: conn, close } = await openDuckDb());
    await conn.run(
      `CREATE TABLE members AS SELECT * FROM (VALUES ${members
        .map((m) => `('${m}', DATE '1950-01-01', ${m === 'C02' ? `DATE '2025-08-15'` : 'NULL::DATE'})`)
        .join(', ')}) t(member_id, birth_date, death_date)`,
    );
    await conn.run(
      `CREATE TABLE enrollment AS SELECT * FROM (VALUES ${members
        .flatMap((m) => enrolledIn(m).map((y) => `('${m}', ${y}, 12)`))
        .join(', ')}) t(member_id, year, months_enrolled)`,
    );
    await conn.run(
      `CREATE TABLE claims AS SELECT * FROM (VALUES ${claims
        .map(([m, npi, d, paid, received], i) => `('K${i + 1}', '${m}', 'professional', DATE '${d}', ['99213']::VARCHAR[], ${paid}::DECIMAL(14,2), '${npi}', '${billsAs[npi]}', 'encounter', ${received === undefined ? 'NULL::DATE' : `DATE '${received}'`})`)
        .join(', ')}) t(claim_id, member_id, claim_type, thru_date, procedure_codes, paid_amount, rendering_npi, billing_tin, record_source, received_date)`,
    );
    await conn.run(`CREATE TABLE providers AS SELECT * FROM (VALUES ('${P1}', '08'), ('${P3}', '08'), ('${O1}', '08')) t(npi, specialty)`);
    await conn.run(
      `CREATE TABLE participants AS SELECT * FROM (VALUES ('111111111', '${P1}', 'participant', DATE '2022-01-01', NULL::DATE),
        ('333333333', '${P3}', 'participant', DATE '2022-01-01', DATE '2025-06-30')) t(tin, npi, provider_type, start_date, end_date)`,
    );
    await conn.run(`CREATE TABLE voluntary_alignment AS SELECT * FROM (VALUES ${voluntary.map(([m, n, d]) => `('${m}', '${n}', DATE '${d}')`).join(', ')}) t(member_id, npi, signed_date)`);
    out = tempDir('align-backtest');
    const r25 = loadAlignmentRules(2025);
    const r26 = loadAlignmentRules(2026);
    summary = await writeBacktest(conn, {
      // The tables of every file, as a run that staged them names them (run-align.ts).
      sources: stagedSources({ members: '', enrollment: '', claims: '', providers: '', voluntary_alignment: '' }),
      dataThrough: '2025-01-01',
      years: {
        projected: { now: { window: alignmentWindow(2025, r25), rules: r25 }, next: { window: alignmentWindow(2026, r25), rules: r25 } },
        actual: { now: { window: alignmentWindow(2026, r26), rules: r26 }, next: { window: alignmentWindow(2027, r26), rules: r26 } },
      },
      out,
      notes: [],
    });
    rows = new Map(parseCsvObjects(readFileSync(join(out, 'backtest-members.csv'), 'utf8')).map((r) => [r.member_id!, r]));
  });
  afterAll(() => close());

  const path = (m: string) => {
    const r = rows.get(m)!;
    return [r.projection, r.actual_alignment, r.outcome];
  };

  it('the projection knows only what was known on the cut-off: claims received, designations signed, deaths and the participant list by then', () => {
    expect(path('C01')).toEqual(['aligned_now', 'claims', 'aligned']);
    // The death of 2025-08-15 is not known on 2025-01-01.
    expect(path('C02')).toEqual(['aligned_now', 'ineligible', 'ineligible']);
    expect(rows.get('C02')!.actual_excluded_by).toBe('died_before_performance_year');
    // O1's claims of 2025 (no received_date: received on their thru date) are not known.
    expect(path('C03')).toEqual(['on_track', 'claims', 'aligned']);
    expect(path('C04')).toEqual(['on_track', 'claims_elsewhere', 'not_aligned']);
    expect(path('C05')).toEqual(['at_risk', 'claims_elsewhere', 'not_aligned']);
    expect(path('C06')).toEqual(['at_risk', 'claims', 'aligned']);
    // Received after the cut-off, though dated before it.
    expect(path('C07')).toEqual(['not_aligned', 'claims', 'aligned']);
    // Signed after the cut-off.
    expect(path('C08')).toEqual(['not_aligned', 'voluntary', 'aligned']);
    // P3's end date is after the cut-off: the projection saw P3 still on the list.
    expect([rows.get('C09')!.py_alignment, rows.get('C09')!.projected_alignment, rows.get('C09')!.projected_tin]).toEqual(['voluntary', 'voluntary', '333333333']);
    expect(path('C09')).toEqual(['aligned_now', 'voluntary_elsewhere', 'not_aligned']);
    expect(path('C10')).toEqual(['ineligible', 'claims', 'aligned']);
    expect(path('C11')).toEqual(['not_aligned', 'claims_elsewhere', 'not_aligned']);
    expect(path('C12')).toEqual(['not_aligned', 'ineligible', 'ineligible']);
  });

  it('per projection category, how many aligned, did not, or became ineligible', () => {
    const by = Object.fromEntries(summary.rows.map((r) => [r.projection, [r.members, r.aligned, r.notAligned, r.ineligible]]));
    // aligned_now: C01 aligned, C09 not (P3 left), C02 died. on_track: C03 aligned, C04 not.
    // at_risk: C06 aligned, C05 not. not_aligned: C07 and C08 aligned, C11 not, C12 ineligible.
    // ineligible: C10 aligned.
    expect(by).toEqual({ aligned_now: [3, 1, 1, 1], on_track: [2, 1, 1, 0], at_risk: [2, 1, 1, 0], not_aligned: [4, 2, 1, 1], ineligible: [1, 1, 0, 0] });
    // Projected aligned for 2026: aligned_now 3 + on_track 2 = 5; aligned: 1 + 1 + 1 + 2 + 1 = 6.
    expect([summary.members, summary.projectedAligned, summary.actualAligned]).toEqual([12, 5, 6]);
    const csv = readFileSync(join(out, 'backtest.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('projection,members,aligned,not_aligned,ineligible,aligned_share,claims,voluntary,both,claims_elsewhere,voluntary_elsewhere,none,ineligible');
    // not_aligned: C07 claims, C08 voluntary, C11 claims elsewhere, C12 ineligible; 2 of 4 aligned.
    expect(csv[4]).toBe('not_aligned,4,2,1,1,0.5000,1,1,0,1,0,0,1');
    expect(readFileSync(join(out, 'backtest-summary.txt'), 'utf8')).toContain('  on_track            2: aligned 1 (50.0%), not aligned 1, ineligible 0');
  });

  it('counts a category with no member as empty, its share n/a', () => {
    const r = backtestRows([{ projection: 'on_track', actual: 'both', members: 3 }]);
    expect(r.find((x) => x.projection === 'on_track')).toMatchObject({ members: 3, aligned: 3, notAligned: 0, ineligible: 0, alignedShare: 1 });
    expect(r.find((x) => x.projection === 'at_risk')).toMatchObject({ members: 0, alignedShare: null });
  });
});
