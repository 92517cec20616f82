// The checks of a contract file that span the whole file, after each row's own
// (load-contract-file.ts checkContractRows): duplicate keys, members the file names but the members
// file lacks, checks against the member (a date before birth); and the reconciliation that writes
// the file's rejected rows (read = accepted + rejected) and stops on too many. `rafcast load` runs
// them on a whole file, a run's partition on the accepted rows of all of a file's pieces
// (pipelines/partition-pieces.ts).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableSpec } from './contract.ts';
import { copyAtomically, existingRelations, sqlIdent, sqlString } from './duckdb.ts';
import { ConfigError, RafcastError } from './errors.ts';
import type { LoadSummary } from './load-contract-file.ts';
import { tooManyRejected } from './quarantine.ts';

/**
 * The checks that span the whole file, on `candidates` (a relation of the rows that passed their
 * own checks: row, the typed fields, `_key_hash`, the hash of the key), into a new table `late`
 * (row, bad_field, reason), each row rejected once, by the first of: a duplicate key (the first
 * row keeps it), a member the `members` relation on the connection lacks, a member check (a date
 * before the member's birth).
 */
export async function findLateRejections(conn: DuckDBConnection, spec: TableSpec, candidates: string, late: string): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${late} (row BIGINT, bad_field VARCHAR, reason VARCHAR)`);
  // Duplicate keys: the first row keeps the key, the later ones are rejected. Sorting the stored
  // 64-bit key hashes finds the candidates (usually none; a sort beat grouping 20M hashes two to
  // one); the window then compares the keys themselves, so a hash collision rejects nothing.
  const key = spec.key.map(sqlIdent).join(', ');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${late}_dup AS
     SELECT DISTINCT h FROM (SELECT _key_hash AS h, lag(_key_hash) OVER (ORDER BY _key_hash) AS p FROM ${candidates})
     WHERE h = p`,
  );
  await conn.run(
    `INSERT INTO ${late}
     SELECT r, ${sqlString(spec.key[spec.key.length - 1]!)}, 'duplicate ${spec.key.join(' and ')} (first at row ' || d.first_row || ')'
     FROM (SELECT row AS r, first_value(row) OVER w AS first_row, row_number() OVER w AS n
           FROM ${candidates} WHERE _key_hash IN (SELECT h FROM ${late}_dup)
           WINDOW w AS (PARTITION BY ${key} ORDER BY row)) d
     WHERE d.n > 1`,
  );
  await conn.run(`DROP TABLE ${late}_dup`);
  if (!spec.referencesMembers) return;
  if (!(await existingRelations(conn, ['members'])).has('members')) {
    throw new ConfigError(`load the members file before the ${spec.name} file: its member_id values are checked against it`);
  }
  await conn.run(
    `INSERT INTO ${late} SELECT row, 'member_id', 'member_id is not in the members file' FROM ${candidates}
     WHERE row NOT IN (SELECT row FROM ${late}) AND member_id NOT IN (SELECT member_id FROM members)`,
  );
  for (const c of spec.memberChecks ?? []) {
    await conn.run(
      `INSERT INTO ${late} SELECT t.row, ${sqlString(c.field)}, ${sqlString(c.reason)}
       FROM ${candidates} t JOIN members m USING (member_id) WHERE t.row NOT IN (SELECT row FROM ${late}) AND (${c.badWhen})`,
    );
  }
}

/**
 * Writes a file's rejected rows (`rejected`: a query of row, field ('' for a row that is not a
 * row) and reason) to its quarantine file in row order, after checking that the counts reconcile
 * (rows read = accepted + rejected); stops with E_TOO_MANY_REJECTED when more than `maxShare` of
 * the rows were rejected (the quarantine file written).
 */
export async function quarantineRejected(
  conn: DuckDBConnection,
  spec: TableSpec,
  path: string,
  r: { rows: number; accepted: number; rejected: string; quarantine: string; maxShare: number },
): Promise<LoadSummary> {
  const rejectedSql = `
    SELECT ${sqlString(path)} AS file, row, nullif(field, '') AS field, reason FROM (${r.rejected}) ORDER BY row`;
  const counts = (
    await conn.runAndReadAll(`SELECT field, count(*)::BIGINT AS n FROM (${rejectedSql}) GROUP BY field ORDER BY field`)
  ).getRowObjectsJson();
  const rejectedByField: Record<string, number> = {};
  let rejected = 0;
  for (const c of counts) {
    rejectedByField[c.field === null ? 'row' : String(c.field)] = Number(c.n);
    rejected += Number(c.n);
  }
  if (r.accepted + rejected !== r.rows) {
    throw new RafcastError('E_INPUT', `${path}: ${r.rows} rows read but ${r.accepted} accepted and ${rejected} rejected; please report this`);
  }
  await copyAtomically(conn, rejectedSql, r.quarantine, 'csv');
  if (r.rows > 0 && rejected / r.rows > r.maxShare) throw tooManyRejected(String(rejected), r.rows, path, r.maxShare, r.quarantine);
  return { table: spec.name, file: path, read: r.rows, accepted: r.accepted, rejected, quarantine: r.quarantine, rejectedByField };
}
