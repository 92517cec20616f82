// Step 5 of DOMAIN.md section 1: the payment HCC count variable of the V24/V28 models, D1..D9 and
// D10P, from the number of payment HCCs after hierarchies, in the segments that carry it
// (derived/interactions_v24_v28.json count_variables_in).
import type { InteractionSpec, Segment } from '../data/reference/cms-hcc-tables.ts';

export function paymentHccCountVariable(count: number, segment: Segment, spec: InteractionSpec): string | null {
  if (count <= 0 || !spec.countVariableSegments.includes(segment)) return null;
  return count >= 10 ? 'D10P' : `D${count}`;
}
