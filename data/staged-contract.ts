// The contract's files loaded for a pipeline step that reads them more than once at scale
// (history, features, models): each file is checked as by `rafcast load`, then its accepted rows
// are staged as compressed Parquet in a private work folder and read from there. A loaded claims
// table of 20M rows takes about 5 GB of DuckDB memory; its Parquet copy is read as needed.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CONTRACT, OPTIONAL_TABLES, REQUIRED_TABLES, type OptionalTableName, type RequiredTableName, type TableName, type TableSpec } from './contract.ts';
import { ConfigError } from './errors.ts';
import { copyAtomically, existingRelations, openDuckDb, sqlString } from './duckdb.ts';
import { loadContractFile, unloadContractTable, type LoadSummary } from './load-contract-file.ts';
import { makeWorkFolder, removeWorkFolder } from './temporary-files.ts';

/**
 * The codec of the staged copies: lz4. They are private, read within the same command and then
 * removed, so writing fast beats writing small: 22.7M claims (a million members) took 23.5 s to
 * write with lz4 (540 MB) against 33.0 s with zstd (328 MB), measured on 2026-12-02.
 */
export const STAGING_COMPRESSION = 'lz4';

/** DuckDB's memory for a staged run: it spills beyond, keeping the process under 6 GiB. */
export const DEFAULT_MEMORY_LIMIT = '4GB';

export interface WorkDb {
  conn: DuckDBConnection;
  /** The private folder (0700) holding the database file, spill files and staged tables. */
  work: string;
  /** Closes DuckDB and removes the work folder. */
  close: () => Promise<void>;
}

/**
 * A DuckDB on a database file in a new private folder under `parent` (default: a folder of the
 * system's temporary one), so that its tables can leave memory; removed on close.
 */
export async function openWorkDb(parent: string | undefined, memoryLimit?: string): Promise<WorkDb> {
  const work = parent === undefined ? makeWorkFolder('rafcast-work-') : makeWorkFolder('.rafcast-work-', parent);
  const db = await openDuckDb({ memoryLimit: memoryLimit ?? DEFAULT_MEMORY_LIMIT, tempDirectory: join(work, 'spill'), path: join(work, 'work.duckdb') });
  return {
    conn: db.connection,
    work,
    close: async () => {
      db.close();
      await removeWorkFolder(work);
    },
  };
}

/** The required files, and any optional ones given (contract-files.ts findOptionalDataFiles). */
export type ContractFiles = Record<RequiredTableName, string> & Partial<Record<OptionalTableName, string>>;

/**
 * Loads members, enrollment and claims (in that order: the later ones are checked against the
 * members), then the optional files given (pharmacy, labs, providers), and leaves views of the
 * same names over their staged Parquet copies. Claims carry `_row`, the row's number in its file.
 */
export async function loadStagedContract(
  conn: DuckDBConnection,
  files: ContractFiles,
  work: string,
  opts: {
    maxRejectedShare?: number;
    /** Folder for each file's rejected rows, `<table>.rejected.csv` (default: beside each input). */
    rejectedDir?: string;
    onTable?: (name: RequiredTableName | OptionalTableName) => void;
    /** Every table carries `_row` (default: the claims alone). */
    rowNumbers?: boolean;
  } = {},
): Promise<LoadSummary[]> {
  const loaded: LoadSummary[] = [];
  for (const name of [...REQUIRED_TABLES, ...OPTIONAL_TABLES.filter((t) => files[t] !== undefined)]) {
    opts.onTable?.(name);
    loaded.push(await stageContractTable(conn, name, files[name]!, work, opts));
  }
  return loaded;
}

/**
 * Loads one of the contract's files (loadContractFile: its checks, its quarantine in `rejectedDir`
 * or beside the input), stages its accepted rows as `<work>/<name>.parquet` and leaves a view of
 * the table's name over them. A table that names members needs `members` loaded first.
 */
