// The feature table (build-features.ts): nothing dated on or after January 1 of the as-of year
// reaches a feature, the columns follow the schema, and members new to the plan are marked as
// such rather than given the zeros of a healthy member.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../data/duckdb.ts';
import { copyPlan, queryRows } from '../test/duckdb-helpers.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { generatedPlan } from '../test/generated-plan.ts';
import { tempDir } from '../test/temp-dir.ts';
import { buildFeatures } from './build-features.ts';
import { featureSchema } from './schema.ts';
import { copyPlanAlteringLateClaims } from './test-fixture.ts';

const T = 2025;

const rows = queryRows;

describe('buildFeatures', () => {
  let data: string;
  let full: string;
  beforeAll(async () => {
    data = await generatedPlan({ members: 1500, seed: 21, firstYear: 2022, lastYear: 2025 });
    full = join(tempDir('features-out'), 'features.parquet');
    await buildFeatures({ data, history: join(data, 'history'), asOf: T, out: full });
  }, 120_000); // a plan, its history and its features: over the 10 s default on a busy machine

  it('changes no feature when every claim dated on or after January 1 of T is deleted (no leakage)', async () => {
    const cut = tempDir('features-cut');
    await copyPlan(data, cut, `from_date < DATE '${T}-01-01' AND thru_date < DATE '${T}-01-01'`);
    const [dropped] = await rows(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(join(data, 'claims.parquet'))}) WHERE thru_date >= DATE '${T}-01-01'`);
    expect(Number(dropped!.n)).toBeGreaterThan(1000);
    await computeHistory({ data: cut, firstYear: 2022, lastYear: 2025, out: join(cut, 'history'), annualBaseRate: 10402.34 });
    const out = join(tempDir('features-out'), 'features.parquet');
    await buildFeatures({ data: cut, history: join(cut, 'history'), asOf: T, out });
    expect(readFileSync(out).equals(readFileSync(full))).toBe(true);
  });

  it('changes no feature when the claims received after the cut-off are altered (what is known on January 1)', async () => {
    // The generator gives every claim a received date after its service: claims of late 2024 are
    // still arriving in 2025. Altered once received after January 1 (new diagnoses, $5,000 more),
    // they must change no feature at the default cut-off, January 1 of T: neither the claims'
    // dollars and visits nor the RAF features, which come from the history as known that day.
    const altered = tempDir('features-altered');
    const late = await copyPlanAlteringLateClaims(data, altered, `${T}-01-01`);
    expect(late).toBeGreaterThan(100);
    await computeHistory({ data: altered, firstYear: 2022, lastYear: 2025, out: join(altered, 'history'), annualBaseRate: 10402.34 });
    const out = join(tempDir('features-out'), 'features.parquet');
    await buildFeatures({ data: altered, history: join(altered, 'history'), asOf: T, out });
    expect(readFileSync(out).equals(readFileSync(full))).toBe(true);
    // The same alteration seen by a later cut-off does change them: the test above can fail.
    const laterOriginal = join(tempDir('features-out'), 'features.parquet');
    const laterAltered = join(tempDir('features-out'), 'features.parquet');
    await buildFeatures({ data, history: join(data, 'history'), asOf: T, dataThrough: `${T}-12-31`, out: laterOriginal });
    await buildFeatures({ data: altered, history: join(altered, 'history'), asOf: T, dataThrough: `${T}-12-31`, out: laterAltered });
    const [d] = await rows(
      `SELECT count(*) FILTER (WHERE a.raf_t1 <> b.raf_t1)::INTEGER AS raf, count(*) FILTER (WHERE a.log_paid_t1 <> b.log_paid_t1)::INTEGER AS paid
       FROM read_parquet(${sqlString(laterOriginal)}) a JOIN read_parquet(${sqlString(laterAltered)}) b USING (member_id)`,
    );
    expect(d!.raf).toBeGreaterThan(50);
    expect(d!.paid).toBeGreaterThan(50);
  }, 120_000);

  it('has the schema\'s columns in order, one row per member enrolled in T', async () => {
    const cols = (await rows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(full)})`)).map((r) => r.column_name);
    expect(cols).toEqual(['as_of', 'member_id', ...featureSchema().names]);
    const [n] = await rows(
      `SELECT (SELECT count(*) FROM read_parquet(${sqlString(full)}))::INTEGER AS f,
              (SELECT count(*) FROM read_parquet(${sqlString(join(data, 'enrollment.parquet'))}) e JOIN read_parquet(${sqlString(join(data, 'members.parquet'))}) m USING (member_id)
               WHERE e.year = ${T} AND e.months_enrolled > 0 AND (m.death_date IS NULL OR m.death_date >= DATE '${T}-01-01'))::INTEGER AS e`,
    );
    expect(n!.f).toBe(n!.e);
  });

  it('marks members new to the plan as missing, not as healthy', async () => {
    const [r] = await rows(
      `SELECT count(*) FILTER (WHERE missing_t1 = 1)::INTEGER AS new_members,
              count(*) FILTER (WHERE missing_t1 = 1 AND (raf_t1 <> 0 OR hccs_t1 <> 0 OR months_t1 <> 0))::INTEGER AS not_zero,
              count(*) FILTER (WHERE missing_t1 = 0 AND raf_t1 = 0)::INTEGER AS enrolled_without_raf
       FROM read_parquet(${sqlString(full)})`,
    );
    expect(r!.new_members).toBeGreaterThan(50);
    expect(r!.not_zero).toBe(0);
    // Every member with a RAF_{T-1} row has a positive score (demographics alone give one).
    expect(r!.enrolled_without_raf).toBe(0);
  });
});
