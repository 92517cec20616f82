// Reading rows: a CSV row's plain split (the fast path) must give what the RFC 4180 parser
// gives, and unreadable rows come back with their row number and reason, never skipped; the byte
// scans follow a file while it is written and count CSV rows as RFC 4180 does.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';
import { fileBlocks, scanCsvRows } from './text-rows.ts';
import { parseRawRecord } from './raw-records.ts';
import { tempDir } from '../test/temp-dir.ts';

const columns = ['a', 'b', 'c'];

function rfc4180(text: string): string[] {
  let fields: string[] = [];
  parseCsv(text, (f) => {
    fields = f;
    return false;
  });
  return fields;
}

describe('parseRawRecord, CSV', () => {
  it.each([
    'x,y,z',
    'x,y,z\r',
    'x,,',
    ',,',
    '"x,1",y,z',
    '"say ""hi""",y,z\r',
    '"two\nlines",y,z',
    'x\ry,z,w',
    ' x , y ,z ',
  ])('%j reads as the RFC 4180 parser reads it', (text) => {
    const r = parseRawRecord('csv', text, 7, columns);
    const fields = rfc4180(text);
    if (fields.length === 3) {
      expect(r).toEqual({ row: 7, record: { a: fields[0], b: fields[1], c: fields[2] } });
    } else {
      expect(r).toEqual({ row: 7, error: `expected 3 fields as in the header, found ${fields.length}` });
    }
  });

  it('a row with too few or too many fields is an error naming both counts', () => {
    expect(parseRawRecord('csv', 'x,y', 3, columns)).toEqual({ row: 3, error: 'expected 3 fields as in the header, found 2' });
    expect(parseRawRecord('csv', 'x,y,z,w', 4, columns)).toEqual({ row: 4, error: 'expected 3 fields as in the header, found 4' });
  });

  it('an empty line is an error, not a skipped row', () => {
    expect(parseRawRecord('csv', '', 5, columns)).toEqual({ row: 5, error: 'empty line' });
    expect(parseRawRecord('csv', '\r', 6, columns)).toEqual({ row: 6, error: 'empty line' });
  });
});

describe('parseRawRecord, JSONL', () => {
  it('reads an object, strips a BOM on row 1 and a CR at the end', () => {
    expect(parseRawRecord('jsonl', '\ufeff{"a":1}\r', 1, undefined)).toEqual({ row: 1, record: { a: 1 } });
  });

  it('names what is wrong with a line that is not an object', () => {
    expect(parseRawRecord('jsonl', '[1]', 2, undefined)).toEqual({ row: 2, error: 'expected a JSON object' });
    expect(parseRawRecord('jsonl', '  ', 3, undefined)).toEqual({ row: 3, error: 'empty line' });
    expect(parseRawRecord('jsonl', '{"a":', 4, undefined).error).toMatch(/^not valid JSON/);
  });
});

describe('fileBlocks follows a file while it is written', () => {
  it('reads every byte a slow writer appends, then stops when the writer is done', async () => {
    const dir = tempDir('follow');
    const path = join(dir, 'growing.txt');
    const parts = Array.from({ length: 30 }, (_, i) => `part ${i} `.repeat(50 + i) + '\n');
    const written = (async () => {
      for (const p of parts) {
        appendFileSync(path, p);
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
    const got: Buffer[] = [];
    for await (const b of fileBlocks(path, 1000, written)) got.push(Buffer.from(b));
    expect(Buffer.concat(got).toString('utf8')).toBe(parts.join(''));
  });

  it("throws the writer's failure", async () => {
    const dir = tempDir('follow');
    writeFileSync(join(dir, 'x.txt'), 'abc');
    const failed = new Promise<void>((_, reject) => setTimeout(() => reject(new Error('writer broke')), 20));
    const read = async () => {
      for await (const _ of fileBlocks(join(dir, 'x.txt'), 1000, failed)) void _;
    };
    await expect(read()).rejects.toThrow('writer broke');
  });
});

describe('scanCsvRows', () => {
  it('counts rows as RFC 4180 does and lists the empty ones (LF, CRLF, quoted newlines, no final newline)', async () => {
    const dir = tempDir('scan');
    const path = join(dir, 'x.csv');
    // Rows: 1 "a,b", 2 empty, 3 quoted two-line row, 4 empty (CRLF), 5 "e,f" without newline.
    writeFileSync(path, 'h1,h2\na,b\n\n"c\n\nc",d\r\n\r\ne,f');
    expect(await scanCsvRows(path)).toMatchObject({ rows: 5, emptyRows: [2, 4] });
    // The same without quotes takes the newline-only path.
    writeFileSync(path, 'h1,h2\na,b\n\nc,d\r\n\r\ne,f');
    expect(await scanCsvRows(path)).toMatchObject({ rows: 5, emptyRows: [2, 4] });
    writeFileSync(path, 'h1,h2\n');
    expect(await scanCsvRows(path)).toMatchObject({ rows: 0, emptyRows: [] });
  });
});
