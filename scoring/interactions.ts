// Step 5 of DOMAIN.md section 1: diagnostic categories (MAX over HCCs after hierarchies) and their
// interactions (products), from the CMS main programs V2419P1M / V2823T2M as spelled out in
// derived/interactions_v24_v28.json. Only interactions that are regression variables of the
// member's segment count.
import type { InteractionSpec, Segment } from '../data/reference/cms-hcc-tables.ts';

/** True when an interaction operand (category, HCCn or DISABL) is 1 for this member. */
export function operandHolds(
  operand: string,
  hccs: ReadonlySet<number>,
  disabled: 0 | 1,
  spec: InteractionSpec,
): boolean {
  if (operand === 'DISABL') return disabled === 1;
  const category = spec.categories[operand];
  if (category !== undefined) return category.some((h) => hccs.has(h));
  const m = /^HCC(\d+)$/.exec(operand);
  if (m) return hccs.has(Number(m[1]));
  throw new Error(`interaction operand ${operand} is neither a category, an HCC nor DISABL`);
}

/** The interaction variables (CMS names, unprefixed) that fire and belong to the segment. */
export function computeInteractions(
  hccs: ReadonlySet<number>,
  disabled: 0 | 1,
  segment: Segment,
  spec: InteractionSpec,
): string[] {
  const inSegment = spec.segmentInteractions[segment];
  if (inSegment === undefined) return [];
  return inSegment
    .filter((name) => (spec.interactions[name] ?? []).every((op) => operandHolds(op, hccs, disabled, spec)))
    .sort();
}
