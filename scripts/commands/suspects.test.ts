// `rafcast suspects` end to end on a generated plan of 200 members (2023-2025, its complete
// history in <data>/history): the command computes the history as known on 2025-01-01, reads a
// pharmacy.csv written here (insulin fills in 2024 for three members with no diabetes HCC coded
// in 2023-2025, so each must be a medication suspect of HCC 38, and a fourth such member's insulin
// fill dated 2024-13-01 (row 4), which the contract's checks quarantine: 4 rows read = 3 accepted + 1
// rejected, and no suspect from it), finds no labs file and says so, confirms against the complete
// 2025, and writes owner-only files with no member id on the terminal or in the quarantine; a
// history as known on the cut-off given with --known-history gives the same bytes, and --rejected
// moves the quarantine. A pharmacy file without a column the contract requires stops with exit 2
// naming the file and the column, not a value.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

describe('rafcast suspects', () => {
  let data: string;
  let chosen: string[];
  let ids: string[];
  beforeAll(async () => {
    data = await generatedPlan({ members: 200, seed: 17, firstYear: 2023, lastYear: 2025 });
    const hist = sqlString(join(data, 'history', 'raf_history.parquet'));
    const hcc = sqlString(join(data, 'history', 'raf_hcc.parquet'));
    ids = (await queryRows(`SELECT member_id FROM read_parquet(${sqlString(join(data, 'members.parquet'))})`)).map((r) => String(r.member_id));
    chosen = (
      await queryRows(
        `SELECT DISTINCT member_id FROM read_parquet(${hist}) WHERE year = 2024 AND member_id NOT IN
           (SELECT member_id FROM read_parquet(${hcc}) WHERE model = 'V28' AND hcc IN (35, 36, 37, 38)) ORDER BY member_id LIMIT 4`,
      )
    ).map((r) => String(r.member_id));
    // Row 4 of the file (rows are counted after the header): the fourth member's fill, in month 13.
    const fills = chosen.map((m, i) => `F${i},${m},2024-${i < 3 ? `0${i + 3}` : '13'}-01,,,A10AE04,30,45.10,1234567893`);
    writeFileSync(join(data, 'pharmacy.csv'), `fill_id,member_id,fill_date,received_date,ndc,atc_code,days_supply,paid_amount,prescriber_npi\n${fills.join('\n')}\n`);
  }, 240_000);

  it('lists each insulin fill of an undiagnosed member as a medication suspect of HCC 38, says the labs are absent, confirms against 2025', () => {
    expect(chosen).toHaveLength(4);
    const out = join(tempDir('suspects-cli'), 'out');
    const p = rafcast('suspects', '--data', data, '--as-of', '2025', '--out', out);
    expect(p.stderr).not.toMatch(/E_|Error/);
    expect(p.status).toBe(0);
    expect(p.stdout).toContain(`lab: absent (no labs.csv or labs.parquet in ${data})`);
    expect(p.stdout).toContain('confirmation: the suspected HCC (or one above it in the V28 hierarchy) coded in 2025 in the complete history');
    expect(p.stdout).toMatch(/medication: 3 suspects, 3 members/);
    expect(p.stdout).toContain(`pharmacy: read 4 = accepted 3 + rejected 1 row (reasons by field: fill_date 1); rejected rows: ${join(out, 'pharmacy.rejected.csv')}`);
    const quarantined = readFileSync(join(out, 'pharmacy.rejected.csv'), 'utf8');
    expect(quarantined).toBe(`file,row,field,reason\n${join(data, 'pharmacy.csv')},4,fill_date,"is not a date that exists, found ""2024-13-01"""\n`);
    expect(statSync(join(out, 'pharmacy.rejected.csv')).mode & 0o777).toBe(0o600);
    expect(ids.filter((id) => (p.stdout + p.stderr + quarantined).includes(id))).toEqual([]);
    const text = readFileSync(join(out, 'suspects.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe(
      'member_id,hcc,description,evidence_type,rules,strength,detail,first_date,last_date,evidence_count,provider_npi,score_without,score_with,dollars,confirmed',
    );
    const med = parseCsvObjects(text).filter((r) => r.evidence_type === 'medication');
    expect(med.map((r) => `${r.member_id} ${r.hcc} ${r.rules} ${r.provider_npi}`)).toEqual(chosen.slice(0, 3).map((m) => `${m} 38 insulin 1234567893`));
    // Every row carries a confirmation (the history holds 2025) and a price.
    expect(parseCsvObjects(text).every((r) => (r.confirmed === 'true' || r.confirmed === 'false') && r.dollars !== '')).toBe(true);
    for (const f of ['suspects.csv', 'suspects-summary.json', 'suspects-summary.txt']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
    const summary = JSON.parse(readFileSync(join(out, 'suspects-summary.json'), 'utf8')) as {
      evidence: { type: string; available: boolean; suspects: number }[];
      loaded: { table: string; read: number; accepted: number; rejected: number }[];
    };
    expect(summary.evidence.map((e) => `${e.type} ${e.available}`)).toEqual(['recapture true', 'drop_off true', 'medication true', 'lab false', 'comorbidity true']);
    expect(summary.loaded.map((l) => `${l.table} ${l.read} = ${l.accepted} + ${l.rejected}`)).toEqual([`members ${ids.length} = ${ids.length} + 0`, 'pharmacy 4 = 3 + 1']);
  }, 240_000);

  it('--known-history computed by rafcast history with the same cut-off gives the same bytes; one of another cut-off is refused', () => {
    const dir = tempDir('suspects-known');
    expect(rafcast('suspects', '--data', data, '--as-of', '2025', '--out', join(dir, 'computed')).status).toBe(0);
    expect(rafcast('history', '--data', data, '--years', '2023-2025', '--data-through', '2025-01-01', '--out', join(dir, 'known')).status).toBe(0);
    expect(rafcast('suspects', '--data', data, '--as-of', '2025', '--known-history', join(dir, 'known'), '--rejected', join(dir, 'rejected'), '--out', join(dir, 'given')).status).toBe(0);
    expect(readFileSync(join(dir, 'given', 'suspects.csv')).equals(readFileSync(join(dir, 'computed', 'suspects.csv')))).toBe(true);
    // --rejected: the quarantine there, none in the output folder.
    expect(readFileSync(join(dir, 'rejected', 'pharmacy.rejected.csv'), 'utf8')).toBe(readFileSync(join(dir, 'computed', 'pharmacy.rejected.csv'), 'utf8'));
    expect(existsSync(join(dir, 'given', 'pharmacy.rejected.csv'))).toBe(false);
    const p = rafcast('suspects', '--data', data, '--as-of', '2025', '--known-history', join(dir, 'known'), '--data-through', '2025-02-01', '--out', join(dir, 'feb'));
    expect(p.status).toBe(2);
    expect(p.stderr).toContain(`E_CONFIG: --known-history ${join(dir, 'known')} was computed with data through 2025-01-01, not with data through 2025-02-01`);
  }, 240_000);

  it('a pharmacy file without days_supply stops with exit 2, naming the file and the column and not a value', () => {
    const dir = tempDir('suspects-bad');
    writeFileSync(join(dir, 'members.csv'), 'member_id,birth_date,sex,orec,death_date\nPHI-0001,1950-02-01,F,0,\n');
    const file = join(dir, 'pharmacy.csv');
    writeFileSync(file, 'fill_id,member_id,fill_date,received_date,ndc,atc_code,paid_amount,prescriber_npi\nF1,PHI-0001,2024-03-01,,,A10AE04,1,\n');
    const p = rafcast('suspects', '--data', dir, '--as-of', '2025', '--out', join(dir, 'out'));
    expect(p.status).toBe(2);
    expect(p.stderr).toContain(`file ${file}`);
    expect(p.stderr).toContain('the header of the pharmacy file lacks days_supply');
    expect(p.stderr + p.stdout).not.toMatch(/PHI-/);
  });
});
