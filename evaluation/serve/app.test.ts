// rafcast serve's API (app.ts over run-data.ts and status-store.ts) through fastify's inject, on
// the hand-made run of test/serve-run.ts (12 members; rank r: segment by r % 3, dollars 110 r +
// 0.01, NPI 1111111111 for r <= 6, 2222222222 for 7..11, none for 12): filters, totals of the
// filtered rows, pages, sort, the CSV export equal to the API's rows, statuses kept across a
// restart and a kill -9, the 409 on a stale version. The login, the sessions, the headers, the
// paths and the log: app-security.test.ts.
import { spawn } from 'node:child_process';
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { readSheet } from 'read-excel-file/node';
import { describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../../data/csv.ts';
import { makeServeRun, memberId } from '../../test/serve-run.ts';
import { close, json, serve } from '../../test/serve-app.ts';
import { SESSION_COOKIE, XLSX_TYPE } from './app.ts';
import { checkXlsxRows, LIST_COLUMNS, listXlsx, XLSX_ROWS_MAX } from './list-export.ts';
import { parseHccLines } from './hcc-lines.ts';

describe('the candidate list API', () => {
  it('filters by segment and gives the totals of every filtered row, paged', async () => {
    const { app } = await serve(await makeServeRun());
    // CNA: ranks 1, 4, 7, 10. Accelerated 10+40+70+100 = 220; incremental 100.01+400.01+700.01+1000.01
    // = 2200.04; dollars 2420.04; suspect dollars (odd ranks 1 and 7) 25.50 + 175.50 = 201. Page size 2:
    // two pages, the first ranks 1 and 4.
    const p = await json(app, '/api/candidates?segment=CNA&page_size=2');
    expect(p.totals).toEqual({ members: 4, expected_accelerated: 220, expected_incremental: 2200.04, expected_dollars: 2420.04, suspect_dollars: 201 });
    expect(p.pages).toBe(2);
    expect(p.rows.map((r: { rank: number }) => r.rank)).toEqual([1, 4]);
    const p2 = await json(app, '/api/candidates?segment=CNA&page_size=2&page=2');
    expect(p2.rows.map((r: { rank: number }) => r.rank)).toEqual([7, 10]);
    expect(p2.totals.members).toBe(4);
  });

  it('filters by dollars range, decile, provider and practice', async () => {
    const { app } = await serve(await makeServeRun());
    // 110 r + 0.01 in [500, 900]: r = 5 (550.01), 6, 7, 8 (880.01).
    expect((await json(app, '/api/candidates?min_dollars=500&max_dollars=900')).rows.map((r: { rank: number }) => r.rank)).toEqual([5, 6, 7, 8]);
    // Decile ceil(r/2) in {2, 6}: ranks 3, 4, 11, 12.
    expect((await json(app, '/api/candidates?decile=2,6')).rows.map((r: { rank: number }) => r.rank)).toEqual([3, 4, 11, 12]);
    // NPI 1111111111: ranks 1-6; practice 22-2222222 (South Clinic): ranks 7-11, not 12 (no provider).
    expect((await json(app, '/api/candidates?provider=1111111111')).totals.members).toBe(6);
    const south = await json(app, '/api/candidates?practice=22-2222222');
    expect(south.rows.map((r: { rank: number }) => r.rank)).toEqual([7, 8, 9, 10, 11]);
    expect(south.rows[0].practice_name).toBe('South Clinic');
  });

  it('sorts on the server, ties and pages in a fixed order', async () => {
    const { app } = await serve(await makeServeRun());
    // Dollars descending: 12, 11, ..., 1; page 2 of 5 rows holds ranks 7..3.
    const p = await json(app, '/api/candidates?sort=expected_dollars&dir=desc&page_size=5&page=2');
    expect(p.rows.map((r: { rank: number }) => r.rank)).toEqual([7, 6, 5, 4, 3]);
    // Segment ascending, ties by rank: CFA (2, 5, 8, 11) first.
    expect((await json(app, '/api/candidates?sort=segment&page_size=4')).rows.map((r: { rank: number }) => r.rank)).toEqual([2, 5, 8, 11]);
  });

  it('refuses a sort column, a decile or a page size it does not know, naming the parameter', async () => {
    const { app } = await serve(await makeServeRun());
    for (const [url, word] of [
      ['/api/candidates?sort=rank;DROP TABLE list', 'sort'],
      ['/api/candidates?decile=11', 'decile'],
      ['/api/candidates?page_size=501', 'page_size'],
      ['/api/candidates?min_dollars=lots', 'min_dollars'],
      ['/api/candidates?status=done', 'status'],
    ] as const) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().message, url).toContain(word);
    }
  });

  it('exports exactly the filtered rows, in the order the API pages them', async () => {
    const { app } = await serve(await makeServeRun());
    const filter = 'segment=CFA,INS&min_dollars=200&sort=expected_dollars&dir=desc';
    const fromApi: { member_id: string; expected_dollars: number; status: string }[] = [];
    for (let page = 1; ; page++) {
      const p = await json(app, `/api/candidates?${filter}&page_size=3&page=${page}`);
      fromApi.push(...p.rows);
      if (page >= p.pages) break;
    }
    // CFA or INS with 110 r + 0.01 >= 200: ranks 2, 3, 5, 6, 8, 9, 11, 12; most dollars first.
    expect(fromApi.map((r) => r.member_id)).toEqual([12, 11, 9, 8, 6, 5, 3, 2].map(memberId));
    const r = await app.inject({ method: 'GET', url: `/api/candidates.csv?${filter}` });
    expect(r.headers['content-type']).toContain('text/csv');
    const rows = parseCsvObjects(r.body);
    expect(rows.map((x) => x.member_id)).toEqual(fromApi.map((x) => x.member_id));
    expect(rows.map((x) => Number(x.expected_dollars))).toEqual(fromApi.map((x) => x.expected_dollars));
    expect(rows[0]!.expected_dollars).toBe('1320.01');
  });

  it('exports exactly the filtered rows as Excel too: read back, the same rows, columns and figures as the CSV', async () => {
    const { app } = await serve(await makeServeRun());
    const filter = 'segment=CFA,INS&min_dollars=200&sort=expected_dollars&dir=desc';
    const r = await app.inject({ method: 'GET', url: `/api/candidates.xlsx?${filter}` });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe(XLSX_TYPE);
    expect(r.headers['content-disposition']).toContain('candidates-filtered.xlsx');
    const sheet = await readSheet(r.rawPayload);
    const [head, ...rows] = sheet;
    expect(head).toEqual([...LIST_COLUMNS]);
    const col = (name: string) => LIST_COLUMNS.indexOf(name as (typeof LIST_COLUMNS)[number]);
    // The same eight members as the CSV test above, most dollars first; identifiers as text (NPI
    // 2222222222 not a number), money as numbers to the cent, no suspects (even ranks) a 0, no
    // provider (rank 12) an empty cell.
    expect(rows.map((x) => x[col('member_id')])).toEqual([12, 11, 9, 8, 6, 5, 3, 2].map(memberId));
    expect(rows.map((x) => x[col('expected_dollars')])).toEqual([12, 11, 9, 8, 6, 5, 3, 2].map((k) => 110 * k + 0.01));
    expect(rows.map((x) => x[col('suspect_dollars')])).toEqual([0, 275.5, 225.5, 0, 0, 125.5, 75.5, 0]);
    expect(rows.map((x) => x[col('provider_npi')])).toEqual([null, '2222222222', '2222222222', '2222222222', '1111111111', '1111111111', '1111111111', '1111111111']);
    const csv = parseCsvObjects((await app.inject({ method: 'GET', url: `/api/candidates.csv?${filter}` })).body);
    expect(rows.map((x) => LIST_COLUMNS.map((_, k) => (x[k] === null ? '' : String(x[k]))))).toEqual(
      csv.map((c) => LIST_COLUMNS.map((k) => (/^-?\d+\.\d\d$/.test(c[k]!) ? String(Number(c[k])) : c[k]))),
    );
  });

  it(`refuses an Excel export of more than ${XLSX_ROWS_MAX.toLocaleString('en-US')} rows, naming CSV`, async () => {
    await expect(listXlsx(new Array(XLSX_ROWS_MAX + 1))).rejects.toThrow(/export CSV/);
    expect(() => checkXlsxRows(XLSX_ROWS_MAX)).not.toThrow();
  });

  it('shows suspect_dollars apart from the expected dollars: filtered, sorted, totalled and exported', async () => {
    const { app } = await serve(await makeServeRun());
    // 25 r + 0.50 >= 100 for odd r: 5 (125.50), 7, 9, 11 (275.50); most first. Their expected dollars
    // 110 x (5+7+9+11) + 0.04 = 3520.04, not counting the suspects.
    const filter = 'min_suspect_dollars=100&sort=suspect_dollars&dir=desc';
    const p = await json(app, `/api/candidates?${filter}`);
    expect(p.rows.map((r: { rank: number; suspect_dollars: number }) => [r.rank, r.suspect_dollars])).toEqual([[11, 275.5], [9, 225.5], [7, 175.5], [5, 125.5]]);
    expect(p.totals).toEqual({ members: 4, expected_accelerated: 320, expected_incremental: 3200.04, expected_dollars: 3520.04, suspect_dollars: 802 });
    // An even rank's 0 is a figure, not a blank; max_suspect_dollars=0 selects the six even ranks.
    expect((await json(app, '/api/candidates?max_suspect_dollars=0')).rows.map((r: { rank: number; suspect_dollars: number }) => [r.rank, r.suspect_dollars])).toEqual([2, 4, 6, 8, 10, 12].map((r) => [r, 0]));
    const csv = parseCsvObjects((await app.inject({ method: 'GET', url: `/api/candidates.csv?${filter}` })).body);
    expect(csv.map((r) => [r.member_id, r.suspect_dollars, r.expected_dollars])).toEqual([
      [memberId(11), '275.50', '1210.01'],
      [memberId(9), '225.50', '990.01'],
      [memberId(7), '175.50', '770.01'],
      [memberId(5), '125.50', '550.01'],
    ]);
    expect((await json(app, '/api/choices')).hasSuspectDollars).toBe(true);
    expect((await json(app, `/api/members/${memberId(3)}`)).row.suspect_dollars).toBe(75.5);
  });

  it('serves a list made before suspect_dollars: the other columns as before, the suspects blank, their filter and sort refused', async () => {
    const { app } = await serve(await makeServeRun({ suspectDollars: false }));
    const p = await json(app, '/api/candidates?segment=CNA');
    expect(p.totals).toEqual({ members: 4, expected_accelerated: 220, expected_incremental: 2200.04, expected_dollars: 2420.04, suspect_dollars: null });
    expect(p.rows.map((r: { suspect_dollars: unknown }) => r.suspect_dollars)).toEqual([null, null, null, null]);
    const csv = parseCsvObjects((await app.inject({ method: 'GET', url: '/api/candidates.csv?segment=CNA' })).body);
    expect(csv.map((r) => [r.member_id, r.expected_dollars, r.suspect_dollars])).toEqual([1, 4, 7, 10].map((r) => [memberId(r), (110 * r + 0.01).toFixed(2), '']));
    expect((await json(app, '/api/choices')).hasSuspectDollars).toBe(false);
    for (const url of ['/api/candidates?sort=suspect_dollars', '/api/candidates?min_suspect_dollars=1', '/api/candidates.csv?max_suspect_dollars=5']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().message, url).toContain('suspect_dollars');
    }
  });

  it('gives the headline figures of the run and of the whole list', async () => {
    const { app } = await serve(await makeServeRun());
    const h = await json(app, '/api/headline');
    // The 12 members: accelerated 10 x 78 = 780; incremental 100 x 78 + 0.12 = 7800.12; dollars 8580.12;
    // suspect dollars, odd ranks: 25 x (1+3+5+7+9+11) + 6 x 0.50 = 903.
    expect(h.listed).toEqual({ members: 12, expected_accelerated: 780, expected_incremental: 7800.12, expected_dollars: 8580.12, suspect_dollars: 903 });
    expect(h.evaluations[0].lists.map((l: { name: string; accelerated: number }) => [l.name, l.accelerated])).toEqual([['model', 1000], ['naive', 600]]);
    // Cash by month of the model's and the naive list only.
    expect(h.evaluations[0].cash).toEqual([{ list: 'model', month: '2025-01', total: 10 }, { list: 'naive', month: '2025-01', total: 8 }]);
  });
});

