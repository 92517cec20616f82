// Issue 16: hostile inputs to `load` and `score`, one table each. For every case the outcome is
// spelled out: the error code and message, or the quarantine's lines (row, field, reason) and
// the counts, which are checked against the rows the case writes (read = accepted + rejected).
// Member ids in these files contain LEAK: no reason, message or quarantine line may hold it.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContract } from './load-contract.ts';
import { scoreFile } from './score-file.ts';
import { tempDir } from '../test/temp-dir.ts';

const MEMBERS_HEADER = 'member_id,birth_date,sex,orec';
const CLAIMS_HEADER = 'claim_id,member_id,claim_type,from_date,thru_date,diagnosis_codes,paid_amount';
const claim = (id: string, member: string, from: string): string => `${id},${member},professional,${from},${from},E1122,10.00`;
const LATIN1_ID = Buffer.concat([Buffer.from('LEAK'), Buffer.from([0xc9]), Buffer.from('1')]); // "LEAKÉ1" in Latin-1
const LONG_ID = `LEAK${'9'.repeat(100_000)}`;

interface LoadCase {
  name: string;
  members: (string | Buffer)[];
  claims?: (string | Buffer)[];
  /** [table, read, accepted, rejected] for each file. */
  counts: [string, number, number, number][];
  /** Quarantine lines after the header, without the file column: "row,field,reason". */
  rejected: Record<string, string[]>;
}

const LOAD_CASES: LoadCase[] = [
  {
    name: 'a Latin-1 member id is rejected as not UTF-8, never read mangled',
    members: ['LEAK1,1950-01-01,F,0', Buffer.concat([LATIN1_ID, Buffer.from(',1950-01-01,F,0')])],
    counts: [['members', 2, 1, 1]],
    rejected: { members: ['2,,not valid UTF-8 text'] },
  },
  {
    name: 'an unclosed quote rejects its row; the rows before it load',
    members: ['LEAK1,1950-01-01,F,0', 'LEAK2,"1950-01-01,F,0'],
    counts: [['members', 2, 1, 1]],
    rejected: { members: ['2,,a quote is not closed'] },
  },
  {
    name: 'a 100 KB member id is too long, and not echoed',
    members: ['LEAK1,1950-01-01,F,0', `${LONG_ID},1950-01-01,F,0`],
    counts: [['members', 2, 1, 1]],
    rejected: { members: ['2,member_id,is longer than 64 characters'] },
  },
  {
    name: 'dates out of their ranges (contract.ts DATE_RANGES) name the field; a day that does not exist says so',
    members: ['LEAK1,1950-01-01,F,0', 'LEAK2,1899-12-31,F,0', 'LEAK3,1900-01-01,M,0', 'LEAK4,2030-01-01,F,0'],
    claims: [claim('C1', 'LEAK1', '2024-03-01'), claim('C2', 'LEAK1', '1899-06-01'), claim('C3', 'LEAK1', '2024-02-30'), claim('C4', 'LEAK4', '2025-01-02')],
    // Members: rows 2 and 3 are before 1900-01-02; LEAK4 (born 2030) loads, but its claim of
    // 2025 is before the birth. Claims: C2 before 2000-01-01, C3 no such day, C4 before birth.
    counts: [
      ['members', 4, 2, 2],
      ['claims', 4, 1, 3],
    ],
    rejected: {
      members: ['2,birth_date,"expected a date from 1900-01-02 to 2100-12-31, found ""1899-12-31"""', '3,birth_date,"expected a date from 1900-01-02 to 2100-12-31, found ""1900-01-01"""'],
      claims: [
        '2,from_date,"expected a date from 2000-01-01 to 2100-12-31, found ""1899-06-01"""',
        '3,from_date,"is not a date that exists, found ""2024-02-30"""',
        "4,from_date,from_date is before the member's birth_date",
      ],
    },
  },
];

