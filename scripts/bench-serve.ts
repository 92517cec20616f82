// The bench's `serve` step (bench-steps.ts; issue 18's speed goals at 1,000,000 members: the first
// page of a filtered list under 200 ms at the server, a status change under 50 ms, the server's
// memory under 1 GiB, a page's weight under 500 KB). A run folder of n listed members is made
// first, by bench-serve-run.ts in a process of its own (.bench/serve-v2-<n>), then the app
// (evaluation/serve/app.ts) answers through fastify's inject, timed at the server.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../evaluation/serve/app.ts';
import { XLSX_ROWS_MAX } from '../evaluation/serve/list-export.ts';
import { RunData } from '../evaluation/serve/run-data.ts';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchServe(n: number, dir: string): Promise<void> {
  if (n % 7919 === 0) throw new Error(`BENCH_SERVE=${n}: a multiple of 7919 does not permute the member ids; take another size`);
  const run = join(dir, `serve-v2-${n}`);
  if (!existsSync(join(run, 'candidates', 'outreach.csv'))) {
    // Made by a process of its own: its memory (DuckDB building a million rows of text) is not the server's peak RSS.
    const made = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bench-serve-run.ts', import.meta.url)), String(n), run], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error(`making the bench's run folder ${run} failed (exit ${made.status})`);
  }
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