describe('a candidates folder', () => {
  it('serves the list of a rafcast candidates --out folder (the files at its top) as of a run folder', async () => {
    const run = await makeServeRun();
    renameSync(join(run, 'candidates'), join(run, 'list'));
    const { app } = await serve(join(run, 'list'));
    expect((await json(app, '/api/candidates?segment=CNA')).totals.members).toBe(4);
  });
});

describe('the worklists', () => {
  it('groups members by clinician and by practice, most dollars first, and gives a member HCC by HCC', async () => {
    const { app } = await serve(await makeServeRun());
    // NPI 2222222222: ranks 7..11, 110 x 45 + 0.05 = 4950.05; 1111111111: ranks 1..6, 110 x 21 + 0.06 = 2310.06.
    expect(await json(app, '/api/worklists?by=provider')).toEqual([
      { key: '2222222222', name: null, members: 5, expected_dollars: 4950.05, done: 0 },
      { key: '1111111111', name: null, members: 6, expected_dollars: 2310.06, done: 0 },
    ]);
    expect((await json(app, '/api/worklists?by=practice')).map((g: { name: string }) => g.name)).toEqual(['South Clinic', 'North Clinic']);
    const m = await json(app, `/api/members/${memberId(1)}`);
    expect(m.reasons).toEqual(['Diabetes coded in 2022, not yet in 2023 (worth $1,040 a year)', 'RAF rose 0.1 in 2022']);
    expect(m.hccs.map((h: { hcc: string; lastCoded: string; lastCodedBy: string; dollars: number }) => [h.hcc, h.lastCoded, h.lastCodedBy, h.dollars])).toEqual([
      ['37', '2023-11-04', '1111111111', 1040.23],
      ['329', '2023-05-21', '9999999999', 800.98],
    ]);
    expect((await app.inject({ method: 'GET', url: '/api/members/M99999999' })).statusCode).toBe(404);
  });
});

