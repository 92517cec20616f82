// A queued run's folder k times the size, for measuring the models stage's later jobs (the
// expected dollars, the evaluations, the candidate list) at sizes whose whole flow takes too long
// on this machine (issue 20: 5,000,000 members). Every Parquet file the jobs read that holds member
// ids is copied k times with copy c's ids renamed as scripts/replicate-plan.ts renames them ('M' +
// c + '-' + the rest; copy 0 unchanged), so the copy matches the plan that script makes of the same
// plan: the merged history, the histories as known on the cut-off, the as-of year's features, the
// models' scores and the shards' contract tables; the models are copied as they are. What the jobs
// write (dollars/, evaluation/, candidates/) and the shards' own histories and features are left
// out. The scores' ranks repeat k times; the jobs read the probabilities alone.
//   node --import tsx scripts/replicate-run.ts .bench/memory-1000000 5 .bench/run-5000000
import { cp, mkdir, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { copyAtomically, openDuckDb, sqlString } from '../data/duckdb.ts';

const [src, kArg, out, only] = process.argv.slice(2);
const k = Number(kArg);
if (src === undefined || out === undefined || !Number.isInteger(k) || k < 1) {
  console.error('usage: node --import tsx scripts/replicate-run.ts <run folder> <copies> <out folder> [a pattern of the paths to copy]');
  process.exit(2);
}
/** What is not copied: the jobs' own outputs, and each shard's history, features and scores. */
const SKIPPED = /^(dollars|evaluation|candidates|report\.html|models\/networks)(\/|$)|^shards\/[^/]+\/(features|history|history-known|scores)(\/|$)/;
/** Id columns renamed with member_id (their keys include it otherwise). */
const OWN_IDS = ['claim_id', 'fill_id', 'result_id'];
const renamed = (col: string, c: number): string => (c === 0 ? col : `substr(${col}, 1, 1) || '${c}-' || substr(${col}, 2)`);

async function* files(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (SKIPPED.test(relative(src!, path))) continue;
    if (e.isDirectory()) yield* files(path);
    else if (only === undefined || new RegExp(only).test(relative(src!, path))) yield path;
  }
}

const db = await openDuckDb({ memoryLimit: '2GB' });
try {
  await db.connection.run('SET preserve_insertion_order = false');
  for await (const file of files(src)) {
    const to = join(out, relative(src, file));
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    const from = `read_parquet(${sqlString(file)})`;
    const columns = file.endsWith('.parquet')
      ? (await db.connection.runAndReadAll(`SELECT column_name AS c FROM (DESCRIBE SELECT * FROM ${from})`)).getRowObjectsJson().map((r) => String(r.c))
      : [];
    if (!columns.includes('member_id')) {
      await cp(file, to);
      continue;
    }
    const ids = ['member_id', ...OWN_IDS.filter((c) => columns.includes(c))];
    const copies = Array.from({ length: k }, (_, c) => `SELECT * REPLACE (${ids.map((id) => `${renamed(id, c)} AS ${id}`).join(', ')}) FROM ${from}`);
    // The file's key-value metadata travels with it (a feature table's data cut-off).
    const metadata = Object.fromEntries(
      (await db.connection.runAndReadAll(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${sqlString(file)})`)).getRowObjectsJson().map((r) => [String(r.k), String(r.v)]),
    );
    const t0 = Date.now();
    await copyAtomically(db.connection, copies.join(' UNION ALL '), to, 'parquet', Object.keys(metadata).length > 0 ? metadata : undefined);
    console.log(`${relative(src, file)}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
} finally {
  db.close();
}
