// `rafcast score` file to file. Expected values: the golden vectors (../shared/cms-hcc/golden, read
// here as the oracle for "a golden input line plus id works as it is") and DOMAIN.md's worked
// example; bad-input outcomes are spelled out row by row.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { formatRows } from '../data/table-writer.ts';
import { scoreFile } from './score-file.ts';
import { tempDir } from '../test/temp-dir.ts';

const tmp = (): string => tempDir('score');
const readJsonl = (p: string) =>
  readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('golden input lines plus id, explained', () => {
  it.each(['v24', 'v28'] as const)('%s: every golden field of every line', async (m) => {
    const golden = readJsonl(
      fileURLToPath(new URL(`../../shared/cms-hcc/golden/hcc-golden-${m}.jsonl`, import.meta.url)),
    ) as { id: string; input: object; expected: Record<string, unknown> }[];
    const dir = tmp();
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, golden.map((g) => JSON.stringify({ id: g.id, ...g.input })).join('\n') + '\n');
    const model = m === 'v24' ? 'V24' : 'V28';
    const s = await scoreFile({
      input,
      output: join(dir, 'out.jsonl'),
      paymentYear: 2025,
      model,
      annualBaseRate: 10402.34,
      explain: true,
    });
    expect(s).toMatchObject({ read: 100, scored: 100, quarantined: 0 });
    const out = readJsonl(join(dir, 'out.jsonl'));
    out.forEach((row, i) => {
      expect(row.id).toBe(golden[i]!.id);
      for (const [k, v] of Object.entries(golden[i]!.expected)) expect(row[k], `${row.id} ${k}`).toEqual(v);
    });
  });
});

