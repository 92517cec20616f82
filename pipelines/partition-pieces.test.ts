// The partition in parallel (issue 20) accepts and rejects what `rafcast load` does with the
// whole files: the shards hold the loader's accepted rows, each in its member's shard, in the
// file's order; the rejected rows files (rows numbered as in the whole file, reasons), the counts
// and the message it stops with are the loader's, byte for byte, with the files cut into many
// small pieces.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT, type TableName } from '../data/contract.ts';
import { findDataFiles, findOptionalDataFiles } from '../data/contract-files.ts';
import { sqlString } from '../data/duckdb.ts';
import { RafcastError } from '../data/errors.ts';
import type { LoadSummary } from '../data/load-contract-file.ts';
import { loadStagedContract, openWorkDb, shardTableFiles, wholeInEveryShard } from '../data/staged-contract.ts';
import { tempDir } from '../test/temp-dir.ts';
import { generatePopulation } from './generate-population.ts';
import { partitionData, planPieces } from './partition-pieces.ts';
import { shardOfSql } from './shards.ts';

/** The outcome of a load or a partition: what it read per file, or the error it stopped with. */
async function outcome(run: () => Promise<LoadSummary[]>): Promise<string | LoadSummary[]> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof RafcastError) return `${e.code}: ${e.message}`;
    throw e;
  }
}

/** Every file under a folder, by its path under it, with its bytes. */
function filesUnder(dir: string, under = ''): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  if (!existsSync(dir)) return files;
  for (const e of readdirSync(join(dir, under), { withFileTypes: true })) {
    const rel = join(under, e.name);
    if (e.isDirectory()) for (const [k, v] of filesUnder(dir, rel)) files.set(k, v);
    else files.set(rel, readFileSync(join(dir, rel)));
  }
  return files;
}

/**
 * The loader on the whole files and the partition in pieces of `rowsPerPiece` rows, and a check
 * that they agree: the same summaries or stop message, the same rejected rows files, and each
 * shard's tables the loader's accepted rows of that shard, in row order.
 */
async function compareBoth(data: string, shards: number, rowsPerPiece: number): Promise<{ single: string | LoadSummary[]; rejected: Map<string, Buffer> }> {
  const [root, rejA, rejB] = [tempDir('parallel'), tempDir('rej-single'), tempDir('rej-parallel')];
  const db = await openWorkDb(undefined);
  try {
    const files = { ...findDataFiles(data), ...findOptionalDataFiles(data) };
    const single = await outcome(() => loadStagedContract(db.conn, files, db.work, { rejectedDir: rejA, rowNumbers: true }));
    let dirs: string[] = [];
    const parallel = await outcome(async () => {
      const p = await partitionData(data, root, shards, { rejectedDir: rejB, rowsPerPiece });
      dirs = p.dirs;
      return p.loaded;
    });
    const strip = (s: string | LoadSummary[], rej: string): unknown => JSON.parse(JSON.stringify(s).replaceAll(rej, '<rejected>'));
    expect(strip(parallel, rejB)).toEqual(strip(single, rejA));
    const [qa, qb] = [filesUnder(rejA), filesUnder(rejB)];
    expect([...qb.keys()].sort()).toEqual([...qa.keys()].sort());
    for (const [k, v] of qa) expect(qb.get(k)!.toString('utf8'), k).toBe(v.toString('utf8'));
    if (typeof single !== 'string') {
      // Only the shards remain in the partition's folder: its work folders are gone.
      expect(readdirSync(root).sort()).toEqual(dirs.map((_, k) => `shard-${String(k).padStart(3, '0')}`));
      const rows = async (sql: string): Promise<unknown[]> => (await db.conn.runAndReadAll(sql)).getRowObjectsJson();
      for (const { table } of single) {
        const name = table as TableName;
        for (let k = 0; k < shards; k++) {
          const expected = await rows(`SELECT * FROM ${name}${wholeInEveryShard(CONTRACT[name]) ? '' : ` WHERE ${shardOfSql('member_id', shards)} = ${k}`} ORDER BY _row`);
          const files = shardTableFiles(dirs[k]!, name)!;
          // As the shard's files give them, unsorted: their names are the file's order.
          const got = await rows(`SELECT * FROM read_parquet([${files.map(sqlString).join(', ')}])`);
          expect(got, `${name} in shard ${k}`).toEqual(expected);
        }
      }
    }
    return { single, rejected: qa };
  } finally {
    await db.close();
  }
}

/** A CSV file's lines (its text split at line feeds; a quoted line feed splits too, as written here). */
const lines = (path: string): string[] => readFileSync(path, 'utf8').replace(/\n$/, '').split('\n');
const fieldsOf = (line: string): string[] => line.split(',');

