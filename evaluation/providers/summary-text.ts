// The plain-text summary of `rafcast providers` (providers-summary.txt, and what the command
// prints): the window, the attribution rule, the counts, the dollars and the partner comparison.
// No member id.
import { dollars } from '../format.ts';
import type { ProvidersSummary } from './provider-views.ts';

const rate = (r: number | null): string => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);
const perMember = (x: number | null): string => (x === null ? 'n/a' : dollars(x));

export function providersSummaryText(s: ProvidersSummary): string {
  const d = s.dollars;
  const lines = [
    `providers at as-of ${s.asOf}, data through ${s.dataThrough}: visits and coding from ${s.window.from} through ${s.window.through}, prior-year HCCs from ${s.priorWindow.from} through ${s.priorWindow.through}`,
    `attribution: ${s.attribution}`,
    `${s.membersSeen} members seen by ${s.clinicians} clinicians in ${s.practices} practices; ${s.membersAttributed} members attributed; ${s.worklists} worklists`,
    `open HCC dollars ${dollars(d.openAttributed)} and suspect dollars ${dollars(d.suspectAttributed)} among attributed members; ` +
      `${dollars(d.openUnattributed)} and ${dollars(d.suspectUnattributed)} among members with no E/M visit in the window`,
    `overuse alerts (payment year ${s.asOf}, HCCs of ${s.asOf - 1}; rafcast audit-risk): ${s.audit.alerts} alerts on ${s.audit.memberHccs} member-HCCs, ${dollars(s.audit.dollars)} at audit risk, ` +
      `counted for the clinician who rendered the alert's claim (${s.audit.alertsWithoutClinician} alerts on a claim with no NPI or an NPI with no claim in the window)`,
    'partner practices beside the others (pooled: recaptured / prior-year HCCs of attributed members; dollars per attributed member):',
  ];
  for (const g of s.partnerComparison) {
    lines.push(
      `  ${g.group}: ${g.practices} practices, ${g.clinicians} clinicians, ${g.membersAttributed} members attributed, recapture ${rate(g.recaptureRate)} (${g.recaptured} of ${g.priorHccs}), ` +
        `open ${dollars(g.openDollars)} (${perMember(g.openDollarsPerMember)} a member), suspects ${dollars(g.suspectDollars)} (${perMember(g.suspectDollarsPerMember)} a member)`,
    );
  }
  for (const n of s.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