function writeLines(path: string, header: string, rows: (string | Buffer)[]): void {
  writeFileSync(path, Buffer.concat([Buffer.from(`${header}\n`), ...rows.flatMap((r) => [Buffer.from(r), Buffer.from('\n')])]));
}

describe('load: hostile inputs', () => {
  it.each(LOAD_CASES)('$name', async (c) => {
    const dir = tempDir('hostile-load');
    const input = join(dir, 'in');
    mkdirSync(input);
    const files: { members: string; claims?: string } = { members: join(input, 'members.csv') };
    writeLines(files.members, MEMBERS_HEADER, c.members);
    if (c.claims) writeLines((files.claims = join(input, 'claims.csv')), CLAIMS_HEADER, c.claims);
    const out = join(dir, 'out');
    const loaded = await loadContract({ files, out, maxRejectedShare: 1 });
    expect(loaded.map((l) => [l.table, l.read, l.accepted, l.rejected])).toEqual(c.counts);
    for (const l of loaded) {
      // The counts reconcile with the rows the case wrote.
      expect(l.read).toBe(l.table === 'members' ? c.members.length : c.claims!.length);
      expect(l.quarantine).toBe(join(out, `${l.table}.rejected.csv`));
      const text = readFileSync(l.quarantine, 'utf8');
      expect(text).not.toContain('LEAK');
      const lines = text.trimEnd().split('\n');
      expect(lines[0]).toBe('file,row,field,reason');
      expect(lines.slice(1).map((q) => q.slice(q.indexOf(',', l.file.length) + 1))).toEqual(c.rejected[l.table] ?? []);
    }
    // Nothing is written beside the inputs.
    expect(readdirSync(input).sort()).toEqual(Object.values(files).map((f) => f.slice(input.length + 1)).sort());
  });

  it('a folder for rejected rows that cannot be made is E_IO naming it, before any work', async () => {
    const dir = tempDir('hostile-load');
    const members = join(dir, 'members.csv');
    writeLines(members, MEMBERS_HEADER, ['LEAK1,1950-01-01,F,0']);
    // A file where a folder should be: ENOTDIR, whoever runs the test (root ignores modes).
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, '');
    await expect(loadContract({ files: { members }, out: join(dir, 'out'), rejectedDir: join(blocker, 'rejected') })).rejects.toMatchObject({
      code: 'E_IO',
      message: `cannot write in the folder for rejected rows ${join(blocker, 'rejected')}: a part of the path is not a folder`,
    });
    expect(existsSync(join(dir, 'out', 'members.parquet'))).toBe(false);
  });
});

interface ScoreCase {
  name: string;
  format: 'csv' | 'jsonl';
  rows: (string | Buffer)[];
  read: number;
  scored: number;
  /** Quarantine lines after the header, without the file column: "row,field,reason". */
  rejected: string[];
}

