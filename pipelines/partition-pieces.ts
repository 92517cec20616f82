// The partition in parallel (issue 20): the contract's files are cut into pieces (a Parquet file by
// rows, a CSV file by bytes at row ends), each piece's rows are checked on their own and its
// accepted rows split by md5 shard in a job of its own (`partition-piece`), and a merge does what
// spans a whole file (duplicate keys, members, the rejected share, the quarantine file) and writes
// each shard's files in row order: the same bytes as the single pass (shards.ts partitionData).
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { OUTPUT_FILE_MODE } from '../data/atomic-file.ts';
import { CONTRACT, OPTIONAL_TABLES, REQUIRED_TABLES, type TableName, type TableSpec } from '../data/contract.ts';
import { findDataFiles, findOptionalDataFiles } from '../data/contract-files.ts';
import { copyAtomically, openDuckDb, sqlString } from '../data/duckdb.ts';
import { ConfigError, RafcastError } from '../data/errors.ts';
import { checkContractHeader, checkContractRows, findLateRejections, loadContractFile, quarantineRejected, type LoadSummary } from '../data/load-contract-file.ts';
import { quarantinePath } from '../data/quarantine.ts';
import { formatOf } from '../data/record-readers.ts';
import { STAGING_COMPRESSION, openWorkDb, wholeInEveryShard } from '../data/staged-contract.ts';
import { csvHeader, csvRowRanges, scanCsvRows } from '../data/text-rows.ts';
import { forgetTemporaryPath, trackTemporaryPath } from '../data/temporary-files.ts';
import { shardDir } from './run-keys.ts';
import { shardOfSql, writeShardTable, type PartitionSummary } from './shards.ts';

/**
 * Rows per piece: 500,000 (a million members' 20.1M claims are 41 pieces, their 5.2M enrollment
 * rows 11), so that two workers or more share the files evenly and a piece's DuckDB stays small.
 */
export const PIECE_ROWS = 500_000;

/** The share of rejected rows above which a file stops the partition (the single pass's default). */
const MAX_REJECTED_SHARE = 0.5;

/** A piece of a file: its rows (numbered as in the file) and, for a CSV file, their bytes. */
export interface PlannedPiece {
  firstRow: number;
  rows: number;
  /** CSV: the bytes [start, end) of the piece's rows, read after the header's `headerBytes`. */
  bytes?: [number, number];
}

/** How one of the contract's files is partitioned. */
export interface TablePlan {
  table: TableName;
  file: string;
  /**
   * Loaded whole by the merge, as the single pass loads it: a file whose header or structure
   * stops the load (a wrong header, too many unreadable rows), so that it stops in the same
   * place with the same message, after the files before it.
   */
  whole?: true;
  /** CSV: the header's bytes, which each piece's copy starts with. */
  headerBytes?: number;
  pieces: PlannedPiece[];
}

export interface PiecePlan {
  shards: number;
  tables: TablePlan[];
}

/** What a piece job leaves in its folder beside its Parquet files. */
interface PieceResult {
  rows: number;
}

/** The piece's files: its accepted rows of shard k (or of every shard: `all`), and its rejected rows. */
const shardPieceFile = (k: number | 'all'): string => (k === 'all' ? 'all.parquet' : `shard-${String(k).padStart(3, '0')}.parquet`);
const REJECTED_FILE = 'rejected.parquet';
const RESULT_FILE = 'piece.json';

/**
 * Cuts each of the data folder's contract files into pieces of `rowsPerPiece` rows, in the order
 * the single pass loads them (members first: the others are checked against them). A CSV file is
 * scanned on the bytes for its rows' ends; when its unreadable rows alone pass the rejected share,
 * or its header is wrong, it is left whole for the merge, which stops on it as the single pass does.
 */
export async function planPieces(data: string, shards: number, rowsPerPiece = PIECE_ROWS): Promise<PiecePlan> {
  if (!Number.isInteger(shards) || shards < 1 || shards > 999) throw new ConfigError(`--shards must be a whole number from 1 to 999, found ${shards}`);
  const files = { ...findDataFiles(data), ...findOptionalDataFiles(data) };
  const tables: TablePlan[] = [];
  const db = await openDuckDb();
  try {
    for (const table of [...REQUIRED_TABLES, ...OPTIONAL_TABLES.filter((t) => files[t] !== undefined)]) {
      const file = files[table]!;
      try {
        tables.push(await planTable(db.connection, CONTRACT[table], file, rowsPerPiece));
      } catch (e) {
        // The merge loads it whole and stops on it in its turn (a RafcastError: bad input, a file that cannot be read).
        if (!(e instanceof RafcastError)) throw e;
        tables.push({ table, file, whole: true, pieces: [] });
      }
    }
  } finally {
    db.close();
  }
  return { shards, tables };
}

