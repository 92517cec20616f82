// Loads one file of the input contract (data/contract.ts) as a typed DuckDB view: the header
// is checked first (a wrong header stops the run), then every row, in SQL: structure (DuckDB's
// CSV reader stores malformed rows), each field's type and shape, checks across fields,
// duplicate keys, and members the file names but the members file lacks. A bad row goes to
// `<file>.rejected.csv` (file, row, field, reason) and the counts reconcile: read = accepted +
// rejected. Nothing becomes a JavaScript object per row, so ten million claims load in seconds.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlType, type FieldSpec, type TableSpec } from './contract.ts';
import { cleanListPattern, fieldChecks, isList, listValue, typedSourceFits, typedValue } from './contract-field-checks.ts';
import { sqlIdent, sqlString } from './duckdb.ts';
import { open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OUTPUT_FILE_MODE, prepareOutputFolder, temporaryPathFor } from './atomic-file.ts';
import { asIoError, ConfigError, InputError, RafcastError } from './errors.ts';
import { formatOf } from './record-readers.ts';
import { csvHeader, fieldCountReason, ROW_REASONS, scanCsvRows, type CsvRowScan } from './text-rows.ts';
import { DEFAULT_MAX_REJECTED_SHARE, insertRows, quarantinePath, tooManyRejected, writeUnreadableRows } from './quarantine.ts';
import { findLateRejections, quarantineRejected } from './file-checks.ts';

export interface LoadOptions {
  /** The quarantine file itself (default: see rejectedDir). */
  quarantine?: string;
  /** The folder for the quarantine file, `<table>.rejected.csv` (default: `<file>.rejected.csv` beside the input). */
  rejectedDir?: string;
  /** Stop when more than this share of rows is rejected (default DEFAULT_MAX_REJECTED_SHARE, data/quarantine.ts). */
  maxRejectedShare?: number;
  /** Add the row's number in the file as `_row` to the view: a compact key for later joins. */
  withRowNumbers?: boolean;
  /** Format name when the extension does not tell (csv or parquet). */
  format?: string;
}

/**
 * A piece of a file, checked apart from the rest (a parallel partition, pipelines/partition-pieces.ts):
 * its rows are numbered as in the whole file, from `firstRow`. A Parquet piece is the file's rows
 * firstRow to firstRow + rows - 1; a CSV piece is a copy of the header and the piece's rows. The
 * rejected share's early stop on unreadable rows is the whole file's, decided before the pieces.
 */
export interface FilePiece {
  firstRow: number;
  rows: number;
}

export interface LoadSummary {
  table: string;
  file: string;
  read: number;
  accepted: number;
  rejected: number;
  quarantine: string;
  /** Rejected rows by field ('row' for rows that could not be read as rows). */
  rejectedByField: Record<string, number>;
}


/** Checks a header against the contract; returns the wide list columns found (dx1, dx2, ...). */
export function checkContractHeader(spec: TableSpec, columns: readonly string[], file: string): Record<string, string[]> {
  const fail = (reason: string): never => {
    throw new InputError(reason, { file, row: 0 }, 'E_INPUT_HEADER');
  };
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) fail(`the column ${c} appears twice`);
    seen.add(c);
  }
  const wide: Record<string, string[]> = {};
  const known = new Set(spec.fields.map((f) => f.name));
  const unknown: string[] = [];
  for (const c of columns) {
    if (known.has(c)) continue;
    const list = Object.entries(spec.wideLists ?? {}).find(([, prefix]) => new RegExp(`^${prefix}[0-9]+$`).test(c));
    if (list) (wide[list[0]] ??= []).push(c);
    else unknown.push(c);
  }
  const missing = spec.fields.filter((f) => f.required && !seen.has(f.name) && wide[f.name] === undefined).map((f) => f.name);
  const expected = spec.fields.map((f) => (f.required ? f.name : `${f.name} (optional)`)).join(', ');
  if (missing.length > 0) fail(`the header of the ${spec.name} file lacks ${missing.join(', ')}; expected ${expected}`);
  if (unknown.length > 0) fail(`the header of the ${spec.name} file has unknown columns ${unknown.join(', ')}; expected ${expected}`);
  for (const [field, cols] of Object.entries(wide)) {
    if (seen.has(field)) fail(`give ${field} or ${cols.join(', ')}, not both`);
    cols.sort((a, b) => Number(a.replace(/\D+/, '')) - Number(b.replace(/\D+/, '')));
  }
  return wide;
}

