// The expected dollars read only what is known on the data cut-off (evaluation/known-on-cutoff.ts):
// a plan whose claims received after January 1, 2025 are altered gives, at as-of 2025 and the
// default cut-off, the same expected dollars, dollars ranking, candidates.csv and outreach.csv,
// while what the lists measurably bring (the complete history's RAF_2025) moves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../data/csv.ts';
import { copyPlanAlteringLateClaims } from '../features/test-fixture.ts';
import { trainRun } from '../models/train-run.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { generatedPlan } from '../test/generated-plan.ts';
import { tempDir } from '../test/temp-dir.ts';
import { writeCandidates } from './candidates.ts';
import { evaluateRun } from './evaluate-run.ts';

const T = 2025;

describe('the expected dollars at the data cut-off', () => {
  let data: string;
  let altered: string;
  let runDir: string;
  beforeAll(async () => {
    data = await generatedPlan({ members: 1500, seed: 8 });
    altered = tempDir('plan-late');
    // Claims of 2024 received after January 1, 2025, altered: heart failure and diabetes, $5,000 more.
    expect(await copyPlanAlteringLateClaims(data, altered, `${T}-01-01`)).toBeGreaterThan(50);
    await computeHistory({ data: altered, firstYear: 2021, lastYear: 2025, out: join(altered, 'history'), annualBaseRate: DEMO_BASE_RATE_ANNUAL });
    runDir = tempDir('run');
    // The model's features at 2025 are the same on both plans (models/model-run.test.ts): one model scores both.
    await trainRun({ data, asOf: T, model: 'logistic', seed: 3, out: runDir });
  }, 240_000);

  it('are the same bytes when claims received after the cut-off are altered', async () => {
    const lists = async (d: string) => {
      const out = tempDir('cand');
      const s = await writeCandidates({ run: runDir, asOf: T, top: 0.2, out, annualBaseRate: DEMO_BASE_RATE_ANNUAL, data: d, rankBy: 'dollars' });
      return { s, out };
    };
    const [a, b] = [await lists(data), await lists(altered)];
    for (const f of ['candidates.csv', 'outreach.csv', 'recapture-rates.csv']) expect(readFileSync(join(b.out, f)).equals(readFileSync(join(a.out, f))), f).toBe(true);
    expect(b.s.dollarModel).toEqual(a.s.dollarModel);
    expect([b.s.expectedAccelerated, b.s.expectedIncremental]).toEqual([a.s.expectedAccelerated, a.s.expectedIncremental]);

    // The evaluation: the dollars-ranked list and every expected dollar the same; the measured dollars move.
    const evaluate = async (d: string) => {
      const out = tempDir('eval');
      const e = await evaluateRun({ run: runDir, asOf: T, out, annualBaseRate: DEMO_BASE_RATE_ANNUAL, data: d });
      const listed = parseCsvObjects(readFileSync(join(out, 'members.csv'), 'utf8'))
        .filter((r) => r.in_dollars === 'true')
        .map((r) => ['member_id', 'expected_accelerated', 'expected_incremental', 'expected_dollars'].map((n) => r[n]).join(','));
      return { e, listed };
    };
    const [ea, eb] = [await evaluate(data), await evaluate(altered)];
    expect(ea.listed.length).toBeGreaterThan(200);
    expect(eb.listed).toEqual(ea.listed);
    const dollarsList = (x: typeof ea) => x.e.lists.find((l) => l.name === 'dollars')!;
    expect(dollarsList(eb).expected).toEqual(dollarsList(ea).expected);
    expect(eb.e.dollarModel).toEqual(ea.e.dollarModel);
    // RAF_2025, every claim of 2025 received after January 1 and altered, is the complete history's.
    expect(dollarsList(eb).revenue.accelerated.total).not.toBe(dollarsList(ea).revenue.accelerated.total);
  }, 480_000);
});
