// The plain-text summary of `rafcast suspects` (suspects-summary.txt, and what the command prints):
// counts, dollars and confirmation rates by evidence type and rule. No member id.
import { dollars } from '../format.ts';
import type { SuspectsSummary } from './suspects.ts';

const percent = (r: number | null): string => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);

export function summaryText(s: SuspectsSummary): string {
  const lines = [
    `suspects at as-of ${s.asOf}, data through ${s.dataThrough} (fills and lab results from ${s.evidenceFrom}): ${s.suspects} suspects among ${s.members} members`,
    `priced for payment year ${s.paymentYear}${s.factorsYear !== s.paymentYear ? ` with ${s.factorsYear}'s factors` : ''} on ${s.pricedOn}, base rate ${dollars(s.annualBaseRate)} a year` +
      (s.unpricedMembers > 0 ? `; ${s.unpricedMembers} members without a history row in ${s.asOf - 2} or ${s.asOf - 1} are listed unpriced` : ''),
    s.confirmation.measurable
      ? `confirmation: the suspected HCC (or one above it in the V28 hierarchy) coded in ${s.asOf} in the complete history`
      : `confirmation: not measurable: ${s.confirmation.reason}`,
  ];
  for (const e of s.evidence) {
    if (!e.available) {
      lines.push(`  ${e.type}: absent (${e.reason})`);
      continue;
    }
    const conf = e.confirmed === null ? '' : `, confirmed ${e.confirmed} (${percent(e.confirmationRate)})`;
    lines.push(`  ${e.type}: ${e.suspects} suspects, ${e.members} members, ${dollars(e.dollars)}${conf}`);
    for (const r of e.byRule) lines.push(`    ${r.rule}: ${r.suspects}, ${dollars(r.dollars)}${r.confirmed === null ? '' : `, confirmed ${r.confirmed} (${percent(r.confirmationRate)})`}`);
  }
  return `${lines.join('\n')}\n`;
}
