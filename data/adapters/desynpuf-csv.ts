// Reading CMS's DE-SynPUF CSV files in DuckDB SQL (data/adapters/README.md): every column as text
// with its row number, and CMS's YYYYMMDD dates. Shared by the import (desynpuf.ts) and its
// Prescription Drug Events (desynpuf-pde.ts).
import { sqlString } from '../duckdb.ts';

/** A YYYYMMDD text column as a DATE, NULL when blank or not a date. */
export const DATE = (col: string): string => `try_strptime(nullif(trim(${col}), ''), '%Y%m%d')::DATE`;

/** Reads a CMS CSV as text columns with its row numbers (1 = the first data row) and file name. */
export function readCsv(path: string): string {
  return `(SELECT row_number() OVER () AS _row, * FROM read_csv(${sqlString(path)}, header = true, all_varchar = true, auto_detect = true))`;
}
