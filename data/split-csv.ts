// One CSV split into one file per value of its first field, in a single pass: DuckDB writes the
// whole table once (its own quoting and number formats), and each record's bytes go unchanged,
// less that first field, to its key's file. Writing 2,500 clinicians' worklists one COPY each took
// 26 s at 1,000,000 members; one COPY and this pass take a few seconds.
//
// A record ends at a line feed outside quotes. DuckDB's CSV writer quotes a field holding the
// delimiter, a quote or a line break and doubles the quotes inside, so counting quotes tells
// whether a line feed is inside a field. The bytes '"', ',' and '\n' never occur inside a
// multi-byte UTF-8 character, so the scan works on bytes.
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OUTPUT_FILE_MODE } from './atomic-file.ts';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;

/**
 * Reads `src`, a CSV with a header whose records are grouped by their first field (an unquoted
 * key: `keyPattern` is checked on each), and writes `<dir>/<fileName(key)>` for each key: the header
 * and that key's records, in their order, without the first field; mode 0600. `dir` must exist and
 * hold no such file (the caller writes into a fresh folder and publishes it whole). Returns the
 * number of files written. A key met again after another one is an error: the input was not grouped.
 */
export async function splitCsvByFirstField(src: string, dir: string, fileName: (key: string) => string, keyPattern: RegExp): Promise<number> {
  let header: Buffer | undefined;
  let key: string | undefined;
  let parts: Buffer[] = [];
  const done = new Set<string>();
  const flush = async (): Promise<void> => {
    if (key === undefined) return;
    await writeFile(join(dir, fileName(key)), Buffer.concat([header!, ...parts]), { mode: OUTPUT_FILE_MODE, flag: 'wx' });
    done.add(key);
    parts = [];
  };
  const record = async (r: Buffer): Promise<void> => {
    const comma = r.indexOf(COMMA);
    if (comma < 0) throw new Error(`a record of ${src} has one field only: nothing to split`);
    if (header === undefined) {
      header = r.subarray(comma + 1);
      return;
    }
    const k = r.subarray(0, comma).toString('utf8');
    if (!keyPattern.test(k)) throw new Error(`a key of ${src} does not match ${keyPattern}: refused as a file name`);
    if (k !== key) {
      await flush();
      if (done.has(k)) throw new Error(`${src} is not grouped by its first field: a key comes back after another`);
      key = k;
    }
    parts.push(r.subarray(comma + 1));
  };

  let carry: Buffer = Buffer.alloc(0);
  let inQuotes = false;
  for await (const chunk of createReadStream(src, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const data = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    let start = 0;
    // Bytes before carry.length were scanned already (the quote state carries over).
    for (let i = carry.length; i < data.length; i++) {
      const b = data[i];
      if (b === QUOTE) inQuotes = !inQuotes;
      else if (b === LF && !inQuotes) {
        // Copied: the chunk's memory is reused by the stream.
        await record(Buffer.from(data.subarray(start, i + 1)));
        start = i + 1;
      }
    }
    carry = Buffer.from(data.subarray(start));
  }
  if (carry.length > 0) throw new Error(`${src} ends inside a record (no final line feed${inQuotes ? ', an open quote' : ''})`);
  await flush();
  return done.size;
}
