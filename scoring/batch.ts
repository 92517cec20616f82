// DOMAIN.md section 1, steps 1-6, for many members at once: the model is compiled into typed
// arrays (factors in thousandths, categories as bit masks) and members are passed as columns, so
// scoring allocates nothing per member or factor. calculate.ts is the explained path; a test holds
// the two equal on the golden vectors and on a random population.
import { SEGMENTS, type ModelTables, type Segment } from '../data/reference/cms-hcc-tables.ts';
import { MAX_AGE, ageBand, newEnrolleeAgeBand, type Demographics } from './demographics.ts';
import { normalizeDiagnosisCode } from './normalize-diagnosis-codes.ts';

/**
 * Diagnosis codes, each given a small integer id once (dictionary encoding, as Arrow dictionary
 * columns do), so that scoring indexes arrays instead of hashing strings. One dictionary can serve
 * every batch of a file and every model.
 *
 * Codes of up to 8 letters and digits (every ICD-10-CM code) are normalised as they are read
 * (trim, upper-case, drop dots: as normalizeDiagnosisCode) and packed into a number, 6 bits a
 * character, so that reading a '|'-separated list makes no string per code. Anything else keeps
 * its text and goes through a Map.
 *
 * With `keep`, codes it rejects (given the normalised code) get no id and are left out of
 * batches: scoring ignores codes its models do not map, so a scorer keeps only those.
 */
export class CodeDictionary {
  constructor(private readonly keep?: (normalizedCode: string) => boolean) {}

  /** Code as written -> id, or -1 when left out. */
  readonly ids = new Map<string, number>();
  /** By id: the code as written, or normalised for packed codes. */
  readonly codes: string[] = [];
  /** Open addressing: packed code (0 = empty slot) -> id. */
  private keys = new Float64Array(1 << 12);
  private values = new Int32Array(1 << 12);
  private bits = 12;
  private packedCount = 0;

  /** The code's id; -1 for a blank code or one that `keep` leaves out. */
  encode(code: string): number {
    const packed = packCode(code, 0, code.length);
    return packed > 0 ? this.encodePacked(packed) : packed === 0 ? this.encodeText(code) : -1;
  }

  private newId(code: string, normalized: string): number {
    if (this.keep !== undefined && !this.keep(normalized)) return -1;
    this.codes.push(code);
    return this.codes.length - 1;
  }

  private encodeText(code: string): number {
    let id = this.ids.get(code);
    if (id === undefined) {
      id = this.newId(code, normalizeDiagnosisCode(code));
      this.ids.set(code, id);
    }
    return id;
  }

  private encodePacked(key: number): number {
    const mask = (1 << this.bits) - 1;
    let slot = hashPacked(key, this.bits);
    for (;;) {
      const k = this.keys[slot]!;
      if (k === key) return this.values[slot]!;
      if (k === 0) break;
      slot = (slot + 1) & mask;
    }
    const code = unpackCode(key);
    const id = this.newId(code, code);
    this.keys[slot] = key;
    this.values[slot] = id;
    if (++this.packedCount * 2 > this.keys.length) this.grow();
    return id;
  }

  private grow(): void {
    const { keys, values } = this;
    this.bits++;
    this.keys = new Float64Array(1 << this.bits);
    this.values = new Int32Array(1 << this.bits);
    const mask = (1 << this.bits) - 1;
    for (let s = 0; s < keys.length; s++) {
      const key = keys[s]!;
      if (key === 0) continue;
      let slot = hashPacked(key, this.bits);
      while (this.keys[slot] !== 0) slot = (slot + 1) & mask;
      this.keys[slot] = key;
      this.values[slot] = values[s]!;
    }
  }

  /**
   * Encodes a member's codes, a list or '|'-separated text, appending their ids to `into`.
   * Blank codes (empty, or spaces) are skipped: they map to nothing.
   */
  encodeAll(dx: readonly string[] | string, into: IdList): void {
    if (typeof dx !== 'string') {
      for (const code of dx) {
        const id = this.encode(code);
        if (id >= 0) into.push(id);
      }
      return;
    }
    let start = 0;
    const n = dx.length;
    while (start <= n) {
      let end = dx.indexOf('|', start);
      if (end < 0) end = n;
      const packed = packCode(dx, start, end);
      const id = packed > 0 ? this.encodePacked(packed) : packed === 0 ? this.encodeText(dx.slice(start, end)) : -1;
      if (id >= 0) into.push(id);
      start = end + 1;
    }
  }
}

