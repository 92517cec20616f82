// The bench's `serve` step (bench-steps.ts; issue 18's speed goals at 1,000,000 members: the first
// page of a filtered list under 200 ms at the server, a status change under 50 ms, the server's
// memory under 1 GiB, a page's weight under 500 KB). A run folder of n listed members is made
// here with DuckDB (.bench/serve-v2-<n>: candidates.parquet and outreach.csv of the shapes
// evaluation/candidates.ts writes, suspect_dollars included, three HCC lines and three reasons per
// member, 2,000 clinicians; member ids in no relation to the rank, as in a real list), then the
// app (evaluation/serve/app.ts) answers through fastify's inject, timed at the server.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { buildApp } from '../evaluation/serve/app.ts';
import { XLSX_ROWS_MAX } from '../evaluation/serve/list-export.ts';
import { RunData } from '../evaluation/serve/run-data.ts';

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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchServe(n: number, dir: string): Promise<void> {
  if (n % 7919 === 0) throw new Error(`BENCH_SERVE=${n}: a multiple of 7919 does not permute the member ids; take another size`);
  const run = join(dir, `serve-v2-${n}`);
  if (!existsSync(join(run, 'candidates', 'outreach.csv'))) await makeRun(n, run);
  const t0 = performance.now();
  const data = await RunData.open({ run });
  const load = performance.now() - t0;
  const app = await buildApp({ data, users: null, localUser: 'bench' });
  const timed = async (method: 'GET' | 'PUT', url: string, payload?: object): Promise<{ ms: number; bytes: number; body: string }> => {
    const s = performance.now();
    const r = await app.inject({ method, url, ...(payload ? { payload } : {}) });
    if (r.statusCode !== 200) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
    return { ms: performance.now() - s, bytes: r.rawPayload.length, body: r.body };
  };
  // A server ready to answer (plugins loaded, as after listen()), its first request the filtered page.
  await app.ready();
  const filtered = '/api/candidates?segment=CNA,CFA&decile=1,2,3&min_dollars=1000&sort=expected_dollars&dir=desc&page_size=50';
  const first = await timed('GET', filtered);
  const again: number[] = [];
  for (let k = 0; k < 5; k++) again.push((await timed('GET', `${filtered}&page=${k + 2}`)).ms);
  const unfiltered = await timed('GET', '/api/candidates?page_size=50');
  const ids = (JSON.parse(first.body) as { rows: { member_id: string }[] }).rows.map((r) => r.member_id);
  const changes: number[] = [];
  for (const id of ids.slice(0, 20)) {
    const before = (JSON.parse((await timed('GET', `/api/members/${id}`)).body) as { status: { version: number } }).status.version;
    changes.push((await timed('PUT', `/api/members/${id}/status`, { status: 'contacted', note: 'bench', date: '2025-01-02', version: before })).ms);
  }
  const pageWeight = (await Promise.all(['/', '/app.css', '/common.js', '/finance.js', '/api/session', '/api/choices', '/api/headline'].map((u) => timed('GET', u)))).reduce((a, r) => a + r.bytes, 0) + first.bytes;
  const exportCsv = await timed('GET', filtered.replace('/api/candidates?', '/api/candidates.csv?'));
  // Excel: a selection under its cap (list-export.ts), written in a worker thread.
  const narrow = `/api/candidates?segment=CNA&decile=1&min_dollars=1000&sort=expected_dollars&dir=desc`;
  const narrowRows = (JSON.parse((await timed('GET', `${narrow}&page_size=1`)).body) as { totals: { members: number } }).totals.members;
  const exportXlsx = narrowRows <= XLSX_ROWS_MAX ? await timed('GET', narrow.replace('/api/candidates?', '/api/candidates.xlsx?')) : null;
  const rss = process.resourceUsage().maxRSS / 1024 / 1024;
  await app.close();
  data.close();
  console.log(
    `rafcast serve on ${n.toLocaleString('en-US')} listed members: load ${(load / 1000).toFixed(1)} s; first filtered page ${first.ms.toFixed(0)} ms (goal 200), next pages median ${median(again).toFixed(0)} ms, unfiltered first page ${unfiltered.ms.toFixed(0)} ms; ` +
      `status change median ${median(changes).toFixed(1)} ms, slowest ${Math.max(...changes).toFixed(1)} ms (goal 50); finance page weight ${(pageWeight / 1024).toFixed(0)} KB (goal 500); ` +
      `export of the filtered rows ${(exportCsv.bytes / 1024 / 1024).toFixed(1)} MB in ${(exportCsv.ms / 1000).toFixed(1)} s; ` +
      `Excel export of ${narrowRows.toLocaleString('en-US')} rows ${exportXlsx === null ? `not timed (over the cap of ${XLSX_ROWS_MAX.toLocaleString('en-US')})` : `${(exportXlsx.bytes / 1024 / 1024).toFixed(1)} MB in ${(exportXlsx.ms / 1000).toFixed(1)} s`}; peak RSS ${rss.toFixed(2)} GiB (goal 1)`,
  );
}