const SCORE_CSV_HEADER = 'id,dx,sex,age,birth_date,orec,medicaid';
const SCORE_CASES: ScoreCase[] = [
  {
    name: 'CSV: a Latin-1 id is rejected as not UTF-8, never scored mangled',
    format: 'csv',
    rows: ['LEAK1,E1122,F,70,,0,false', Buffer.concat([LATIN1_ID, Buffer.from(',E1122,F,70,,0,false')])],
    read: 2,
    scored: 1,
    rejected: ['2,,not valid UTF-8 text'],
  },
  {
    name: 'CSV: an unclosed quote rejects its row, not read as if closed',
    format: 'csv',
    rows: ['LEAK1,E1122,F,70,,0,false', 'LEAK2,"E1122,F,70,,0,false'],
    read: 2,
    scored: 1,
    rejected: ['2,,a quote is not closed'],
  },
  {
    name: 'CSV: a 100 KB id is too long, as in load',
    format: 'csv',
    rows: ['LEAK1,E1122,F,70,,0,false', `${LONG_ID},E1122,F,70,,0,false`],
    read: 2,
    scored: 1,
    rejected: ['2,id,is longer than 64 characters'],
  },
  {
    name: 'CSV: birth dates take load\'s range and calendar; a birth after the payment year is rejected',
    format: 'csv',
    rows: ['LEAK1,E1122,F,,1899-12-31,0,false', 'LEAK2,E1122,F,,2024-02-30,0,false', 'LEAK3,E1122,F,,2030-01-01,0,false', 'LEAK4,E1122,F,,1950-01-01xyz,0,false', 'LEAK5,E1122,F,,1950-01-01,0,false'],
    read: 5,
    scored: 1,
    rejected: [
      '1,birth_date,"expected a date from 1900-01-02 to 2100-12-31, found ""1899-12-31"""',
      '2,birth_date,"is not a date that exists, found ""2024-02-30"""',
      '3,birth_date,born after February 1 of payment year 2026',
      '4,birth_date,"expected a date YYYY-MM-DD, found ""1950-01-01xyz"""',
    ],
  },
  {
    name: 'JSONL: a line that is not JSON is rejected without quoting it',
    format: 'jsonl',
    rows: ['{"id":"LEAK1","dx":["E1122"],"sex":"F","age":70,"orec":"0","medicaid":false}', '{"id":"LEAK2","dx":["E1122"],"sex":"F","age":70,"orec":"0"', 'LEAK3 not json'],
    read: 3,
    scored: 1,
    rejected: ['2,,not valid JSON', '3,,not valid JSON'],
  },
];

describe('score: hostile inputs', () => {
  it.each(SCORE_CASES)('$name', async (c) => {
    const dir = tempDir('hostile-score');
    const input = join(dir, 'in');
    mkdirSync(input);
    const file = join(input, `members.${c.format}`);
    if (c.format === 'csv') writeLines(file, SCORE_CSV_HEADER, c.rows);
    else writeFileSync(file, Buffer.concat(c.rows.flatMap((r) => [Buffer.from(r), Buffer.from('\n')])));
    const s = await scoreFile({ input: file, output: join(dir, 'out', 'scores.csv'), paymentYear: 2026, annualBaseRate: 12000, maxRejectedShare: 1, workers: 0 });
    expect([s.read, s.scored, s.quarantined]).toEqual([c.read, c.scored, c.read - c.scored]);
    expect(s.read).toBe(c.rows.length);
    expect(s.quarantine).toBe(join(dir, 'out', 'scores.csv.rejected.csv'));
    const text = readFileSync(s.quarantine, 'utf8');
    expect(text).not.toContain('LEAK');
    expect(text.trimEnd().split('\n').slice(1).map((q) => q.slice(file.length + 1))).toEqual(c.rejected);
    expect(readdirSync(input)).toEqual([`members.${c.format}`]);
  });

  it('--rejected DIR takes the rejected rows; one that cannot be made is E_IO naming it', async () => {
    const dir = tempDir('hostile-score');
    const file = join(dir, 'members.csv');
    writeLines(file, SCORE_CSV_HEADER, ['LEAK1,E1122,F,70,,0,false', 'LEAK2,E1122,X,70,,0,false']);
    const opts = { input: file, output: join(dir, 'out', 'scores.csv'), paymentYear: 2026, annualBaseRate: 12000, maxRejectedShare: 1 };
    const s = await scoreFile({ ...opts, rejectedDir: join(dir, 'rej') });
    expect(s.quarantine).toBe(join(dir, 'rej', 'scores.csv.rejected.csv'));
    expect(readFileSync(s.quarantine, 'utf8')).toBe(`file,row,field,reason\n${file},2,sex,"expected one of M, F (or 1, 2), found ""X"""\n`);
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, '');
    await expect(scoreFile({ ...opts, rejectedDir: join(blocker, 'rej') })).rejects.toMatchObject({
      code: 'E_IO',
      message: `cannot write in the folder for rejected rows ${join(blocker, 'rej')}: a part of the path is not a folder`,
    });
  });
});
