// TEMPORARY, TO BE SWITCHED ON MERGE (issue 17): the pharmacy and labs files of a data folder as
// the staged tables of SPEC-17 (/work/wt/SPEC-17.md), read here by their file names while the
// contract files, their checks and their quarantine are added on another branch. On merge the
// lead replaces the body of attachEvidenceFiles with the contract loader (data/contract.ts
// TableSpec, data/load-contract-file.ts, which quarantine bad rows); its callers keep its
// signature. Until then a file is read with SPEC-17's typed columns and no row checks: a value
// that does not convert stops the command naming the file, never the value (it may be a member id).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ConfigError, duckDbIoMessage, InputError } from '../../data/errors.ts';
import { sqlString } from '../../data/duckdb.ts';

/** SPEC-17's columns and their DuckDB types, in order. */
export const EVIDENCE_COLUMNS = {
  pharmacy: {
    fill_id: 'VARCHAR',
    member_id: 'VARCHAR',
    fill_date: 'DATE',
    received_date: 'DATE',
    ndc: 'VARCHAR',
    atc_code: 'VARCHAR',
    days_supply: 'INTEGER',
    paid_amount: 'DECIMAL(18,2)',
    prescriber_npi: 'VARCHAR',
  },
  labs: {
    result_id: 'VARCHAR',
    member_id: 'VARCHAR',
    result_date: 'DATE',
    received_date: 'DATE',
    loinc: 'VARCHAR',
    value: 'DOUBLE',
    unit: 'VARCHAR',
    ordering_npi: 'VARCHAR',
  },
} as const;

export type EvidenceTable = keyof typeof EVIDENCE_COLUMNS;

export interface AttachedEvidence {
  /** The view names of the tables present (`pharmacy`, `labs`). */
  pharmacy?: string;
  labs?: string;
  /** Why each absent one is absent. */
  absent: Partial<Record<EvidenceTable, string>>;
  files: Partial<Record<EvidenceTable, string>>;
}

/**
 * Views `pharmacy` and `labs` over `<data>/pharmacy.parquet|csv` and `<data>/labs.parquet|csv`
 * with SPEC-17's typed columns (atc_code upper-cased, as the contract stores it); a missing file
 * is an absent evidence type, never an error (SPEC-17: optional files).
 */
export async function attachEvidenceFiles(conn: DuckDBConnection, data: string): Promise<AttachedEvidence> {
  const out: AttachedEvidence = { absent: {}, files: {} };
  for (const table of Object.keys(EVIDENCE_COLUMNS) as EvidenceTable[]) {
    const cols = EVIDENCE_COLUMNS[table];
    const parquet = join(data, `${table}.parquet`);
    const csv = join(data, `${table}.csv`);
    if (existsSync(parquet) && existsSync(csv)) throw new ConfigError(`${data} has both ${parquet} and ${csv}; keep one`);
    const file = existsSync(parquet) ? parquet : existsSync(csv) ? csv : undefined;
    if (file === undefined) {
      out.absent[table] = `no ${table}.csv or ${table}.parquet in ${data}`;
      continue;
    }
    const source =
      file === parquet
        ? `read_parquet(${sqlString(file)})`
        : `read_csv(${sqlString(file)}, header = true, auto_detect = false, columns = {${Object.entries(cols).map(([c, t]) => `'${c}': '${t}'`).join(', ')}})`;
    const select = Object.entries(cols)
      .map(([c, t]) => (c === 'atc_code' ? `upper(trim(${c}::VARCHAR)) AS ${c}` : `${c}::${t} AS ${c}`))
      .join(', ');
    await conn.run(`CREATE OR REPLACE TEMP VIEW ${table} AS SELECT ${select} FROM ${source}`);
    try {
      // Every column read once now, so that a file that does not convert fails here, naming the file.
      await conn.run(`SELECT ${Object.keys(cols).map((c) => `count(${c})`).join(', ')} FROM ${table}`);
    } catch (e) {
      const io = duckDbIoMessage(e);
      throw new InputError(
        io !== undefined ? `cannot be read (${io.split(/:\s*/).pop()?.trim().toLowerCase()})` : `does not hold SPEC-17's ${table} columns (${Object.keys(cols).join(', ')}) with values of their types`,
        { file },
      );
    }
    out[table] = table;
    out.files[table] = file;
  }
  return out;
}
