// The report's provider section from a hand-written `rafcast providers` folder: three clinicians,
//   X 1000000001 (North, partner): 4 attributed, open $5,000, suspects $0, recapture 3 of 4;
//   Y 1000000002 (South, not a partner): 2 attributed, open $1,000, suspects $6,000, no prior-year HCC;
//   Z 1000000003: saw members, none attributed.
// Ranked by open dollars (open HCCs and suspects together): Y ($7,000) before X ($5,000); Z, with
// no attributed member, is not ranked. Y's recapture rate is n/a and is not drawn as 0.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.ts';
import type { ProvidersSummary } from './providers/provider-views.ts';
import { providersSection, readProviders } from './report-providers.ts';

const header = 'npi,name,specialty,tin,practice_name,partner,members_seen,em_visits,members_attributed,hccs_coded,diagnoses_by_hcc,prior_hccs,recaptured,recapture_rate,open_hccs,open_dollars,suspect_hccs,suspect_dollars,total_dollars,members_with_items';
const rows = [
  '1000000001,Dr X,08,111111111,North,true,6,9,4,3,HCC 37: 3 (50.0%),4,3,0.75,5,5000.00,0,0.00,5000.00,4',
  '1000000002,Dr Y,08,222222222,South,false,3,4,2,0,,0,0,,1,1000.00,2,6000.00,7000.00,2',
  '1000000003,Dr Z,11,222222222,South,false,2,0,0,0,,0,0,,0,0.00,0,0.00,0.00,0',
];
const summary: ProvidersSummary = {
  asOf: 2026,
  dataThrough: '2026-01-01',
  window: { from: '2025-01-01', through: '2025-12-31' },
  priorWindow: { from: '2024-01-01', through: '2024-12-31' },
  attribution: 'the plurality of E/M visits',
  membersSeen: 9,
  membersAttributed: 6,
  clinicians: 3,
  practices: 2,
  worklists: 2,
  audit: { alerts: 0, memberHccs: 0, dollars: 0, alertsWithoutClinician: 0 },
  dollars: { openAttributed: 6000, suspectAttributed: 6000, openUnattributed: 100, suspectUnattributed: 0 },
  partnerComparison: [
    { group: 'partner', practices: 1, clinicians: 1, membersAttributed: 4, priorHccs: 4, recaptured: 3, recaptureRate: 0.75, openDollars: 5000, suspectDollars: 0, openDollarsPerMember: 1250, suspectDollarsPerMember: 0 },
    { group: 'not partner', practices: 1, clinicians: 2, membersAttributed: 2, priorHccs: 0, recaptured: 0, recaptureRate: null, openDollars: 1000, suspectDollars: 6000, openDollarsPerMember: 500, suspectDollarsPerMember: 3000 },
  ],
  notes: [],
  files: [],
};

describe('the report\'s provider section', () => {
  it('ranks clinicians by open HCC and suspect dollars together, with their recapture rates, as SVG charts', async () => {
    const dir = tempDir('providers-report');
    writeFileSync(join(dir, 'providers.csv'), [header, ...rows].join('\n') + '\n');
    writeFileSync(join(dir, 'providers-summary.json'), JSON.stringify(summary));
    const html = await providersSection(readProviders(dir));
    const ranked = [...html.matchAll(/<tr data-npi="(\d+)">/g)].map((m) => m[1]);
    expect(ranked).toEqual(['1000000002', '1000000001']);
    expect(html).toMatch(/<figure data-chart="providers-dollars"><svg[\s\S]*Dr Y \(1000000002\)[\s\S]*<\/svg>/);
    // Recapture chart: X's bar only (Y has no rate); the table says n/a for Y and 75.0% (3 of 4) for X.
    const rateChart = html.slice(html.indexOf('data-chart="providers-recapture"'), html.indexOf('</figure>', html.indexOf('data-chart="providers-recapture"')));
    expect(rateChart).toContain('Dr X (1000000001)');
    expect(rateChart).not.toContain('Dr Y (1000000002)');
    expect(html).toMatch(/Dr Y \(1000000002\)<\/td>.*?<td>n\/a <span class="sub">\(0 of 0\)<\/span><\/td>/);
    expect(html).toMatch(/Dr X \(1000000001\)<\/td>.*?<td>75\.0% <span class="sub">\(3 of 4\)<\/span><\/td>/);
    expect(html).toContain('<tr data-group="partner"><td>partner</td><td>1</td><td>1</td><td>4</td><td>75.0% (3 of 4)</td><td>$1,250</td><td>$0</td></tr>');
  });
});
