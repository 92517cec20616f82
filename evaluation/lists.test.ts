// The lists' metrics over all members and over continuing and new members apart
// (evaluation/lists.ts), on ten hand-built members, every figure worked out beside it.
import { describe, expect, it } from 'vitest';
import { evaluateLists, groupMetrics, type CandidateList } from './lists.ts';

// Members 0-6 continuing, 7-9 new. In the top 20% overall: 0 (continuing) and 8 (new). Member 6
// has no RAF_T (label 255): in no figure.
const labels = Uint8Array.from([1, 0, 0, 0, 0, 0, 255, 0, 1, 0]);
const isNew = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1];
// Naive: RAF_{T-1}, new members 0. Analyst: new members at a demographic score.
const naive = Float64Array.from([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0, 0, 0]);
const analyst = Float64Array.from([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.85, 0.2, 0.75]);
// A list made elsewhere: member 8 first, then member 3 (scores 2 and 1, everyone else 0).
const external = Float64Array.from([0, 0, 0, 1, 0, 0, 0, 0, 2, 0]);

const lists: CandidateList[] = [
  { name: 'naive', description: '', score: naive, size: 3 },
  { name: 'analyst', description: '', score: analyst, size: 3 },
  { name: 'external', description: '', score: external, size: 2, asGiven: true },
];

describe('evaluateLists', () => {
  const [n, a, x] = evaluateLists(lists, labels, isNew, 0.3);

  it('takes each list from its score, and precision on continuing and new members from the overall label', () => {
    // Naive: top 3 = 0, 1, 2 (all continuing).
    expect(n!.list).toEqual([0, 1, 2]);
    // Continuing (0-5; 6 has no label): 6 members, 1 in the top 20% (0); listed 0, 1, 2, of them 0
    // in the top 20%: precision 1/3, recall 1/1; AUC: 0.9 above all five negatives = 1.
    expect(n!.groups.continuing).toEqual({ members: 6, positives: 1, listed: 3, hits: 1, precision: 1 / 3, recall: 1, auc: 1 });
    // New (7-9): 1 positive (8), none listed: precision not defined (null), recall 0; AUC of three
    // tied zeros: one half.
    expect(n!.groups.new).toEqual({ members: 3, positives: 1, listed: 0, hits: 0, precision: null, recall: 0, auc: 0.5 });

    // Analyst: top 3 = 0 (0.9), 7 (0.85), 1 (0.8).
    expect(a!.list).toEqual([0, 7, 1]);
    // Continuing: listed 0 and 1, one hit: precision 1/2.
    expect(a!.groups.continuing).toMatchObject({ listed: 2, hits: 1, precision: 0.5, recall: 1, auc: 1 });
    // New: 7 listed, not in the top 20%: precision 0. AUC: the positive 8 (0.2) is below both
    // negatives 7 (0.85) and 9 (0.75): 0.
    expect(a!.groups.new).toEqual({ members: 3, positives: 1, listed: 1, hits: 0, precision: 0, recall: 0, auc: 0 });
    // Over all 9 labelled members: the top round(0.3 x 9) = 3 are 0, 7, 1: precision 1/3, recall 1/2.
    expect(a!.metrics).toMatchObject({ members: 9, positives: 2, listSize: 3, precision: 1 / 3, recall: 0.5 });
  });

  it('evaluates a list made elsewhere as given, whatever its size', () => {
    // Its two members, 8 then 3: one hit of 2 listed, 1 of 2 positives found.
    expect(x!.list).toEqual([8, 3]);
    // Cut to the top 30% (3 members) it would take member 0 (score 0, first in member order), a
    // positive: precision 2/3. As given: 1/2, F1 1/2.
    expect(x!.metrics).toMatchObject({ listSize: 2, precision: 0.5, recall: 0.5, f1: 0.5 });
    // Continuing: 3 listed, not a hit. AUC: the positive 0 (score 0) ties with 1, 2, 4, 5 (half
    // each) and is below 3: (4 x 0.5 + 0) / 5 = 0.4.
    expect(x!.groups.continuing).toEqual({ members: 6, positives: 1, listed: 1, hits: 0, precision: 0, recall: 0, auc: 0.4 });
    // New: 8 listed and a hit; 8 (2) above 7 and 9 (0): AUC 1.
    expect(x!.groups.new).toEqual({ members: 3, positives: 1, listed: 1, hits: 1, precision: 1, recall: 1, auc: 1 });
  });
});

describe('groupMetrics', () => {
  it('gives no precision for a group the list does not reach and no AUC for a group of one class', () => {
    // Group = members 1 and 2 (both negatives); the list holds member 0 only.
    expect(groupMetrics([3, 2, 1], [1, 0, 0], [1, 0, 0], [0, 1, 1])).toEqual({ members: 2, positives: 0, listed: 0, hits: 0, precision: null, recall: null, auc: null });
  });
});
