// The report's provider section (issue 17, "Provider view"), from a `rafcast providers` folder:
// the clinicians ranked by open dollars (their attributed members' open HCCs and suspects, two
// kinds stacked) and the same clinicians' recapture rates, as Vega-Lite charts rendered to inline
// SVG (report-charts.ts), a table of the top, and partner practices beside the others. The files
// read hold no member id (providers.csv, providers-summary.json), so neither does the section.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { parseCsvObjects } from '../data/csv.ts';
import { ConfigError } from '../data/errors.ts';
import { dollars, percent } from './format.ts';
import type { ProvidersSummary } from './providers/provider-views.ts';
import { svg } from './report-charts.ts';

export interface ProviderRow {
  npi: string;
  label: string;
  practice: string;
  partner: string;
  membersAttributed: number;
  openDollars: number;
  suspectDollars: number;
  totalDollars: number;
  priorHccs: number;
  recaptured: number;
  recaptureRate: number | null;
}

export interface ProvidersInput {
  summary: ProvidersSummary;
  rows: ProviderRow[];
}

/** providers.csv and providers-summary.json of a `rafcast providers` folder. */
export function readProviders(dir: string): ProvidersInput {
  const csv = join(dir, 'providers.csv');
  const json = join(dir, 'providers-summary.json');
  for (const f of [csv, json]) if (!existsSync(f)) throw new ConfigError(`${f} is missing: --providers must be a folder from rafcast providers`);
  const rows = parseCsvObjects(readFileSync(csv, 'utf8')).map(
    (r): ProviderRow => ({
      npi: r.npi ?? '',
      label: r.name ? `${r.name} (${r.npi})` : (r.npi ?? ''),
      practice: r.practice_name ?? '',
      partner: r.partner === 'true' ? 'partner' : r.partner === 'false' ? 'not partner' : 'not in the providers file',
      membersAttributed: Number(r.members_attributed ?? 0),
      openDollars: Number(r.open_dollars ?? 0),
      suspectDollars: Number(r.suspect_dollars ?? 0),
      totalDollars: Number(r.total_dollars ?? 0),
      priorHccs: Number(r.prior_hccs ?? 0),
      recaptured: Number(r.recaptured ?? 0),
      recaptureRate: r.recapture_rate === undefined || r.recapture_rate === '' ? null : Number(r.recapture_rate),
    }),
  );
  return { summary: JSON.parse(readFileSync(json, 'utf8')) as ProvidersSummary, rows };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const rateText = (r: number | null): string => (r === null ? 'n/a' : percent(r));

/** The clinicians with the most open dollars (open HCCs and suspects of their attributed members), most first, at most `top`. */
export function rankedProviders(rows: readonly ProviderRow[], top: number): ProviderRow[] {
  return rows
    .filter((r) => r.membersAttributed > 0)
    .sort((a, b) => b.totalDollars - a.totalDollars || a.npi.localeCompare(b.npi))
    .slice(0, top);
}

/** The section's HTML (module comment). */
export async function providersSection(p: ProvidersInput, top = 20): Promise<string> {
  const s = p.summary;
  const ranked = rankedProviders(p.rows, top);
  const order = ranked.map((r) => r.label);
  const height = Math.max(120, 18 * ranked.length);
  const dollarsChart = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Clinicians ranked by open dollars of their attributed members (top ${ranked.length})`,
    width: 420,
    height,
    data: {
      values: ranked.flatMap((r) => [
        { clinician: r.label, kind: 'open HCCs (recapture, drop-off)', dollars: r.openDollars },
        { clinician: r.label, kind: 'suspects (medication, lab, comorbidity)', dollars: r.suspectDollars },
      ]),
    },
    mark: 'bar',
    encoding: {
      y: { field: 'clinician', type: 'nominal', sort: order, title: null },
      x: { field: 'dollars', type: 'quantitative', stack: 'zero', axis: { format: '$,.0f' } },
      color: { field: 'kind', type: 'nominal', scale: { domain: ['open HCCs (recapture, drop-off)', 'suspects (medication, lab, comorbidity)'], range: ['#1f6feb', '#bf8700'] } },
    },
  } as TopLevelSpec);
  const rateChart = await svg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Their recapture rates (prior-year HCCs coded again by the clinician)',
    width: 360,
    height,
    // A clinician whose attributed members had no prior-year HCC has no rate: left out, not drawn as 0.
    data: { values: ranked.filter((r) => r.recaptureRate !== null).map((r) => ({ clinician: r.label, 'recapture rate': r.recaptureRate, partner: r.partner })) },
    mark: 'bar',
    encoding: {
      y: { field: 'clinician', type: 'nominal', sort: order, title: null },
      x: { field: 'recapture rate', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      color: { field: 'partner', type: 'nominal', scale: { domain: ['partner', 'not partner', 'not in the providers file'], range: ['#2da44e', '#8b949e', '#d0d7de'] } },
    },
  } as TopLevelSpec);
  const table = `<table data-table="providers">
      <thead><tr><th>clinician</th><th>practice</th><th>members attributed</th><th>open HCC dollars</th><th>suspect dollars</th><th>recapture rate</th></tr></thead>
      <tbody>${ranked
        .map(
          (r) =>
            `<tr data-npi="${esc(r.npi)}"><td>${esc(r.label)}</td><td>${esc(r.practice)} <span class="sub">(${esc(r.partner)})</span></td><td>${r.membersAttributed}</td>` +
            `<td>${dollars(r.openDollars, 0)}</td><td>${dollars(r.suspectDollars, 0)}</td><td>${rateText(r.recaptureRate)} <span class="sub">(${r.recaptured} of ${r.priorHccs})</span></td></tr>`,
        )
        .join('')}</tbody>
    </table>`;
  const partners = `<table data-table="partners">
      <thead><tr><th>practices</th><th>number</th><th>clinicians</th><th>members attributed</th><th>recapture rate (pooled)</th><th>open HCC dollars a member</th><th>suspect dollars a member</th></tr></thead>
      <tbody>${s.partnerComparison
        .map(
          (g) =>
            `<tr data-group="${esc(g.group)}"><td>${esc(g.group)}</td><td>${g.practices}</td><td>${g.clinicians}</td><td>${g.membersAttributed}</td><td>${rateText(g.recaptureRate)} (${g.recaptured} of ${g.priorHccs})</td>` +
            `<td>${g.openDollarsPerMember === null ? 'n/a' : dollars(g.openDollarsPerMember, 0)}</td><td>${g.suspectDollarsPerMember === null ? 'n/a' : dollars(g.suspectDollarsPerMember, 0)}</td></tr>`,
        )
        .join('')}</tbody>
    </table>`;
  const figure = (name: string, body: string, caption: string) => `<figure data-chart="${name}">${body}<figcaption>${esc(caption)}</figcaption></figure>`;
  return `<section data-section="providers">
<h2>Providers: open dollars and recapture, as-of ${s.asOf}</h2>
<p class="sub">Visits and coding from ${esc(s.window.from)} through ${esc(s.window.through)} (claims received by ${esc(s.dataThrough)}); prior-year HCCs from ${esc(s.priorWindow.from)} through ${esc(s.priorWindow.through)}.
Attribution: ${esc(s.attribution)}. ${s.membersAttributed.toLocaleString('en-US')} members attributed to ${s.clinicians.toLocaleString('en-US')} clinicians in ${s.practices.toLocaleString('en-US')} practices.
Open dollars are each open HCC's or suspect's own value for a year of payment (rafcast suspects), summed over the clinician's attributed members; members with no E/M visit in the window
(${dollars(s.dollars.openUnattributed + s.dollars.suspectUnattributed, 0)}) are in no clinician's figure.</p>
<div class="charts">
${figure('providers-dollars', dollarsChart, 'Open HCCs (coded before, not yet this year) and suspects (evidence of an HCC never coded), stacked; the two are different kinds of evidence.')}
${figure('providers-recapture', rateChart, 'The share of the attributed members’ prior-year HCCs that the clinician coded again in the window (an HCC above it in the V28 hierarchy counts).')}
</div>
${table}
<h3>Partner practices beside the others</h3>${partners}
</section>`;
}
