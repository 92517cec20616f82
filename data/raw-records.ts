// One row's text parsed into a record, or into the reason it cannot be one (the words of
// ROW_REASONS and fieldCountReason, the same in load and score); text-rows.ts finds the rows.
import { parseCsv } from './csv.ts';
import { parseFlatJsonObject } from './flat-json.ts';
import { fieldCountReason, ROW_REASONS } from './text-rows.ts';

export interface SourceRecord {
  row: number;
  record?: Record<string, unknown>;
  /** Why the row could not be read as a record. */
  error?: string;
}

/** Splits a block of whole rows into each row's text (CSV rows may hold quoted newlines). */
export function splitRows(format: 'jsonl' | 'csv', text: string): string[] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '' && text.endsWith('\n')) parts.pop();
  if (format === 'jsonl' || text.indexOf('"') < 0) return parts;
  const rows: string[] = [];
  let pending = '';
  let open = false;
  for (const line of parts) {
    pending = pending === '' && !open ? line : `${pending}\n${line}`;
    for (let k = line.indexOf('"'); k >= 0; k = line.indexOf('"', k + 1)) open = !open;
    if (open) continue;
    rows.push(pending);
    pending = '';
  }
  if (open) rows.push(pending);
  return rows;
}

/** Parses one row's raw text (a JSONL line, or a CSV record's text) into a record or an error. */
export function parseRawRecord(
  format: 'jsonl' | 'csv',
  text: string,
  row: number,
  columns: readonly string[] | undefined,
): SourceRecord {
  // Bytes that are not UTF-8 decode as U+FFFD: such a row is rejected, never read mangled.
  if (text.indexOf('\uFFFD') >= 0) return { row, error: ROW_REASONS.notUtf8 };
  if (format === 'jsonl') {
    let line = row === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') return { row, error: ROW_REASONS.empty };
    const flat = parseFlatJsonObject(line);
    if (flat !== undefined) return { row, record: flat };
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return { row, error: ROW_REASONS.notJsonObject };
      return { row, record: value as Record<string, unknown> };
    } catch {
      // JSON.parse's message quotes the line (a member id with it): the reason never does.
      return { row, error: ROW_REASONS.notJson };
    }
  }
  const cols = columns ?? [];
  let fields: string[] = [];
  // Most rows have no quotes and no carriage return inside: a plain split is the RFC 4180 parse.
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  const quotedFields = line.indexOf('"') >= 0;
  if (!quotedFields && line.indexOf('\r') < 0) fields = line.split(',');
  else {
    parseCsv(text, (f) => {
      fields = f;
      return false;
    });
  }
  if (text === '' || text === '\r' || (fields.length === 1 && fields[0] === '')) return { row, error: ROW_REASONS.empty };
  // Quotes come in pairs in RFC 4180 (a doubled quote is two): an odd count leaves one open.
  if (quotedFields && (text.split('"').length - 1) % 2 === 1) return { row, error: ROW_REASONS.unclosedQuote };
  if (fields.length !== cols.length) {
    return { row, error: fieldCountReason(cols.length, fields.length) };
  }
  const record: Record<string, unknown> = {};
  for (let k = 0; k < cols.length; k++) record[cols[k]!] = fields[k];
  return { row, record };
}
