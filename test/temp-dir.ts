// Temporary folders for tests, removed when the test file's tests are done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A new empty folder under the system's temporary folder, named rafcast-<what>-XXXXXX. */
export function tempDir(what: string): string {
  const d = mkdtempSync(join(tmpdir(), `rafcast-${what}-`));
  made.push(d);
  return d;
}
