// The evidence files of `rafcast suspects` (issue 17): a plan's optional pharmacy and labs files
// (data/contract-files.ts), loaded as every contract file is (data/staged-contract.ts
// stageContractTable, data/load-contract-file.ts): their columns and checks are the contract's
// (data/contract.ts PHARMACY, LABS), a bad row goes to `<table>.rejected.csv` with its row, field
// and reason (never its member id), and read = accepted + rejected. Their member_id values are
// checked against the members file, which is loaded (and checked) first when either is present.
import type { DuckDBConnection } from '@duckdb/node-api';
import { findDataFile } from '../../data/contract-files.ts';
import { ConfigError } from '../../data/errors.ts';
import type { LoadSummary } from '../../data/load-contract-file.ts';
import { stageContractTable } from '../../data/staged-contract.ts';

/** The optional files that give evidence, in load order. */
export const EVIDENCE_TABLES = ['pharmacy', 'labs'] as const;
export type EvidenceTable = (typeof EVIDENCE_TABLES)[number];

export interface AttachedEvidence {
  /** The view names of the tables present (`pharmacy`, `labs`). */
  pharmacy?: string;
  labs?: string;
  /** Why each absent one is absent. */
  absent: Partial<Record<EvidenceTable, string>>;
  files: Partial<Record<EvidenceTable, string>>;
  /** What loading read (members first, then each evidence file present): read = accepted + rejected. */
  loaded: LoadSummary[];
}

export interface EvidenceLoadOptions {
  /** The folder for each file's rejected rows, `<table>.rejected.csv`. */
  rejectedDir: string;
  /** Stop when more than this share of a file's rows is rejected (default DEFAULT_MAX_REJECTED_SHARE, data/quarantine.ts). */
  maxRejectedShare?: number;
}

/**
 * Views `pharmacy` and `labs` of the accepted rows of `<data>/pharmacy.parquet|csv` and
 * `<data>/labs.parquet|csv`, staged in `work`; a missing file is an absent evidence type, never an
 * error (the files are optional). A header the contract does not accept stops the command.
 */
export async function attachEvidenceFiles(conn: DuckDBConnection, data: string, work: string, o: EvidenceLoadOptions): Promise<AttachedEvidence> {
  const out: AttachedEvidence = { absent: {}, files: {}, loaded: [] };
  for (const table of EVIDENCE_TABLES) {
    const file = findDataFile(data, table);
    if (file === undefined) out.absent[table] = `no ${table}.csv or ${table}.parquet in ${data}`;
    else out.files[table] = file;
  }
  if (Object.keys(out.files).length === 0) return out;
  const members = findDataFile(data, 'members');
  if (members === undefined) throw new ConfigError(`${data} has no members.parquet or members.csv: the pharmacy and labs files' member_id values are checked against it`);
  const opts = { rejectedDir: o.rejectedDir, maxRejectedShare: o.maxRejectedShare };
  out.loaded.push(await stageContractTable(conn, 'members', members, work, opts));
  for (const table of EVIDENCE_TABLES) {
    const file = out.files[table];
    if (file === undefined) continue;
    out.loaded.push(await stageContractTable(conn, table, file, work, opts));
    out[table] = table;
  }
  return out;
}
