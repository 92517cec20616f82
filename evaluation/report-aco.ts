// The report's ACO REACH section (issue 19), from a `rafcast align` folder and, when given, a
// `rafcast benchmark` folder of the same performance year and a `rafcast align-backtest` folder:
// the aligned count by type against the model's minimum and by practice, the projection for the
// next year (aligned now, on track, at risk of aligning away) with its backtest, the benchmark by
// alignment type with the dollars lost to the cap, and the top of the "where effort pays" ranking.
// Charts are Vega-Lite rendered to inline SVG (report-charts.ts). The files read are the commands'
// summaries, practices.csv (by TIN) and effort.csv (member ids: the report is owner-only).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { parseCsv, parseCsvObjects } from '../data/csv.ts';
import { ConfigError } from '../data/errors.ts';
import type { AlignSummary } from './alignment/write-alignment.ts';
import type { BenchmarkSummary } from './alignment/write-benchmark.ts';
import type { BacktestSummary } from './alignment/write-backtest.ts';
import { dollars, percent } from './format.ts';
import { svg } from './report-charts.ts';

/** The folders the section reads (rafcast report --alignment, --benchmark, --align-backtest). */
export interface AcoDirs {
  alignment: string;
  benchmark?: string;
  backtest?: string;
}

export interface PracticeRow {
  tin: string;
  aligned: number;
  claims: number;
  voluntary: number;
  both: number;
  atRisk: number;
  onTrack: number;
  projectedNext: number;
}

export interface EffortTopRow {
  group: string;
  rank: number;
  memberId: string;
  alignment: string;
  basis: string;
  dollars: number;
}

export interface AcoInput {
  align: AlignSummary;
  practices: PracticeRow[];
  benchmark: BenchmarkSummary | null;
  /** effort.csv's rows ranked 1 to `top` in each ranked group. */
  effort: EffortTopRow[];
  backtest: BacktestSummary | null;
}