/** A growable list of code ids. */
export class IdList {
  ids = new Int32Array(1 << 16);
  length = 0;

  push(id: number): void {
    if (this.length === this.ids.length) {
      const grown = new Int32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.length++] = id;
  }
}

const PACK_DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Packs text[start, end) normalised (trimmed, upper-cased, dots dropped) into a number: each
 * character 1..36 in 6 bits. Returns -1 for a blank code, 0 when the code does not pack (longer
 * than 8, or another character) and must be kept as text.
 */
function packCode(text: string, start: number, end: number): number {
  let key = 0;
  let len = 0;
  let trailingSpace = false;
  for (let k = start; k < end; k++) {
    let c = text.charCodeAt(k);
    if (c === 46) continue; // '.'
    if (c === 32 || c === 9 || c === 13 || c === 10) {
      if (len > 0) trailingSpace = true;
      continue;
    }
    if (trailingSpace) return 0;
    if (c >= 97 && c <= 122) c -= 32;
    let v: number;
    if (c >= 48 && c <= 57) v = c - 47;
    else if (c >= 65 && c <= 90) v = c - 54;
    else return 0;
    if (++len > 8) return 0;
    key = key * 64 + v;
  }
  return len === 0 ? -1 : key;
}

function unpackCode(key: number): string {
  let s = '';
  for (let k = key; k > 0; k = Math.floor(k / 64)) s = PACK_DIGITS[(k % 64) - 1]! + s;
  return s;
}

function hashPacked(key: number, bits: number): number {
  return (Math.imul(key | 0, 0x9e3779b1) ^ Math.imul((key / 4294967296) | 0, 0x85ebca6b)) >>> (32 - bits);
}

/** Members as columns. Codes of member i are dxIds[dxStart[i]] .. dxIds[dxStart[i+1]-1]. */
export interface MemberBatch {
  size: number;
  /** 1 = male, 2 = female. */
  sex: Uint8Array;
  /** Age on February 1 of the payment year, 0..125. */
  age: Uint8Array;
  /** Index into SEGMENTS. */
  segment: Uint8Array;
  /** OREC 0..3. */
  orec: Uint8Array;
  /** 1 when Medicaid. */
  medicaid: Uint8Array;
  dxStart: Int32Array;
  dxIds: Int32Array;
  dictionary: CodeDictionary;
}

interface CodeEntry {
  ccs: Int16Array;
  /** Indexes into the compiled edits that list this code. */
  edits: Int16Array;
}

interface CompiledEdit {
  /** Per clause: sex (0 any, 1 M, 2 F), min age, max age. */
  clauses: Int16Array;
  /** The CCs the code gets when the edit holds: one, or none (the code is invalidated). */
  ccs: Int16Array;
}

export interface CompiledModel {
  model: string;
  paymentYear: number;
  /** Normalised code -> its CCs and the age/sex edits that list it. */
  codes: Map<string, CodeEntry>;
  /** Per dictionary: each code id's CCs and edits, filled as codes are met. */
  resolved: WeakMap<CodeDictionary, ResolvedCodes>;
  edits: CompiledEdit[];
  nCc: number;
  isPayment: Uint8Array;
  /** Per CC: the index of its hierarchy rule as parent, or -1. */
  ruleOfParent: Int16Array;
  ruleChildren: Int16Array[];
  ruleParent: Int16Array;
  drops: { cc: number; unlessAny: Int16Array }[];
  /** Per CC: the bits of the interaction operands it belongs to. */
  ccMask: Uint32Array;
  disablBit: number;
  /** Per segment x CC: factor in thousandths. */
  hccFactor: Int32Array;
  /** Per segment: [mask, factor in thousandths] pairs. */
  interactions: Int32Array[];
  /** Per segment x count 0..10: count variable factor in thousandths. */
  countFactor: Int32Array;
  /** Per segment, sex (0 M, 1 F), age, medicaid, OREC: demographic factors in thousandths. */
  demoFactor: Int32Array;
}

