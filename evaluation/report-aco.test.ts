// The report's ACO REACH section from hand-written rafcast align, benchmark and align-backtest
// folders, performance year 2026:
//   aligned 6 = claims 3 + both 2 + voluntary 1, against a standard ACO's minimum of 5,000: short by
//   5,000 - 6 = 4,994;
//   practices: TIN 111111111 aligned 4 (claims 2, both 1, voluntary 1), 222222222 aligned 2
//   (claims 1, both 1), 333333333 aligned 0 (1 projected): with --top 2, the first two, in that order;
//   benchmark: claims 3 ($30,000, $30,600 without the cap, $600 lost, 1 at the cap), both 2
//   ($24,000), voluntary 1 ($12,000); total 6, $66,000 = 30,000 + 24,000 + 12,000, $600 lost;
//   effort.csv: under_cap ranks 1-3 (E3 $900, E1 $500, E2 $100), voluntary rank 1 (V1 $12,000),
//   at_cap rank 0 (A1): with --top 2, E3, E1 and V1 are shown, E2 and A1 are not;
//   backtest: on track 621, 457 aligned (73.6%).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.ts';
import { acoSection, readAco } from './report-aco.ts';

const window = (py: number) => ({ performanceYear: py, start: `${py}-01-01`, from: `${py - 3}-07-01`, middle: `${py - 2}-07-01`, to: `${py - 1}-07-01` });
const align = {
  performanceYear: 2026,
  acoType: 'standard',
  window: window(2026),
  nextWindow: window(2027),
  members: 12,
  eligible: 10,
  excludedBy: { died_before_performance_year: 2 },
  byAlignment: { both: 2, claims: 3, claims_elsewhere: 2, ineligible: 2, none: 2, voluntary: 1 },
  aligned: 6,
  voluntaryRemoved: 0,
  minimum: { minimum: 5000, source: 'ACO REACH Participation Agreement 5.03.A' },
  marginOverMinimum: -4994,
  projection: { aligned_now: 5, at_risk: 1, ineligible: 2, not_aligned: 2, on_track: 2 },
  practices: 3,
  notes: [],
  files: [],
};
const total = (alignment: string, beneficiaries: number, atCap: number, d: number, uncapped: number, lost: number) => ({
  alignment, beneficiaries, atCap, raisedByFloor: 0, meanScore: 1.1, meanCappedScore: 1.05, dollars: d, uncappedDollars: uncapped, lostToCap: lost, addedByFloor: 0,
});
const benchmark = {
  performanceYear: 2026,
  rules: { performanceYear: 2026, referenceYear: 2022, cap: 1.03, floor: 0.97, regionalWeight: 0.45, historicalWeight: 0.55, source: 'x' },
  rates: { file: 'rates.csv', regionalRate: 12000, trend: 1.05, entityHistorical: 10000, practiceRows: 0, beneficiaryRows: 0 },
  withoutScore: 0,
  totals: [total('claims', 3, 1, 30000, 30600, 600), total('voluntary', 1, 0, 12000, 12000, 0), total('both', 2, 0, 24000, 24000, 0), total('total', 6, 1, 66000, 66600, 600)],
  effort: [
    { group: 'at_cap', beneficiaries: 1, dollars: 0 },
    { group: 'under_cap', beneficiaries: 3, dollars: 1500 },
    { group: 'voluntary', beneficiaries: 1, dollars: 12000 },
    { group: 'no_reference', beneficiaries: 0, dollars: 0 },
  ],
};
const backtest = {
  performanceYear: 2025,
  projectedYear: 2026,
  dataThrough: '2025-01-01',
  members: 621,
  rows: [{ projection: 'on_track', members: 621, aligned: 457, notAligned: 108, ineligible: 56, alignedShare: 457 / 621, byActual: {} }],
  actualAligned: 457,
  projectedAligned: 621,
};

