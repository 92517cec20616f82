// `rafcast evaluate`'s lists on a generated plan: the analyst's list beside the naive one, every
// list's figures on continuing and new members adding up to the whole, and a list made elsewhere
// (a CSV file) evaluated with the same figures.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainRun } from '../models/model-run.ts';
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
    expect(e.lists.map((l) => l.name)).toEqual(['model', 'naive', 'analyst', 'perfect']);
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

  it('evaluates a list from a file with the same figures, as given, and counts ids that are not members', async () => {
    // The analyst's list in member id order, two ids that are not members, and no rank column.
    const analystIds = membersCsv(out).filter((r) => r.in_analyst === 'true').map((r) => r.member_id!);
    const file = join(tempDir('list'), 'vendor.csv');
    writeFileSync(file, ['member_id', 'NOT-A-MEMBER-1', ...analystIds, 'NOT-A-MEMBER-2'].join('\n') + '\n');
    const again = tempDir('evaluation');
    const x = await evaluateRun({ run, asOf: 2024, out: again, annualBaseRate: BASE, list: file });
    expect(x.lists.map((l) => l.name)).toEqual(['model', 'naive', 'analyst', 'external', 'perfect']);
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