const need = (dir: string, files: readonly string[], option: string, command: string): void => {
  for (const f of files) if (!existsSync(join(dir, f))) throw new ConfigError(`${join(dir, f)} is missing: ${option} must be a folder from ${command}`);
};
const json = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Reads the folders, checked to be of one performance year; effort.csv's top `top` rows of each ranked group. */
export function readAco(dirs: AcoDirs, top: number): AcoInput {
  need(dirs.alignment, ['align-summary.json', 'practices.csv'], '--alignment', 'rafcast align');
  const align = json<AlignSummary>(join(dirs.alignment, 'align-summary.json'));
  const practices = parseCsvObjects(readFileSync(join(dirs.alignment, 'practices.csv'), 'utf8')).map(
    (r): PracticeRow => ({
      tin: r.tin ?? '',
      aligned: Number(r.aligned),
      claims: Number(r.claims),
      voluntary: Number(r.voluntary),
      both: Number(r.both_aligned),
      atRisk: Number(r.at_risk),
      onTrack: Number(r.on_track),
      projectedNext: Number(r.projected_next),
    }),
  );
  let benchmark: BenchmarkSummary | null = null;
  const effort: EffortTopRow[] = [];
  if (dirs.benchmark !== undefined) {
    need(dirs.benchmark, ['benchmark-summary.json', 'effort.csv'], '--benchmark', 'rafcast benchmark');
    benchmark = json<BenchmarkSummary>(join(dirs.benchmark, 'benchmark-summary.json'));
    if (benchmark.performanceYear !== align.performanceYear) throw new ConfigError(`the benchmark in ${dirs.benchmark} is of performance year ${benchmark.performanceYear}, the alignment in ${dirs.alignment} of ${align.performanceYear}`);
    // effort.csv may hold a million rows: only the top ones become objects.
    let header: string[] | undefined;
    parseCsv(readFileSync(join(dirs.benchmark, 'effort.csv'), 'utf8'), (fields) => {
      if (header === undefined) {
        header = fields;
        return;
      }
      const r = Object.fromEntries(header.map((h, k) => [h, fields[k] ?? '']));
      const rank = Number(r.rank);
      if (rank >= 1 && rank <= top) effort.push({ group: r.group!, rank, memberId: r.member_id!, alignment: r.alignment!, basis: r.basis!, dollars: Number(r.dollars) });
    });
  }
  let backtest: BacktestSummary | null = null;
  if (dirs.backtest !== undefined) {
    need(dirs.backtest, ['backtest-summary.json'], '--align-backtest', 'rafcast align-backtest');
    backtest = json<BacktestSummary>(join(dirs.backtest, 'backtest-summary.json'));
  }
  return { align, practices, benchmark, effort, backtest };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const count = (x: number): string => x.toLocaleString('en-US');
const KINDS = [
  ['claims', 'claims', '#1f6feb'],
  ['both', 'both (claims and voluntary)', '#8250df'],
  ['voluntary', 'voluntary', '#2da44e'],
] as const;
const PROJECTION_LABELS: Record<string, string> = {
  aligned_now: 'aligned now and next year so far',
  on_track: 'on track to align',
  at_risk: 'at risk of aligning away',
  not_aligned: 'not aligned',
  ineligible: 'ineligible',
};
const figure = (name: string, body: string, caption: string) => `<figure data-chart="${name}">${body}<figcaption>${esc(caption)}</figcaption></figure>`;

/** The practices with the most aligned beneficiaries, then the most projected, at most `top`. */
export function rankedPractices(rows: readonly PracticeRow[], top: number): PracticeRow[] {
  return [...rows].sort((a, b) => b.aligned - a.aligned || b.projectedNext - a.projectedNext || a.tin.localeCompare(b.tin)).slice(0, top);
}

async function alignmentPart(a: AlignSummary, practices: readonly PracticeRow[], top: number): Promise<string> {
  const ranked = rankedPractices(practices, top);
  const entity = 'the entity';
  const bars = [
    ...KINDS.map(([k, label]) => ({ unit: entity, kind: label, beneficiaries: a.byAlignment[k] ?? 0 })),
    ...ranked.flatMap((p) => KINDS.map(([k, label]) => ({ unit: `TIN ${p.tin}`, kind: label, beneficiaries: k === 'claims' ? p.claims : k === 'both' ? p.both : p.voluntary }))),
  ];
  const order = [entity, ...ranked.map((p) => `TIN ${p.tin}`)];
  const chart = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Aligned beneficiaries for ${a.performanceYear} by type: the entity${a.minimum === null ? '' : ' against the minimum'}, and its practices (top ${ranked.length})`,
    width: 440,
    height: Math.max(80, 20 * order.length),
    layer: [
      {
        data: { values: bars },
        mark: 'bar',
        encoding: {
          y: { field: 'unit', type: 'nominal', sort: order, title: null },
          x: { field: 'beneficiaries', type: 'quantitative', stack: 'zero', title: 'aligned beneficiaries' },
          color: { field: 'kind', type: 'nominal', title: 'alignment', scale: { domain: KINDS.map((k) => k[1]), range: KINDS.map((k) => k[2]) }, legend: { labelLimit: 240 } },
        },
      },
      ...(a.minimum === null ? [] : [{ data: { values: [{ minimum: a.minimum.minimum }] }, mark: { type: 'rule', color: '#cf222e', strokeWidth: 2 }, encoding: { x: { field: 'minimum', type: 'quantitative', title: 'aligned beneficiaries' } } }]),
    ],
  } as TopLevelSpec);
  const min =
    a.minimum === null
      ? `No minimum is on record for a ${esc(a.acoType)} ACO in ${a.performanceYear}.`
      : `The model's minimum for a ${esc(a.acoType)} ACO in ${a.performanceYear} is ${count(a.minimum.minimum)} aligned beneficiaries (${esc(a.minimum.source)}, the red line): ` +
        (a.marginOverMinimum! >= 0 ? `met, ${count(a.marginOverMinimum!)} over.` : `<strong>short by ${count(-a.marginOverMinimum!)}</strong>.`);
  const table = `<table data-table="aco-practices">
      <thead><tr><th>participant TIN</th><th>aligned</th><th>claims</th><th>both</th><th>voluntary</th><th>at risk of aligning away</th><th>on track to align</th><th>projected for ${a.nextWindow.performanceYear} so far</th></tr></thead>
      <tbody>${ranked.map((p) => `<tr data-tin="${esc(p.tin)}"><td>${esc(p.tin)}</td><td>${count(p.aligned)}</td><td>${count(p.claims)}</td><td>${count(p.both)}</td><td>${count(p.voluntary)}</td><td>${count(p.atRisk)}</td><td>${count(p.onTrack)}</td><td>${count(p.projectedNext)}</td></tr>`).join('')}</tbody>
    </table>`;
  return `<p data-note="aco-minimum">${count(a.aligned)} beneficiaries align to the entity for performance year ${a.performanceYear}: ${KINDS.map(([k, label]) => `${count(a.byAlignment[k] ?? 0)} ${label}`).join(', ')} (of ${count(a.eligible)} eligible members, ${count(a.members)} in all). ${min}</p>
<div class="charts">${figure('aco-alignment', chart, `Claims-based alignment: the plurality of primary care charges from ${a.window.from} to before ${a.window.to}; voluntary: a designation of a participant clinician, which takes precedence; both: the two agree (counted once, as claims-aligned in the benchmark).`)}</div>
${table}`;
}

async function projectionPart(a: AlignSummary, backtest: BacktestSummary | null): Promise<string> {
  const next = a.nextWindow.performanceYear;
  const shown = ['aligned_now', 'on_track', 'at_risk'];
  const chart = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `The projection for ${next}, on the claims of its alignment period so far`,
    width: 420,
    height: 100,
    data: { values: shown.map((p) => ({ projection: PROJECTION_LABELS[p], beneficiaries: a.projection[p] ?? 0 })) },
    mark: 'bar',
    encoding: {
      y: { field: 'projection', type: 'nominal', sort: shown.map((p) => PROJECTION_LABELS[p]), title: null, axis: { labelLimit: 260 } },
      x: { field: 'beneficiaries', type: 'quantitative' },
      color: { field: 'projection', type: 'nominal', legend: null, scale: { domain: shown.map((p) => PROJECTION_LABELS[p]), range: ['#1f6feb', '#2da44e', '#cf222e'] } },
    },
  } as TopLevelSpec);
  const bt =
    backtest === null
      ? `<p data-note="aco-backtest" class="sub">No backtest of the projection was given (rafcast align-backtest, then rafcast report --align-backtest DIR, shows how many on-track members did align).</p>`
      : `<p>How the projection has fared before: the projection for ${backtest.projectedYear} made for ${backtest.performanceYear} on the data known on ${esc(backtest.dataThrough)}, against the alignment of ${backtest.projectedYear} the complete data gave (rafcast align-backtest). Projected ${count(backtest.projectedAligned)}, aligned ${count(backtest.actualAligned)}.</p>
    <table data-table="aco-backtest">
      <thead><tr><th>projection for ${backtest.projectedYear}</th><th>members</th><th>aligned</th><th>share aligned</th><th>not aligned (elsewhere, no visit)</th><th>ineligible (died, left the plan)</th></tr></thead>
      <tbody>${backtest.rows.map((r) => `<tr data-projection="${esc(r.projection)}"><td>${esc(PROJECTION_LABELS[r.projection] ?? r.projection)}</td><td>${count(r.members)}</td><td>${count(r.aligned)}</td><td>${r.alignedShare === null ? 'n/a' : percent(r.alignedShare)}</td><td>${count(r.notAligned)}</td><td>${count(r.ineligible)}</td></tr>`).join('')}</tbody>
    </table>`;
  return `<h3>Who will align for ${next}</h3>
<p>The same rules applied to ${next}'s alignment period (from ${esc(a.nextWindow.from)}) on the claims there are so far: aligned now and for ${next} (${count(a.projection.aligned_now ?? 0)}), on track (not aligned for ${a.performanceYear}, aligned for ${next} so far: ${count(a.projection.on_track ?? 0)}), at risk of aligning away (aligned for ${a.performanceYear}, not for ${next} so far, or died: ${count(a.projection.at_risk ?? 0)}).</p>
<div class="charts">${figure('aco-projection', chart, 'Members move between these as the rest of the period’s claims arrive; the backtest below says how far the projection held.')}</div>
${bt}`;
}

