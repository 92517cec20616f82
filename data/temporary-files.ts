// Where rafcast's temporary files go and how they are removed on every exit path: one place for
// the work folders (DuckDB databases, spill files, staged tables) and the temporary files that
// outputs are written to before their rename (atomic-file.ts). A folder is created owner-only
// (0700) under the system's temporary folder ($TMPDIR, else /tmp) or a given parent; its owner
// removes it when done, and whatever is still listed here when the process ends (a normal end, an
// error, process.exit, or a signal the command line catches) is removed by removeTemporaryFiles.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Owner-only folder mode: work folders hold member identifiers, which are health information. */
export const WORK_FOLDER_MODE = 0o700;

const live = new Set<string>();
let exitHookInstalled = false;

/** Lists a temporary path for removal when the process ends, unless its owner removes or renames it first (forgetTemporaryPath). */
export function trackTemporaryPath(path: string): void {
  live.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeTemporaryFiles);
  }
}

/** The path was renamed into place or removed: nothing to remove on exit. */
export function forgetTemporaryPath(path: string): void {
  live.delete(path);
}

/** The temporary paths that exist now (tests and the signal message). */
export function temporaryPaths(): string[] {
  return [...live];
}

/**
 * A new owner-only folder `<prefix>XXXXXX` under `parent` (created 0700 if missing) or the
 * system's temporary folder, removed on exit unless removeWorkFolder removes it first.
 */
export function makeWorkFolder(prefix: string, parent?: string): string {
  if (parent !== undefined) mkdirSync(parent, { recursive: true, mode: WORK_FOLDER_MODE });
  const dir = mkdtempSync(join(parent ?? tmpdir(), prefix));
  trackTemporaryPath(dir);
  return dir;
}

/** Removes a work folder and everything in it. */
export async function removeWorkFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  forgetTemporaryPath(dir);
}

/** Removes every temporary path still listed, synchronously (it runs in exit and signal handlers). */
export function removeTemporaryFiles(): void {
  for (const p of live) {
    try {
      rmSync(p, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Nothing more can be done while exiting; the path stays listed for a later call.
      continue;
    }
    live.delete(p);
  }
}
