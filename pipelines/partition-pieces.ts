// The partition (issue 20): the contract's files are cut into pieces (a Parquet file by rows, a
// CSV file by bytes at row ends), each piece's rows are checked on their own and its accepted rows
// split by md5 shard in a job of its own (`partition-piece`), into files in the shards' own form;
// a merge does what spans a whole file (duplicate keys, members, the rejected share, the quarantine
// file) and links the pieces' files into each shard's folders: the loader's accepted and rejected
// rows (`rafcast load`, data/load-contract-file.ts), each shard's in the file's order.
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { OUTPUT_FILE_MODE } from '../data/atomic-file.ts';
import { CONTRACT, OPTIONAL_TABLES, REQUIRED_TABLES, type TableName, type TableSpec } from '../data/contract.ts';
import { findDataFiles, findOptionalDataFiles } from '../data/contract-files.ts';
import { copyAtomically, openDuckDb, sqlString } from '../data/duckdb.ts';
import { ConfigError, RafcastError } from '../data/errors.ts';
import { checkContractHeader, checkContractRows, loadContractFile, type LoadSummary } from '../data/load-contract-file.ts';
import { findLateRejections, quarantineRejected } from '../data/file-checks.ts';
import { DEFAULT_MAX_REJECTED_SHARE, quarantinePath } from '../data/quarantine.ts';
import { formatOf } from '../data/record-readers.ts';
import { STAGING_COMPRESSION, openWorkDb, shardTableFiles, wholeInEveryShard } from '../data/staged-contract.ts';
import { csvHeader, csvRowRanges, scanCsvRows } from '../data/text-rows.ts';
import { forgetTemporaryPath, makeWorkFolder, removeWorkFolder, trackTemporaryPath } from '../data/temporary-files.ts';
import { shardDir } from './run-keys.ts';
import { shardOfSql, writeShardTable, type PartitionSummary } from './shards.ts';

/**
 * Rows per piece: 500,000 (the bench's 1,000,000-member plan cuts into 399 pieces, its claims into
 * 46, its enrollment into 11), so that two workers or more share the files evenly and a piece's
 * DuckDB stays small (the largest piece took 4-5 CPU-seconds at 1,000,000 and 5,000,000 members).
 * Each shard's tables hold one file per piece: at 5,000,000 members in 20 shards, 572 files a shard.
 */