/** The column that flags a list already in its stored shape (cleanListPattern): its checks pass at once. */
const clean = (name: string): string => sqlIdent(`__clean_${name}`);

const STRUCTURE_REASONS: Record<string, string> = {
  'UNQUOTED VALUE': ROW_REASONS.unclosedQuote,
  'INVALID UNICODE': ROW_REASONS.notUtf8,
  'INVALID ENCODING': ROW_REASONS.notUtf8,
  'LINE SIZE OVER MAXIMUM': ROW_REASONS.tooLong,
};

/**
 * Loads `path` as `spec.name` on `conn`: a view of the accepted rows, typed, in file order
 * (replacing any earlier one). Claims and enrollment are checked against the `members` already
 * loaded on the same connection.
 */
export async function loadContractFile(
  conn: DuckDBConnection,
  spec: TableSpec,
  path: string,
  opts: LoadOptions = {},
): Promise<LoadSummary> {
  const t = `_${spec.name}`;
  const quarantine = quarantinePath(spec, path, opts);
  const maxShare = opts.maxRejectedShare ?? DEFAULT_MAX_REJECTED_SHARE;
  const { rows } = await checkContractRows(conn, spec, path, { ...opts, quarantine, maxRejectedShare: maxShare });
  // The checks that span the file, on the rows that passed their own: their rejections go into the checked table.
  await findLateRejections(conn, spec, `(SELECT * FROM ${t}_chk WHERE reason IS NULL)`, `${t}_late`);
  await conn.run(`UPDATE ${t}_chk SET bad_field = l.bad_field, reason = l.reason FROM ${t}_late l WHERE ${t}_chk.row = l.row`);
  await conn.run(`DROP TABLE ${t}_late`);

  // The accepted rows, in file order: a view on the checked table rather than another copy.
  await conn.run(
    `CREATE OR REPLACE TEMP VIEW ${sqlIdent(spec.name)} AS
     SELECT ${opts.withRowNumbers ? 'row AS _row, ' : ''}${spec.fields.map((f) => sqlIdent(f.name)).join(', ')} FROM ${t}_chk WHERE reason IS NULL`,
  );
  const accepted = Number(
    (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${sqlIdent(spec.name)}`)).getRowObjectsJson()[0]!.n,
  );
  try {
    return await quarantineRejected(conn, spec, path, {
      rows,
      accepted,
      rejected: `SELECT row, bad_field AS field, reason FROM ${t}_chk WHERE reason IS NOT NULL UNION ALL SELECT row, field, reason FROM ${t}_structure`,
      quarantine,
      maxShare,
    });
  } catch (e) {
    if (e instanceof RafcastError && e.code === 'E_TOO_MANY_REJECTED') await conn.run(`DROP VIEW IF EXISTS ${sqlIdent(spec.name)}; DROP TABLE IF EXISTS ${t}_chk`);
    throw e;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${t}_structure`);
  }
}

/**
 * The checks of each row on its own (structure, each field, checks across fields) of `path`, or
 * of a piece of it: leaves `_<name>_chk` (row, the typed fields, `_key_hash`, and `bad_field` and
 * `reason` for a row that failed) and `_<name>_structure` (row, field '', reason: the rows that are
 * not rows). The checks that span the file are findLateRejections'.
 */
