// outreachOutcome (outreach-outcome.ts) on the hand-made run of test/serve-run.ts (member 1: V28
// HCCs 37, worth $1,040.23, and 329, $800.98; member r >= 2: V28 HCC 38 worth $r00.00) with a
// hand-made history of the HCCs coded, as-of 2024.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDuckDb, sqlString } from '../../data/duckdb.ts';
import { makeServeRun, memberId } from '../../test/serve-run.ts';
import { outreachOutcome } from './outreach-outcome.ts';
import { RunData } from './run-data.ts';

describe('outreachOutcome', () => {
  it('counts the open HCCs of the members marked documented that were coded in the as-of year, and their dollars, beside the others', async () => {
    const run = await makeServeRun();
    const data = await RunData.open({ run });
    for (const [rank, status] of [[1, 'documented'], [2, 'documented'], [3, 'contacted']] as const) {
      await data.statuses.set(memberId(rank), { status, note: '', date: null, version: 0 }, 'test');
    }
    data.close();
    mkdirSync(join(run, 'history'));
    const db = await openDuckDb();
    // Coded in 2024: member 1's HCC 37 (its 329 only in 2023), member 2's 38, member 4's 38 (not
    // documented); member 5's 38 under V24 only (another model: not counted).
    await db.connection.run(
      `COPY (SELECT * FROM (VALUES ('${memberId(1)}', 2024, 'V28', 37), ('${memberId(1)}', 2023, 'V28', 329), ('${memberId(2)}', 2024, 'V28', 38), ('${memberId(4)}', 2024, 'V28', 38), ('${memberId(5)}', 2024, 'V24', 38))
        t(member_id, year, model, hcc)) TO ${sqlString(join(run, 'history', 'raf_hcc.parquet'))} (FORMAT parquet)`,
    );
    db.close();
    const o = await outreachOutcome({ run, asOf: 2024 });
    // Documented: members 1 and 2, open HCCs 37, 329, 38; coded 37 and 38: $1,040.23 + $200.00.
    expect(o.documented).toEqual({ members: 2, openHccs: 3, coded: 2, codedShare: 2 / 3, codedDollars: 1240.23, openDollars: 2041.21 });
    // The other 10 (ranks 3-12), one HCC each worth $r00.00: $7,500.00 open; member 4's coded, $400.00.
    expect(o.notDocumented).toEqual({ members: 10, openHccs: 10, coded: 1, codedShare: 0.1, codedDollars: 400, openDollars: 7500 });
    expect(o.byStatus).toEqual({ documented: 2, contacted: 1, 'not started': 9 });
  });
});
