// The synthetic plan's ACO REACH files (issue 19; alignment-files.ts, alignment-rates.ts): every
// other file is the bytes the generator wrote before they existed, the loader accepts them whole,
// the participant list is whole practices (and preferred clinicians outside them) of the providers
// file, designations fall in months enrolled, and the designation rate comes out within three
// binomial standard deviations. The participant practice share is not checked: a plan of 400
// members has only a handful of practices.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALIGNMENT_TABLES, CONTRACT, REQUIRED_TABLES } from '../contract.ts';
import { openDuckDb, sqlString } from '../duckdb.ts';
import { loadContractFile } from '../load-contract-file.ts';
import { queryRows } from '../../test/duckdb-helpers.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { DESIGNATION_RATE } from './alignment-rates.ts';
import { generatePopulationFiles } from './generate.ts';

const csv = (dir: string, name: string): string => `read_csv(${sqlString(join(dir, `${name}.csv`))}, header = true, all_varchar = true)`;
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('participants and voluntary alignment beside a small plan (400 members, 2023-2025, seed 11, CSV)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('reach-plan');
    await generatePopulationFiles({ members: 400, firstYear: 2023, lastYear: 2025, seed: 11, format: 'csv', out: dir, evidence: true });
  }, 120_000);

  it('leaves every other file the bytes the generator wrote before these files existed', () => {
    // sha256 of this plan's files as the generator of commit 5758dd0 (before alignment-files.ts) wrote them.
    const before = {
      'members.csv': 'bc1b14ce5dc17898481b096e910a6fa4ddf41f9a1f07e0c4d5cbb7ff64a3879c',
      'enrollment.csv': '28b0017e6a92b801dd90299299ac4fd9f90d865ebff1495a8115fb49b7cf5c2a',
      'claims.csv': '02a76495f16ab6bbbc09b4cf3266215a6799adc85879646fdf6123be8fde3da3',
      'truth/conditions.csv': '9d2bf46a241a7964f218bbabd75380389399a3b50b0cc5f42609bc9729967516',
      'pharmacy.csv': '6d047d0592fa7ae38b0e33362339646e7e02d6747e711a124ae85e7a9fbb5e40',
      'labs.csv': '697f26791d66224f5ce5e5a824df7a3025f29e48d1f423d8fd434fc04ad83159',
      'providers.csv': '5bba0254023547031f7724f2d8bd2f4e04f292c9593145937b9a0d9d65b81b6b',
    };
    expect(Object.fromEntries(Object.keys(before).map((f) => [f, sha256(join(dir, f))]))).toEqual(before);
  });

  it('writes participants and voluntary_alignment files the loader accepts whole', async () => {
    const db = await openDuckDb();
    try {
      for (const name of [...REQUIRED_TABLES, ...ALIGNMENT_TABLES]) {
        const s = await loadContractFile(db.connection, CONTRACT[name], join(dir, `${name}.csv`), { rejectedDir: tempDir('reach-rejected') });
        expect([name, s.rejected, s.accepted > 0]).toEqual([name, 0, true]);
      }
    } finally {
      db.close();
    }
  });

  it('lists whole practices of the providers file as participants, and preferred clinicians only outside them', async () => {
    const rows = await queryRows(
      `SELECT p.provider_type, count(*)::INTEGER AS n, count(*) FILTER (WHERE v.tin = p.tin)::INTEGER AS same_tin FROM ${csv(dir, 'participants')} p
       JOIN ${csv(dir, 'providers')} v ON v.npi = p.npi GROUP BY ALL ORDER BY 1`,
    );
    const total = Number((await queryRows(`SELECT count(*)::INTEGER AS n FROM ${csv(dir, 'participants')}`))[0]!.n);
    expect(rows.reduce((n, r) => n + Number(r.n), 0)).toBe(total);
    for (const r of rows) expect(r.same_tin).toBe(r.n);
    // A participating practice's every clinician is a participant; a preferred clinician's practice has none.
    const partial = await queryRows(
      `SELECT v.tin FROM ${csv(dir, 'providers')} v LEFT JOIN ${csv(dir, 'participants')} p ON p.npi = v.npi
       WHERE v.tin IN (SELECT tin FROM ${csv(dir, 'participants')} WHERE provider_type = 'participant')
       GROUP BY v.tin HAVING count(*) FILTER (WHERE p.provider_type = 'participant') <> count(*)`,
    );
    expect(partial).toEqual([]);
    expect(rows.map((r) => r.provider_type)).toContain('participant');
  });

  it('dates each designation in a month its member is enrolled, never after the death date, naming a clinician of the providers file', async () => {
    const outside = await queryRows(
      `SELECT count(*)::INTEGER AS n FROM ${csv(dir, 'voluntary_alignment')} t
       LEFT JOIN ${csv(dir, 'enrollment')} e ON e.member_id = t.member_id AND e.year::INTEGER = year(t.signed_date::DATE) AND month(t.signed_date::DATE) <= e.months_enrolled::INTEGER
       JOIN ${csv(dir, 'members')} m ON m.member_id = t.member_id
       WHERE e.member_id IS NULL OR t.signed_date::DATE > coalesce(m.death_date::DATE, DATE '2100-12-31')
          OR t.npi NOT IN (SELECT npi FROM ${csv(dir, 'providers')})`,
    );
    expect(outside).toEqual([{ n: 0 }]);
  });

  it('signs designations at the documented rate a member-year (3%), within three standard deviations', async () => {
    const [r] = await queryRows(
      `SELECT (SELECT count(*) FROM ${csv(dir, 'voluntary_alignment')})::INTEGER AS signed,
              (SELECT count(*) FROM ${csv(dir, 'enrollment')} WHERE months_enrolled::INTEGER > 0)::INTEGER AS member_years`,
    );
    const n = Number(r!.member_years);
    const sd = Math.sqrt(n * DESIGNATION_RATE * (1 - DESIGNATION_RATE));
    expect(Math.abs(Number(r!.signed) - n * DESIGNATION_RATE)).toBeLessThan(3 * sd);
  });
});
