// Worker thread bootstrap for rafcast serve's Excel export (xlsx-worker.ts). In dist/ (npm run
// build) the compiled worker sits beside this file and runs as it is; in the sources, tsx is
// registered first (workers do not inherit the main thread's loader hooks).
import { existsSync } from 'node:fs';

const compiled = new URL('./xlsx-worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./xlsx-worker.ts');
}
