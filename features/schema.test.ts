// The feature schema (schema.ts): its bytes are those every model trained on version 1 recorded,
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

  it('is the schema every model trained on version 1 recorded, byte for byte, with a PY2027 bundled', () => {
    // The hash of features_<T>.parquet.schema.json and of every run's schema.json written before
    // the families were split into files (rafcast features, as of 2023-2026): 154 features, 115 of
    // them dollar CCs (the V28 payment HCCs of PY2026), version 1.
    const s = featureSchema();
    expect(s.version).toBe(1);
    expect(s.names).toHaveLength(154);
    expect(s.names.filter((n) => n.startsWith('log_paid_cc'))).toHaveLength(115);
    expect(s.names.slice(0, 3)).toEqual(['age', 'female', 'orec_disabled']);
    expect(s.names.at(-1)).toBe('log_paid_cc463');
    expect(s.hash).toBe('20f54e1b6e1424d81b047529bfc122fa4a1540e40bc397557aa91bfc65f7bd79');
    expect(Object.keys(s)).toEqual(['version', 'names', 'hash']);
  });

  it('names every feature once, the families in column order', () => {
    const names = featureDefinitions().map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(FEATURE_FAMILIES.map((f) => f.name)).toEqual(['demographics', 'raf_history', 'hcc_counts', 'drop_offs', 'recapture', 'utilisation', 'cc_dollars']);
  });
});
