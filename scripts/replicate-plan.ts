// A plan k times the size of a generated one, for memory measurements at sizes `rafcast generate`
// takes too long to write on this machine (issue 20: 5,000,000 members, about 18 minutes idle and
// over two hours beside other work): k copies of every member's files, copy c's member ids
// 'M' + c + the rest of the id (copy 0 unchanged), its claim, fill and result ids likewise, so
// every key stays unique. The providers, participants and calibration are the plan's own. The
// members' histories, features and scores repeat k times, so the models learn nothing new; the
// sizes every stage handles are k times the plan's.
//   node --import tsx scripts/replicate-plan.ts .bench/synthetic-1000000 5 .bench/synthetic-5000000
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { copyAtomically, openDuckDb, sqlString } from '../data/duckdb.ts';

const [src, kArg, out] = process.argv.slice(2);
const k = Number(kArg);
if (src === undefined || out === undefined || !Number.isInteger(k) || k < 1) {
  console.error('usage: node --import tsx scripts/replicate-plan.ts <plan folder> <copies> <out folder>');
  process.exit(2);
}
/** Each file with member ids, and its own id column besides (none: its key includes member_id). */
const FILES: [string, string | undefined][] = [
  ['members', undefined],
  ['enrollment', undefined],
  ['claims', 'claim_id'],
  ['pharmacy', 'fill_id'],
  ['labs', 'result_id'],
  ['voluntary_alignment', undefined],
  ['truth/conditions', undefined],
];
// Copy c of an id 'X123': 'X' + c + '-' + '123'; copy 0 keeps it.
const renamed = (col: string, c: number): string => (c === 0 ? col : `substr(${col}, 1, 1) || '${c}-' || substr(${col}, 2)`);

await mkdir(join(out, 'truth'), { recursive: true, mode: 0o700 });
const db = await openDuckDb({ memoryLimit: '2GB' });
try {
  // Rows in any order: kept in order, the copies of a file with lists (claims' codes) spilled 20 GB.
  await db.connection.run('SET preserve_insertion_order = false');
  for (const [file, id] of FILES) {
    const from = `read_parquet(${sqlString(join(src, `${file}.parquet`))})`;
    const copies = Array.from({ length: k }, (_, c) => `SELECT * REPLACE (${[renamed('member_id', c) + ' AS member_id', ...(id ? [`${renamed(id, c)} AS ${id}`] : [])].join(', ')}) FROM ${from}`);
    const t0 = Date.now();
    await copyAtomically(db.connection, copies.join(' UNION ALL '), join(out, `${file}.parquet`), 'parquet');
    console.log(`${file}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  for (const f of ['providers.parquet', 'participants.parquet', 'calibration.json']) await copyFile(join(src, f), join(out, f));
} finally {
  db.close();
}
