// Step 4 of DOMAIN.md section 1, before the hierarchies: the V28 "heart patch" of the CMS V28 main
// program (IF CC223=1 AND MAX(CC221,CC222,CC224,CC225,CC226)=0 THEN CC223=0), read as data from
// derived/interactions_v24_v28.json special_rules.
import type { ConditionalDrop } from '../data/reference/cms-hcc-tables.ts';

export interface DroppedCc {
  cc: number;
  rule: string;
}

export function applyConditionalDrops(
  ccs: ReadonlySet<number>,
  drops: readonly ConditionalDrop[],
): { ccs: Set<number>; dropped: DroppedCc[] } {
  const out = new Set(ccs);
  const dropped: DroppedCc[] = [];
  for (const d of drops) {
    if (out.has(d.cc) && !d.unlessAny.some((c) => out.has(c))) {
      out.delete(d.cc);
      dropped.push({ cc: d.cc, rule: d.rule });
    }
  }
  return { ccs: out, dropped };
}