async function planTable(conn: DuckDBConnection, spec: TableSpec, file: string, rowsPerPiece: number): Promise<TablePlan> {
  const table = spec.name as TableName;
  if (formatOf(file) === 'parquet') {
    let rows: number;
    try {
      const desc = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJson();
      checkContractHeader(spec, desc.map((r) => String(r.column_name)), file);
      rows = Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(file)})`)).getRowObjectsJson()[0]!.n);
    } catch (e) {
      if (e instanceof RafcastError) throw e;
      return { table, file, whole: true, pieces: [] };
    }
    const count = Math.max(1, Math.ceil(rows / rowsPerPiece));
    const pieces = Array.from({ length: count }, (_, p) => {
      const firstRow = Math.floor((p * rows) / count) + 1;
      return { firstRow, rows: Math.floor(((p + 1) * rows) / count) + 1 - firstRow };
    });
    return { table, file, pieces };
  }
  const columns = await csvHeader(file);
  checkContractHeader(spec, columns, file);
  // The rejected share's early stop is the whole file's: too many unreadable rows, and the merge stops on it.
  const scan = await scanCsvRows(file, columns.length);
  if (scan.rows > 0 && (scan.emptyRows.length + scan.wrongFieldCounts) / scan.rows > MAX_REJECTED_SHARE) return { table, file, whole: true, pieces: [] };
  const { headerBytes, ranges } = await csvRowRanges(file, rowsPerPiece);
  if (ranges.reduce((a, r) => a + r.rows, 0) !== scan.rows) throw new Error(`${file}: the pieces' rows do not add up to the file's; please report this`);
  return { table, file, headerBytes, pieces: ranges.map((r) => ({ firstRow: r.firstRow, rows: r.rows, bytes: [r.start, r.end] as [number, number] })) };
}

/**
 * Checks one piece's rows on their own (checkContractRows) and writes, to `out` (a new folder),
 * its accepted rows split by md5 shard (`shard-NNN.parquet`, or `all.parquet` for a table that
 * names no member), its rejected rows (`rejected.parquet`) and its row count (`piece.json`).
 * A CSV piece is read from a copy of the header and its rows, made in its private work folder.
 */
export async function checkPiece(plan: PiecePlan, table: TableName, p: number, out: string, scratch: string, memoryLimit?: string): Promise<void> {
  const tp = plan.tables.find((t) => t.table === table);
  const piece = tp?.pieces[p];
  if (tp === undefined || piece === undefined) throw new ConfigError(`the partition's plan has no piece ${p} of ${table}`);
  const spec = CONTRACT[table];
  const db = await openWorkDb(scratch, memoryLimit);
  try {
    let path = tp.file;
    if (piece.bytes !== undefined && tp.pieces.length > 1) {
      path = join(db.work, `piece.csv`);
      await copyCsvPiece(tp.file, tp.headerBytes!, piece.bytes, path);
    }
    const { rows } = await checkContractRows(db.conn, spec, path, {
      quarantine: join(db.work, 'rejected.csv'),
      maxRejectedShare: MAX_REJECTED_SHARE,
      piece: { firstRow: piece.firstRow, rows: piece.rows },
    });
    const t = `_${spec.name}`;
    // Written whole under a temporary name and renamed into place: a stopped piece leaves none half-done.
    const final = out;
    out = `${final}.tmp`;
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true, mode: 0o700 });
    trackTemporaryPath(out);
    await copyAtomically(db.conn, `SELECT row, bad_field AS field, reason FROM ${t}_chk WHERE reason IS NOT NULL UNION ALL SELECT row, field, reason FROM ${t}_structure`, join(out, REJECTED_FILE), 'parquet', undefined, STAGING_COMPRESSION);
    const fields = spec.fields.map((f) => `"${f.name}"`).join(', ');
    // In the checked table's order; the merge orders each shard's rows.
    const accepted = `SELECT row, ${fields} FROM ${t}_chk WHERE reason IS NULL`;
    if (wholeInEveryShard(spec)) await copyAtomically(db.conn, accepted, join(out, shardPieceFile('all')), 'parquet', undefined, STAGING_COMPRESSION);
    else {
      for (let k = 0; k < plan.shards; k++) {
        await copyAtomically(db.conn, `${accepted} AND ${shardOfSql('member_id', plan.shards)} = ${k}`, join(out, shardPieceFile(k)), 'parquet', undefined, STAGING_COMPRESSION);
      }
    }
    const result: PieceResult = { rows };
    await writeFile(join(out, RESULT_FILE), `${JSON.stringify(result)}\n`, { mode: OUTPUT_FILE_MODE });
    await rm(final, { recursive: true, force: true });
    await rename(out, final);
    forgetTemporaryPath(out);
  } finally {
    await db.close();
  }
}

/** Writes the header's bytes and the bytes [start, end) of `src` to `dest` (new, 0600). */
async function copyCsvPiece(src: string, headerBytes: number, [start, end]: [number, number], dest: string): Promise<void> {
  const input = await open(src, 'r');
  const output = await open(dest, 'wx', OUTPUT_FILE_MODE);
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    const copy = async (from: number, to: number): Promise<void> => {
      for (let at = from; at < to; ) {
        const { bytesRead } = await input.read(buf, 0, Math.min(buf.length, to - at), at);
        if (bytesRead === 0) throw new RafcastError('E_INPUT', `${src} became shorter while it was read: run again`);
        for (let w = 0; w < bytesRead; ) w += (await output.write(buf, w, bytesRead - w)).bytesWritten;
        at += bytesRead;
      }
    };
    await copy(0, headerBytes);
    await copy(start, end);
  } finally {
    await input.close();
    await output.close();
  }
}