describe('parseHccLines', () => {
  it('splits the outreach cell into one line per HCC, a description with commas and parentheses kept whole', () => {
    const [a, b] = parseHccLines(
      "V28 HCC 17 Cancer Metastatic to Lung, Liver, Brain, and Other Organs; Acute Myeloid Leukemia Except Promyelocytic (last coded 2023-05-21 by NPI 1000000145 (the member's provider); recapture rate 0.78; worth $26421.94 a year) | V28 HCC 329 Chronic Kidney Disease, Moderate (Stage 3, Except 3B) (last coded 2023-05-21; not coded in 2023; recapture rate 0.89; worth $800.98 a year)",
    );
    expect(a).toMatchObject({ model: 'V28', hcc: '17', description: 'Cancer Metastatic to Lung, Liver, Brain, and Other Organs; Acute Myeloid Leukemia Except Promyelocytic', lastCodedBy: '1000000145', byMemberProvider: true, dollars: 26421.94 });
    expect(b).toMatchObject({ hcc: '329', description: 'Chronic Kidney Disease, Moderate (Stage 3, Except 3B)', lastCoded: '2023-05-21', lastCodedBy: null, byMemberProvider: false, evidence: ['last coded 2023-05-21', 'not coded in 2023', 'recapture rate 0.89', 'worth $800.98 a year'] });
    // A part of another shape is kept whole, not dropped.
    expect(parseHccLines('something else')).toEqual([{ model: '', hcc: '', description: 'something else', evidence: [], lastCoded: null, lastCodedBy: null, byMemberProvider: false, dollars: null }]);
  });
});

