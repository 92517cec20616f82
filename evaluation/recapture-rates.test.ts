// Open HCCs and the plan's recapture rates (evaluation/recapture-rates.ts) on hand-built history,
// HCC and claim rows. NPIs: P1 = 1000000001, P2 = 1000000002, P3 = 1000000003.
//
// The rates for as-of 2025 come from 2024: the HCCs open at as-of 2024 (coded in 2023 or 2022) of
// members with a 2024 history row.
//   A: 37 last coded 2023-03-10 by P1; A's 2023 provider is P1 (two professional claims, P2 one):
//      persistent, own provider, outside the window; coded again from 2024-09-01: recaptured, late.
//      A's V24 HCC 18 of 2023 is not coded in 2024: its own model's cell.
//   B: 37 last coded 2023-10-05 by P2; B's provider P1: other provider, in the window (after
//      June 30 of 2023); coded again from 2024-08-01: recaptured, not counted for the late share.
//   C: 37 last coded 2023-02-01 by P1; C's 2023 claims are P1 once and P3 once: the tie goes to
//      the larger NPI, P3: other provider; not coded in 2024.
//   D: 37 coded in 2022 (by P1) but not in 2023: dropped; D's 2023 provider P1: own; coded again
//      from 2024-03-01: recaptured, early.
//   E: 37 in 2023 but no 2024 history row (left): not at risk.
//   F: 37 in 2021 only: not open at as-of 2024 (too old).
//   G: 226 last coded 2023-05-01 by P1, its provider P1; coded again from 2024-06-30: early.
//   H: 37 first coded in 2025 (T): nothing of T is seen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb } from '../data/duckdb.ts';
import { openHccsSql, ratesOf, readRecaptureCells, type RecaptureCell, type RecaptureSources } from './recapture-rates.ts';

const P1 = '1000000001';
const P2 = '1000000002';
const P3 = '1000000003';
type Hcc = [member: string, year: number, model: string, hcc: number, first: string, last: string, npi: string];
const HCC: Hcc[] = [
  ['A', 2023, 'V28', 37, '2023-01-05', '2023-03-10', P1],
  ['A', 2023, 'V24', 18, '2023-01-05', '2023-03-10', P1],
  ['A', 2024, 'V28', 37, '2024-09-01', '2024-09-01', P1],
  ['B', 2023, 'V28', 37, '2023-04-01', '2023-10-05', P2],
  ['B', 2024, 'V28', 37, '2024-08-01', '2024-08-01', P1],
  ['C', 2023, 'V28', 37, '2023-02-01', '2023-02-01', P1],
  ['D', 2022, 'V28', 37, '2022-05-01', '2022-05-01', P1],
  ['D', 2024, 'V28', 37, '2024-03-01', '2024-11-01', P1],
  ['E', 2023, 'V28', 37, '2023-03-01', '2023-03-01', P1],
  ['F', 2021, 'V28', 37, '2021-03-01', '2021-03-01', P1],
  ['F', 2024, 'V28', 37, '2024-09-01', '2024-09-01', P1],
  ['G', 2023, 'V28', 226, '2023-02-01', '2023-05-01', P1],
  ['G', 2024, 'V28', 226, '2024-06-30', '2024-10-01', P1],
  ['H', 2025, 'V28', 37, '2025-02-01', '2025-02-01', P1],
  // L, for the list at as-of 2025: 37 in 2023 (by P2) and 2024 (last 2024-05-02 by P1); 38 in 2023
  // only (by P2); 226 in 2022 only (too old for as-of 2025); L's 2024 provider is P1.
  ['L', 2022, 'V28', 226, '2022-03-01', '2022-03-01', P1],
  ['L', 2023, 'V28', 37, '2023-02-01', '2023-11-01', P2],
  ['L', 2023, 'V28', 38, '2023-02-01', '2023-08-01', P2],
  ['L', 2024, 'V28', 37, '2024-01-10', '2024-05-02', P1],
  // M: 226 last coded on July 1, 2024: inside RAF_init_2025's window (July 2024 - June 2025).
  ['M', 2024, 'V28', 226, '2024-07-01', '2024-07-01', P1],
];
const HISTORY: [string, number][] = [
  ...['A', 'B', 'C', 'D', 'E', 'G'].map((m): [string, number] => [m, 2023]),
  // L has no 2024 row here, so that its HCCs stay out of the rates (openHccsSql reads no history).
  ...['A', 'B', 'C', 'D', 'F', 'G', 'M'].map((m): [string, number] => [m, 2024]),
];
type Claim = [member: string, type: string, thru: string, npi: string | null];
const CLAIMS: Claim[] = [
  ['A', 'professional', '2023-02-01', P1],
  ['A', 'professional', '2023-06-01', P1],
  ['A', 'professional', '2023-07-01', P2],
  ['B', 'professional', '2023-03-01', P1],
  ['C', 'professional', '2023-03-01', P1],
  ['C', 'professional', '2023-04-01', P3],
  ['D', 'professional', '2023-05-01', P1],
  // An inpatient claim by P2 and a professional claim without an NPI do not make D's provider.
  ['D', 'inpatient', '2023-05-02', P2],
  ['D', 'inpatient', '2023-05-03', P2],
  ['D', 'professional', '2023-05-04', null],
  ['G', 'professional', '2023-05-01', P1],
  ['L', 'professional', '2024-03-01', P1],
  ['L', 'professional', '2023-03-01', P2],
  ['L', 'professional', '2023-04-01', P2],
];

const q = (s: string): string => `'${s}'`;