const NSEG = SEGMENTS.length;


function demoIndex(seg: number, sexIdx: number, age: number, medicaid: number, orec: number): number {
  return (((seg * 2 + sexIdx) * (MAX_AGE + 1) + age) * 2 + medicaid) * 4 + orec;
}

const milli = (f: number | undefined): number => Math.round((f ?? 0) * 1000);

export function compileModel(t: ModelTables): CompiledModel {
  let maxCc = 0;
  for (const ccs of t.dxToCc.values()) for (const c of ccs) maxCc = Math.max(maxCc, c);
  for (const h of t.paymentHccs) maxCc = Math.max(maxCc, h);
  for (const e of t.ageSexEdits) if (e.action.kind === 'cc') maxCc = Math.max(maxCc, e.action.cc);
  const nCc = maxCc + 1;

  const edits: CompiledEdit[] = t.ageSexEdits.map((e) => ({
    clauses: Int16Array.from(
      e.when.flatMap((c) => [c.sex === 'M' ? 1 : c.sex === 'F' ? 2 : 0, c.minAge ?? -1, c.maxAge ?? 999]),
    ),
    ccs: Int16Array.from(e.action.kind === 'cc' ? [e.action.cc] : []),
  }));
  const codes = new Map<string, CodeEntry>();
  for (const [code, ccs] of t.dxToCc) {
    const editIdx: number[] = [];
    t.ageSexEdits.forEach((e, i) => {
      if (e.codes.has(code)) editIdx.push(i);
    });
    codes.set(code, { ccs: Int16Array.from(ccs), edits: Int16Array.from(editIdx) });
  }

  const isPayment = new Uint8Array(nCc);
  for (const h of t.paymentHccs) isPayment[h] = 1;
  const ruleOfParent = new Int16Array(nCc).fill(-1);
  t.hierarchy.forEach((r, i) => {
    if (ruleOfParent[r.parent] === -1) ruleOfParent[r.parent] = i;
  });

  // Interaction operands -> bits.
  const spec = t.interactions;
  const bitOf = new Map<string, number>();
  const ccMask = new Uint32Array(nCc);
  const bit = (operand: string): number => {
    let b = bitOf.get(operand);
    if (b === undefined) {
      b = bitOf.size;
      if (b > 31) throw new Error('more than 32 interaction operands');
      bitOf.set(operand, b);
      if (operand !== 'DISABL') {
        const cat = spec.categories[operand];
        const hccs = cat ?? [Number(/^HCC(\d+)$/.exec(operand)?.[1] ?? NaN)];
        for (const h of hccs) if (h < nCc) ccMask[h]! |= 1 << b;
      }
    }
    return b;
  };
  const disablBit = bit('DISABL');
  const interactions: Int32Array[] = [];
  const hccFactor = new Int32Array(NSEG * nCc);
  const countFactor = new Int32Array(NSEG * 11);
  const demoFactor = new Int32Array(NSEG * 2 * (MAX_AGE + 1) * 2 * 4);
  SEGMENTS.forEach((seg: Segment, s) => {
    const ne = seg === 'NE' || seg === 'SNPNE';
    const pairs: number[] = [];
    if (!ne) {
      for (const name of spec.segmentInteractions[seg] ?? []) {
        let mask = 0;
        for (const op of spec.interactions[name] ?? []) mask |= 1 << bit(op);
        pairs.push(mask, milli(t.coefficients.get(`${seg}_${name}`)));
      }
      for (const h of t.paymentHccs) hccFactor[s * nCc + h] = milli(t.coefficients.get(`${seg}_HCC${h}`));
      if (spec.countVariableSegments.includes(seg)) {
        for (let k = 1; k <= 10; k++) countFactor[s * 11 + k] = milli(t.coefficients.get(`${seg}_${k === 10 ? 'D10P' : `D${k}`}`));
      }
    }
    interactions.push(Int32Array.from(pairs));
    for (let sexIdx = 0; sexIdx < 2; sexIdx++) {
      const sex = sexIdx === 0 ? 'M' : 'F';
      for (let age = 0; age <= MAX_AGE; age++) {
        for (let mcaid = 0; mcaid < 2; mcaid++) {
          for (let orec = 0; orec < 4; orec++) {
            const disabled = age < 65 && orec !== 0;
            const origds = orec === 1 && !disabled;
            let f: number;
            if (ne) {
              const neOrig = age >= 65 && orec === 1;
              f = milli(
                t.coefficients.get(
                  `${seg}_${mcaid ? 'MCAID' : 'NMCAID'}_${neOrig ? 'ORIGDIS' : 'NORIGDIS'}_NE${sex}${newEnrolleeAgeBand(age)}`,
                ),
              );
            } else {
              f = milli(t.coefficients.get(`${seg}_${sex}${ageBand(age)}`));
              if (seg === 'INS') {
                if (mcaid) f += milli(t.coefficients.get('INS_LTIMCAID'));
                if (origds) f += milli(t.coefficients.get('INS_ORIGDS'));
              } else if (seg.endsWith('A') && origds) {
                f += milli(t.coefficients.get(`${seg}_OriginallyDisabled_${sex === 'F' ? 'Female' : 'Male'}`));
              }
            }
            demoFactor[demoIndex(s, sexIdx, age, mcaid, orec)] = f;
          }
        }
      }
    }
  });

  return {
    model: t.model,
    paymentYear: t.paymentYear,
    codes,
    resolved: new WeakMap(),
    edits,
    nCc,
    isPayment,
    ruleOfParent,
    ruleChildren: t.hierarchy.map((r) => Int16Array.from(r.children)),
    ruleParent: Int16Array.from(t.hierarchy.map((r) => r.parent)),
    drops: t.interactions.conditionalDrops.map((d) => ({ cc: d.cc, unlessAny: Int16Array.from(d.unlessAny) })),
    ccMask,
    disablBit,
    hccFactor,
    interactions,
    countFactor,
    demoFactor,
  };
}