describe('the partition in parallel', () => {
  it("accepts and rejects the loader's rows from CSV files with bad rows, cut in pieces of 9 rows", async () => {
    const data = tempDir('pieces-csv');
    await generatePopulation({ members: 20, firstYear: 2025, lastYear: 2025, seed: 5, out: data, format: 'csv' });
    const m = lines(join(data, 'members.csv'));
    const first = fieldsOf(m[1]!);
    const bornBefore = [...first];
    bornBefore[0] = 'MNEW1';
    bornBefore[1] = '1899-01-01';
    // Rows (the header is row 0): the members' own, then a duplicate of row 1's member, an empty
    // line, a row of two fields, a birth date out of range, a quoted id holding a line feed (the
    // pieces' cuts must not fall inside it), and a last row without a final line feed.
    const last = fieldsOf(m[2]!);
    last[0] = 'MLAST';
    const members = [...m, m[1]!, '', 'MSHORT,1950-01-01', bornBefore.join(','), `"MQ\nQ",${first.slice(1).join(',')}`, last.join(',')];
    writeFileSync(join(data, 'members.csv'), members.join('\n'));
    const e = lines(join(data, 'enrollment.csv'));
    const ghost = fieldsOf(e[3]!);
    ghost[0] = 'MGHOST';
    // A duplicate member-year (rows 1 and the copy), a member the members file lacks.
    writeFileSync(join(data, 'enrollment.csv'), `${[...e, e[1]!, ghost.join(',')].join('\n')}\n`);
    const c = lines(join(data, 'claims.csv'));
    const unknown = fieldsOf(c[5]!);
    unknown[1] = 'MGHOST';
    // A claim of an unknown member, then the same claim_id again (a duplicate, reported as one:
    // the first row keeps the key), a copy of claim 1 (a duplicate across pieces), a row of one field.
    writeFileSync(join(data, 'claims.csv'), `${[...c.slice(0, 10), unknown.join(','), ...c.slice(10), unknown.join(','), c[1]!, 'C_ONE_FIELD'].join('\n')}\n`);

    const { single, rejected } = await compareBoth(data, 3, 9);
    // Hand-counted [read, accepted, rejected]: members' rows are the generated ones (n) and 6 more,
    // of which the duplicate, the empty line, the short row and the old birth date are rejected
    // (the quoted id loads: an id may hold any character; so does MLAST); enrollment and claims
    // reject every row added but none of theirs.
    if (typeof single === 'string') throw new Error(single);
    const byTable = Object.fromEntries(single.map((l) => [l.table, [l.read, l.accepted, l.rejected]]));
    const n = m.length - 1;
    expect(byTable.members).toEqual([n + 6, n + 2, 4]);
    expect(byTable.enrollment).toEqual([e.length - 1 + 2, e.length - 1, 2]);
    expect(byTable.claims).toEqual([c.length - 1 + 4, c.length - 1, 4]);
    // The reasons and the file's row numbers, as a reader of the quarantine file sees them.
    const memberRows = rejected.get('members.rejected.csv')!.toString('utf8').trim().split('\n').slice(1).map((l) => l.slice(l.indexOf(',') + 1));
    expect(memberRows).toEqual([
      `${n + 1},member_id,duplicate member_id (first at row 1)`,
      `${n + 2},,empty line`,
      `${n + 3},,"expected ${first.length} fields as in the header, found 2"`,
      `${n + 4},birth_date,"expected a date from 1900-01-02 to 2100-12-31, found ""1899-01-01"""`,
    ]);
  }, 120_000);

  it("splits the loader's rows of a generated Parquet plan with its optional files, cut in pieces of 250 rows", async () => {
    const data = tempDir('pieces-parquet');
    await generatePopulation({ members: 150, firstYear: 2025, lastYear: 2025, seed: 6, out: data, evidence: true });
    const plan = await planPieces(data, 2, 250);
    // Several pieces of the claims, and providers (no member) among the files.
    expect(plan.tables.find((t) => t.table === 'claims')!.pieces.length).toBeGreaterThan(2);
    expect(plan.tables.map((t) => t.table)).toContain('providers');
    await compareBoth(data, 2, 250);
  }, 120_000);

  it('stops where the loader stops, with its message and the same rejected rows files', async () => {
    const data = tempDir('pieces-stop');
    await generatePopulation({ members: 12, firstYear: 2025, lastYear: 2025, seed: 7, out: data, format: 'csv' });
    const c = lines(join(data, 'claims.csv'));
    // Every claim's member replaced by one the members file lacks: all rejected, over the 50% share.
    writeFileSync(join(data, 'claims.csv'), `${[c[0]!, ...c.slice(1).map((l) => { const f = fieldsOf(l); f[1] = 'MGHOST'; return f.join(','); })].join('\n')}\n`);
    const tooMany = await compareBoth(data, 2, 5);
    expect(tooMany.single).toMatch(/^E_TOO_MANY_REJECTED: \d+ of \d+ rows of .*claims\.csv were rejected/);
    expect([...tooMany.rejected.keys()].sort()).toEqual(['claims.rejected.csv', 'enrollment.rejected.csv', 'members.rejected.csv']);
    // Enrollment mostly empty lines: the whole file's early stop, before DuckDB reads it; the
    // members' rejected rows are written first, the claims are never read.
    const e = lines(join(data, 'enrollment.csv'));
    writeFileSync(join(data, 'enrollment.csv'), `${[...e, ...e.map(() => '')].join('\n')}\n`);
    const unreadable = await compareBoth(data, 2, 5);
    expect(unreadable.single).toMatch(/^E_TOO_MANY_REJECTED: at least \d+ of \d+ rows of .*enrollment\.csv cannot be read as rows/);
    expect([...unreadable.rejected.keys()].sort()).toEqual(['enrollment.rejected.csv', 'members.rejected.csv']);
  }, 120_000);
});
