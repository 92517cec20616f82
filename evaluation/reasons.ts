// Why a member is on the January list, in plain words (issue 15, "for the people who use the
// list"): the two or three things that put them there, from data dated before T only: the open
// HCCs worth the most (evaluation/candidate-value.ts: coded in T-1 or T-2, not yet in T, each with
// its value), the change of the risk score from T-2 to T-1, and for a member new to the
// plan, what the list knows of them (age on February 1 of T+1, dual status). Rules, in order, at
// most MAX_REASONS:
// 1. a new member (no RAF_{T-1}): "new member in T, age A[, full|partial dual]";
// 2. up to two open HCCs with a value, largest priced expected dollars first: "<HCC> coded in Y,
//    not yet in T (worth $V a year)", V what the member's payment loses without it; an HCC of T-2
//    not coded in T-1: "<HCC> coded in T-2, not in T-1 nor yet in T (worth $V a year)";
// 3. the risk score's change when |RAF_{T-1} - RAF_{T-2}| >= RAF_CHANGE_SHOWN: "RAF rose|fell D in
//    T-1 (from R2 to R1)"; else, while fewer than two reasons are given, "RAF R1 in T-1".
import { dollars } from './format.ts';
import type { PricedHcc } from './candidate-value.ts';

export const MAX_REASONS = 3;
/** The smallest change of the risk score from T-2 to T-1 worth a reason. */
export const RAF_CHANGE_SHOWN = 0.1;

export interface ReasonFacts {
  asOf: number;
  /** No RAF_{T-1}: new to the plan in T. */
  newMember: boolean;
  /** Age on February 1 of T+1; null when not known. */
  age: number | null;
  dual: 'full' | 'partial' | 'none' | null;
  rafT1: number | null;
  rafT2: number | null;
  /** The open HCCs named on the outreach list, largest expected dollars first. */
  hccs: readonly PricedHcc[];
}

export function reasonsFor(f: ReasonFacts): string[] {
  const T = f.asOf;
  const out: string[] = [];
  if (f.newMember) {
    const dual = f.dual === 'full' ? ', full dual' : f.dual === 'partial' ? ', partial dual' : '';
    out.push(`new member in ${T}${f.age === null ? '' : `, age ${f.age}`}${dual}`);
  }
  for (const h of f.hccs.slice(0, 2)) {
    const year = Number(h.open.lastDate.slice(0, 4));
    const worth = `worth ${dollars(h.value, 0)} a year`;
    out.push(
      h.open.dropped
        ? `${h.open.description} coded in ${year}, not in ${T - 1} nor yet in ${T} (${worth})`
        : `${h.open.description} coded in ${year}, not yet in ${T} (${worth})`,
    );
  }
  if (out.length < MAX_REASONS && f.rafT1 !== null) {
    const change = f.rafT2 === null ? 0 : f.rafT1 - f.rafT2;
    if (f.rafT2 !== null && Math.abs(change) >= RAF_CHANGE_SHOWN - 1e-9) {
      out.push(`RAF ${change > 0 ? 'rose' : 'fell'} ${Math.abs(change).toFixed(2)} in ${T - 1} (from ${f.rafT2.toFixed(3)} to ${f.rafT1.toFixed(3)})`);
    } else if (out.length < 2) {
      out.push(`RAF ${f.rafT1.toFixed(3)} in ${T - 1}`);
    }
  }
  return out.slice(0, MAX_REASONS);
}

/** The reasons as one CSV field's text: ' | '-separated, as CMS labels hold ';'. */
export const reasonsText = (reasons: readonly string[]): string => reasons.join(' | ');