export const PIECE_ROWS = 500_000;


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
  if (scan.rows > 0 && (scan.emptyRows.length + scan.wrongFieldCounts) / scan.rows > DEFAULT_MAX_REJECTED_SHARE) return { table, file, whole: true, pieces: [] };
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
      maxRejectedShare: DEFAULT_MAX_REJECTED_SHARE,
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
    // The piece's accepted rows of each shard, in the shards' own form: the merge links these
    // files into the shards' folders, writing again only one holding a row it rejects.
    const accepted = `SELECT * FROM ${t}_chk WHERE reason IS NULL`;
    if (wholeInEveryShard(spec)) await writeShardTable(db.conn, spec, accepted, join(out, shardPieceFile('all')));
    else if (plan.shards === 1) await writeShardTable(db.conn, spec, accepted, join(out, shardPieceFile(0)));
    else {
      // Each row's shard computed once (an MD5 a row), which each shard's copy filters on an
      // integer: hashing every row once per shard cost as much again as the checks at 16 shards.
      await db.conn.run(`CREATE TEMP TABLE _by_shard AS SELECT *, ${shardOfSql('member_id', plan.shards)} AS _shard FROM (${accepted})`);
      for (let k = 0; k < plan.shards; k++) await writeShardTable(db.conn, spec, `SELECT * FROM _by_shard WHERE _shard = ${k}`, join(out, shardPieceFile(k)));
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
 * every piece's accepted rows: duplicate keys, members), its quarantine file (quarantineRejected:
 * the reconciliation, the rejected share), then each shard's folder, made whole under a temporary
 * name and renamed into place. A shard's table is the pieces' files of that shard, in the pieces'
 * order (so in the file's row order), linked rather than copied: only a file holding a row these
 * checks reject is written again, without it. `pieceDir(table, p)` is where the piece's job wrote.
 * A file the plan left whole is loaded here as `rafcast load` loads it.
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
  const count = async (sql: string): Promise<number> => Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${sql}`)).getRowObjectsJson()[0]!.n);
  // Files written here (a table loaded whole, a piece's file less its late rejections): the
  // shards link them before the work folder goes.
  const written = join(db.work, 'written');
  await mkdir(written, { mode: 0o700 });
  let files = 0;
  const newFile = (): string => join(written, `${files++}.parquet`);
  try {
    const loaded: LoadSummary[] = [];
    /** Each table's files of shard k, in row order. */
    const ofShard = new Map<TableName, (k: number) => string[]>();
    for (const tp of plan.tables) {
      const spec = CONTRACT[tp.table];
      const t = `_${spec.name}`;
      if (tp.whole === true) {
        // The load of `rafcast load` (it leaves a view of the table's name, `members` for the later files).
        loaded.push(await loadContractFile(conn, spec, tp.file, { rejectedDir, withRowNumbers: true }));
        const rows = `SELECT * RENAME (_row AS row) FROM "${spec.name}"`;
        if (wholeInEveryShard(spec) || n === 1) {
          const f = newFile();
          await writeShardTable(conn, spec, rows, f);
          ofShard.set(tp.table, () => [f]);
        } else {
          await conn.run(`CREATE OR REPLACE TEMP TABLE ${t}_by_shard AS SELECT *, ${shardOfSql('member_id', n)} AS _shard FROM (${rows})`);
          const byShard: string[] = [];
          for (let k = 0; k < n; k++) {
            byShard.push(newFile());
            await writeShardTable(conn, spec, `SELECT * FROM ${t}_by_shard WHERE _shard = ${k}`, byShard[k]!);
          }
          ofShard.set(tp.table, (k) => [byShard[k]!]);
        }
        continue;
      }
      const dirs = tp.pieces.map((_, p) => pieceDir(tp.table, p));
      const pieceFiles = (k: number): string[] => dirs.map((d) => join(d, shardPieceFile(wholeInEveryShard(spec) ? 'all' : k)));
      const accepted = wholeInEveryShard(spec) ? pieceFiles(0) : Array.from({ length: n }, (_, k) => pieceFiles(k)).flat();
      for (const f of [...accepted, ...dirs.map((d) => join(d, RESULT_FILE))]) {
        if (!existsSync(f)) throw new ConfigError(`${f} is missing: its piece of the partition has not finished`);
      }
      let rows = 0;
      for (const d of dirs) rows += (JSON.parse(await readFile(join(d, RESULT_FILE), 'utf8')) as PieceResult).rows;
      const candidates = `(SELECT * RENAME (_row AS row), hash(${spec.key.map((k) => `"${k}"`).join(', ')}) AS _key_hash FROM read_parquet(${list(accepted)}))`;
      await findLateRejections(conn, spec, candidates, `${t}_late`);
      const late = await count(`${t}_late`);
      loaded.push(
        await quarantineRejected(conn, spec, tp.file, {
          rows,
          accepted: (await count(`read_parquet(${list(accepted)})`)) - late,
          rejected: `SELECT row, field, reason FROM read_parquet(${list(dirs.map((d) => join(d, REJECTED_FILE)))}) UNION ALL SELECT row, bad_field, reason FROM ${t}_late`,
          quarantine: quarantinePath(spec, tp.file, { rejectedDir }),
          maxShare: DEFAULT_MAX_REJECTED_SHARE,
        }),
      );
      // A file holding a row rejected here is written again without it (usually there is none).
      const replaced = new Map<string, string>();
      if (late > 0) {
        const hit = (await conn.runAndReadAll(`SELECT DISTINCT filename AS f FROM read_parquet(${list(accepted)}, filename = true) WHERE _row IN (SELECT row FROM ${t}_late)`)).getRowObjectsJson();
        for (const { f } of hit) {
          const again = newFile();
          await copyAtomically(conn, `SELECT * FROM read_parquet(${sqlString(String(f))}) WHERE _row NOT IN (SELECT row FROM ${t}_late) ORDER BY _row`, again, 'parquet');
          replaced.set(String(f), again);
        }
      }
      const ofK = (k: number): string[] => pieceFiles(k).map((f) => replaced.get(f) ?? f);
      // The members the later files are checked against.
      if (tp.table === 'members') await conn.run(`CREATE OR REPLACE TEMP TABLE members AS SELECT * EXCLUDE (_row) FROM read_parquet(${list(Array.from({ length: n }, (_, k) => ofK(k)).flat())})`);
      ofShard.set(tp.table, ofK);
    }

    const members: number[] = [];
    const dirs: string[] = [];
    for (let k = 0; k < n; k++) {
      const dir = shardDir(root, k);
      const tmp = `${dir}.tmp`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true, mode: 0o700 });
      trackTemporaryPath(tmp);
      for (const tp of plan.tables) {
        await mkdir(join(tmp, tp.table), { mode: 0o700 });
        const from = ofShard.get(tp.table)!(k);
        for (let i = 0; i < from.length; i++) await linkOrCopy(from[i]!, join(tmp, tp.table, `${String(i).padStart(5, '0')}.parquet`));
      }
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      forgetTemporaryPath(tmp);
      members.push(await count(`read_parquet(${list(shardTableFiles(dir, 'members')!)})`));
      dirs.push(dir);
    }
    return { shards: n, loaded, members, dirs };
  } finally {
    await db.close();
  }
}

/** A second name for a file (a hard link: no copy, and the file outlives its folder); a copy across file systems. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw e;
    await copyFile(from, to);
  }
}

/**
 * The whole partition in this process (tests, scripts): the plan, its pieces one after another in
 * a work folder under `root`, then the merge. A run's flow runs the pieces as jobs of their own.
 */
export async function partitionData(data: string, root: string, shards: number, opts: { rejectedDir?: string; rowsPerPiece?: number; memoryLimit?: string } = {}): Promise<PartitionSummary> {
  const plan = await planPieces(data, shards, opts.rowsPerPiece);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const work = makeWorkFolder('.rafcast-pieces-', root);
  try {
    const dir = (t: TableName, p: number): string => join(work, `${t}-${p}`);
    for (const t of plan.tables) for (let p = 0; p < t.pieces.length; p++) await checkPiece(plan, t.table, p, dir(t.table, p), work, opts.memoryLimit);
    return await mergePieces(plan, dir, root, opts.rejectedDir ?? root, opts.memoryLimit);
  } finally {
    await removeWorkFolder(work);
  }
}
