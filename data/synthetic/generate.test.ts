// The records' sources in the synthetic plan (documentation.ts, data/synthetic/README.md "Records'
// sources"): audio-only visits and chart reviews come from each member's second random stream, so
// the plan without them is the plan with them less their rows and modifiers, encounter for
// encounter; and each kind of record is what the contract (data/README.md) says it is.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../duckdb.ts';
import { queryRows } from '../../test/duckdb-helpers.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { loadModelTables } from '../reference/cms-hcc-tables.ts';
import { addDays, COMPLETION_CURVES, lagAt, type ClaimType } from './claim-lags.ts';
import { RECORD_SOURCE_RATES } from './documentation.ts';
import { generatePopulationFiles } from './generate.ts';

const NONE = { audioOnly: 0, fqShareOfAudioOnly: 0, linkedReview: 0, unlinkedReview: 0, chartFinds: 0 };

describe('the records\' sources of a generated plan (1,500 members, 2025-2026)', () => {
  let withSources: string;
  let without: string;
  const claims = (dir: string, where = 'true') =>
    queryRows(
      `SELECT claim_id, member_id, claim_type, from_date::VARCHAR AS dos, procedure_codes, procedure_modifiers, diagnosis_codes, paid_amount::VARCHAR AS paid,
              rendering_npi AS npi, record_source, thru_date::VARCHAR AS thru, received_date::VARCHAR AS received
       FROM read_csv(${sqlString(join(dir, 'claims.csv'))}, header = true, auto_detect = false,
         columns = {'claim_id': 'VARCHAR', 'member_id': 'VARCHAR', 'claim_type': 'VARCHAR', 'bill_type': 'VARCHAR', 'from_date': 'DATE', 'thru_date': 'DATE',
                    'procedure_codes': 'VARCHAR', 'procedure_modifiers': 'VARCHAR', 'diagnosis_codes': 'VARCHAR', 'paid_amount': 'VARCHAR',
                    'rendering_npi': 'VARCHAR', 'record_source': 'VARCHAR', 'received_date': 'DATE'})
       WHERE ${where} ORDER BY claim_id`,
    );

  beforeAll(async () => {
    withSources = tempDir('sources');
    without = tempDir('sources');
    const opts = { members: 1500, firstYear: 2025, lastYear: 2026, seed: 7, format: 'csv' as const };
    await generatePopulationFiles({ ...opts, out: withSources });
    await generatePopulationFiles({ ...opts, out: without, recordSources: NONE });
  }, 120_000);

  it('leaves every other record as it was before them: the files of commit 9cca90e\'s generator, byte for byte, less the three columns', () => {
    // sha256 of the same plan's files (1,500 members, 2025-2026, seed 7, CSV) as the generator
    // wrote them before record sources existed (commit 9cca90e, claims without the two columns),
    // and before received dates (the third column, received_date, drawn from streams of its own:
    // the hashes are the same as before it was added).
    const before = {
      'members.csv': '3137214b0416d3d9a45a887c8a24ceca55e74d96764e54f99e2276ad3d35f7d6',
      'enrollment.csv': '425be14e22d4066d50c9a237da814a87ccc98173175b310e74a5fad32ca514f3',
      'truth/conditions.csv': '22398e3a2500412c8bede350e088b80f39768578ad4321ed4bd54663651c7a2f',
      'claims.csv': '04f9b9d0d72213824eac3bc3fc02555bfe61e20e568863ea28d181b4b73231bf',
    };
    // The encounters (claim ids C...) with procedure_modifiers and record_source taken out.
    const lines = readFileSync(join(withSources, 'claims.csv'), 'utf8').split('\n');
    const header = lines[0]!.split(',');
    const drop = new Set([header.indexOf('procedure_modifiers'), header.indexOf('record_source'), header.indexOf('received_date')]);
    expect([...drop].every((i) => i >= 0)).toBe(true);
    const strip = (line: string): string => line.split(',').filter((_, i) => !drop.has(i)).join(',');
    const encounters = `${[lines[0]!, ...lines.filter((l) => l.startsWith('C'))].map(strip).join('\n')}\n`;
    const hash = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
    expect({
      'members.csv': hash(readFileSync(join(withSources, 'members.csv'))),
      'enrollment.csv': hash(readFileSync(join(withSources, 'enrollment.csv'))),
      'truth/conditions.csv': hash(readFileSync(join(withSources, 'truth', 'conditions.csv'))),
      'claims.csv': hash(encounters),
    }).toEqual(before);
  });

  it('writes no modifier and no chart review with every rate at 0, and otherwise the same plan', async () => {
    for (const f of ['members.csv', 'enrollment.csv', join('truth', 'conditions.csv')]) {
      expect(readFileSync(join(withSources, f)).equals(readFileSync(join(without, f))), f).toBe(true);
    }
    const plain = await claims(without);
    const encounters = await claims(withSources, `claim_id LIKE 'C%'`);
    expect(plain.every((c) => c.procedure_modifiers === null && c.record_source === null)).toBe(true);
    // Received dates included: the encounters' lags come from a stream the chart reviews do not draw from.
    expect(encounters.map((c) => ({ ...c, procedure_modifiers: null }))).toEqual(plain);
  });

  it('marks about 2% of office visits audio-only, 93 or (at an FQHC or RHC) FQ', async () => {
    const visits = await claims(withSources, `claim_id LIKE 'C%' AND procedure_codes IN ('99213', '99214', '99215')`);
    const byModifier = (m: string | null) => visits.filter((c) => c.procedure_modifiers === m).length;
    expect(byModifier('93') + byModifier('FQ') + byModifier(null)).toBe(visits.length);
    // RECORD_SOURCE_RATES.audioOnly of the visits, within three binomial standard deviations.
    const share = (byModifier('93') + byModifier('FQ')) / visits.length;
    const sd = Math.sqrt((RECORD_SOURCE_RATES.audioOnly * (1 - RECORD_SOURCE_RATES.audioOnly)) / visits.length);
    expect(Math.abs(share - RECORD_SOURCE_RATES.audioOnly)).toBeLessThan(3 * sd);
    expect(byModifier('FQ')).toBeGreaterThan(0);
    expect(byModifier('FQ')).toBeLessThan(byModifier('93'));
  });

  it('writes each linked chart review beside a visit of its member: its date, provider, procedure and modifier, new codes only, no payment', async () => {
    const all = await claims(withSources);
    const linked = all.filter((c) => c.record_source === 'chart_review_linked');
    expect(linked.length).toBeGreaterThan(100);
    for (const r of linked) {
      const visits = all.filter(
        (c) =>
          String(c.claim_id).startsWith('C') && c.member_id === r.member_id && c.dos === r.dos && c.npi === r.npi &&
          c.procedure_codes === r.procedure_codes && c.procedure_modifiers === r.procedure_modifiers &&
          String(r.diagnosis_codes).split('|').every((d) => !String(c.diagnosis_codes).split('|').includes(d)),
      );
      expect(visits.length, String(r.claim_id)).toBeGreaterThan(0);
      expect(r.paid).toBe('0');
      // Never received before the visit it amends (one of the visits it could be linked to).
      expect(visits.some((v) => String(r.received) >= String(v.received)), String(r.claim_id)).toBe(true);
    }
  });

  it('writes unlinked chart reviews as home-visit records coding only chronic HCCs no encounter of the year coded', async () => {
    const v28 = loadModelTables('V28', 2026).dxToCc;
    const all = await claims(withSources);
    const unlinked = all.filter((c) => c.record_source === 'chart_review_unlinked');
    expect(unlinked.length).toBeGreaterThan(20);
    const hccs = (c: Record<string, unknown>) => String(c.diagnosis_codes).split('|').map((d) => v28.get(d)?.[0]);
    for (const r of unlinked) {
      expect([r.claim_type, r.procedure_codes, r.procedure_modifiers, r.paid]).toEqual(['professional', '99350', null, '0']);
      expect(hccs(r).every((h) => h !== undefined)).toBe(true);
      const year = String(r.dos).slice(0, 4);
      const coded = new Set(
        all.filter((c) => c.member_id === r.member_id && String(c.dos).startsWith(year) && c.record_source !== 'chart_review_unlinked').flatMap(hccs),
      );
      expect(hccs(r).filter((h) => coded.has(h)), String(r.claim_id)).toEqual([]);
    }
  });

  it('gives every claim a received date 0-365 days after its thru_date, the lags following each claim type\'s completion curve', async () => {
    const rows = await queryRows(
      `SELECT claim_type, (received_date - thru_date)::INTEGER AS lag
       FROM read_csv(${sqlString(join(withSources, 'claims.csv'))}, header = true, auto_detect = false,
         columns = {'claim_id': 'VARCHAR', 'member_id': 'VARCHAR', 'claim_type': 'VARCHAR', 'bill_type': 'VARCHAR', 'from_date': 'DATE', 'thru_date': 'DATE',
                    'procedure_codes': 'VARCHAR', 'procedure_modifiers': 'VARCHAR', 'diagnosis_codes': 'VARCHAR', 'paid_amount': 'VARCHAR',
                    'rendering_npi': 'VARCHAR', 'record_source': 'VARCHAR', 'received_date': 'DATE'})
       WHERE claim_id LIKE 'C%'`,
    );
    expect(rows.every((r) => Number(r.lag) >= 0 && Number(r.lag) <= 365)).toBe(true);
    for (const type of ['professional', 'outpatient', 'inpatient'] as ClaimType[]) {
      const lags = rows.filter((r) => r.claim_type === type).map((r) => Number(r.lag));
      expect(lags.length, type).toBeGreaterThan(300);
      // At each knot (d days, share p): the share received within d days (lag < d) is p, within
      // three binomial standard deviations.
      for (const [d, p] of COMPLETION_CURVES[type].slice(1, -1)) {
        const share = lags.filter((l) => l < d).length / lags.length;
        expect(Math.abs(share - p), `${type} within ${d} days`).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / lags.length) + 1e-9);
      }
    }
  });
});

describe('the completion curves (claim-lags.ts)', () => {
  it('inverts a curve between its knots and adds days across a year end', () => {
    // Professional, share 0.5: between [3, 0.4] and [7, 0.6], 3 + (0.1 / 0.2) x 4 = 5 days.
    expect(lagAt(COMPLETION_CURVES.professional, 0.5)).toBe(5);
    // Inpatient, 0.48: the knot [30, 0.48] itself; 0.999: 152 + (0.019 / 0.02) x 213 = 354.35 -> 354.
    expect(lagAt(COMPLETION_CURVES.inpatient, 0.48)).toBe(30);
    expect(lagAt(COMPLETION_CURVES.inpatient, 0.999)).toBe(354);
    // Outpatient, 0: the first knot, 0 days.
    expect(lagAt(COMPLETION_CURVES.outpatient, 0)).toBe(0);
    // 2024-12-20 + 45 days: 11 days to December 31, 31 in January, 3 in February.
    expect(addDays('2024-12-20', 45)).toBe('2025-02-03');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });
});