describe('formats', () => {
  const header = 'id,dx,sex,age,segment,orec,medicaid';
  const csv = [
    header,
    'A1,E11.22|I50.22|I48.91|E66.01|F33.1|G83.10,M,72,CFA,0,true',
    '"A,2","I10",F,80,CNA,0,false',
  ].join('\r\n');

  it('CSV in, JSONL / CSV / Parquet out give the same scores (worked example in row 1)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'in.csv'), `\ufeff${csv}\r\n`);
    const common = { input: join(dir, 'in.csv'), paymentYear: 2025, model: 'V28' as const, annualBaseRate: 10402.34 };
    await scoreFile({ ...common, output: join(dir, 'o.jsonl') });
    await scoreFile({ ...common, output: join(dir, 'o.csv') });
    await scoreFile({ ...common, output: join(dir, 'o.parquet') });
    const j = readJsonl(join(dir, 'o.jsonl'));
    expect(j[0]).toEqual({
      id: 'A1',
      payment_year: 2025,
      segment: 'CFA',
      age: 72,
      raw_v28: 2.927,
      payment_score: 2.636,
      revenue_annual: 27420.57,
      revenue_pmpm: 2285.05,
    });
    expect(j[1]!.id).toBe('A,2');
    expect(readFileSync(join(dir, 'o.csv'), 'utf8').split('\n')[1]).toBe('A1,2025,CFA,72,2.927,2.636,27420.57,2285.05');
    const db = await openDuckDb();
    const r = await db.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(join(dir, 'o.parquet'))})`);
    expect(r.getRowObjectsJson()).toEqual(j);
    db.close();
    for (const f of ['o.jsonl', 'o.csv', 'o.parquet', 'o.jsonl.rejected.csv']) {
      expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    }
  });

  it('the batch path writes exactly what the generic table writer writes for its rows', async () => {
    // Output lines are formatted by hand for speed; they must equal formatRows, ids with
    // commas, quotes, a newline and non-ASCII text included, for a blend of two models.
    const dir = tmp();
    const ids = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'é—中'];
    writeFileSync(
      join(dir, 'in.jsonl'),
      ids.map((id, i) => JSON.stringify({ id, dx: i % 2 ? ['E11.22', 'I50.22'] : [], sex: 'F', age: 60 + i, orec: '1', dual_status: 'full' })).join('\n'),
    );
    const common = { input: join(dir, 'in.jsonl'), paymentYear: 2025, annualBaseRate: 10402.34 };
    await scoreFile({ ...common, output: join(dir, 'o.jsonl') });
    await scoreFile({ ...common, output: join(dir, 'o.csv') });
    const jsonlText = readFileSync(join(dir, 'o.jsonl'), 'utf8');
    const rows = readJsonl(join(dir, 'o.jsonl'));
    expect(rows.map((r) => r.id)).toEqual(ids);
    const columns = Object.keys(rows[0]!).map((name) => ({ name, type: 'DOUBLE' as const }));
    expect(columns.map((c) => c.name)).toEqual([
      'id', 'payment_year', 'segment', 'age', 'raw_v24', 'raw_v28', 'payment_score', 'revenue_annual', 'revenue_pmpm',
    ]);
    expect(jsonlText).toBe(formatRows('jsonl', columns, rows));
    const csvText = readFileSync(join(dir, 'o.csv'), 'utf8');
    expect(csvText).toBe(`${columns.map((c) => c.name).join(',')}\n${formatRows('csv', columns, rows)}`);
  });

  it('Parquet in (dx as a list column) equals JSONL in', async () => {
    const dir = tmp();
    const db = await openDuckDb();
    await db.connection.run(
      `COPY (SELECT 'P1' AS id, ['E11.22','I50.22'] AS dx, 'F' AS sex, 77 AS age, 'CNA' AS segment, '0' AS orec, false AS medicaid) TO ${sqlString(join(dir, 'in.parquet'))} (FORMAT parquet)`,
    );
    db.close();
    writeFileSync(join(dir, 'in.jsonl'), JSON.stringify({ id: 'P1', dx: ['E11.22', 'I50.22'], sex: 'F', age: 77, segment: 'CNA', orec: '0', medicaid: false }) + '\n');
    const common = { paymentYear: 2026, annualBaseRate: 10402.34 };
    await scoreFile({ ...common, input: join(dir, 'in.parquet'), output: join(dir, 'a.jsonl') });
    await scoreFile({ ...common, input: join(dir, 'in.jsonl'), output: join(dir, 'b.jsonl') });
    expect(readFileSync(join(dir, 'a.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'b.jsonl'), 'utf8'));
    // CNA F75_79 0.465 + HCC37 0.166 + HCC226 0.360 + DIABETES_HF_V28 0.112 (C28 CNA factors).
    expect(readJsonl(join(dir, 'a.jsonl'))[0]!.raw_v28).toBe(1.103);
  });
});

describe('bad input', () => {
  const lines = [
    '{"id":"G1","sex":"M","age":70,"segment":"CNA","orec":"0","medicaid":false,"dx":["E119"]}',
    '{"id":"B1","age":70,"segment":"CNA","orec":"0","dx":[]}',
    '{"id":"B2","sex":"F","age":240,"segment":"CNA","orec":"0","dx":[]}',
    '{"id":"B3","sex":"F","age":70,"segment":"XYZ","orec":"0","dx":[]}',
    '{"id":"B4","sex":"F","age":70,"segment":"CNA","orec":"0","dx":[]',
    '{"id":"G2","sex":"F","age":70,"segment":"CNA","orec":"0","medicaid":false,"dx":["NOT A CODE","Z00.00"]}',
    '{"sex":"F","age":70,"segment":"CNA","orec":"0","dx":[]}',
    '{"id":"B6","sex":"F","birth_date":"1950-13-40","segment":"CNA","orec":"0","dx":[]}',
  ];

  it('quarantines each bad row with its row number, field and reason; the counts reconcile', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'in.jsonl'), lines.join('\n') + '\n');
    const s = await scoreFile({
      input: join(dir, 'in.jsonl'),
      output: join(dir, 'out.jsonl'),
      paymentYear: 2026,
      annualBaseRate: 10402.34,
      explain: true,
      model: 'V28',
      maxRejectedShare: 1,
    });
    expect(s).toMatchObject({ read: 8, scored: 2, quarantined: 6 });
    expect(s.read).toBe(s.scored + s.quarantined);
    const q = readFileSync(join(dir, 'out.jsonl.rejected.csv'), 'utf8').trim().split('\n');
    const file = join(dir, 'in.jsonl');
    expect(q).toEqual([
      'file,row,field,reason',
      `${file},2,sex,"expected one of M, F (or 1, 2), found """""`,
      `${file},3,age,"expected a whole number of years from 0 to 125, found ""240"""`,
      `${file},4,segment,"unknown segment ""XYZ""; expected one of CNA, CND, CFA, CFD, CPA, CPD, INS, NE, SNPNE"`,
      expect.stringMatching(new RegExp(`^${file},5,,"?not valid JSON`)),
      `${file},7,id,a member id is required`,
      `${file},8,birth_date,"is not a date that exists, found ""1950-13-40"""`,
    ]);
    const out = readJsonl(join(dir, 'out.jsonl'));
    expect(out.map((r) => r.id)).toEqual(['G1', 'G2']);
    // Invalid codes are not errors: they are listed in the member's result.
    expect(out[1]).toMatchObject({ invalid_dx: ['NOT A CODE'], unmapped_dx: ['Z0000'] });
  });

  it('fails without output when more than the allowed share of rows is bad', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'in.jsonl'), lines.join('\n') + '\n');
    await expect(
      scoreFile({ input: join(dir, 'in.jsonl'), output: join(dir, 'out.jsonl'), paymentYear: 2026, annualBaseRate: 1, maxRejectedShare: 0.5 }),
    ).rejects.toMatchObject({ code: 'E_TOO_MANY_REJECTED' });
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
    expect(existsSync(join(dir, 'out.jsonl.rejected.csv'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a CSV header without the required columns is an error naming them', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'in.csv'), 'member,dx,gender,age\n1,,M,70\n');
    await expect(
      scoreFile({ input: join(dir, 'in.csv'), output: join(dir, 'o.jsonl'), paymentYear: 2026, annualBaseRate: 1 }),
    ).rejects.toThrow(/row 0: the header lacks id, sex, orec/);
    expect(existsSync(join(dir, 'o.jsonl'))).toBe(false);
  });

  it('an unknown format given by name is an error, as an unknown extension is', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'in.txt'), lines[0] + '\n');
    await expect(
      scoreFile({ input: join(dir, 'in.txt'), inputFormat: 'xml', output: join(dir, 'o.jsonl'), paymentYear: 2026, annualBaseRate: 1 }),
    ).rejects.toMatchObject({ code: 'E_CONFIG' });
    expect(existsSync(join(dir, 'o.jsonl'))).toBe(false);
  });

  it('an unknown payment year lists what is available', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'in.jsonl'), lines[0] + '\n');
    await expect(
      scoreFile({ input: join(dir, 'in.jsonl'), output: join(dir, 'o.jsonl'), paymentYear: 2023, model: 'V28', annualBaseRate: 1 }),
    ).rejects.toThrow('no V28 tables for payment year 2023; available: 2024, 2025, 2026');
  });
});

