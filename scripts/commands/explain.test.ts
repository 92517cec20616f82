// `rafcast explain` end to end on a generated plan of 120 members (2023-2025, its complete
// history in <data>/history), as-of 2025: the member asked for is printed with three columns
// whose HCC lists grow column to column, the id never reaches stderr, and a member the data lacks
// stops with exit 2 without echoing the id. The figures are held by evaluation/explain/three-columns.test.ts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../../data/duckdb.ts';
import { queryRows } from '../../test/duckdb-helpers.ts';
import { generatedPlan } from '../../test/generated-plan.ts';

const CLI = fileURLToPath(new URL('../../bin/rafcast.js', import.meta.url));
const rafcast = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('rafcast explain', () => {
  let data: string;
  let member: string;
  let coded: number[];
  beforeAll(async () => {
    data = await generatedPlan({ members: 120, seed: 31, firstYear: 2023, lastYear: 2025 });
    const hcc = sqlString(join(data, 'history', 'raf_hcc.parquet'));
    const rows = await queryRows(
      `SELECT member_id, list(DISTINCT hcc ORDER BY hcc) AS hccs FROM read_parquet(${hcc}) WHERE model = 'V28' AND year = 2024 AND last_service_date < DATE '2024-10-01'
       GROUP BY member_id ORDER BY member_id LIMIT 1`,
    );
    member = String(rows[0]!.member_id);
    coded = (rows[0]!.hccs as number[]).map(Number);
  }, 240_000);

  it('prints the three columns for the member asked for, and the id only on stdout', () => {
    const p = rafcast('explain', '--member', member, '--data', data, '--as-of', '2025');
    expect(p.status).toBe(0);
    expect(p.stderr).not.toContain(member);
    const lines = p.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^member ${member}, as-of 2025: payment year 2026`));
    const hccs = lines.find((l) => l.startsWith('V28 HCCs'))!.slice(22).trim().split(/\s{2,}/);
    expect(hccs[0]).toBe('-');
    // HCCs coded in 2024 with their last date of service before October (received by 2025-01-01) are in column 2, and column 3 holds column 2.
    const col2 = hccs[1]!.split(' ').map(Number);
    for (const h of coded) expect(col2).toContain(h);
    for (const h of col2) expect(hccs[2]!.split(' ').map(Number)).toContain(h);
  });

  it('stops with exit 2 for a member the data lacks, without echoing the id', () => {
    const p = rafcast('explain', '--member', 'NO-SUCH-MEMBER-42', '--data', data, '--as-of', '2025');
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('the member given with --member has no history row in 2023 or 2024');
    expect(p.stderr).not.toContain('NO-SUCH-MEMBER-42');
  });
});
