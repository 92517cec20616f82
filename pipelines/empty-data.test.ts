// A run with nothing to work on is refused before any stage runs (issue 16, item 2): a plan whose
// claims file has only its header trained a model and reported dollars, exit 0. flowConfig names
// what is missing: the claims, the claims of the year the features and the label read (T-1), or
// the members of the as-of year T.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.ts';
import { flowConfig } from './run.ts';

// B (never enrolled) gives death_date a date, so that the CSV reader types the column as one.
const MEMBERS = 'member_id,birth_date,sex,orec,death_date\nA,1950-06-15,F,0,\nB,1940-01-01,M,0,2001-01-01\n';

/** A plan of one enrolled member (A) with the enrollment rows `[year, months]` and claims on the dates given. */
function plan(enrollment: [number, number][], claimDates: string[]): string {
  const data = tempDir('empty-data');
  writeFileSync(join(data, 'members.csv'), MEMBERS);
  writeFileSync(join(data, 'enrollment.csv'), `member_id,year,months_enrolled\n${enrollment.map(([y, m]) => `A,${y},${m}\n`).join('')}`);
  writeFileSync(join(data, 'claims.csv'), `member_id,from_date\n${claimDates.map((d) => `A,${d}\n`).join('')}`);
  return data;
}

const options = (data: string, asOf: number) => ({ data, asOf, out: join(tempDir('empty-run'), 'r'), models: ['logistic' as const], seed: 1, annualBaseRate: 10402.34 });

describe('flowConfig on a plan with nothing to work on', () => {
  it('accepts a plan with claims in T-1 and a member in T (the cases below each take one away)', async () => {
    const c = await flowConfig(options(plan([[2022, 12], [2023, 12], [2024, 12]], ['2022-03-01', '2023-03-01', '2024-03-01']), 2024));
    // Enrollment 2022-2024 and claims 2022-2024: the history's years; A enrolled in 2024: one member of T.
    expect(c.years).toEqual([2022, 2024]);
    expect(c.asOfEnrollment).toEqual({ source: 'data', members: 1 });
  });

  it('refuses a claims file with only its header, naming the file', async () => {
    const data = plan([[2022, 12], [2023, 12], [2024, 12]], []);
    const run = flowConfig(options(data, 2024));
    await expect(run).rejects.toMatchObject({ code: 'E_CONFIG' });
    await expect(run).rejects.toThrow(`the claims in ${join(data, 'claims.csv')} have no rows: there is nothing to score`);
  });

  it('refuses an enrollment file with only its header, naming the file', async () => {
    const data = plan([], ['2023-03-01']);
    await expect(flowConfig(options(data, 2024))).rejects.toThrow(`the enrollment in ${join(data, 'enrollment.csv')} has no rows: there are no members to score`);
  });

  it('refuses an as-of year whose year before has no claims: the features and the label read it', async () => {
    // Claims in 2022 and 2024, none in 2023: at as-of 2024 the features of 2024 and RAF_2023 would be demographic only.
    const data = plan([[2022, 12], [2023, 12], [2024, 12]], ['2022-03-01', '2024-03-01']);
    await expect(flowConfig(options(data, 2024))).rejects.toThrow(
      `the claims in ${join(data, 'claims.csv')} have none with a date of service in 2023: the features of 2024 and the models' label RAF_2023 read them`,
    );
  });

  it('refuses the coming year when no member continues into it', async () => {
    // Claims end in 2023, so 2024 is the year after (the list for the coming year); the data has no
    // enrollment of 2024, so the members of 2024 are those enrolled all 12 months of 2023 and alive:
    // A has 6 months, so none.
    const data = plan([[2022, 12], [2023, 6]], ['2022-03-01', '2023-03-01']);
    await expect(flowConfig(options(data, 2024))).rejects.toThrow(
      `no members at as-of 2024 in ${data}: no member is enrolled in 2024 and alive on January 1 (or, when the data has no enrollment in 2024, enrolled all of 2023 and alive at its end); there is no one to score`,
    );
  });
});

describe('rafcast history on a plan with nothing to score', () => {
  it('refuses claims with only their header, naming the file', async () => {
    const { generatedPlan } = await import('../test/generated-plan.ts');
    const { queryRows } = await import('../test/duckdb-helpers.ts');
    const { sqlString } = await import('../data/duckdb.ts');
    const { computeHistory } = await import('../scoring/history/compute-history.ts');
    const data = await generatedPlan({ members: 50, seed: 3 });
    const empty = join(tempDir('empty-history'), 'plan');
    const { cpSync } = await import('node:fs');
    cpSync(data, empty, { recursive: true });
    // The same columns, no row.
    const claims = join(empty, 'claims.parquet');
    await queryRows(`COPY (SELECT * FROM read_parquet(${sqlString(join(data, 'claims.parquet'))}) LIMIT 0) TO ${sqlString(claims)} (FORMAT parquet)`);
    const history = computeHistory({ data: empty, firstYear: 2021, lastYear: 2025, out: join(empty, 'history'), annualBaseRate: 10402.34 });
    await expect(history).rejects.toMatchObject({ code: 'E_CONFIG' });
    await expect(history).rejects.toThrow(`the claims in ${claims} have no rows: a history needs members and their claims' diagnoses`);
  });
});
