// What the outreach brought, for `rafcast evaluate --statuses RUN`: of the listed members the care
// managers marked documented (rafcast serve's statuses, RUN/serve/status.duckdb), how many of their
// open HCCs (the outreach list's lines, hcc-lines.ts) were coded in the as-of year T (the history's
// raf_hcc rows of year T, same model and HCC), and those HCCs' dollars as the list priced them
// (their worth a year); the listed members not marked documented beside them, for comparison.
// An HCC coded as another of its hierarchy does not count: exact model and HCC only.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDb, sqlString } from '../../data/duckdb.ts';
import { ConfigError } from '../../data/errors.ts';
import { parseHccLines } from './hcc-lines.ts';
import { candidatesFolder, SERVE_FOLDER, STATUS_FILE } from './run-data.ts';

export interface OutcomeGroup {
  members: number;
  openHccs: number;
  coded: number;
  /** coded / openHccs, or null with no open HCC. */
  codedShare: number | null;
  /** The coded HCCs' worth a year as the outreach list priced them. */
  codedDollars: number;
  openDollars: number;
}

export interface OutreachOutcome {
  asOf: number;
  documented: OutcomeGroup;
  notDocumented: OutcomeGroup;
  /** Listed members by outreach status (never changed: not started). */
  byStatus: Record<string, number>;
}

export interface OutreachOutcomeOptions {
  /** The run folder rafcast serve served: candidates/outreach.csv and serve/status.duckdb. */
  run: string;
  asOf: number;
  /** The history holding year T (default <run>/history). */
  history?: string;
}

export async function outreachOutcome(o: OutreachOutcomeOptions): Promise<OutreachOutcome> {
  const outreach = join(candidatesFolder(o.run), 'outreach.csv');
  const statuses = join(o.run, SERVE_FOLDER, STATUS_FILE);
  const hccFile = join(o.history ?? join(o.run, 'history'), 'raf_hcc.parquet');
  for (const [f, what] of [
    [outreach, 'the outreach list (rafcast run or candidates writes it)'],
    [statuses, 'the statuses (rafcast serve keeps them there)'],
    [hccFile, 'the history of the HCCs coded (rafcast history writes it)'],
  ] as const) {
    if (!existsSync(f)) throw new ConfigError(`--statuses ${o.run}: ${f} is missing: ${what}`);
  }
  const db = await openDuckDb();
  try {
    const c = db.connection;
    try {
      await c.run(`ATTACH ${sqlString(statuses)} AS st (READ_ONLY)`);
    } catch (e) {
      throw new ConfigError(`cannot read ${statuses} (is rafcast serve running on it? stop it first): ${(e as Error).message.split('\n')[0]}`);
    }
    const rows = (await c.runAndReadAll(`SELECT o.member_id, o.hccs, COALESCE(s.status, 'not started') AS status FROM read_csv(${sqlString(outreach)}, header = true, all_varchar = true) o LEFT JOIN st.status s USING (member_id)`)).getRowObjectsJS();
    await c.run('CREATE TABLE open_hcc (member_id VARCHAR, model VARCHAR, hcc INTEGER, dollars DOUBLE, documented BOOLEAN)');
    const app = await c.createAppender('open_hcc');
    const byStatus: Record<string, number> = {};
    const members = { documented: 0, notDocumented: 0 };
    for (const r of rows) {
      const status = String(r.status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      const documented = status === 'documented';
      members[documented ? 'documented' : 'notDocumented']++;
      for (const h of parseHccLines(String(r.hccs ?? ''))) {
        const hcc = Number(h.hcc);
        if (h.model === '' || !Number.isInteger(hcc)) continue;
        app.appendVarchar(String(r.member_id));
        app.appendVarchar(h.model);
        app.appendInteger(hcc);
        app.appendDouble(h.dollars ?? 0);
        app.appendBoolean(documented);
        app.endRow();
      }
    }
    app.closeSync();
    const sums = (
      await c.runAndReadAll(`
        SELECT documented, COUNT(*) AS open_hccs, COUNT(*) FILTER (WHERE coded) AS coded,
               COALESCE(SUM(ROUND(dollars * 100)), 0) / 100 AS open_dollars, COALESCE(SUM(ROUND(dollars * 100)) FILTER (WHERE coded), 0) / 100 AS coded_dollars
        FROM (SELECT h.*, EXISTS (SELECT 1 FROM read_parquet(${sqlString(hccFile)}) r WHERE r.member_id = h.member_id AND r.model = h.model AND r.hcc = h.hcc AND r.year = ${o.asOf}) AS coded FROM open_hcc h)
        GROUP BY documented`)
    ).getRowObjectsJS();
    const group = (documented: boolean, n: number): OutcomeGroup => {
      const s = sums.find((x) => x.documented === documented);
      const open = Number(s?.open_hccs ?? 0);
      const coded = Number(s?.coded ?? 0);
      return { members: n, openHccs: open, coded, codedShare: open === 0 ? null : coded / open, codedDollars: Number(s?.coded_dollars ?? 0), openDollars: Number(s?.open_dollars ?? 0) };
    };
    return { asOf: o.asOf, documented: group(true, members.documented), notDocumented: group(false, members.notDocumented), byStatus };
  } finally {
    db.close();
  }
}
