// The synthetic population (data/synthetic) with its calibration: the same seed gives the same bytes; a small population meets every
// target of targets.ts within its documented tolerance; what the claims code follows from the
// latent truth (no HCC code without a true condition, except the documented noise rate); and the
// files pass the input contract with nothing rejected.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS, ENROLLMENT, MEMBERS } from '../data/contract.ts';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { loadContractFile } from '../data/load-contract-file.ts';
import { loadModelTables } from '../data/reference/cms-hcc-tables.ts';
import { OTHER_CODES } from '../data/synthetic/conditions.ts';
import { NOISE_RATE } from '../data/synthetic/documentation.ts';
import { generatePopulation } from './generate-population.ts';
import { tempDir } from '../test/temp-dir.ts';

const tmp = (): string => tempDir('synthetic');
const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length))
    .sort();

describe('generatePopulation', () => {
  it('gives byte-identical files for the same seed, and other claims for another seed', async () => {
    const run = async (seed: number) => {
      const out = tmp();
      await generatePopulation({ members: 600, firstYear: 2023, lastYear: 2024, seed, out });
      return out;
    };
    const [a, b, c] = [await run(11), await run(11), await run(12)];
    expect(files(a)).toEqual(['/calibration.json', '/claims.parquet', '/enrollment.parquet', '/members.parquet', '/truth/conditions.parquet']);
    for (const f of files(a)) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    expect(readFileSync(join(c, 'claims.parquet')).equals(readFileSync(join(a, 'claims.parquet')))).toBe(false);
  });

  it('meets every calibration target within its tolerance (5,000 members, 2021-2025)', async () => {
    const out = tmp();
    await generatePopulation({ members: 5000, firstYear: 2021, lastYear: 2025, seed: 2026, out });
    const report = JSON.parse(readFileSync(join(out, 'calibration.json'), 'utf8')) as Record<string, unknown>;
    const rows: [string, { achieved: number; target: number; tolerance: number; within: boolean }][] = [];
    const walk = (o: Record<string, unknown>, prefix: string): void => {
      for (const [k, v] of Object.entries(o)) {
        if (k === 'run' || v === null || typeof v !== 'object') continue;
        if ('within' in v) rows.push([`${prefix}${k}`, v as (typeof rows)[number][1]]);
        else walk(v as Record<string, unknown>, `${k}.`);
      }
    };
    walk(report, '');
    expect(rows.length).toBe(24);
    const misses = rows.filter(([, r]) => Math.abs(r.achieved - r.target) > r.tolerance).map(([k, r]) => `${k}: ${r.achieved} (target ${r.target} ± ${r.tolerance})`);
    expect(misses).toEqual([]);
    expect(rows.every(([, r]) => r.within)).toBe(true);
  });

  it('codes only what the latent truth holds, apart from the documented noise rate; the files pass the contract', async () => {
    const out = tmp();
    await generatePopulation({ members: 3000, firstYear: 2024, lastYear: 2025, seed: 5, out, format: 'csv' });
    const db = await openDuckDb();
    const c = db.connection;
    for (const [spec, name] of [[MEMBERS, 'members'], [ENROLLMENT, 'enrollment'], [CLAIMS, 'claims']] as const) {
      const s = await loadContractFile(c, spec, join(out, `${name}.csv`));
      expect([name, s.rejected, s.accepted > 0]).toEqual([name, 0, true]);
    }
    const v28 = loadModelTables('V28', 2026);
    const mapped = [...v28.dxToCc].map(([code, ccs]) => `(${sqlString(code)}, ${ccs[0]})`).join(', ');
    await c.run(`CREATE TABLE map AS SELECT * FROM (VALUES ${mapped}) t(code, cc)`);
    await c.run(`CREATE TABLE truth AS SELECT * FROM read_csv(${sqlString(join(out, 'truth', 'conditions.csv'))}, header = true)`);
    const coded = (
      await c.runAndReadAll(`
        WITH dx AS (SELECT member_id, year(from_date) AS year, unnest(diagnosis_codes) AS code FROM claims)
        SELECT count(*) FILTER (WHERE map.cc IS NOT NULL)::INTEGER AS hcc_codes,
               count(*) FILTER (WHERE map.cc IS NOT NULL AND truth.hcc IS NULL)::INTEGER AS without_truth,
               count(*) FILTER (WHERE map.cc IS NULL AND dx.code NOT IN (${OTHER_CODES.map(sqlString).join(', ')}))::INTEGER AS unknown
        FROM dx LEFT JOIN map USING (code) LEFT JOIN truth ON truth.member_id = dx.member_id AND truth.year = dx.year AND truth.hcc = map.cc`)
    ).getRowObjectsJson()[0]!;
    // Every code is one the generator knows; HCC codes without a true condition stay near the rate.
    expect(coded.unknown).toBe(0);
    const noise = Number(coded.without_truth) / Number(coded.hcc_codes);
    expect(noise).toBeGreaterThan(0);
    expect(noise).toBeLessThan(2 * NOISE_RATE);
    // And the truth's "first coded" months are backed by a claim coding that HCC in that month.
    const unbacked = (
      await c.runAndReadAll(`
        SELECT count(*)::INTEGER AS n FROM truth t WHERE first_coded_month IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM (SELECT member_id, from_date, unnest(diagnosis_codes) AS code FROM claims) d JOIN map USING (code)
          WHERE d.member_id = t.member_id AND year(d.from_date) = t.year AND month(d.from_date) = t.first_coded_month AND map.cc = t.hcc)`)
    ).getRowObjectsJson()[0]!;
    expect(unbacked.n).toBe(0);
    db.close();
  });
});
