// The run folder of the bench's `serve` step (bench-serve.ts), made with DuckDB in a process of its
// own: `tsx scripts/bench-serve-run.ts N DIR` writes DIR/candidates/candidates.parquet and
// outreach.csv of N listed members in the shapes evaluation/candidates.ts writes (suspect_dollars
// included), three HCC lines and three reasons per member, 2,000 clinicians, member ids in no
// relation to the rank.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDb, sqlString } from '../data/duckdb.ts';

const HCC = "V28 HCC 37 Diabetes with Chronic Complications (last coded 2023-11-04 by NPI 1000000046 (the member's provider); recapture rate 0.85; worth $1040.23 a year)";
const REASONS = 'Diabetes with Chronic Complications coded in 2023, not yet in 2024 (worth $1,040 a year) | Heart Failure coded in 2023, not yet in 2024 (worth $3,100 a year) | RAF rose 0.75 in 2023 (from 0.684 to 1.434)';

async function makeRun(n: number, run: string): Promise<void> {
  mkdirSync(join(run, 'candidates'), { recursive: true });
  const db = await openDuckDb();
  try {
    const c = db.connection;
    // (i x 7919) mod n is a permutation of 0..n-1 when n is not a multiple of 7919 (a prime).
    await c.run(`CREATE TABLE l AS SELECT i + 1 AS rank, printf('M%08d', (i * 7919) % ${n} + 1) AS member_id, 1 - i / ${n}::DOUBLE AS probability, CAST(floor(i * 10 / ${n}) + 1 AS INTEGER) AS decile,
      1.0 AS raf_t2, 1.5 AS raf_t1, ['CNA', 'CFA', 'INS', 'CND', 'CFD', 'CPA', 'CPD'][i % 7 + 1] AS segment, 3 AS open_hccs,
      CAST(((i * 7919) % 5000) / 10.0 AS DECIMAL(14,2)) AS expected_accelerated, CAST(((i * 104729) % 50000) / 10.0 AS DECIMAL(14,2)) AS expected_incremental,
      CAST(((i * 7919) % 5000) / 10.0 + ((i * 104729) % 50000) / 10.0 AS DECIMAL(14,2)) AS expected_dollars,
      CAST(CASE WHEN i % 3 = 0 THEN ((i * 31) % 20000) / 10.0 ELSE 0 END AS DECIMAL(14,2)) AS suspect_dollars, (1000000000 + i % 2000)::VARCHAR AS npi FROM range(${n}) t(i)`);
    await c.run(`COPY (SELECT member_id, rank::INTEGER AS rank, probability, decile, raf_t2, raf_t1, segment, open_hccs::INTEGER AS open_hccs, expected_accelerated, expected_incremental, expected_dollars, suspect_dollars FROM l) TO ${sqlString(join(run, 'candidates', 'candidates.parquet'))} (FORMAT parquet)`);
    await c.run(`COPY (SELECT row_number() OVER (ORDER BY expected_dollars DESC, rank) AS priority, member_id, expected_accelerated, expected_incremental, expected_dollars, suspect_dollars, probability, rank AS list_rank, npi AS member_provider_npi,
        ${sqlString(REASONS)} AS reasons, 3 AS hccs_to_recapture, ${sqlString([HCC, HCC.replace('HCC 37', 'HCC 226'), HCC.replace('HCC 37', 'HCC 280')].join(' | '))} AS hccs FROM l)
      TO ${sqlString(join(run, 'candidates', 'outreach.csv'))} (FORMAT csv, HEADER)`);
  } finally {
    db.close();
  }
}

const [size, dir] = process.argv.slice(2);
if (size === undefined || dir === undefined) throw new Error('usage: tsx scripts/bench-serve-run.ts N DIR');
await makeRun(Number(size), dir);