export async function checkContractRows(
  conn: DuckDBConnection,
  spec: TableSpec,
  path: string,
  opts: LoadOptions & { quarantine: string; maxRejectedShare: number; piece?: FilePiece },
): Promise<{ rows: number }> {
  const format = formatOf(path, opts.format);
  if (format === 'jsonl') throw new ConfigError(`the ${spec.name} file must be CSV or Parquet: ${path}`);
  const t = `_${spec.name}`;
  const raw = `${t}_raw`;
  const quarantine = opts.quarantine;
  await prepareOutputFolder(dirname(quarantine), 'the folder for rejected rows');
  const { columns, wide, rows, source, typedSource, listSource } = await readRaw(conn, spec, path, format, raw, { maxShare: opts.maxRejectedShare, quarantine }, opts.piece);

  // Text in v_<field> (trimmed, NULL when blank; wide lists joined into one "|" list), typed
  // value in <field>: each computed once, the checks read both.
  const v = (name: string): string => sqlIdent(`v_${name}`);
  const text = spec.fields.map((f) => {
    const cols = wide[f.name];
    if (cols) {
      return `nullif(array_to_string(list_filter([${cols.map((c) => `trim(${sqlIdent(c)})`).join(', ')}], x -> coalesce(x, '') <> ''), '|'), '') AS ${v(f.name)}`;
    }
    if (typedSource.has(f.name)) return `${sqlIdent(f.name)} AS ${v(f.name)}`;
    if (!columns.includes(f.name)) return `NULL::VARCHAR AS ${v(f.name)}`;
    let extra = '';
    if (isList(f)) {
      // Clean when the list is already as it is stored (upper-case, undotted, unpadded, no empty
      // or missing code) and every code has its shape: one match settles such a row's checks.
      const l = sqlIdent(`__list_${f.name}`);
      const complete = listSource.has(f.name) ? ` AND len(${l}) = list_count(${l})` : '';
      extra = `${listSource.has(f.name) ? `, ${l}` : ''}, (regexp_full_match(${sqlIdent(f.name)}, '${cleanListPattern(f.type)}')${complete}) AS ${clean(f.name)}`;
    }
    return `nullif(trim(${sqlIdent(f.name)}), '') AS ${v(f.name)}${extra}`;
  });
  // Wide columns are joined after trimming, so they always take the full checks.
  const cleanOf = (f: FieldSpec): string | undefined => (isList(f) && !wide[f.name] && columns.includes(f.name) ? clean(f.name) : undefined);
  const checks = spec.fields.flatMap((f) =>
    fieldChecks(f, v(f.name), sqlIdent(f.name), typedSource.has(f.name), cleanOf(f)).map(([bad, reason]) => ({ field: f.name, bad, reason })),
  );
  for (const c of spec.crossChecks) checks.push({ field: c.field, bad: c.badWhen, reason: sqlString(c.reason) });
  // The first failing check by number, each condition evaluated once; field and reason from it.
  // A clean list is stored as it came (a Parquet list) or split as it is (text).
  const stored = (f: FieldSpec): string => {
    // An optional field's default stands for a blank value or an absent column (after its checks).
    if (f.default !== undefined) return `CASE WHEN bad IS NOT NULL THEN NULL ELSE coalesce(${sqlIdent(f.name)}, ${sqlString(f.default)}) END`;
    if (!isList(f)) return sqlIdent(f.name);
    const c = cleanOf(f);
    const asItCame = c === undefined ? '' : `WHEN ${c} THEN ${listSource.has(f.name) ? sqlIdent(`__list_${f.name}`) : `string_split(${sqlIdent(f.name)}, '|')`} `;
    return `CASE WHEN bad IS NOT NULL THEN NULL ${asItCame}ELSE ${listValue(sqlIdent(f.name))} END`;
  };
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${t}_chk AS
     SELECT row, ${spec.fields.map((f) => `${stored(f)}::${sqlType(f)} AS ${sqlIdent(f.name)}`).join(', ')},
            hash(${spec.key.map(sqlIdent).join(', ')}) AS _key_hash,
            CASE bad ${checks.map((c, k) => `WHEN ${k} THEN ${sqlString(c.field)}`).join(' ')} END AS bad_field,
            CASE bad ${checks.map((c, k) => `WHEN ${k} THEN ${c.reason}`).join(' ')} END AS reason
     FROM (SELECT *, CASE ${checks.map((c, k) => `WHEN ${c.bad} THEN ${k}`).join(' ')} END AS bad
           FROM (SELECT *, ${spec.fields
             .map((f) => `${typedSource.has(f.name) ? `${v(f.name)}::${sqlType(f)}` : typedValue(f, v(f.name))} AS ${sqlIdent(f.name)}`)
             .join(', ')}
                 FROM (SELECT _row AS row, ${text.join(', ')} FROM ${source})))`,
  );
  await conn.run(`DROP TABLE IF EXISTS ${raw}; DROP TABLE IF EXISTS ${raw}_rows`);
  return { rows };
}

/** Drops a table loaded by loadContractFile (its view and the checked rows under it), freeing their memory. */
export async function unloadContractTable(conn: DuckDBConnection, spec: TableSpec): Promise<void> {
  await conn.run(`DROP VIEW IF EXISTS ${sqlIdent(spec.name)}; DROP TABLE IF EXISTS _${spec.name}_chk`);
}

/**
 * The file's rows as text with their numbers in _row, as a query to select from (CSV rows are
 * read into `raw` first, for DuckDB's rejects and the numbering); the rows that are not rows
 * (malformed, empty) go to the `_<name>_structure` table with their reasons.
 */
async function readRaw(
  conn: DuckDBConnection,
  spec: TableSpec,
  path: string,
  format: 'csv' | 'parquet',
  raw: string,
  limits: { maxShare: number; quarantine: string },
  piece?: FilePiece,
): Promise<{
  columns: string[];
  wide: Record<string, string[]>;
  rows: number;
  source: string;
  /** Fields whose Parquet column has the field's type already. */
  typedSource: Set<string>;
  /** Fields read from a Parquet list column (kept as __list_<field> beside the text). */
  listSource: Set<string>;
}> {
  const structure = `_${spec.name}_structure`;
  if (format === 'parquet') {
    let desc: Record<string, unknown>[];
    try {
      desc = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).getRowObjectsJson();
    } catch (e) {
      throw new InputError(`cannot read Parquet: ${(e as Error).message}`, { file: path });
    }
    const columns = desc.map((r) => String(r.column_name));
    const wide = checkContractHeader(spec, columns, path);
    const typedSource = new Set<string>();
    const listSource = new Set<string>();
    const select = desc.map((r) => {
      const column = String(r.column_name);
      const type = String(r.column_type);
      const name = sqlIdent(column);
      const field = spec.fields.find((f) => f.name === column);
      if (type.endsWith('[]')) {
        if (field !== undefined) listSource.add(column);
        return `array_to_string(${name}, '|') AS ${name}${field !== undefined ? `, ${name} AS ${sqlIdent(`__list_${column}`)}` : ''}`;
      }
      if (field !== undefined && typedSourceFits(field, type)) {
        typedSource.add(column);
        return name;
      }
      return `${name}::VARCHAR AS ${name}`;
    });
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${structure} (row BIGINT, field VARCHAR, reason VARCHAR)`);
    // Read in the same scan as the checks: Parquet rows carry their own numbers (a piece: its range of them).
    const range = piece === undefined ? '' : ` WHERE file_row_number BETWEEN ${piece.firstRow - 1} AND ${piece.firstRow + piece.rows - 2}`;
    const source = `(SELECT file_row_number + 1 AS _row, ${select.join(', ')} FROM read_parquet(${sqlString(path)}, file_row_number = true)${range})`;
    if (piece !== undefined) return { columns, wide, rows: piece.rows, source, typedSource, listSource };
    const count = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(path)})`);
    return { columns, wide, rows: Number(count.getRowObjectsJson()[0]!.n), source, typedSource, listSource };
  }

  let columns: string[];
  try {
    columns = await csvHeader(path);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw asIoError(e, 'cannot read', path);
  }
  const wide = checkContractHeader(spec, columns, path);
  const scan = await scanCsvRows(path, columns.length);
  // The rows that cannot be rows are known from the scan alone: when they are already too many,
  // stop before DuckDB reads the file (a large file of garbage would cost minutes and gigabytes).
  // (A piece: the whole file's rows were counted so before it; pipelines/partition-pieces.ts.)
  if (piece === undefined) await refuseUnreadableRows(path, columns.length, scan, limits);
  else if (scan.rows !== piece.rows) throw new RafcastError('E_INPUT', `${path}: a piece of ${piece.rows} rows holds ${scan.rows}; please report this`);
  // Rows of the wrong field count are known by number from the scan: DuckDB records a rejected
  // row slowly (about 50 us each, 100,000 garbage lines took 20 s), so it reads a copy without
  // them (and without the empty rows), made beside the quarantine file and removed after.
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${structure} (row BIGINT, field VARCHAR, reason VARCHAR)`);
  await insertRows(conn, structure, scan.emptyRows, () => ROW_REASONS.empty);
  let readPath = path;
  let copy: string | undefined;
  try {
    if (scan.wrongFieldCounts > 0) {
      copy = temporaryPathFor(limits.quarantine);
      const wrong: number[] = [];
      const why: string[] = [];
      const fh = await open(copy, 'wx', OUTPUT_FILE_MODE).catch((e: unknown) => {
        throw asIoError(e, 'cannot write a temporary copy of the readable rows to', copy);
      });
      try {
        await scanCsvRows(path, columns.length, (row, reason) => void (wrong.push(row), why.push(reason)), async (bytes) => {
          for (let at = 0; at < bytes.length; ) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
        });
      } catch (e) {
        throw asIoError(e, 'cannot write a temporary copy of the readable rows to', copy);
      } finally {
        await fh.close();
      }
      await insertRows(conn, structure, wrong, (k) => why[k]!);
      readPath = copy;
    }
    // The rows DuckDB reads, numbered from 1 in the file it reads, and their rows in the input.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${raw}_read AS
       SELECT row_number() OVER (ORDER BY r) AS j, r AS row FROM range(1, ${scan.rows + 1}) t(r)
       WHERE r NOT IN (SELECT row FROM ${structure})`,
    );
    const toRead = scan.rows - scan.emptyRows.length - scan.wrongFieldCounts;
    const types = columns.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ');
    // DuckDB's parallel reader can stop recording rejected rows on a file with many of them (of
    // 100,000 garbage lines it recorded 85,038 in DuckDB 1.5): the rows it read and rejected must
    // add up to the rows given, else the file is read again by one thread, which records every one.
    for (const parallel of [true, false]) {
      await conn.run(`DROP TABLE IF EXISTS ${raw}_rej; DROP TABLE IF EXISTS ${raw}_scan`);
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT * FROM read_csv(${sqlString(readPath)}, auto_detect = false, header = true,
           delim = ',', quote = '"', escape = '"', strict_mode = true, columns = {${types}}, parallel = ${parallel},
           store_rejects = true, rejects_table = '${raw}_rej', rejects_scan = '${raw}_scan')`,
      );
      const seen = await conn.runAndReadAll(
        `SELECT ((SELECT count(*) FROM ${raw}) + (SELECT count(DISTINCT line) FROM ${raw}_rej))::BIGINT AS n`,
      );
      if (Number(seen.getRowObjectsJson()[0]!.n) === toRead) break;
    }
  } finally {
    if (copy !== undefined) await unlink(copy).catch(() => undefined);
  }
  // DuckDB numbers a rejected row by its record in the file it read, the header being record 1.
  const reasons = Object.entries(STRUCTURE_REASONS)
    .map(([type, reason]) => `WHEN error_type = ${sqlString(type)} THEN ${sqlString(reason)}`)
    .join(' ');
  await conn.run(
    `INSERT INTO ${structure}
     SELECT n.row, '' AS field,
       CASE WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')
            THEN ${sqlString(fieldCountReason(columns.length, ''))} || regexp_extract(error_message, 'Found: ([0-9]+)', 1)
            ${reasons} ELSE error_message END AS reason
     FROM (SELECT line, first(error_type ORDER BY column_idx) AS error_type, first(error_message ORDER BY column_idx) AS error_message
           FROM ${raw}_rej GROUP BY line) e JOIN ${raw}_read n ON n.j = e.line - 1`,
  );
  // Accepted rows fill, in order, the row numbers not rejected.
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${raw}_rows AS
     SELECT row_number() OVER (ORDER BY r) - 1 AS k, r AS row FROM range(1, ${scan.rows + 1}) t(r)
     WHERE r NOT IN (SELECT row FROM ${structure})`,
  );
  await conn.run(`DROP TABLE IF EXISTS ${raw}_rej; DROP TABLE IF EXISTS ${raw}_scan; DROP TABLE IF EXISTS ${raw}_read`);
  // A piece's rows are numbered as in the whole file.
  const offset = piece === undefined ? 0 : piece.firstRow - 1;
  if (offset > 0) await conn.run(`UPDATE ${structure} SET row = row + ${offset}`);
  const source = `(SELECT n.row + ${offset} AS _row, t.* FROM (SELECT rowid AS k, * FROM ${raw}) t JOIN ${raw}_rows n USING (k))`;
  return { columns, wide, rows: scan.rows, source, typedSource: new Set(), listSource: new Set() };
}

/**
 * The rejected share's early stop: when the rows that cannot even be read as rows (empty, or a
 * wrong number of fields: `scan`, scanCsvRows of the whole file) are already more than the share,
 * their quarantine file is written and the load stops before DuckDB reads the file (a large file
 * of garbage would cost minutes and gigabytes).
 */
export async function refuseUnreadableRows(path: string, fields: number, scan: CsvRowScan, limits: { maxShare: number; quarantine: string }): Promise<void> {
  const unreadable = scan.emptyRows.length + scan.wrongFieldCounts;
  if (!(scan.rows > 0 && unreadable / scan.rows > limits.maxShare)) return;
  await writeUnreadableRows(path, fields, scan.emptyRows, limits.quarantine);
  throw tooManyRejected(`at least ${unreadable}`, scan.rows, path, limits.maxShare, limits.quarantine, 'cannot be read as rows; the others were not checked');
}
