// The child process of evaluation/serve/app.test.ts's kill -9 test: three status changes of one member on a run
// folder, "saved" printed once the third is answered, then it waits to be killed.
import { RunData } from '../evaluation/serve/run-data.ts';

const [run, member] = process.argv.slice(2) as [string, string];
const data = await RunData.open({ run });
await data.statuses.set(member, { status: 'contacted', note: 'first', date: null, version: 0 }, 'child');
await data.statuses.set(member, { status: 'visit done', note: 'second', date: '2024-03-01', version: 1 }, 'child');
await data.statuses.set(member, { status: 'documented', note: 'third', date: '2024-03-02', version: 2 }, 'child');
process.stdout.write('saved\n');
setInterval(() => undefined, 1000);