/**
 * Code ids -> CCs and age/sex edits as flat typed arrays (CSR): id i has ccs[ccStart[i] ..
 * ccStart[i+1]) and edits[editStart[i] .. editStart[i+1]). Flat arrays keep the scoring loop on
 * a few cache lines instead of one object per code.
 */
interface ResolvedCodes {
  size: number;
  ccStart: Int32Array;
  ccs: Int16Array;
  editStart: Int32Array;
  edits: Int16Array;
}

function grown<T extends Int32Array | Int16Array>(a: T, min: number): T {
  if (a.length >= min) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/** Resolves the dictionary's codes not yet seen by this model. */
function resolveCodes(m: CompiledModel, dict: CodeDictionary): ResolvedCodes {
  let r = m.resolved.get(dict);
  if (r === undefined) {
    r = { size: 0, ccStart: new Int32Array(1025), ccs: new Int16Array(1024), editStart: new Int32Array(1025), edits: new Int16Array(64) };
    m.resolved.set(dict, r);
  }
  const n = dict.codes.length;
  if (r.size === n) return r;
  r.ccStart = grown(r.ccStart, n + 1);
  r.editStart = grown(r.editStart, n + 1);
  for (let id = r.size; id < n; id++) {
    const raw = dict.codes[id]!;
    const entry = m.codes.get(raw) ?? m.codes.get(normalizeDiagnosisCode(raw));
    let c = r.ccStart[id]!;
    let e = r.editStart[id]!;
    if (entry !== undefined) {
      r.ccs = grown(r.ccs, c + entry.ccs.length);
      r.ccs.set(entry.ccs, c);
      c += entry.ccs.length;
      r.edits = grown(r.edits, e + entry.edits.length);
      r.edits.set(entry.edits, e);
      e += entry.edits.length;
    }
    r.ccStart[id + 1] = c;
    r.editStart[id + 1] = e;
  }
  r.size = n;
  return r;
}

function editHolds(e: CompiledEdit, age: number, sex: number): boolean {
  const c = e.clauses;
  for (let k = 0; k < c.length; k += 3) {
    if ((c[k] === 0 || c[k] === sex) && age >= c[k + 1]! && age <= c[k + 2]!) return true;
  }
  return false;
}

/** The payment HCCs each member of a batch ends with: member i's are hccs.ids[start[i]..start[i+1]). */
export interface FinalHccs {
  hccs: IdList;
  start: Int32Array;
}

/**
 * The CCs a code gives a member of this age and sex, after the age/sex edits: the edit's CCs
 * (none when it invalidates the code) or the code's mapped CCs, as ccs[from..to).
 */
export function codeCcs(
  m: CompiledModel,
  dict: CodeDictionary,
  id: number,
  age: number,
  sex: number,
  into: { ccs: Int16Array; from: number; to: number },
): void {
  const r = resolveCodes(m, dict);
  for (let e = r.editStart[id]!; e < r.editStart[id + 1]!; e++) {
    const edit = m.edits[r.edits[e]!]!;
    if (editHolds(edit, age, sex)) {
      into.ccs = edit.ccs;
      into.from = 0;
      into.to = edit.ccs.length;
      return;
    }
  }
  into.ccs = r.ccs;
  into.from = r.ccStart[id]!;
  into.to = r.ccStart[id + 1]!;
}

/** A payment HCC's relative factor in a segment (index into SEGMENTS). */
export function hccFactor(m: CompiledModel, segment: number, hcc: number): number {
  return m.hccFactor[segment * m.nCc + hcc]! / 1000;
}

/**
 * Raw risk scores (unnormalised, as calculate's risk_score) for every member of the batch.
 * When `hccCount` is given it receives each member's number of payment HCCs; `finalHccs`
 * receives the HCCs themselves, after hierarchies, in the order the member's codes met them.
 */
export function scoreBatch(
  m: CompiledModel,
  b: MemberBatch,
  out: Float64Array = new Float64Array(b.size),
  hccCount?: Uint8Array,
  finalHccs?: FinalHccs,
): Float64Array {
  // Scratch space reused across members: CC presence, the CCs a member touched, its rules.
  const present = new Uint8Array(m.nCc);
  let touched = new Int16Array(256);
  let rules = new Int16Array(256);
  const r = resolveCodes(m, b.dictionary);
  const { ccStart, editStart, edits: codeEdits } = r;
  if (finalHccs !== undefined) finalHccs.start[0] = finalHccs.hccs.length;
  const dxIds = b.dxIds;
  for (let i = 0; i < b.size; i++) {
    const seg = b.segment[i]!;
    const sex = b.sex[i]!;
    const age = b.age[i]!;
    const orec = b.orec[i]!;
    let total = m.demoFactor[demoIndex(seg, sex - 1, age, b.medicaid[i]!, orec)]!;
    const end = b.dxStart[i + 1]!;
    let nTouched = 0;
    for (let k = b.dxStart[i]!; k < end; k++) {
      const id = dxIds[k]!;
      let ccs = r.ccs;
      let c0 = ccStart[id]!;
      let c1 = ccStart[id + 1]!;
      for (let e = editStart[id]!; e < editStart[id + 1]!; e++) {
        const edit = m.edits[codeEdits[e]!]!;
        if (editHolds(edit, age, sex)) {
          ccs = edit.ccs;
          c0 = 0;
          c1 = ccs.length;
          break;
        }
      }
      for (let c = c0; c < c1; c++) {
        const cc = ccs[c]!;
        if (present[cc] === 0) {
          present[cc] = 1;
          if (nTouched === touched.length) {
            const wider = new Int16Array(touched.length * 2);
            wider.set(touched);
            touched = wider;
            rules = new Int16Array(touched.length);
          }
          touched[nTouched++] = cc;
        }
      }
    }
    for (let q = 0; q < m.drops.length; q++) {
      const d = m.drops[q]!;
      if (present[d.cc] === 1) {
        let keep = false;
        for (let u = 0; u < d.unlessAny.length; u++) if (present[d.unlessAny[u]!] === 1) keep = true;
        if (!keep) present[d.cc] = 0;
      }
    }
    // Hierarchies: the rules of present parents, in CMS order.
    let nRules = 0;
    for (let t = 0; t < nTouched; t++) {
      const r = m.ruleOfParent[touched[t]!]!;
      if (r >= 0) {
        let j = nRules++;
        while (j > 0 && rules[j - 1]! > r) {
          rules[j] = rules[j - 1]!;
          j--;
        }
        rules[j] = r;
      }
    }
    for (let q = 0; q < nRules; q++) {
      const r = rules[q]!;
      if (present[m.ruleParent[r]!] === 1) {
        const children = m.ruleChildren[r]!;
        for (let c = 0; c < children.length; c++) present[children[c]!] = 0;
      }
    }
    let count = 0;
    let mask = age < 65 && orec !== 0 ? 1 << m.disablBit : 0;
    const base = seg * m.nCc;
    for (let t = 0; t < nTouched; t++) {
      const cc = touched[t]!;
      if (present[cc] === 1 && m.isPayment[cc] === 1) {
        count++;
        total += m.hccFactor[base + cc]!;
        mask |= m.ccMask[cc]!;
        if (finalHccs !== undefined) finalHccs.hccs.push(cc);
      }
      present[cc] = 0;
    }
    // New-enrollee segments have no HCC, interaction or count factors (all 0 / empty).
    const pairs = m.interactions[seg]!;
    for (let p = 0; p < pairs.length; p += 2) if ((mask & pairs[p]!) === pairs[p]) total += pairs[p + 1]!;
    total += m.countFactor[seg * 11 + (count > 10 ? 10 : count)]!;
    if (hccCount !== undefined) hccCount[i] = count;
    if (finalHccs !== undefined) finalHccs.start[i + 1] = finalHccs.hccs.length;
    out[i] = total / 1000;
  }
  return out;
}

/** Builds a batch member by member; pass one dictionary to reuse it across batches. */
export class MemberBatchBuilder {
  private sex: Uint8Array;
  private age: Uint8Array;
  private segment: Uint8Array;
  private orec: Uint8Array;
  private medicaid: Uint8Array;
  private dxStart: Int32Array;
  private readonly dx = new IdList();
  size = 0;

  constructor(
    readonly dictionary: CodeDictionary = new CodeDictionary(),
    private capacity = 1024,
  ) {
    this.sex = new Uint8Array(capacity);
    this.age = new Uint8Array(capacity);
    this.segment = new Uint8Array(capacity);
    this.orec = new Uint8Array(capacity);
    this.medicaid = new Uint8Array(capacity);
    this.dxStart = new Int32Array(capacity + 1);
  }

  add(d: Demographics, dx: readonly string[] | string): void {
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.sex[i] = d.sex === 'M' ? 1 : 2;
    this.age[i] = d.age;
    this.segment[i] = SEGMENT_INDEX.get(d.segment)!;
    this.orec[i] = d.orec.charCodeAt(0) - 48;
    this.medicaid[i] = d.medicaid ? 1 : 0;
    this.dictionary.encodeAll(dx, this.dx);
    this.dxStart[i + 1] = this.dx.length;
  }

  private grow(): void {
    const c = this.capacity * 2;
    const widen = <T extends Uint8Array | Int32Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.sex = widen(this.sex, c);
    this.age = widen(this.age, c);
    this.segment = widen(this.segment, c);
    this.orec = widen(this.orec, c);
    this.medicaid = widen(this.medicaid, c);
    this.dxStart = widen(this.dxStart, c + 1);
    this.capacity = c;
  }

  finish(): MemberBatch {
    const n = this.size;
    return {
      size: n,
      sex: this.sex.subarray(0, n),
      age: this.age.subarray(0, n),
      segment: this.segment.subarray(0, n),
      orec: this.orec.subarray(0, n),
      medicaid: this.medicaid.subarray(0, n),
      dxStart: this.dxStart.subarray(0, n + 1),
      dxIds: this.dx.ids.subarray(0, this.dx.length),
      dictionary: this.dictionary,
    };
  }
}

const SEGMENT_INDEX = new Map<string, number>(SEGMENTS.map((s, i) => [s, i]));

/** Builds a batch from resolved members; pass one dictionary to reuse it across batches. */
export function toMemberBatch(
  members: readonly { demographics: Demographics; dx: readonly string[] | string }[],
  dictionary: CodeDictionary = new CodeDictionary(),
): MemberBatch {
  const b = new MemberBatchBuilder(dictionary, Math.max(1, members.length));
  for (const m of members) b.add(m.demographics, m.dx);
  return b.finish();
}
