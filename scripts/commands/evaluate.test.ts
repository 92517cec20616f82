// `rafcast evaluate --list`: a list file with bad input stops with exit code 2, naming the file,
// the rows and the field, before any run is loaded, and never printing a member id.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/temp-dir.ts';

const CLI = fileURLToPath(new URL('../../bin/rafcast.js', import.meta.url));

describe('rafcast evaluate --list', () => {
  it('rejects a list with a repeated member id: exit 2, the file, the rows, no id', () => {
    const dir = tempDir('list');
    const file = join(dir, 'vendor.csv');
    writeFileSync(file, 'member_id,rank\nPHI-0001,1\nPHI-0002,2\nPHI-0001,3\n');
    // The run does not exist: the list is checked first.
    const p = spawnSync(process.execPath, [CLI, 'evaluate', '--run', join(dir, 'no-run'), '--as-of', '2024', '--out', join(dir, 'out'), '--list', file], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toContain(`error E_INPUT: file ${file}, field member_id: 1 member id listed more than once: row 3 repeats row 1`);
    expect(p.stderr + p.stdout).not.toMatch(/PHI-/);
  });
});

describe('rafcast evaluate: the dollars lines', () => {
  it("gives each list's share of the references' dollars and the expected beside the measured", async () => {
    const { dollarsLines } = await import('./evaluate.ts');
    const list = (name: string, acc: number, inc: number | null, extra: object = {}) => ({ name, revenue: { accelerated: { total: acc }, incremental: { total: inc } }, ...extra });
    // Ceiling $400 / $2,000. The dollars list brought $100 / $500: 25.0% and 25.0% of it; perfect brought $200 / $1,000: 50.0% / 50.0%.
    const e = {
      lists: [
        list('dollars', 100, 500, { captured: { perfect: { accelerated: 0.5, incremental: 0.5 }, ceiling: { accelerated: 0.25, incremental: 0.25 } }, expected: { accelerated: 120, incremental: 450.5 } }),
        list('perfect', 200, 1000, { captured: {} }),
        list('ceiling', 400, 2000, { captured: {} }),
      ],
      dollarModel: { accelerated: [], incremental: [], fittedAt: 2022, members: 5100 },
    } as unknown as Parameters<typeof dollarsLines>[0];
    expect(dollarsLines(e)).toEqual([
      "share of the reference lists' dollars (accelerated / incremental): the perfect-knowledge list; the ceiling list (the true dollars of each member)",
      'dollars  perfect 50.0% / 50.0%  ceiling 25.0% / 25.0%',
      'dollars  expected on January 1: accelerated $120.00 (measured $100.00), incremental $450.50 (measured $500.00)',
      'expected dollars: the dollar model fitted at as-of 2022 on 5100 members (evaluation/dollar-model.ts)',
    ]);
  });
});
