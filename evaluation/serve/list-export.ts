// The filtered candidate list as a file to download, in the two forms finance asks for: CSV and an
// Excel workbook (.xlsx, written by write-excel-file). Both hold the rows RunData.filteredRows
// gives (exactly the filtered rows, in the page's order) with the same columns in the same order;
// money to the cent (a number formatted #,##0.00 in Excel); identifiers (member, NPI, TIN) as
// text cells, never numbers (an NPI keeps its digits as written).
import { Worker } from 'node:worker_threads';
import writeXlsxFile, { type Cell, type SheetData } from 'write-excel-file/node';
import { csvField } from '../../data/csv.ts';
import { RequestError } from './errors.ts';
import type { ListRow } from './run-data.ts';

/** The columns of an exported row, in order. */
export const LIST_COLUMNS: readonly (keyof ListRow)[] = [
  'rank', 'member_id', 'priority', 'probability', 'decile', 'segment', 'raf_t2', 'raf_t1', 'open_hccs',
  'expected_accelerated', 'expected_incremental', 'expected_dollars', 'suspect_dollars', 'provider_npi', 'practice_tin', 'practice_name', 'status', 'version',
];
const MONEY = new Set<keyof ListRow>(['expected_accelerated', 'expected_incremental', 'expected_dollars', 'suspect_dollars']);

/**
 * The most rows an Excel export holds; a longer selection is refused, to be exported as CSV. An
 * Excel sheet takes 1,048,575 below its header, but write-excel-file builds the workbook in memory
 * at about 0.2 ms and 4 KB a row (100,000 rows: 22 s and 0.4 GiB more on this 2-core machine),
 * and the server's goal is under 1 GiB: 50,000 rows, a selection that someone reads in Excel.
 */
export const XLSX_ROWS_MAX = 50_000;

/** Refuses an Excel export of more than XLSX_ROWS_MAX rows, before they are read. */
export function checkXlsxRows(rows: number): void {
  if (rows > XLSX_ROWS_MAX) throw new RequestError(`an Excel export holds at most ${XLSX_ROWS_MAX.toLocaleString('en-US')} rows; these filters select ${rows.toLocaleString('en-US')}: narrow them or export CSV`);
}

/** The rows as CSV with a header: money with two decimals, a blank for no value. */
export function listCsv(rows: readonly ListRow[]): string {
  const lines = [LIST_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(LIST_COLUMNS.map((k) => (r[k] === null ? '' : MONEY.has(k) ? (r[k] as number).toFixed(2) : csvField(String(r[k])))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The rows as an .xlsx workbook of one sheet, "Candidates", its header row kept in view. */
export async function listXlsx(rows: readonly ListRow[]): Promise<Buffer> {
  checkXlsxRows(rows.length);
  const cell = (k: keyof ListRow, v: ListRow[keyof ListRow]): Cell => {
    if (v === null) return null;
    if (MONEY.has(k)) return { value: Math.round((v as number) * 100) / 100, type: Number, format: '#,##0.00' };
    return typeof v === 'number' ? { value: v, type: Number } : { value: String(v), type: String };
  };
  const data: SheetData = [LIST_COLUMNS.map((k) => ({ value: k, type: String, fontWeight: 'bold' }) as Cell)];
  for (const r of rows) data.push(LIST_COLUMNS.map((k) => cell(k, r[k])));
  return writeXlsxFile(data, { sheet: 'Candidates', stickyRowsCount: 1 }).toBuffer();
}

const XLSX_WORKER = new URL('./xlsx-worker-entry.js', import.meta.url);

/** listXlsx in a worker thread of its own, so that the server goes on answering meanwhile. */
export function listXlsxInWorker(rows: readonly ListRow[]): Promise<Buffer> {
  checkXlsxRows(rows.length);
  return new Promise((resolve, reject) => {
    const w = new Worker(XLSX_WORKER, { workerData: rows });
    let done = false;
    w.once('message', (bytes: Uint8Array) => {
      done = true;
      resolve(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    w.once('error', (e) => {
      done = true;
      reject(e);
    });
    w.once('exit', (code) => {
      if (!done) reject(new Error(`the Excel export's worker stopped with exit code ${code}`));
    });
  });
}
