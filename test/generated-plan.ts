// A generated plan with its risk score history, the fixture of the tests that need a whole plan
// (features, models, evaluation, candidates): the contract's files in a new temporary folder and
// their history in <folder>/history, at the demo base rate.
import { join } from 'node:path';
import { generatePopulationFiles } from '../data/synthetic/generate.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { tempDir } from './temp-dir.ts';

export async function generatedPlan(o: { members: number; seed: number; firstYear?: number; lastYear?: number }): Promise<string> {
  const data = tempDir('plan');
  const firstYear = o.firstYear ?? 2021;
  const lastYear = o.lastYear ?? 2025;
  await generatePopulationFiles({ members: o.members, firstYear, lastYear, seed: o.seed, out: data });
  await computeHistory({ data, firstYear, lastYear, out: join(data, 'history'), annualBaseRate: DEMO_BASE_RATE_ANNUAL });
  return data;
}
