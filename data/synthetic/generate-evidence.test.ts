// The synthetic plan's pharmacy, labs and providers files (issue 17; evidence.ts,
// providers-file.ts): the other files are the bytes they were before these existed, every fill
// and result falls while its member is enrolled, every NPI used is in providers, the loader
// accepts every row, and each documented rate (evidence-rates.ts) comes out within three binomial
// standard deviations on 3,000 members over 2024-2025 (about 6,400 member-years).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, REQUIRED_TABLES, EVIDENCE_TABLES } from '../contract.ts';
import { openDuckDb, sqlString } from '../duckdb.ts';
import { loadContractFile } from '../load-contract-file.ts';
import { queryRows } from '../../test/duckdb-helpers.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { LAB_RULES, TREATMENT_RULES } from './evidence-rates.ts';
import { generatePopulationFiles } from './generate.ts';

const csv = (dir: string, name: string): string => `read_csv(${sqlString(join(dir, `${name}.csv`))}, header = true, all_varchar = true)`;
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('pharmacy, labs and providers beside a small plan (400 members, 2024-2025, seed 17, CSV)', () => {
  let withEvidence: string;
  let without: string;
  beforeAll(async () => {
    withEvidence = tempDir('evidence');
    without = tempDir('evidence');
    const opts = { members: 400, firstYear: 2024, lastYear: 2025, seed: 17, format: 'csv' as const };
    await generatePopulationFiles({ ...opts, out: withEvidence, evidence: true });
    await generatePopulationFiles({ ...opts, out: without });
  }, 120_000);

  it("leaves members, enrollment, claims and truth the bytes main's generator wrote before these files existed", () => {
    // sha256 of the files the generator of commit 901e6fd (main before issue 17's data) wrote
    // for this plan: the new files draw from streams of their own (evidence.ts evidenceRng,
    // providers-file.ts), so none of these changed.
    const before = {
      'members.csv': 'cf9dd0707160f0965dbd33724abac8aa9747957c89a4c9a332fbe50d6d1b3f43',
      'enrollment.csv': '4fb331302c09ddfd7eed0b9de818597efe0c00c2427b956677b36e0520178cb9',
      'claims.csv': '62c8e686051224d952dfdc8a165b1d1e5e2e87c276a28b21d1af878091df4ba6',
      'truth/conditions.csv': '82e326301fc8492a152a43813a78d50f45a202f2141d6b2869f7ef72e360c433',
    };
    for (const dir of [withEvidence, without]) {
      expect(Object.fromEntries(Object.keys(before).map((f) => [f, sha256(join(dir, f))]))).toEqual(before);
    }
    // Without them (evidence not asked for, the library's default) none is written.
    expect(['pharmacy', 'labs', 'providers', 'participants', 'voluntary_alignment'].filter((f) => existsSync(join(without, `${f}.csv`)))).toEqual([]);
  });

  it('writes files the loader accepts whole', async () => {
    const db = await openDuckDb();
    try {
      for (const name of [...REQUIRED_TABLES, ...EVIDENCE_TABLES]) {
        const s = await loadContractFile(db.connection, CONTRACT[name], join(withEvidence, `${name}.csv`), { rejectedDir: tempDir('evidence-rejected') });
        expect([name, s.rejected, s.accepted > 0]).toEqual([name, 0, true]);
      }
    } finally {
      db.close();
    }
  });

  it('dates every fill and result while its member is enrolled: in a month enrolled, never after the death date', async () => {
    for (const [table, date] of [['pharmacy', 'fill_date'], ['labs', 'result_date']] as const) {
      const outside = await queryRows(
        `SELECT count(*)::INTEGER AS n, count(e.member_id)::INTEGER AS enrolled FROM ${csv(withEvidence, table)} t
         LEFT JOIN ${csv(withEvidence, 'enrollment')} e ON e.member_id = t.member_id AND e.year::INTEGER = year(t.${date}::DATE)
           AND month(t.${date}::DATE) <= e.months_enrolled::INTEGER
         JOIN ${csv(withEvidence, 'members')} m ON m.member_id = t.member_id
         WHERE e.member_id IS NULL OR t.${date}::DATE > coalesce(m.death_date::DATE, DATE '2100-12-31')`,
      );
      expect(outside, table).toEqual([{ n: 0, enrolled: 0 }]);
    }
  });

  it('lists every NPI the claims, fills and results name in providers, once', async () => {
    const rows = await queryRows(
      `WITH used AS (SELECT rendering_npi AS npi FROM ${csv(withEvidence, 'claims')} UNION SELECT prescriber_npi FROM ${csv(withEvidence, 'pharmacy')}
                     UNION SELECT ordering_npi FROM ${csv(withEvidence, 'labs')})
       SELECT (SELECT count(*) FROM used WHERE npi IS NOT NULL AND npi NOT IN (SELECT npi FROM ${csv(withEvidence, 'providers')}))::INTEGER AS missing,
              (SELECT count(*) - count(DISTINCT npi) FROM ${csv(withEvidence, 'providers')})::INTEGER AS repeated`,
    );
    expect(rows).toEqual([{ missing: 0, repeated: 0 }]);
  });
});

