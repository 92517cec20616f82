// writeFeatureTable: the table and its schema beside it, the schema written atomically and
// owner-only like every output (it names the features a run was trained on).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePopulationFiles } from '../data/synthetic/generate.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { tempDir } from '../test/temp-dir.ts';
import { featureSchema } from './schema.ts';
import { writeFeatureTable } from './write-feature-table.ts';

describe('writeFeatureTable', () => {
  it('writes <out>.schema.json beside the table: the schema, owner-only, no temporary file left', async () => {
    const data = tempDir('feature-table');
    await generatePopulationFiles({ members: 200, firstYear: 2023, lastYear: 2025, seed: 5, out: data });
    await computeHistory({ data, firstYear: 2023, lastYear: 2025, out: join(data, 'history'), annualBaseRate: 10402.34 });
    const dir = tempDir('feature-table-out');
    const out = join(dir, 'features-2025.parquet');
    const s = await writeFeatureTable({ data, history: join(data, 'history'), asOf: 2025, out });
    expect(s.schemaFile).toBe(`${out}.schema.json`);
    expect(readFileSync(s.schemaFile, 'utf8')).toBe(`${JSON.stringify(featureSchema(), null, 2)}\n`);
    expect(statSync(s.schemaFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['features-2025.parquet', 'features-2025.parquet.schema.json']);
  });
});
