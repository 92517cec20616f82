// A worker thread that writes one Excel export (list-export.ts's listXlsx) and ends: writing a
// workbook takes about 0.2 ms a row on one core (write-excel-file builds its XML and deflates it
// in JavaScript), which on the server's own thread would stall every other request meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { listXlsx } from './list-export.ts';
import type { ListRow } from './run-data.ts';

const xlsx = await listXlsx(workerData as ListRow[]);
// A copy of its own (a Buffer may be a slice of a shared pool), handed over without another copy.
const bytes = new Uint8Array(xlsx);
parentPort!.postMessage(bytes, [bytes.buffer]);