describe('the evidence rates on 3,000 members, 2024-2025 (seed 5)', () => {
  let dir: string;
  /** Per member-year (member|year): the HCCs held (truth), the NDCs filled, the LOINC results. */
  const held = new Map<string, Set<number>>();
  const filled = new Map<string, Set<string>>();
  const results: { key: string; loinc: string; value: number }[] = [];
  beforeAll(async () => {
    dir = tempDir('evidence-rates');
    await generatePopulationFiles({ members: 3000, firstYear: 2024, lastYear: 2025, seed: 5, format: 'csv', out: dir, evidence: true });
    for (const r of await queryRows(`SELECT member_id || '|' || year AS k FROM ${csv(dir, 'enrollment')}`)) held.set(String(r.k), new Set());
    for (const r of await queryRows(`SELECT member_id || '|' || year AS k, hcc FROM read_csv(${sqlString(join(dir, 'truth', 'conditions.csv'))}, header = true, all_varchar = true)`)) {
      held.get(String(r.k))!.add(Number(r.hcc));
    }
    for (const r of await queryRows(`SELECT member_id || '|' || year(fill_date::DATE) AS k, ndc FROM ${csv(dir, 'pharmacy')}`)) {
      const s = filled.get(String(r.k)) ?? new Set<string>();
      s.add(String(r.ndc));
      filled.set(String(r.k), s);
    }
    for (const r of await queryRows(`SELECT member_id || '|' || year(result_date::DATE) AS k, loinc, value::DOUBLE AS v FROM ${csv(dir, 'labs')}`)) {
      results.push({ key: String(r.k), loinc: String(r.loinc), value: Number(r.v) });
    }
  }, 180_000);

  /** |observed - expected| within three binomial standard deviations of a sum of chances. */
  const expectWithin = (what: string, observed: number, chances: number[]): void => {
    const expected = chances.reduce((a, p) => a + p, 0);
    const sd = Math.sqrt(chances.reduce((a, p) => a + p * (1 - p), 0));
    expect(chances.length, what).toBeGreaterThan(30);
    expect(Math.abs(observed - expected), `${what}: ${observed} against ${expected.toFixed(1)} (sd ${sd.toFixed(1)})`).toBeLessThan(3 * sd + 1e-9);
  };

  it.each(TREATMENT_RULES.map((r) => [r.name, r] as const))('fills %s at its treated rate, and at its noise rate for the others', (_, rule) => {
    const ndcs = new Set(rule.drugs.map((d) => d.ndc));
    const treated: number[] = [];
    const noise: number[] = [];
    let treatedFilled = 0;
    let noiseFilled = 0;
    for (const [key, hccs] of held) {
      // The member-year's chance: the highest of the HCCs it holds (evidence.ts), else the noise rate.
      const chances = Object.entries(rule.treated).filter(([h]) => hccs.has(Number(h))).map(([, p]) => p);
      const has = [...(filled.get(key) ?? [])].some((n) => ndcs.has(n));
      if (chances.length > 0) {
        treated.push(Math.max(...chances));
        if (has) treatedFilled++;
      } else {
        noise.push(rule.noise);
        if (has) noiseFilled++;
      }
    }
    expectWithin(`${rule.name}, treated`, treatedFilled, treated);
    expectWithin(`${rule.name}, noise`, noiseFilled, noise);
  });

  it.each(LAB_RULES.map((r) => [r.name, r] as const))('tests %s at its monitored and ordinary rates, with noise values at their share', (_, rule) => {
    const loincs = new Set(rule.loincs.map((l) => l.code));
    const tested = new Set(results.filter((r) => loincs.has(r.loinc)).map((r) => r.key));
    const monitored: number[] = [];
    const ordinary: number[] = [];
    let monitoredTested = 0;
    let ordinaryTested = 0;
    for (const [key, hccs] of held) {
      const hcc = Object.keys(rule.monitored).map(Number).find((h) => hccs.has(h));
      if (hcc !== undefined) {
        monitored.push(rule.monitored[hcc]!.tested);
        if (tested.has(key)) monitoredTested++;
      } else {
        ordinary.push(rule.ordinary.tested);
        if (tested.has(key)) ordinaryTested++;
      }
    }
    expectWithin(`${rule.name}, monitored`, monitoredTested, monitored);
    expectWithin(`${rule.name}, ordinary`, ordinaryTested, ordinary);
    // The noise and ordinary ranges do not overlap: a value in the noise range among the ordinary results is noise.
    const plain = results.filter((r) => loincs.has(r.loinc) && !Object.keys(rule.monitored).some((h) => held.get(r.key)!.has(Number(h))));
    const noisy = plain.filter((r) => r.value >= rule.noise.value.min && r.value <= rule.noise.value.max).length;
    expectWithin(`${rule.name}, noise values`, noisy, plain.map(() => rule.noise.share));
  });

  it("puts each CKD stage's median eGFR in its KDIGO band (3a 45-59, 3b 30-44, 4 15-29, 5 under 15)", () => {
    const egfr = new Set(LAB_RULES.find((r) => r.name === 'eGFR')!.loincs.map((l) => l.code));
    const bands: [number, number, number][] = [[329, 45, 60], [328, 30, 45], [327, 15, 30], [326, 0, 15]];
    for (const [hcc, lo, hi] of bands) {
      const values = results.filter((r) => egfr.has(r.loinc) && held.get(r.key)!.has(hcc)).map((r) => r.value).sort((a, b) => a - b);
      expect(values.length, `HCC ${hcc}`).toBeGreaterThan(10);
      const median = values[Math.floor(values.length / 2)]!;
      expect(median >= lo && median < hi, `HCC ${hcc}: median ${median}`).toBe(true);
    }
  });
});
