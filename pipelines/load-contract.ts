// `rafcast load`: the contract's files (members first, then enrollment and claims, which are
// checked against it, then the optional pharmacy, labs and providers) validated and stored as typed Parquet or Arrow IPC files in one folder, with each
// file's quarantine, <table>.rejected.csv, in the output folder or the one given, and counts that
// reconcile (data/load-contract-file.ts). The input folders are only read.
import { join } from 'node:path';
import { prepareOutputFolder } from '../data/atomic-file.ts';
import { CONTRACT, OPTIONAL_TABLES, REQUIRED_TABLES, type TableName } from '../data/contract.ts';
import { writeArrowIpc } from '../data/arrow-writer.ts';
import { copyAtomically, openDuckDb } from '../data/duckdb.ts';
import { loadContractFile, type LoadSummary } from '../data/load-contract-file.ts';

export interface LoadContractOptions {
  files: Partial<Record<TableName, string>> & { members: string };
  /** Folder for the tables (members, enrollment, claims, and the optional ones given), as .parquet (default) or .arrow files. */
  out: string;
  format?: 'parquet' | 'arrow';
  maxRejectedShare?: number;
  /** Folder for each file's rejected rows, `<table>.rejected.csv` (default: `out`). */
  rejectedDir?: string;
  /** DuckDB's memory limit, such as '3GB'. */
  memoryLimit?: string;
}

export interface LoadedTable extends LoadSummary {
  output: string;
}

/** Loads the given files in contract order; `onFile` hears of each file as it starts. */
export async function loadContract(opts: LoadContractOptions, onFile?: (table: TableName, file: string) => void): Promise<LoadedTable[]> {
  await prepareOutputFolder(opts.out, 'the output folder');
  const rejectedDir = opts.rejectedDir ?? opts.out;
  const db = await openDuckDb({ memoryLimit: opts.memoryLimit });
  const done: LoadedTable[] = [];
  try {
    for (const name of [...REQUIRED_TABLES, ...OPTIONAL_TABLES]) {
      const file = opts.files[name];
      if (file === undefined) continue;
      onFile?.(name, file);
      const summary = await loadContractFile(db.connection, CONTRACT[name], file, { maxRejectedShare: opts.maxRejectedShare, rejectedDir });
      const format = opts.format ?? 'parquet';
      const output = join(opts.out, `${name}.${format}`);
      if (format === 'arrow') await writeArrowIpc(db.connection, `SELECT * FROM ${name}`, output);
      else await copyAtomically(db.connection, `SELECT * FROM ${name}`, output, 'parquet');
      done.push({ ...summary, output });
    }
  } finally {
    db.close();
  }
  return done;
}
