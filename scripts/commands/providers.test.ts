// `rafcast providers` end to end on a generated plan of 200 members (2023-2025, with its providers
// file and complete history): as-of 2025, so the window is 2024. The files are owner-only, no
// member id reaches the terminal, and the dollars reconcile: each member-HCC of suspects.csv
// valued once, the attributed members' part (providers.csv, by clinician; practices.csv, by TIN)
// plus the unattributed part (the summary) is the whole; every alert of audit-risk/alerts.csv is on
// its coding clinician's row or counted apart in the summary. --suspects and --audit-risk folders
// of the same as-of give the same bytes; one of another as-of stops with exit 2, naming both.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
const cents = (rows: Record<string, string>[], col: string) => rows.reduce((a, r) => a + Math.round(Number(r[col] || 0) * 100), 0);

describe('rafcast providers', () => {
  let data: string;
  let ids: string[];
  let out: string;
  beforeAll(async () => {
    data = await generatedPlan({ members: 200, seed: 17, firstYear: 2023, lastYear: 2025 });
    ids = (await queryRows(`SELECT member_id FROM read_parquet(${sqlString(join(data, 'members.parquet'))})`)).map((r) => String(r.member_id));
    out = join(tempDir('providers-cli'), 'out');
  }, 240_000);

  it('writes owner-only files whose dollars reconcile with the suspects, with no member id on the terminal', () => {
    const p = rafcast('providers', '--data', data, '--as-of', '2025', '--out', out);
    expect(p.stderr).not.toMatch(/E_|Error/);
    expect(p.status).toBe(0);
    expect(p.stdout).toContain('visits and coding from 2024-01-01 through 2024-12-31, prior-year HCCs from 2023-01-01 through 2023-12-31');
    expect(ids.filter((id) => (p.stdout + p.stderr).includes(id))).toEqual([]);
    for (const f of ['providers.csv', 'provider-hccs.csv', 'practices.csv', 'providers-summary.json', 'providers-summary.txt']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
    const worklists = readdirSync(join(out, 'worklists'));
    expect(worklists.length).toBeGreaterThan(0);
    for (const f of worklists) expect(statSync(join(out, 'worklists', f)).mode & 0o777).toBe(0o600);
    // Each member-HCC of suspects.csv once (its rows of several evidence types carry the same dollars).
    const items = new Map<string, number>();
    for (const r of parseCsvObjects(readFileSync(join(out, 'suspects', 'suspects.csv'), 'utf8'))) items.set(`${r.member_id} ${r.hcc}`, Math.round(Number(r.dollars || 0) * 100));
    const whole = [...items.values()].reduce((a, b) => a + b, 0);
    const s = JSON.parse(readFileSync(join(out, 'providers-summary.json'), 'utf8')) as { dollars: Record<string, number>; membersAttributed: number; audit: { alerts: number; alertsWithoutClinician: number } };
    const providers = parseCsvObjects(readFileSync(join(out, 'providers.csv'), 'utf8'));
    const practices = parseCsvObjects(readFileSync(join(out, 'practices.csv'), 'utf8'));
    const attributed = cents(providers, 'open_dollars') + cents(providers, 'suspect_dollars');
    expect(attributed).toBe(cents(practices, 'open_dollars') + cents(practices, 'suspect_dollars'));
    expect(attributed + Math.round((s.dollars.openUnattributed! + s.dollars.suspectUnattributed!) * 100)).toBe(whole);
    // Every attributed member is counted once, by one clinician; the worklists' rows sum to providers.csv's members_with_items.
    expect(providers.reduce((a, r) => a + Number(r.members_attributed), 0)).toBe(s.membersAttributed);
    const rows = worklists.flatMap((f) => parseCsvObjects(readFileSync(join(out, 'worklists', f), 'utf8')));
    expect(rows.length).toBe(providers.reduce((a, r) => a + Number(r.members_with_items), 0));
    expect(new Set(rows.map((r) => r.member_id)).size).toBe(rows.length);
    // The overuse alerts come from <out>/audit-risk (the audit-risk library): each alert on the row
    // of the NPI on its claim, or counted apart; the worklists' overuse_alerts cells are its member-HCCs.
    const alerts = parseCsvObjects(readFileSync(join(out, 'audit-risk', 'alerts.csv'), 'utf8'));
    expect(statSync(join(out, 'audit-risk', 'alerts.csv')).mode & 0o777).toBe(0o600);
    const a = s.audit;
    // Not vacuous: the generated plan has alerts (single claims at least) on attributed members.
    expect(alerts.length).toBeGreaterThan(0);
    expect(a.alerts).toBe(alerts.length);
    expect(providers.reduce((n, r) => n + Number(r.audit_alerts), 0) + a.alertsWithoutClinician).toBe(alerts.length);
    expect(practices.reduce((n, r) => n + Number(r.audit_alerts), 0)).toBe(providers.reduce((n, r) => n + Number(r.audit_alerts), 0));
    const flagged = rows.flatMap((r) => (r.overuse_alerts === '' ? [] : r.overuse_alerts!.split(' | ').map((x) => `${r.member_id} ${x.split(' ')[1]}`)));
    const attributedAlerts = new Set(alerts.filter((r) => rows.some((w) => w.member_id === r.member_id)).map((r) => `${r.member_id} ${r.hcc}`));
    expect(attributedAlerts.size).toBeGreaterThan(0);
    expect(flagged.sort()).toEqual([...attributedAlerts].sort());
  });

  it('reads --suspects and --audit-risk folders of the same as-of to the same bytes, and refuses ones of another as-of', () => {
    const again = join(tempDir('providers-cli'), 'out');
    const p = rafcast('providers', '--data', data, '--as-of', '2025', '--suspects', join(out, 'suspects'), '--audit-risk', join(out, 'audit-risk'), '--out', again);
    expect(p.status).toBe(0);
    for (const f of ['providers.csv', 'provider-hccs.csv', 'practices.csv']) expect(readFileSync(join(again, f), 'utf8')).toBe(readFileSync(join(out, f), 'utf8'));
    const other = join(tempDir('providers-cli'), 'audit-2024');
    mkdirSync(other);
    writeFileSync(join(other, 'alerts.csv'), readFileSync(join(out, 'audit-risk', 'alerts.csv')));
    writeFileSync(join(other, 'audit-risk-summary.json'), JSON.stringify({ asOf: 2024 }));
    const r = rafcast('providers', '--data', data, '--as-of', '2025', '--suspects', join(out, 'suspects'), '--audit-risk', other, '--out', join(tempDir('providers-cli'), 'out'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('holds the alerts of as-of 2024, not of as-of 2025');
    const q = rafcast('providers', '--data', data, '--as-of', '2024', '--suspects', join(out, 'suspects'), '--out', join(tempDir('providers-cli'), 'out'));
    expect(q.status).toBe(2);
    expect(q.stderr).toContain('holds the suspects of as-of 2025 with data through 2025-01-01, not of as-of 2024 with data through 2024-01-01');
  });
});