describe('open HCCs and recapture rates', () => {
  let db: Awaited<ReturnType<typeof openDuckDb>>;
  const src: RecaptureSources = { hcc: 'hcc', history: 'history', claims: 'claims' };
  let cells: RecaptureCell[];

  beforeAll(async () => {
    db = await openDuckDb();
    const c = db.connection;
    await c.run(
      `CREATE TABLE hcc AS SELECT member_id, year, model, hcc, 'HCC ' || hcc AS description, first_service_date::DATE AS first_service_date,
         last_service_date::DATE AS last_service_date, provider_npi FROM (VALUES ${HCC.map((h) => `(${q(h[0])}, ${h[1]}, ${q(h[2])}, ${h[3]}, ${q(h[4])}, ${q(h[5])}, ${q(h[6])})`).join(', ')})
         t(member_id, year, model, hcc, first_service_date, last_service_date, provider_npi)`,
    );
    await c.run(`CREATE TABLE history AS SELECT * FROM (VALUES ${HISTORY.map(([m, y]) => `(${q(m)}, ${y})`).join(', ')}) t(member_id, year)`);
    await c.run(
      `CREATE TABLE claims AS SELECT member_id, claim_type, thru_date::DATE AS thru_date, rendering_npi FROM (VALUES ${CLAIMS.map((r) => `(${q(r[0])}, ${q(r[1])}, ${q(r[2])}, ${r[3] === null ? 'NULL' : q(r[3])})`).join(', ')})
         t(member_id, claim_type, thru_date, rendering_npi)`,
    );
    cells = await readRecaptureCells(c, src, 2025);
  });
  afterAll(() => db.close());

  it('describes each open HCC by its latest coding: dropped, in the window, coded by the member\'s provider', async () => {
    const rows = (await db.connection.runAndReadAll(`SELECT *, last_date::VARCHAR AS last_day FROM (${openHccsSql(src, 2025)}) WHERE member_id IN ('L', 'M') ORDER BY ALL`)).getRowObjectsJson();
    expect(rows.map((r) => [r.member_id, r.hcc, r.last_year, r.last_day, r.provider_npi, r.dropped, r.in_window, r.by_member_provider])).toEqual([
      // 37: coded in 2024 last (not dropped), on May 2 (before July: outside the window), by P1 = L's 2024 provider.
      ['L', 37, 2024, '2024-05-02', P1, false, false, true],
      // 38: 2023 only (dropped), by P2, not L's 2024 provider. 226 of 2022 is not open at as-of 2025.
      ['L', 38, 2023, '2023-08-01', P2, true, false, false],
      // M: July 1, 2024 is in RAF_init_2025's window; M has no professional claim in 2024: no provider.
      ['M', 226, 2024, '2024-07-01', P1, false, true, false],
    ]);
  });

  it('counts, from T-1, the HCCs at risk, recaptured, and recaptured late outside the window', () => {
    expect(cells.map((c) => [c.model, c.hcc, c.dropped, c.byMemberProvider, c.atRisk, c.recaptured, c.recapturedOutsideWindow, c.late])).toEqual([
      ['V24', 18, false, true, 1, 0, 0, 0], // A
      ['V28', 37, false, false, 2, 1, 0, 0], // B (recaptured, in the window), C (not recaptured)
      ['V28', 37, false, true, 1, 1, 1, 1], // A: recaptured from September: late
      ['V28', 37, true, true, 1, 1, 1, 0], // D: dropped, recaptured in March
      ['V28', 226, false, true, 1, 1, 1, 0], // G: recaptured from June 30: not late
    ]);
  });

  it('takes each rate from the narrowest pool with enough at risk, the late share likewise', () => {
    const rateOf = ratesOf(cells, 2);
    // V28 37, persistent, own provider: its cell has 1 at risk (< 2); V28 37 persistent (A, B, C)
    // has 3: 2 recaptured (A, B) -> 2/3. Late share: V28 37 persistent has 1 recapture outside the
    // window (A); V28 persistent (A, G) has 2, 1 late -> 1/2.
    expect(rateOf({ model: 'V28', hcc: 37, dropped: false, byMemberProvider: true })).toEqual({
      rate: 2 / 3, ratePool: 'hcc, class', atRisk: 3, recaptured: 2, late: 1 / 2, latePool: 'class', recapturedOutsideWindow: 2,
    });
    // V28 226 dropped, other provider: no cell; V28 dropped other 0, V28 dropped 1 (D) < 2; V28
    // (A, B, C, D, G) 5 at risk, 4 recaptured -> 4/5. Late: V28 226 dropped 0, V28 dropped 1 (D)
    // < 2, V28: 3 (A, D, G), 1 late -> 1/3.
    expect(rateOf({ model: 'V28', hcc: 226, dropped: true, byMemberProvider: false })).toMatchObject({ rate: 4 / 5, ratePool: 'model', late: 1 / 3, latePool: 'model' });
    // With 10 needed, no pool has enough: the broadest with any, V28's 4/5; V24's own model gives 0/1.
    expect(ratesOf(cells, 10)({ model: 'V28', hcc: 37, dropped: false, byMemberProvider: true })).toMatchObject({ rate: 4 / 5, ratePool: 'model' });
    expect(ratesOf(cells, 10)({ model: 'V24', hcc: 18, dropped: false, byMemberProvider: true })).toMatchObject({ rate: 0, ratePool: 'model', atRisk: 1, late: 0, latePool: 'none' });
  });

  it('reads nothing dated in T or later: 2025 rows change no rate', async () => {
    await db.connection.run(`INSERT INTO hcc VALUES ('C', 2025, 'V28', 37, 'HCC 37', DATE '2025-01-02', DATE '2025-01-02', '${P1}')`);
    try {
      expect(await readRecaptureCells(db.connection, src, 2025)).toEqual(cells);
    } finally {
      await db.connection.run(`DELETE FROM hcc WHERE member_id = 'C' AND year = 2025`);
    }
  });
});
