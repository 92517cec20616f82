// Step 4 of DOMAIN.md section 1: CMS hierarchies (%SET0 macro of V24H86H1 / V28115H1). Rules run
// in file order; a rule removes its children only if its parent is still present at that moment.
import type { HierarchyRule } from '../data/reference/cms-hcc-tables.ts';

export interface RemovedHcc {
  hcc: number;
  /** The parent HCC whose rule removed it. */
  by: number;
}

export function applyHierarchies(
  ccs: ReadonlySet<number>,
  rules: readonly HierarchyRule[],
): { hccs: Set<number>; removed: RemovedHcc[] } {
  const hccs = new Set(ccs);
  const removed: RemovedHcc[] = [];
  for (const rule of rules) {
    if (!hccs.has(rule.parent)) continue;
    for (const child of rule.children) {
      if (hccs.delete(child)) removed.push({ hcc: child, by: rule.parent });
    }
  }
  return { hccs, removed };
}
