// Worker thread bootstrap: registers tsx (workers do not inherit the main thread's loader hooks),
// then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./score-worker.ts');