describe('outreach statuses', () => {
  const put = (app: FastifyInstance, rank: number, body: object, cookie?: string) =>
    app.inject({ method: 'PUT', url: `/api/members/${memberId(rank)}/status`, payload: body, ...(cookie ? { cookies: { [SESSION_COOKIE]: cookie } } : {}) });

  it('keeps a status with its history, refuses a change made on a stale version (409) and keeps it across a restart', async () => {
    const run = await makeServeRun();
    const first = await serve(run);
    const ok = await put(first.app, 3, { status: 'contacted', note: 'left a voicemail', date: '2024-01-08', version: 0 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'contacted', version: 1, updatedBy: 'tester (local)' });
    // A second user who read version 0 too: refused, the stored status unchanged.
    const stale = await put(first.app, 3, { status: 'declined', note: 'not interested', date: '', version: 0 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: 'E_CONFLICT', storedVersion: 1 });
    const next = await put(first.app, 3, { status: 'visit scheduled', note: '', date: '2024-02-01', version: 1 });
    expect(next.json().version).toBe(2);
    expect((await json(first.app, '/api/candidates?status=visit scheduled')).rows.map((r: { rank: number }) => r.rank)).toEqual([3]);
    await close(first.app);
    // A new server on the same run folder: the status and its history are there.
    const second = await serve(run);
    const m = await json(second.app, `/api/members/${memberId(3)}`);
    expect(m.status).toMatchObject({ status: 'visit scheduled', date: '2024-02-01', version: 2 });
    expect(m.history.map((h: { version: number; from: string; to: string; by: string }) => [h.version, h.from, h.to, h.by])).toEqual([
      [1, 'not started', 'contacted', 'tester (local)'],
      [2, 'contacted', 'visit scheduled', 'tester (local)'],
    ]);
    expect(statSync(join(run, 'serve', 'status.duckdb')).mode & 0o777).toBe(0o600);
  });

  it('refuses a status it does not know, a bad date and a member not on the list', async () => {
    const { app } = await serve(await makeServeRun());
    expect((await put(app, 1, { status: 'maybe', note: '', date: '', version: 0 })).statusCode).toBe(400);
    expect((await put(app, 1, { status: 'contacted', note: '', date: '2024-02-30', version: 0 })).statusCode).toBe(400);
    const r = await app.inject({ method: 'PUT', url: '/api/members/M99999999/status', payload: { status: 'contacted', note: '', date: '', version: 0 } });
    expect(r.statusCode).toBe(404);
  });

  it('loses no status a server answered for when it is killed (kill -9) right after', async () => {
    const run = await makeServeRun();
    const entry = fileURLToPath(new URL('../../test/serve-status-kill-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', entry, run, memberId(5)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const said = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += String(d);
        if (out.includes('saved\n')) {
          child.kill('SIGKILL');
          resolve(out);
        }
      });
      child.on('exit', () => reject(new Error(`the child ended before saving: ${err}`)));
    });
    expect(said).toContain('saved');
    await new Promise((r) => child.once('exit', r));
    // kill -9 leaves the child's work file of the list (every other exit removes it).
    for (const f of readdirSync(tmpdir()).filter((f) => f.startsWith(`rafcast-serve-${child.pid}-`))) rmSync(join(tmpdir(), f), { force: true });
    const { app } = await serve(run);
    const m = await json(app, `/api/members/${memberId(5)}`);
    expect(m.status).toMatchObject({ status: 'documented', version: 3, note: 'third' });
    expect(m.history).toHaveLength(3);
  });
});