export async function stageContractTable(
  conn: DuckDBConnection,
  name: TableName,
  file: string,
  work: string,
  opts: { maxRejectedShare?: number | undefined; rejectedDir?: string | undefined; rowNumbers?: boolean | undefined } = {},
): Promise<LoadSummary> {
  const loaded = await loadContractFile(conn, CONTRACT[name], file, {
    maxRejectedShare: opts.maxRejectedShare,
    rejectedDir: opts.rejectedDir,
    withRowNumbers: name === 'claims' || opts.rowNumbers === true,
  });
  const stored = join(work, `${name}.parquet`);
  await copyAtomically(conn, `SELECT * FROM ${name}`, stored, 'parquet', undefined, STAGING_COMPRESSION);
  await unloadContractTable(conn, CONTRACT[name]);
  await conn.run(`CREATE OR REPLACE TEMP VIEW ${name} AS SELECT * FROM read_parquet(${sqlString(stored)})`);
  return loaded;
}

/**
 * True for a table that names no member (providers): a partition writes it whole to every shard
 * (pipelines/partition-pieces.ts) and attachCheckedData reads it from the first folder alone.
 */
export const wholeInEveryShard = (spec: TableSpec): boolean => !spec.fields.some((f) => f.name === 'member_id');

/**
 * The Parquet files of one table in a folder of checked tables (a shard of a queued run,
 * pipelines/partition-pieces.ts): `<dir>/<table>/*.parquet`, in name order, which is their rows' order in
 * the contract's file; undefined when the table's folder is missing.
 */
export function shardTableFiles(dir: string, table: TableName): string[] | undefined {
  const folder = join(dir, table);
  if (!existsSync(folder)) return undefined;
  return readdirSync(folder).filter((f) => f.endsWith('.parquet')).sort().map((f) => join(folder, f));
}

/** The required tables' folders in a folder of checked tables (shardTableFiles). */
export const checkedTableFolders = (dir: string): Record<RequiredTableName, string> =>
  Object.fromEntries(REQUIRED_TABLES.map((t) => [t, join(dir, t)])) as Record<RequiredTableName, string>;

/**
 * Views `members`, `enrollment` and `claims` over Parquet files this product wrote from checked
 * tables (the shards of a queued run, pipelines/partition-pieces.ts), one folder or several read as one:
 * their rows were accepted once and are not checked again. Each table is a folder of files
 * (shardTableFiles) whose rows carry `_row`, their row in the contract's file, which only the
 * claims' view keeps. An optional table (pharmacy, labs, providers) gets its view when every
 * folder has it, and none when no folder has it; one that names no member is read from the first
 * folder (wholeInEveryShard).
 */
export async function attachCheckedData(conn: DuckDBConnection, dirs: readonly string[]): Promise<void> {
  const view = async (name: TableName, files: string[]): Promise<void> => {
    const columns = name === 'claims' ? '*' : '* EXCLUDE (_row)';
    await conn.run(`CREATE OR REPLACE TEMP VIEW ${name} AS SELECT ${columns} FROM read_parquet([${files.map(sqlString).join(', ')}])`);
  };
  for (const name of REQUIRED_TABLES) {
    const files = dirs.map((d) => shardTableFiles(d, name) ?? missing(join(d, name), 'the run\'s partition stage has not finished'));
    await view(name, files.flat());
  }
  for (const name of OPTIONAL_TABLES) {
    const files = dirs.map((d) => shardTableFiles(d, name));
    const present = files.filter((f) => f !== undefined);
    if (present.length === 0) continue;
    const absent = files.findIndex((f) => f === undefined);
    if (absent >= 0) missing(join(dirs[absent]!, name), `other folders have ${name}`);
    await view(name, (wholeInEveryShard(CONTRACT[name]) ? present.slice(0, 1) : present).flat());
  }
}

function missing(path: string, why: string): never {
  throw new ConfigError(`${path} is missing: ${why}`);
}

/**
 * Makes `members`, `enrollment` and `claims` readable on `conn` unless they already are: over
 * checked Parquet folders when given (attachCheckedData), else by loading and checking the
 * contract's files (loadStagedContract, staged in `work`). Returns what loading read.
 */
export async function ensureContractTables(
  conn: DuckDBConnection,
  source: { files: () => ContractFiles; checked?: readonly string[]; work?: string },
): Promise<LoadSummary[]> {
  if ((await existingRelations(conn, ['claims'])).has('claims')) return [];
  if (source.checked !== undefined) {
    await attachCheckedData(conn, source.checked);
    return [];
  }
  if (source.work === undefined) throw new Error('the data is not loaded and no work folder was given');
  return loadStagedContract(conn, source.files(), source.work);
}