function folders(benchmarkYear = 2026) {
  const a = tempDir('aco-align');
  writeFileSync(join(a, 'align-summary.json'), JSON.stringify(align));
  writeFileSync(
    join(a, 'practices.csv'),
    'tin,aligned,claims,voluntary,both_aligned,at_risk,on_track,projected_next\n222222222,2,1,0,1,0,1,3\n111111111,4,2,1,1,1,1,5\n333333333,0,0,0,0,0,0,1\n',
  );
  const b = tempDir('aco-benchmark');
  writeFileSync(join(b, 'benchmark-summary.json'), JSON.stringify({ ...benchmark, performanceYear: benchmarkYear }));
  writeFileSync(
    join(b, 'effort.csv'),
    'group,rank,member_id,alignment,basis,dollars\nat_cap,0,A1,claims,at_cap,0.00\nunder_cap,1,E3,claims,headroom,900.00\nunder_cap,2,E1,both,headroom,500.00\nunder_cap,3,E2,claims,headroom,100.00\nvoluntary,1,V1,voluntary,uncapped_value,12000.00\n',
  );
  const t = tempDir('aco-backtest');
  writeFileSync(join(t, 'backtest-summary.json'), JSON.stringify(backtest));
  return { alignment: a, benchmark: b, backtest: t };
}

const text = (html: string) => html.replace(/<[^>]+>/g, '');

describe("the report's ACO REACH section", () => {
  it('shows the alignment by type against the minimum, by practice, the projection, the benchmark with the dollars lost to the cap, and the top of where effort pays', async () => {
    const html = await acoSection(readAco(folders(), 2), 2);
    expect(text(html)).toContain('6 beneficiaries align to the entity for performance year 2026: 3 claims, 2 both (claims and voluntary), 1 voluntary (of 10 eligible members, 12 in all).');
    expect(text(html)).toContain('short by 4,994.');
    expect([...html.matchAll(/<tr data-tin="(\d+)">/g)].map((m) => m[1])).toEqual(['111111111', '222222222']);
    expect(html).toContain('<tr data-tin="111111111"><td>111111111</td><td>4</td><td>2</td><td>1</td><td>1</td><td>1</td><td>1</td><td>5</td></tr>');
    expect(html).toContain('<tr data-alignment="claims"><td>claims</td><td>3</td><td>1</td><td>1.100 &rarr; 1.050</td><td>$30,000</td><td>$30,600</td><td>$600</td><td>$0</td></tr>');
    expect(html).toContain('<tr data-alignment="total"><td>total</td><td>6</td><td>1</td><td>1.100 &rarr; 1.050</td><td>$66,000</td><td>$66,600</td><td>$600</td><td>$0</td></tr>');
    expect([...html.matchAll(/<tr data-group="\w+"><td>[^<]*<\/td><td>\d+<\/td><td>(\w+)<\/td>/g)].map((m) => m[1])).toEqual(['E3', 'E1', 'V1']);
    expect(html).toMatch(/<tr data-projection="on_track"><td>on track to align<\/td><td>621<\/td><td>457<\/td><td>73\.6%<\/td><td>108<\/td><td>56<\/td><\/tr>/);
    for (const chart of ['aco-alignment', 'aco-projection', 'aco-benchmark']) expect(html).toMatch(new RegExp(`<figure data-chart="${chart}"><svg`));
    // The alignment chart's bars: the entity and the two practices shown, not the third.
    const alignmentChart = html.slice(html.indexOf('data-chart="aco-alignment"'), html.indexOf('</figure>', html.indexOf('data-chart="aco-alignment"')));
    expect(alignmentChart).toContain('TIN 222222222');
    expect(alignmentChart).not.toContain('TIN 333333333');
    expect(html).not.toMatch(/<script|<img|<link|src=|url\(/);
  });

  it('says what is missing: no benchmark, no backtest; and refuses a benchmark of another year or a folder that is not rafcast align\'s', async () => {
    const f = folders();
    const html = await acoSection(readAco({ alignment: f.alignment }, 20), 20);
    expect(html).toContain('data-note="aco-benchmark"');
    expect(html).toContain('data-note="aco-backtest"');
    expect(html).not.toContain('data-chart="aco-benchmark"');
    expect(() => readAco({ alignment: f.alignment, benchmark: folders(2025).benchmark }, 20)).toThrow(/is of performance year 2025, the alignment in .* of 2026/);
    expect(() => readAco({ alignment: tempDir('empty') }, 20)).toThrow(/align-summary\.json is missing: --alignment must be a folder from rafcast align/);
  });
});
