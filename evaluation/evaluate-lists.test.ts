// `rafcast evaluate`'s lists on a generated plan: the analyst's list beside the naive one, every
// list's figures on continuing and new members adding up to the whole, and a list made elsewhere
// (a CSV file) evaluated with the same figures.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainRun } from '../models/train-run.ts';
import { generatedPlan } from '../test/generated-plan.ts';
import { tempDir } from '../test/temp-dir.ts';
import { evaluateRun } from './evaluate-run.ts';
import { type Evaluation } from './evaluation-types.ts';

const BASE = 10402.34;

/** members.csv as rows keyed by column name. */
function membersCsv(dir: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(join(dir, 'members.csv'), 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, k) => [cols[k]!, v])));
}

describe('evaluateRun: the lists', () => {
  let data: string;
  let run: string;
  let out: string;
  let e: Evaluation;
  beforeAll(async () => {
    data = await generatedPlan({ members: 1500, seed: 14 });
    run = tempDir('run');
    await trainRun({ data, asOf: 2024, model: 'logistic', seed: 3, out: run });
    out = tempDir('evaluation');
    e = await evaluateRun({ run, asOf: 2024, out, annualBaseRate: BASE });
  }, 180_000);

  const list = (name: string) => e.lists.find((l) => l.name === name)!;

  it('ranks continuing members alike in the naive and analyst lists, and new members only in the analyst list', () => {
    expect(e.lists.map((l) => l.name)).toEqual(['model', 'dollars', 'naive', 'analyst', 'perfect', 'ceiling']);
    const [naive, analyst] = [list('naive'), list('analyst')];
    // Both rank continuing members by RAF_2023: the same AUC among them.
    expect(analyst.groups!.continuing.auc).toBe(naive.groups!.continuing.auc);
    // The naive list scores every new member 0: none listed, AUC among them one half.
    expect(naive.groups!.new).toMatchObject({ listed: 0, hits: 0, precision: null, auc: 0.5 });
    expect(analyst.groups!.new.listed).toBeGreaterThan(0);
    // members.csv: a continuing member's analyst score is RAF_2023; a new member's is a demographic
    // payment score, positive, where RAF_2023 is 0.
    const rows = membersCsv(out).filter((r) => r.in_analyst === 'true');
    expect(rows.filter((r) => r.new_member === 'true')).toHaveLength(analyst.groups!.new.listed);
    for (const r of rows) {
      if (r.new_member === 'false') expect(r.analyst_score).toBe(r.raf_t1);
      else expect([r.raf_t1, Number(r.analyst_score) > 0]).toEqual(['0', true]);
    }
  });

  it('splits every list into continuing and new members that add up to the whole', () => {
    for (const l of e.lists) {
      const { continuing, new: fresh } = l.groups!;
      expect(continuing.members + fresh.members, l.name).toBe(l.metrics.members);
      expect(continuing.positives + fresh.positives, l.name).toBe(l.metrics.positives);
      expect(continuing.listed + fresh.listed, l.name).toBe(e.listSize);
      // Precision over all = the listed members' hits / the list.
      expect((continuing.hits + fresh.hits) / e.listSize, l.name).toBeCloseTo(l.metrics.precision, 12);
    }
    // Every list sees the same members: the groups are the members', not the list's.
    expect(new Set(e.lists.map((l) => JSON.stringify([l.groups!.continuing.members, l.groups!.new.members]))).size).toBe(1);
    expect(list('perfect').metrics.precision).toBeGreaterThan(Math.max(list('model').metrics.precision, list('analyst').metrics.precision));
  });

  it('lists by expected dollars, and the ceiling by true dollars: each holds the largest of its figure, and every list says its share of the references', () => {
    const rows = membersCsv(out);
    const cents = (x: string | undefined): number => Math.round(Number(x) * 100);
    // The ceiling ranks by each member's true dollars, accelerated + incremental (members.csv's own
    // columns): none of its members has less than any member of members.csv outside it.
    const trueCents = (r: Record<string, string>): number => cents(r.accelerated) + cents(r.incremental === '' ? '0' : r.incremental);
    const ceiling = rows.filter((r) => r.in_ceiling === 'true');
    expect(ceiling).toHaveLength(e.listSize);
    expect(Math.min(...ceiling.map(trueCents))).toBeGreaterThanOrEqual(Math.max(...rows.filter((r) => r.in_ceiling === 'false').map(trueCents)));
    // So no list of the same size brings more dollars of both kinds together.
    const total = (name: string): number => list(name).revenue.accelerated.total + (list(name).revenue.incremental.total ?? 0);
    for (const l of e.lists) expect(total(l.name), l.name).toBeLessThanOrEqual(total('ceiling') + 1e-6);
    // The dollars list ranks by expected dollars (known on January 1): none of its members expects less than a member outside it.
    const listed = rows.filter((r) => r.in_dollars === 'true');
    expect(listed).toHaveLength(e.listSize);
    expect(Math.min(...listed.map((r) => cents(r.expected_dollars)))).toBeGreaterThanOrEqual(Math.max(...rows.filter((r) => r.in_dollars === 'false').map((r) => cents(r.expected_dollars))));
    // Its expected dollars are its members' sums; the measured ones are beside them.
    const sum = (rs: Record<string, string>[], col: string): number => rs.reduce((a, r) => a + cents(r[col]), 0) / 100;
    expect(list('dollars').expected).toEqual({ accelerated: sum(listed, 'expected_accelerated'), incremental: sum(listed, 'expected_incremental') });
    expect(list('model').expected).toEqual({
      accelerated: sum(rows.filter((r) => r.in_model === 'true'), 'expected_accelerated'),
      incremental: sum(rows.filter((r) => r.in_model === 'true'), 'expected_incremental'),
    });
    // The share of each reference's dollars, by kind: the naive list's accelerated over the ceiling's.
    const naive = list('naive');
    expect(naive.captured!.ceiling!.accelerated).toBe(naive.revenue.accelerated.total / list('ceiling').revenue.accelerated.total);
    expect(naive.captured!.perfect!.incremental).toBe(naive.revenue.incremental.total! / list('perfect').revenue.incremental.total!);
    expect(list('ceiling').captured!.ceiling).toEqual({ accelerated: 1, incremental: 1 });
    // References are not baselines: no verdict against them; the dollars list is judged as the model's list is.
    expect(new Set(e.comparisons!.map((c) => `${c.list}-${c.baseline}`))).toEqual(new Set(['model-naive', 'model-analyst', 'dollars-naive', 'dollars-analyst']));
    expect(e.dollarModel).toMatchObject({ fittedAt: 2022 });
  });

  it('evaluates a list from a file with the same figures, as given, and counts ids that are not members', async () => {
    // The analyst's list in member id order, two ids that are not members, and no rank column.
    const analystIds = membersCsv(out).filter((r) => r.in_analyst === 'true').map((r) => r.member_id!);
    const file = join(tempDir('list'), 'vendor.csv');
    writeFileSync(file, ['member_id', 'NOT-A-MEMBER-1', ...analystIds, 'NOT-A-MEMBER-2'].join('\n') + '\n');
    const again = tempDir('evaluation');
    const x = await evaluateRun({ run, asOf: 2024, out: again, annualBaseRate: BASE, list: file });
    expect(x.lists.map((l) => l.name)).toEqual(['model', 'dollars', 'naive', 'analyst', 'external', 'perfect', 'ceiling']);
    expect(x.externalList).toEqual({
      file: 'vendor.csv',
      format: 'csv',
      rows: e.listSize + 2,
      evaluated: e.listSize,
      unknown: 2,
      order: 'file',
      share: e.listSize / e.members,
    });
    const [ext, analyst] = [x.lists.find((l) => l.name === 'external')!, x.lists.find((l) => l.name === 'analyst')!];
    // The same members as the analyst's list: the same precision, recall, groups' hits and dollars.
    expect(ext.metrics).toMatchObject({ listSize: e.listSize, precision: analyst.metrics.precision, recall: analyst.metrics.recall });
    for (const g of ['continuing', 'new'] as const) expect([ext.groups![g].listed, ext.groups![g].hits]).toEqual([analyst.groups![g].listed, analyst.groups![g].hits]);
    expect(ext.revenue.accelerated.total).toBe(analyst.revenue.accelerated.total);
    expect(ext.revenue.incremental.total).toBe(analyst.revenue.incremental.total);
    // The other lists' figures do not move.
    expect(x.lists.filter((l) => l.name !== 'external')).toEqual(e.lists);

    // Half of it, evaluated as given: its own size, not cut or padded to 20%.
    const half = join(tempDir('list'), 'half.csv');
    writeFileSync(half, ['member_id', ...analystIds.slice(0, Math.floor(analystIds.length / 2))].join('\n') + '\n');
    const h = await evaluateRun({ run, asOf: 2024, out: tempDir('evaluation'), annualBaseRate: BASE, list: half });
    const hl = h.lists.find((l) => l.name === 'external')!;
    expect([hl.metrics.listSize, hl.revenue.members, h.externalList!.evaluated]).toEqual(Array(3).fill(Math.floor(analystIds.length / 2)));
    expect(readFileSync(join(again, 'members.csv'), 'utf8')).not.toMatch(/NOT-A-MEMBER/);
  }, 120_000);
});