/**
 * The merge: for each file in the plan's order, the checks that span it (findLateRejections over
 * every piece's accepted rows), its quarantine file (quarantineRejected: the reconciliation, the
 * rejected share), then each shard's folder, written whole under a temporary name and renamed into
 * place, its files in row order. `pieceDir(table, p)` is where the piece's job wrote. A file the
 * plan left whole is loaded here as the single pass loads it.
 */
export async function mergePieces(
  plan: PiecePlan,
  pieceDir: (table: TableName, p: number) => string,
  root: string,
  rejectedDir: string,
  memoryLimit?: string,
): Promise<PartitionSummary> {
  const n = plan.shards;
  await mkdir(root, { recursive: true, mode: 0o700 });
  const db = await openWorkDb(root, memoryLimit);
  const conn = db.conn;
  const list = (files: string[]): string => `[${files.map(sqlString).join(', ')}]`;
  try {
    const loaded: LoadSummary[] = [];
    /** Each table's accepted rows of shard k (row, the fields), by table. */
    const ofShard = new Map<TableName, (k: number) => string>();
    for (const tp of plan.tables) {
      const spec = CONTRACT[tp.table];
      const t = `_${spec.name}`;
      const fields = spec.fields.map((f) => `"${f.name}"`).join(', ');
      if (tp.whole === true) {
        // The single pass's load (it leaves a view of the table's name, `members` for the later files).
        loaded.push(await loadContractFile(conn, spec, tp.file, { rejectedDir, withRowNumbers: true }));
        ofShard.set(tp.table, (k) => `SELECT _row AS row, ${fields} FROM "${spec.name}"${wholeInEveryShard(spec) ? '' : ` WHERE ${shardOfSql('member_id', n)} = ${k}`}`);
        continue;
      }
      const dirs = tp.pieces.map((_, p) => pieceDir(tp.table, p));
      const filesOf = (k: number | 'all'): string[] => dirs.map((d) => join(d, shardPieceFile(k)));
      const accepted = wholeInEveryShard(spec) ? filesOf('all') : Array.from({ length: n }, (_, k) => filesOf(k)).flat();
      for (const f of [...accepted, ...dirs.map((d) => join(d, RESULT_FILE))]) {
        if (!existsSync(f)) throw new ConfigError(`${f} is missing: its piece of the partition has not finished`);
      }
      let rows = 0;
      for (const d of dirs) rows += (JSON.parse(await readFile(join(d, RESULT_FILE), 'utf8')) as PieceResult).rows;
      const candidates = `(SELECT *, hash(${spec.key.map((k) => `"${k}"`).join(', ')}) AS _key_hash FROM read_parquet(${list(accepted)}))`;
      await findLateRejections(conn, spec, candidates, `${t}_late`);
      const count = async (sql: string): Promise<number> => Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${sql}`)).getRowObjectsJson()[0]!.n);
      loaded.push(
        await quarantineRejected(conn, spec, tp.file, {
          rows,
          accepted: (await count(`read_parquet(${list(accepted)})`)) - (await count(`${t}_late`)),
          rejected: `SELECT row, field, reason FROM read_parquet(${list(dirs.map((d) => join(d, REJECTED_FILE)))}) UNION ALL SELECT row, bad_field, reason FROM ${t}_late`,
          quarantine: quarantinePath(spec, tp.file, { rejectedDir }),
          maxShare: MAX_REJECTED_SHARE,
        }),
      );
      const acceptedOf = (files: string[]): string => `SELECT row, ${fields} FROM read_parquet(${list(files)}) WHERE row NOT IN (SELECT row FROM ${t}_late)`;
      // The members the later files are checked against.
      if (tp.table === 'members') await conn.run(`CREATE OR REPLACE TEMP TABLE members AS ${acceptedOf(accepted)}`);
      ofShard.set(tp.table, (k) => acceptedOf(wholeInEveryShard(spec) ? filesOf('all') : filesOf(k)));
    }

    const members: number[] = [];
    const dirs: string[] = [];
    for (let k = 0; k < n; k++) {
      const dir = shardDir(root, k);
      const tmp = `${dir}.tmp`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true, mode: 0o700 });
      trackTemporaryPath(tmp);
      for (const tp of plan.tables) await writeShardTable(conn, CONTRACT[tp.table], ofShard.get(tp.table)!(k), join(tmp, `${tp.table}.parquet`));
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      forgetTemporaryPath(tmp);
      const count = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(join(dir, 'members.parquet'))})`);
      members.push(Number(count.getRowObjectsJson()[0]!.n));
      dirs.push(dir);
    }
    return { shards: n, loaded, members, dirs };
  } finally {
    await db.close();
  }
}