const GROUP_LABELS: Record<string, string> = {
  under_cap: 'claims-aligned, under the cap: dollars documentation would still add',
  voluntary: 'voluntary-aligned (uncapped)',
  no_reference: 'claims-aligned without a reference-year score (not capped)',
};

async function benchmarkPart(b: BenchmarkSummary, effort: readonly EffortTopRow[]): Promise<string> {
  const shown = b.totals.filter((t) => t.alignment !== 'total' && t.beneficiaries > 0);
  const total = b.totals.find((t) => t.alignment === 'total')!;
  const chart = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Benchmark ${b.performanceYear} by alignment type, and the dollars lost to the cap`,
    width: 420,
    height: 220,
    data: { values: shown.flatMap((t) => [{ alignment: t.alignment, measure: 'benchmark', dollars: t.dollars }, { alignment: t.alignment, measure: 'lost to the cap', dollars: t.lostToCap }]) },
    mark: 'bar',
    encoding: {
      x: { field: 'alignment', type: 'nominal', title: null, sort: shown.map((t) => t.alignment) },
      xOffset: { field: 'measure' },
      y: { field: 'dollars', type: 'quantitative', axis: { format: '$,.0f' } },
      color: { field: 'measure', type: 'nominal', scale: { domain: ['benchmark', 'lost to the cap'], range: ['#1f6feb', '#cf222e'] } },
    },
  } as TopLevelSpec);
  const r = b.rules;
  const table = `<table data-table="aco-benchmark">
      <thead><tr><th>alignment</th><th>beneficiaries</th><th>at or above the cap</th><th>mean score, before and after the cap</th><th>benchmark</th><th>without the cap</th><th>lost to the cap</th><th>added by the floor</th></tr></thead>
      <tbody>${[...shown, total].map((t) => `<tr data-alignment="${esc(t.alignment)}"><td>${esc(t.alignment)}</td><td>${count(t.beneficiaries)}</td><td>${count(t.atCap)}</td><td>${t.meanScore.toFixed(3)} &rarr; ${t.meanCappedScore.toFixed(3)}</td><td>${dollars(t.dollars, 0)}</td><td>${dollars(t.uncappedDollars, 0)}</td><td>${dollars(t.lostToCap, 0)}</td><td>${dollars(t.addedByFloor, 0)}</td></tr>`).join('')}</tbody>
    </table>`;
  const groups = b.effort.map((e) => `${e.group === 'at_cap' ? 'at or above the cap (coding adds nothing)' : esc(GROUP_LABELS[e.group] ?? e.group)}: ${count(e.beneficiaries)}${e.group === 'at_cap' ? '' : `, ${dollars(e.dollars, 0)}`}`).join('; ');
  const effortTable = `<table data-table="aco-effort">
      <thead><tr><th>group</th><th>rank</th><th>member</th><th>alignment</th><th>what the dollars are</th><th>dollars</th></tr></thead>
      <tbody>${effort.map((e) => `<tr data-group="${esc(e.group)}"><td>${esc(GROUP_LABELS[e.group] ?? e.group)}</td><td>${e.rank}</td><td>${esc(e.memberId)}</td><td>${esc(e.alignment)}</td><td>${esc(e.basis)}</td><td>${dollars(e.dollars, 0)}</td></tr>`).join('')}</tbody>
    </table>`;
  return `<h3>The benchmark for ${b.performanceYear}</h3>
<p>Per aligned beneficiary, base rate x risk score. Claims- and both-aligned scores are capped at ${r.cap} x the reference-year (${r.referenceYear}) score${r.floor === null ? '' : ` and raised to ${r.floor} x it`}; voluntary-aligned scores are not capped. Claims base rate: ${Math.round(r.regionalWeight * 100)}% the regional rate and ${Math.round(r.historicalWeight * 100)}% historical expenditure trended; voluntary: the regional rate (${dollars(b.rates.regionalRate, 0)}).
${b.withoutScore > 0 ? `${count(b.withoutScore)} aligned beneficiaries have no ${b.performanceYear} score and are out of the benchmark.` : ''}</p>
<div class="charts">${figure('aco-benchmark', chart, 'The benchmark is what CMS sets the entity’s spending against; the red bars are the dollars the scores above the cap would have added.')}</div>
${table}
<h3>Where effort pays</h3>
<p>${groups}. The top ${effort.length === 0 ? 0 : Math.max(...effort.map((e) => e.rank))} of each ranked group:</p>
${effortTable}`;
}

/** The section's HTML (module comment): the `top` practices, and the effort rows readAco kept. */
export async function acoSection(input: AcoInput, top = 20): Promise<string> {
  const a = input.align;
  const benchmark =
    input.benchmark === null
      ? `<p data-note="aco-benchmark" class="sub">No benchmark was given (rafcast benchmark, then rafcast report --benchmark DIR, adds the benchmark by alignment type, the dollars lost to the cap and where effort pays).</p>`
      : await benchmarkPart(input.benchmark, input.effort);
  return `<section data-section="aco">
<h2>ACO REACH: alignment for performance year ${a.performanceYear}</h2>
${await alignmentPart(a, input.practices, top)}
${await projectionPart(a, input.backtest)}
${benchmark}
</section>`;
}

/** What the report says when no alignment folder is given. */
export const NO_ACO_NOTE = '<p data-section="aco" data-note="no-aco" class="sub">No ACO REACH alignment was given: rafcast report --alignment DIR (a rafcast align folder), with --benchmark DIR and --align-backtest DIR, adds the entity\'s alignment, projection, benchmark and where effort pays.</p>';
