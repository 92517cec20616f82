// A candidate list made elsewhere (a vendor's, a spreadsheet's), for `rafcast evaluate --list`
// (DOMAIN.md section 4, "any list"): a CSV or Parquet file with a `member_id` column and,
// optionally, a `rank` column (lowest first; ties keep file order); without one, the file's row
// order is the rank. The list is evaluated as given, whatever its size, and its size is said.
//
// Bad input stops with the file, the row and the field: a row that cannot be read, an empty
// member id, a rank that is not a number, a member id listed twice (every repeat named by its
// rows). Member ids not among the members at as-of T are counted, not evaluated, and never
// echoed: member ids are health information, so no message carries one, only row numbers.
import { basename } from 'node:path';
import { ConfigError, InputError } from '../data/errors.ts';
import { formatOf, openRecordSource } from '../data/record-readers.ts';
import type { ExternalListSummary } from './evaluation-types.ts';

export interface ExternalListEntry {
  /** 1-based data row (the CSV header is row 0). */
  row: number;
  memberId: string;
  rank: number | null;
}

export interface ExternalList {
  file: string;
  format: 'csv' | 'parquet';
  order: 'rank' | 'file';
  entries: ExternalListEntry[];
}

/** How many repeated member ids an error names by their rows. */
const SHOWN_REPEATS = 10;

/** Reads and checks a list file; throws InputError (file, row, field) on bad input. */
export async function readExternalList(file: string): Promise<ExternalList> {
  const format = formatOf(file);
  if (format !== 'csv' && format !== 'parquet') throw new ConfigError(`--list takes a CSV or Parquet file, found ${file}`);
  const source = await openRecordSource(file, format);
  const columns = source.columns ?? [];
  const idColumn = columns.find((c) => c.trim().toLowerCase() === 'member_id');
  const rankColumn = columns.find((c) => c.trim().toLowerCase() === 'rank');
  if (idColumn === undefined) {
    throw new InputError(`no member_id column; the columns are ${columns.map((c) => `"${c}"`).join(', ') || 'none'}`, { file, row: 0, field: 'member_id' }, 'E_INPUT_HEADER');
  }
  const entries: ExternalListEntry[] = [];
  const firstRow = new Map<string, number>();
  const repeats: [number, number][] = [];
  for await (const chunk of source.chunks()) {
    for (const { row, record, error } of chunk) {
      if (record === undefined) throw new InputError(error ?? 'cannot be read', { file, row });
      const rawId = record[idColumn];
      const memberId = rawId === null || rawId === undefined ? '' : String(rawId).trim();
      if (memberId === '') throw new InputError('empty member id', { file, row, field: idColumn });
      let rank: number | null = null;
      if (rankColumn !== undefined) {
        const raw = record[rankColumn];
        const text = raw === null || raw === undefined ? '' : String(raw).trim();
        rank = Number(text);
        if (text === '' || !Number.isFinite(rank)) throw new InputError(`expected a number (1 = first), found "${text}"`, { file, row, field: rankColumn });
      }
      const seen = firstRow.get(memberId);
      if (seen !== undefined) repeats.push([row, seen]);
      else firstRow.set(memberId, row);
      entries.push({ row, memberId, rank });
    }
  }
  if (repeats.length > 0) {
    const shown = repeats.slice(0, SHOWN_REPEATS).map(([r, first]) => `row ${r} repeats row ${first}`);
    throw new InputError(
      `${repeats.length} member id${repeats.length === 1 ? '' : 's'} listed more than once: ${shown.join(', ')}${repeats.length > SHOWN_REPEATS ? `, and ${repeats.length - SHOWN_REPEATS} more` : ''}`,
      { file, field: idColumn },
    );
  }
  if (entries.length === 0) throw new InputError('the list has no rows', { file });
  return { file, format, order: rankColumn === undefined ? 'file' : 'rank', entries };
}

export interface PlacedList {
  /** Per member of `ids`: the list's members from m (first) down to 1, everyone else 0. */
  score: Float64Array;
  summary: ExternalListSummary;
}

/**
 * The list on the members `ids` of as-of T: its members in rank order (rank, then row) scored
 * m..1 so that the top m by score is the list itself; ids not among `ids` counted as unknown.
 * Throws InputError when no member of the list is a member at as-of T.
 */
export function placeExternalList(list: ExternalList, ids: readonly string[]): PlacedList {
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  const ordered = [...list.entries].sort((a, b) => (a.rank ?? a.row) - (b.rank ?? b.row) || a.row - b.row);
  const members: number[] = [];
  let unknown = 0;
  for (const e of ordered) {
    const i = index.get(e.memberId);
    if (i === undefined) unknown++;
    else members.push(i);
  }
  if (members.length === 0) {
    throw new InputError(`none of the list's ${list.entries.length} member ids is a member enrolled at the as-of year`, { file: list.file, field: 'member_id' });
  }
  const score = new Float64Array(ids.length);
  members.forEach((i, p) => (score[i] = members.length - p));
  return {
    score,
    summary: {
      file: basename(list.file),
      format: list.format,
      rows: list.entries.length,
      evaluated: members.length,
      unknown,
      order: list.order,
      share: members.length / ids.length,
    },
  };
}
