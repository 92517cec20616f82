// The programs the tests need besides Node's packages, found in one place: Debian's Chromium (the
// report's browser test drives it with playwright-core, no browser download) and redis-server (the
// queued flow's tests start their own on a free port). global-setup.ts checks them before any test.
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, isAbsolute, join } from 'node:path';

/** Chromium's executable: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** redis-server: $REDIS_SERVER, else the one on the PATH. */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/** Whether `program` (a path, or a name looked up on `path`) is an executable file; a few stat calls. */
export function isExecutable(program: string, path = process.env.PATH ?? ''): boolean {
  const candidates = isAbsolute(program) || program.includes('/') ? [program] : path.split(delimiter).filter((d) => d !== '').map((d) => join(d, program));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago (a test's own Redis, or none there). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
