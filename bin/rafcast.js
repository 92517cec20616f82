#!/usr/bin/env node
// Runs the TypeScript command line through tsx (a dependency), so `npx rafcast` works from a clone.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/rafcast.ts');
await main(process.argv);
