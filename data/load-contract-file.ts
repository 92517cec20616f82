// Loads one file of the input contract (data/contract.ts) into a typed DuckDB table: the header
// is checked first (a wrong header stops the run), then every row, in SQL: structure (DuckDB's
// CSV reader stores malformed rows), each field's type and shape, checks across fields,
// duplicate keys, and members the file names but the members file lacks. A bad row goes to
// `<file>.rejected.csv` (file, row, field, reason) and the counts reconcile: read = accepted +
// rejected. Nothing becomes a JavaScript object per row, so ten million claims load in seconds.
import { chmod, rename, unlink } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { OUTPUT_FILE_MODE, temporaryPathFor } from './atomic-file.ts';
import { EARLIEST_DATE, LATEST_DATE, sqlType, type FieldSpec, type TableSpec } from './contract.ts';
import { sqlString } from './duckdb.ts';
import { ConfigError, InputError, RafcastError } from './errors.ts';
import { csvHeader, formatOf, scanCsvRows } from './record-readers.ts';

export interface LoadOptions {
  /** Default `<file>.rejected.csv`. */
  quarantine?: string;
  /** Stop when more than this share of rows is rejected (default 0.5). */
  maxRejectedShare?: number;
  /** Format name when the extension does not tell (csv or parquet). */
  format?: string;
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

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

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

/** A value quoted for a reason, cut to 40 characters. */
const shown = (v: string): string => `'"' || left(${v}, 40) || '"'`;

/** The field's checks in order: [bad when, reason] as SQL on its trimmed text `v` (NULL if blank). */
function fieldChecks(f: FieldSpec, v: string): [string, string][] {
  const checks: [string, string][] = [];
  if (f.required) checks.push([`${v} IS NULL`, `'is required'`]);
  const found = f.phi ? `''` : `', found ' || ${shown(v)}`;
  switch (f.type) {
    case 'id':
    case 'text':
      checks.push([`length(${v}) > 64`, `'is longer than 64 characters'`]);
      break;
    case 'date':
      checks.push([
        `NOT regexp_full_match(${v}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') OR TRY_CAST(${v} AS DATE) IS NULL`,
        `'expected a date YYYY-MM-DD' || ${found}`,
      ]);
      checks.push([
        `TRY_CAST(${v} AS DATE) NOT BETWEEN DATE '${EARLIEST_DATE}' AND DATE '${LATEST_DATE}'`,
        `'expected a date from ${EARLIEST_DATE} to ${LATEST_DATE}' || ${found}`,
      ]);
      break;
    case 'int':
      checks.push([`NOT regexp_full_match(${v}, '-?[0-9]{1,9}')`, `'expected a whole number' || ${found}`]);
      checks.push([
        `TRY_CAST(${v} AS INTEGER) NOT BETWEEN ${f.min ?? -1e9} AND ${f.max ?? 1e9}`,
        `'expected a whole number from ${f.min} to ${f.max}' || ${found}`,
      ]);
      break;
    case 'amount':
      checks.push([
        `NOT regexp_full_match(${v}, '-?[0-9]{1,12}(\\.[0-9]{1,2})?')`,
        `'expected an amount in dollars such as 182.40' || ${found}`,
      ]);
      if (f.min !== undefined) checks.push([`TRY_CAST(${v} AS DECIMAL(14,2)) < ${f.min}`, `'is negative' || ${found}`]);
      break;
    case 'enum':
      checks.push([
        `lower(${v}) NOT IN (${f.values!.map((x) => sqlString(x.toLowerCase())).join(', ')})`,
        `'expected one of ${f.values!.join(', ')}' || ${found}`,
      ]);
      break;
    case 'bool':
      checks.push([
        `lower(${v}) NOT IN ('true', 'false', 't', 'f', '1', '0', 'y', 'n', 'yes', 'no')`,
        `'expected true or false' || ${found}`,
      ]);
      break;
    case 'bill-type':
      checks.push([`NOT regexp_full_match(${v}, '0?[0-9]{3}')`, `'expected a 3-digit type of bill' || ${found}`]);
      break;
    case 'npi':
      checks.push([`NOT regexp_full_match(${v}, '[0-9]{10}')`, `'expected a 10-digit NPI' || ${found}`]);
      break;
    case 'icd10cm-list':
    case 'cpt-hcpcs-list': {
      const pattern = f.type === 'icd10cm-list' ? '[A-Z][0-9][0-9A-Z]{1,5}' : '[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}';
      const what = f.type === 'icd10cm-list' ? 'an ICD-10-CM code' : 'a CPT/HCPCS code';
      const bad = `list_filter(${listOf(v)}, x -> NOT regexp_full_match(x, '${pattern}'))`;
      if (f.required) checks.push([`len(${listOf(v)}) = 0`, `'is required'`]);
      checks.push([`len(${bad}) > 0`, `'not ${what}: ' || ${shown(`${bad}[1]`)}`]);
      break;
    }
  }
  // A check on a blank optional value never fails: NULL comparisons are not true.
  return checks.map(([bad, reason]) => [f.required ? bad : `${v} IS NOT NULL AND (${bad})`, reason]);
}

/** A "|"-separated code list, normalised as CMS keys codes: trimmed, upper-case, no dots. */
function listOf(v: string): string {
  return `list_filter(list_transform(string_split(coalesce(${v}, ''), '|'), x -> upper(replace(trim(x), '.', ''))), x -> x <> '')`;
}

/** The field's value once valid, as its SQL type. */
function typedValue(f: FieldSpec, v: string): string {
  switch (f.type) {
    case 'date':
      return `TRY_CAST(${v} AS DATE)`;
    case 'int':
      return `TRY_CAST(${v} AS INTEGER)`;
    case 'amount':
      return `TRY_CAST(${v} AS DECIMAL(14,2))`;
    case 'enum':
      return `CASE lower(${v}) ${f.values!.map((x) => `WHEN ${sqlString(x.toLowerCase())} THEN ${sqlString(x)}`).join(' ')} END`;
    case 'bool':
      return `CASE WHEN lower(${v}) IN ('true', 't', '1', 'y', 'yes') THEN true WHEN lower(${v}) IN ('false', 'f', '0', 'n', 'no') THEN false END`;
    case 'bill-type':
      return `right(${v}, 3)`;
    case 'icd10cm-list':
    case 'cpt-hcpcs-list':
      return listOf(v);
    default:
      return v;
  }
}

const STRUCTURE_REASONS: Record<string, string> = {
  'UNQUOTED VALUE': 'a quote is not closed',
  'INVALID UNICODE': 'not valid UTF-8 text',
  'LINE SIZE OVER MAXIMUM': 'the row is longer than the reader accepts',
};

/**
 * Loads `path` into the table `spec.name` (replacing it) on `conn`. Claims and enrollment are
 * checked against a `members` table already loaded on the same connection.
 */
export async function loadContractFile(
  conn: DuckDBConnection,
  spec: TableSpec,
  path: string,
  opts: LoadOptions = {},
): Promise<LoadSummary> {
  const format = formatOf(path, opts.format);
  if (format === 'jsonl') throw new ConfigError(`the ${spec.name} file must be CSV or Parquet: ${path}`);
  const t = `_${spec.name}`;
  const raw = `${t}_raw`;
  const { columns, wide, rowSql, emptyRows, rows } = await readRaw(conn, spec, path, format, raw);

  // Each field's trimmed text (NULL when blank); wide lists joined into one "|" list.
  const text = spec.fields.map((f) => {
    const cols = wide[f.name];
    if (cols) {
      return `nullif(array_to_string(list_filter([${cols.map((c) => `trim(${ident(c)})`).join(', ')}], x -> coalesce(x, '') <> ''), '|'), '') AS ${ident(f.name)}`;
    }
    return columns.includes(f.name) ? `nullif(trim(${ident(f.name)}), '') AS ${ident(f.name)}` : `NULL::VARCHAR AS ${ident(f.name)}`;
  });
  const checks = spec.fields.flatMap((f) => fieldChecks(f, ident(f.name)).map(([bad, reason]) => ({ field: f.name, bad, reason })));
  // Checks across fields run on the typed values, after every field's own checks.
  const typedNames = Object.fromEntries(spec.fields.map((f) => [f.name, typedValue(f, ident(f.name))]));
  for (const c of spec.crossChecks) {
    let bad = c.badWhen;
    for (const [name, expr] of Object.entries(typedNames)) bad = bad.replace(new RegExp(`\\b${name}\\b`, 'g'), `(${expr})`);
    checks.push({ field: c.field, bad, reason: sqlString(c.reason) });
  }
  const firstFailing = (pick: 'field' | 'reason'): string =>
    `CASE ${checks.map((c) => `WHEN ${c.bad} THEN ${pick === 'field' ? sqlString(c.field) : c.reason}`).join(' ')} END`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${t}_chk AS
     SELECT row, ${spec.fields.map((f) => `${typedNames[f.name]} AS ${ident(f.name)}`).join(', ')},
            ${firstFailing('field')} AS bad_field, ${firstFailing('reason')} AS reason
     FROM (SELECT ${rowSql} AS row, ${text.join(', ')} FROM ${raw})`,
  );
  // Duplicate keys: the first row keeps the key, the later ones are rejected.
  const key = spec.key.map(ident).join(', ');
  await conn.run(
    `UPDATE ${t}_chk SET bad_field = ${sqlString(spec.key[spec.key.length - 1]!)},
       reason = 'duplicate ${spec.key.join(' and ')} (first at row ' || d.first_row || ')'
     FROM (SELECT row AS r, first_value(row) OVER w AS first_row, row_number() OVER w AS n
           FROM ${t}_chk WHERE reason IS NULL WINDOW w AS (PARTITION BY ${key} ORDER BY row)) d
     WHERE ${t}_chk.row = d.r AND d.n > 1`,
  );
  if (spec.referencesMembers) {
    const members = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'members'`);
    if (Number(members.getRowObjectsJson()[0]!.n) === 0) {
      throw new ConfigError(`load the members file before the ${spec.name} file: its member_id values are checked against it`);
    }
    await conn.run(
      `UPDATE ${t}_chk SET bad_field = 'member_id', reason = 'member_id is not in the members file'
       WHERE reason IS NULL AND member_id NOT IN (SELECT member_id FROM members)`,
    );
  }

  await conn.run(
    `CREATE OR REPLACE TABLE ${ident(spec.name)} AS
     SELECT ${spec.fields.map((f) => `${ident(f.name)}::${sqlType(f)} AS ${ident(f.name)}`).join(', ')}
     FROM ${t}_chk WHERE reason IS NULL ORDER BY row`,
  );
  const rejectedSql = `
    SELECT ${sqlString(path)} AS file, row, nullif(field, '') AS field, reason FROM (
      SELECT row, bad_field AS field, reason FROM ${t}_chk WHERE reason IS NOT NULL
      UNION ALL SELECT row, field, reason FROM ${t}_structure
      UNION ALL SELECT unnest(${emptyRows.length > 0 ? `[${emptyRows.join(', ')}]` : '[]::INTEGER[]'}) AS row, '' AS field, 'empty line' AS reason
    ) ORDER BY row`;
  const counts = (
    await conn.runAndReadAll(`SELECT field, count(*)::BIGINT AS n FROM (${rejectedSql}) GROUP BY field ORDER BY field`)
  ).getRowObjectsJson();
  const accepted = Number(
    (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${ident(spec.name)}`)).getRowObjectsJson()[0]!.n,
  );
  const rejectedByField: Record<string, number> = {};
  let rejected = 0;
  for (const c of counts) {
    rejectedByField[c.field === null ? 'row' : String(c.field)] = Number(c.n);
    rejected += Number(c.n);
  }
  if (accepted + rejected !== rows) {
    throw new RafcastError('E_INPUT', `${path}: ${rows} rows read but ${accepted} accepted and ${rejected} rejected; please report this`);
  }
  const quarantine = opts.quarantine ?? `${path}.rejected.csv`;
  await copyAtomically(conn, rejectedSql, quarantine, 'csv');
  await conn.run(`DROP TABLE IF EXISTS ${t}_chk; DROP TABLE IF EXISTS ${raw}; DROP TABLE IF EXISTS ${t}_structure`);

  const maxShare = opts.maxRejectedShare ?? 0.5;
  if (rows > 0 && rejected / rows > maxShare) {
    await conn.run(`DROP TABLE IF EXISTS ${ident(spec.name)}`);
    throw new RafcastError(
      'E_TOO_MANY_REJECTED',
      `${rejected} of ${rows} rows of ${path} were rejected (more than ${Math.round(maxShare * 100)}%); reasons are in ${quarantine}`,
    );
  }
  return { table: spec.name, file: path, read: rows, accepted, rejected, quarantine, rejectedByField };
}

/** Reads the file's rows as text into `raw`, with their row numbers and the structural rejects. */
async function readRaw(
  conn: DuckDBConnection,
  spec: TableSpec,
  path: string,
  format: 'csv' | 'parquet',
  raw: string,
): Promise<{ columns: string[]; wide: Record<string, string[]>; rowSql: string; emptyRows: number[]; rows: number }> {
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
    const select = desc.map((r) => {
      const name = ident(String(r.column_name));
      return String(r.column_type).endsWith('[]') ? `array_to_string(${name}, '|') AS ${name}` : `${name}::VARCHAR AS ${name}`;
    });
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT file_row_number + 1 AS _row, ${select.join(', ')}
       FROM read_parquet(${sqlString(path)}, file_row_number = true)`,
    );
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${structure} (row BIGINT, field VARCHAR, reason VARCHAR)`);
    const rows = Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${raw}`)).getRowObjectsJson()[0]!.n);
    return { columns, wide, rowSql: '_row', emptyRows: [], rows };
  }

  let columns: string[];
  try {
    columns = await csvHeader(path);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError('no such file', { file: path });
  }
  const wide = checkContractHeader(spec, columns, path);
  const scan = await scanCsvRows(path);
  const types = columns.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT * FROM read_csv(${sqlString(path)}, auto_detect = false, header = true,
       delim = ',', quote = '"', escape = '"', strict_mode = true, columns = {${types}},
       store_rejects = true, rejects_table = '${raw}_rej', rejects_scan = '${raw}_scan')`,
  );
  // DuckDB numbers a rejected row by its record in the file, the header being record 1.
  const reasons = Object.entries(STRUCTURE_REASONS)
    .map(([type, reason]) => `WHEN error_type = ${sqlString(type)} THEN ${sqlString(reason)}`)
    .join(' ');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${structure} AS
     SELECT line - 1 AS row, '' AS field,
       CASE WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')
            THEN 'expected ${columns.length} fields as in the header, found ' || regexp_extract(error_message, 'Found: ([0-9]+)', 1)
            ${reasons} ELSE error_message END AS reason
     FROM (SELECT line, first(error_type ORDER BY column_idx) AS error_type, first(error_message ORDER BY column_idx) AS error_message
           FROM ${raw}_rej GROUP BY line)`,
  );
  // Accepted rows fill, in order, the row numbers neither rejected nor empty.
  const taken = `SELECT row FROM ${structure} UNION ALL SELECT unnest(${scan.emptyRows.length > 0 ? `[${scan.emptyRows.join(', ')}]` : '[]::BIGINT[]'})`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${raw}_rows AS
     SELECT row_number() OVER (ORDER BY r) - 1 AS k, r AS row FROM range(1, ${scan.rows + 1}) t(r) WHERE r NOT IN (${taken})`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT n.row AS _row, t.* FROM (SELECT rowid AS k, * FROM ${raw}) t JOIN ${raw}_rows n USING (k)`,
  );
  await conn.run(`DROP TABLE ${raw}_rows; DROP TABLE IF EXISTS ${raw}_rej; DROP TABLE IF EXISTS ${raw}_scan`);
  return { columns, wide, rowSql: '_row', emptyRows: scan.emptyRows, rows: scan.rows };
}

/** Writes a query's rows to a file by DuckDB COPY, atomically and owner-only. */
export async function copyAtomically(conn: DuckDBConnection, sql: string, path: string, format: 'csv' | 'parquet'): Promise<void> {
  const tmp = temporaryPathFor(path);
  try {
    await conn.run(
      `COPY (${sql}) TO ${sqlString(tmp)} (${format === 'csv' ? "FORMAT csv, HEADER, DELIMITER ','" : 'FORMAT parquet, COMPRESSION zstd'})`,
    );
    await chmod(tmp, OUTPUT_FILE_MODE);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
