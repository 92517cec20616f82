// The feature schema (schema.ts): its bytes are those every model trained on version 2 recorded,
// and bundling a later payment year's tables does not change them (the dollar CCs are pinned to
// FEATURE_CC_TABLES_YEAR). The table module is mocked to bundle a PY2027 whose V28 payment HCCs
// add a made-up HCC 999: "the latest year" would then change every name list and hash.
import { describe, expect, it, vi } from 'vitest';
import { availablePaymentYears, loadModelTables } from '../data/reference/cms-hcc-tables.ts';
import { FEATURE_CC_TABLES_YEAR, FEATURE_FAMILIES, featureCcs, featureDefinitions, featureSchema } from './schema.ts';

vi.mock('../data/reference/cms-hcc-tables.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../data/reference/cms-hcc-tables.ts')>();
  return {
    ...real,
    availablePaymentYears: (model: 'V24' | 'V28') => [...real.availablePaymentYears(model), 2027],
    loadModelTables: (model: string, year: number) => {
      if (year !== 2027) return real.loadModelTables(model, year);
      const t = real.loadModelTables(model, 2026);
      return { ...t, paymentYear: 2027, paymentHccs: [...t.paymentHccs, 999] };
    },
  };
});

describe('featureSchema', () => {
  it('bundles a PY2027 in this test (the mock is in effect)', () => {
    expect(availablePaymentYears('V28').at(-1)).toBe(2027);
    expect(loadModelTables('V28', 2027).paymentHccs).toContain(999);
  });

  it("takes the dollar CCs from FEATURE_CC_TABLES_YEAR's tables, not the latest bundled year's", () => {
    expect(FEATURE_CC_TABLES_YEAR).toBe(2026);
    expect(featureCcs()).toEqual([...loadModelTables('V28', 2026).paymentHccs]);
    expect(featureCcs()).not.toContain(999);
    expect(featureSchema().names).not.toContain('log_paid_cc999');
  });

  it('is the schema every model trained on version 2 recorded, byte for byte, with a PY2027 bundled', () => {
    // Version 1 (154 features, hash 20f54e1b...bd79) had no evidence features; version 2 adds the
    // four of evidence.ts after the recapture family (issue 17: suspects feed the model), so a
    // model trained on version 1 refuses version 2's features. 158 features, 115 of them dollar
    // CCs (the V28 payment HCCs of PY2026).
    const s = featureSchema();
    expect(s.version).toBe(2);
    expect(s.names).toHaveLength(158);
    expect(s.names.slice(s.names.indexOf('transient_factor_t1') + 1, s.names.indexOf('transient_factor_t1') + 5)).toEqual([
      'medication_suspects',
      'medication_suspect_factor',
      'lab_suspects',
      'lab_suspect_factor',
    ]);
    expect(s.names.filter((n) => n.startsWith('log_paid_cc'))).toHaveLength(115);
    expect(s.names.slice(0, 3)).toEqual(['age', 'female', 'orec_disabled']);
    expect(s.names.at(-1)).toBe('log_paid_cc463');
    expect(s.hash).toBe('da1913a2d135289ccaeee5fcb0cfe106a9e427865c9886d2dbf1bc141c518dba');
    expect(Object.keys(s)).toEqual(['version', 'names', 'hash']);
  });

  it('names every feature once, the families in column order', () => {
    const names = featureDefinitions().map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(FEATURE_FAMILIES.map((f) => f.name)).toEqual(['demographics', 'raf_history', 'hcc_counts', 'drop_offs', 'recapture', 'evidence', 'utilisation', 'cc_dollars']);
  });
});
