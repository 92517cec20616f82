// What dist/ copies beside the compiled code (scripts/build-inputs.js): a folder of reference data
// left off the list runs from the sources and fails only in a built checkout (a fresh clone's
// `npm ci`), where the queued workers run dist/. Every data folder under data/reference must be
// on the list.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COPIED } from './build-inputs.js';

describe('the files dist/ copies', () => {
  it('include every folder of reference data', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const folders = readdirSync(join(root, 'data', 'reference'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `data/reference/${e.name}`);
    expect(folders.length).toBeGreaterThan(3);
    for (const f of folders) expect(COPIED, `${f} is read at run time but not copied into dist/`).toContain(f);
  });
});