describe('worker threads', () => {
  it('give byte-identical output and quarantine to the in-thread path (JSONL and CSV)', async () => {
    const dir = tmp();
    const codes = ['E11.22', 'I50.22', 'I48.91', 'E66.01', 'F33.1', 'G83.10', 'Z00.00', 'c61', 'N18.4'];
    const segs = ['CNA', 'CND', 'CFA', 'CFD', 'CPA', 'CPD', 'INS', 'NE', 'SNPNE'];
    const jsonl: string[] = [];
    const csv: string[] = ['id,dx,sex,age,segment,orec,medicaid'];
    for (let i = 0; i < 20000; i++) {
      const dx = codes.filter((_, k) => (i >> k) % 3 === 0);
      const age = i % 7 === 0 ? 300 : 30 + (i % 70);
      jsonl.push(i % 997 === 0 ? '{broken' : JSON.stringify({ id: `W${i}`, dx, sex: i % 2 ? 'M' : 'F', age, segment: segs[i % 9], orec: String(i % 4), medicaid: i % 3 === 0 }));
      csv.push(`W${i},"${dx.join('|')}",${i % 2 ? 'M' : 'F'},${age},${segs[i % 9]},${i % 4},${i % 3 === 0}`);
    }
    writeFileSync(join(dir, 'in.jsonl'), jsonl.join('\n') + '\n');
    writeFileSync(join(dir, 'in.csv'), csv.join('\n') + '\n');
    for (const f of ['jsonl', 'csv']) {
      const common = { input: join(dir, `in.${f}`), paymentYear: 2025, annualBaseRate: 10402.34 };
      const a = await scoreFile({ ...common, output: join(dir, `a.${f}`), workers: 0 });
      const b = await scoreFile({ ...common, output: join(dir, `b.${f}`), workers: 2 });
      expect(b).toMatchObject({ read: a.read, scored: a.scored, quarantined: a.quarantined });
      // Rejected by construction: age 300 on every 7th row, and (JSONL) a broken line every 997th.
      let expectedRejected = 0;
      for (let i = 0; i < 20000; i++) if (i % 7 === 0 || (f === 'jsonl' && i % 997 === 0)) expectedRejected++;
      expect(a).toMatchObject({ read: 20000, quarantined: expectedRejected, scored: 20000 - expectedRejected });
      expect(readFileSync(join(dir, `b.${f}`), 'utf8')).toBe(readFileSync(join(dir, `a.${f}`), 'utf8'));
      expect(readFileSync(join(dir, `b.${f}.rejected.csv`), 'utf8')).toBe(readFileSync(join(dir, `a.${f}.rejected.csv`), 'utf8'));
    }
    // Parquet (dx as a list column) is staged as CSV for the workers; same bytes out.
    const db = await openDuckDb();
    await db.connection.run(
      `COPY (SELECT * REPLACE (string_split(dx, '|') AS dx) FROM read_csv(${sqlString(join(dir, 'in.csv'))}, all_varchar = true)) TO ${sqlString(join(dir, 'in.parquet'))} (FORMAT parquet)`,
    );
    db.close();
    const common = { input: join(dir, 'in.parquet'), paymentYear: 2025, annualBaseRate: 10402.34 };
    await scoreFile({ ...common, output: join(dir, 'pa.jsonl'), workers: 0 });
    await scoreFile({ ...common, output: join(dir, 'pb.jsonl'), workers: 2 });
    expect(readFileSync(join(dir, 'pb.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'pa.jsonl'), 'utf8'));
    expect(readFileSync(join(dir, 'pb.jsonl.rejected.csv'), 'utf8')).toBe(readFileSync(join(dir, 'pa.jsonl.rejected.csv'), 'utf8'));
  });
});
