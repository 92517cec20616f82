// A backtest at the last year of the data (a 2021-2025 plan at as-of 2025): RAF_2026 is not in
// the data, so c and incremental revenue are not measurable, null with the reason, never $0; the
// accelerated dollars (which need only 2025) are still measured, on the stated assumption that the
// members enrolled and alive at the end of 2025 continue in 2026; and the report says so (issue 14:
// this path crashed in the report with "Cannot read properties of null (reading 'toFixed')").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainRun } from '../models/train-run.ts';
import { generatedPlan } from '../test/generated-plan.ts';
import { tempDir } from '../test/temp-dir.ts';
import { evaluateRun } from './evaluate-run.ts';
import { type Evaluation } from './evaluation-types.ts';
import { writeReport } from './report.ts';

describe('evaluateRun at the last year of the data', () => {
  let out: string;
  let e: Evaluation;
  beforeAll(async () => {
    const data = await generatedPlan({ members: 1000, seed: 5 });
    const run = tempDir('run');
    await trainRun({ data, asOf: 2025, model: 'logistic', seed: 1, out: run });
    out = tempDir('evaluation');
    e = await evaluateRun({ run, asOf: 2025, out, annualBaseRate: 10402.34 });
  }, 120_000);

  it('writes c and incremental revenue as null with the reason, and still measures accelerated revenue', () => {
    const why = 'no member has a risk score for 2026: the data ends before 2026';
    expect(e).toMatchObject({ c: null, cNotMeasurable: why, withBothYears: 0 });
    const json = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8')) as Evaluation;
    expect(json.c).toBeNull();
    for (const l of e.lists) {
      expect(l.revenue.incremental).toMatchObject({ notMeasurable: why, members: null, share: null, shareOfBothYears: null, total: null, gapTotal: null, withBothYears: 0, noNextYear: l.revenue.members });
      // The lump sums of 2025 are known and paid in August 2026. Who is enrolled then is not in
      // the data either: unknown, not "nobody" (which would make every figure $0).
      expect(l.revenue.accelerated.total).toBeGreaterThan(0);
      expect(l.revenue.cash[0]!.initial).toBeGreaterThan(0);
    }
    // The assumption is stated, with its count: members enrolled all of 2025 (12 months, under the
    // contract's reading) and alive at its end continue through 2026; the others are not paid.
    expect(e.enrollmentAssumed).toMatchObject({
      paymentYear: 2026,
      assumption: 'the data has no enrollment for 2026: members enrolled and alive on December 31, 2025 are assumed enrolled all of 2026',
    });
    expect(e.enrollmentAssumed!.members).toBeGreaterThan(0);
    expect(e.enrollmentAssumed!.members).toBeLessThan(e.members);
    const model = e.lists.find((l) => l.name === 'model')!;
    expect(model.revenue.accelerated.notEnrolledInAugust.members).toBeGreaterThan(0);
    expect(e.verdict).toContain(`incremental revenue not measurable (${why})`);
    const lines = readFileSync(join(out, 'members.csv'), 'utf8').trim().split('\n');
    const head = lines[0]!.split(',');
    for (const l of lines.slice(1)) {
      const r = l.split(',');
      expect([r[head.indexOf('gap')], r[head.indexOf('incremental')]]).toEqual(['', '']);
    }
  });

  it('writes a report that says "not measurable" instead of failing', async () => {
    const html = join(tempDir('report'), 'report.html');
    await writeReport(out, html);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('The growth ratio c is not measurable: no member has a risk score for 2026: the data ends before 2026.');
    expect(text).toContain(`${e.enrollmentAssumed!.assumption} (${e.enrollmentAssumed!.members.toLocaleString('en-US')} members)`);
    expect(text.replace(/<svg[\s\S]*?<\/svg>/g, '')).not.toMatch(/NaN|null|undefined/);
  });
});
