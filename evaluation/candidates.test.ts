// `rafcast candidates` (evaluation/candidates.ts) on a generated plan and a trained model: the
// finance list and the outreach list, their prices, and the list from a queued run's stored scores.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../data/duckdb.ts';
import { generatePopulationFiles } from '../data/synthetic/generate.ts';
import { predictRun, trainRun } from '../models/model-run.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { queryRows } from '../test/duckdb-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { writeCandidates } from './candidates.ts';

describe('writeCandidates', () => {
  let data: string;
  let runDir: string;
  beforeAll(async () => {
    data = tempDir('plan');
    await generatePopulationFiles({ members: 2000, firstYear: 2021, lastYear: 2025, seed: 5, out: data });
    await computeHistory({ data, firstYear: 2021, lastYear: 2025, out: join(data, 'history'), annualBaseRate: 10402.34 });
    runDir = tempDir('run');
    await trainRun({ data, asOf: 2025, model: 'logistic', seed: 3, out: runDir });
  }, 120_000);

  it('lists from scores computed before (a queued run\'s), and refuses scores that miss a member', async () => {
    const scores = join(tempDir('pred'), 'scores.parquet');
    await predictRun({ run: runDir, asOf: 2025, out: scores });
    const fresh = tempDir('cand');
    const reused = tempDir('cand');
    await writeCandidates({ run: runDir, asOf: 2025, top: 0.2, out: fresh, annualBaseRate: 10402.34, data });
    await writeCandidates({ run: runDir, asOf: 2025, top: 0.2, out: reused, annualBaseRate: 10402.34, data, scores });
    for (const f of ['candidates.csv', 'outreach.csv']) expect(readFileSync(join(reused, f)).equals(readFileSync(join(fresh, f))), f).toBe(true);
    // The same scores less their first member: refused, with the counts.
    const partial = join(tempDir('pred'), 'partial.parquet');
    await queryRows(`COPY (SELECT * FROM read_parquet(${sqlString(scores)}) WHERE rank > 1) TO ${sqlString(partial)} (FORMAT parquet)`);
    await expect(writeCandidates({ run: runDir, asOf: 2025, top: 0.2, out: tempDir('cand'), annualBaseRate: 10402.34, data, scores: partial })).rejects.toThrow(
      /does not score the members of these features: 1 have no score/,
    );
  });

  it('writes the candidate list for finance and the outreach list for care managers, priced from the HCC factors', async () => {
    const out = tempDir('candidates');
    const s = await writeCandidates({ run: runDir, asOf: 2025, top: 0.2, out, annualBaseRate: 10402.34 });
    const csv = (f: string) => readFileSync(join(out, f), 'utf8').trim().split('\n');
    const finance = csv('candidates.csv');
    expect(finance[0]).toBe('member_id,rank,probability,decile,raf_t2,raf_t1,segment,open_hccs,expected_dollars,as_of,model,run_id,backend');
    expect(finance.length - 1).toBe(Math.round(0.2 * s.members));
    const rows = finance.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => Number(r[1]))).toEqual(rows.map((_, i) => i + 1));
    const probs = rows.map((r) => Number(r[2]));
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
    // A listed member with one open HCC: its V28 factor / 1.067 (PY2026), rounded to 3 places,
    // x 0.941, rounded to 3 places, x the base rate (the module's formula, DOMAIN.md section 1 step 7).
    const one = rows.find((r) => r[7] === '1')!;
    const [h] = await queryRows(
      `SELECT factor FROM read_parquet(${sqlString(join(data, 'history', 'raf_hcc.parquet'))})
       WHERE member_id = ${sqlString(one[0]!)} AND model = 'V28' AND year IN (2023, 2024) ORDER BY year DESC LIMIT 1`,
    );
    const score = Math.round(Math.round((Number(h!.factor) / 1.067) * 1000) / 1000 * 0.941 * 1000) / 1000;
    expect(Number(one[8])).toBeCloseTo(Math.round(score * 10402.34 * 100) / 100, 2);
    const outreach = csv('outreach.csv');
    expect(outreach[0]).toBe('priority,member_id,expected_dollars,probability,list_rank,member_provider_npi,hccs_to_recapture,hccs');
    const dollars = outreach.slice(1).map((l) => Number(l.split(',')[2]));
    expect(dollars).toEqual([...dollars].sort((a, b) => b - a));
    expect(new Set(outreach.slice(1).map((l) => l.split(',')[1]))).toEqual(new Set(rows.map((r) => r[0])));
    for (const f of ['candidates.csv', 'candidates.parquet', 'outreach.csv']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
  });
});
