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
