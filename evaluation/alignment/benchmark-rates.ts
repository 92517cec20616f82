// The user's rate input for `rafcast benchmark` (issue 19; the format: ./README.md "Rates"): one
// `entity` row with the regional rate, the trend and, optionally, the historical expenditure per
// beneficiary; `practice` rows (key: a participant TIN) and `beneficiary` rows (key: a member_id)
// with their own historical expenditure. Checked whole: a bad row stops with the file, the row (the
// data row's number, the header not counted) and the field; a member id never appears in a message.
import { readFileSync } from 'node:fs';
import { parseCsv } from '../../data/csv.ts';
import { InputError, asIoError } from '../../data/errors.ts';
import type { BenchmarkRates } from './benchmark.ts';

export const RATE_COLUMNS = ['level', 'key', 'regional_rate', 'historical_expenditure', 'trend'] as const;
export const RATE_LEVELS = ['entity', 'practice', 'beneficiary'] as const;

/** Parses and checks the rates CSV `text` read from `file` (named in errors). */
export function parseRates(text: string, file: string): BenchmarkRates {
  let header: string[] | undefined;
  let row = 0;
  let entity: { regionalRate: number; trend: number; historical: number | null } | undefined;
  const practice = new Map<string, number>();
  const beneficiary = new Map<string, number>();
  const fail = (reason: string, field?: string): never => {
    throw new InputError(reason, { file, row, ...(field !== undefined ? { field } : {}) });
  };
  const amount = (r: Record<string, string>, field: string, required: boolean): number | null => {
    const t = (r[field] ?? '').trim();
    if (t === '') return required ? fail('expected a number above 0, found nothing', field) : null;
    const n = Number(t);
    if (!Number.isFinite(n) || n <= 0) fail(`expected a number above 0, found "${t}"`, field);
    return n;
  };
  parseCsv(text, (fields) => {
    if (header === undefined) {
      header = fields.map((f) => f.trim().toLowerCase());
      const missing = RATE_COLUMNS.filter((c) => !header!.includes(c));
      if (missing.length > 0) throw new InputError(`the header lacks ${missing.join(', ')}; expected ${RATE_COLUMNS.join(',')}`, { file, row: 0 }, 'E_INPUT_HEADER');
      return;
    }
    if (fields.length === 1 && fields[0]!.trim() === '') return;
    row++;
    const r = Object.fromEntries(header.map((h, k) => [h, fields[k] ?? '']));
    const level = (r.level ?? '').trim().toLowerCase();
    const key = (r.key ?? '').trim();
    if (level === 'entity') {
      if (key !== '') fail('expected no key on the entity row', 'key');
      if (entity !== undefined) fail('a second entity row; give one', 'level');
      entity = { regionalRate: amount(r, 'regional_rate', true)!, historical: amount(r, 'historical_expenditure', false), trend: amount(r, 'trend', true)! };
    } else if (level === 'practice' || level === 'beneficiary') {
      for (const f of ['regional_rate', 'trend']) if ((r[f] ?? '').trim() !== '') fail(`given on the entity row only; leave it empty on a ${level} row`, f);
      const historical = amount(r, 'historical_expenditure', true)!;
      if (level === 'practice') {
        const tin = key.replaceAll('-', '');
        if (!/^\d{9}$/.test(tin)) fail(`expected a 9-digit TIN, found "${key}"`, 'key');
        if (practice.has(tin)) fail(`TIN ${tin} is given twice`, 'key');
        practice.set(tin, historical);
      } else {
        // The key is a member id: never echoed.
        if (key === '') fail('expected a member_id, found nothing', 'key');
        if (beneficiary.has(key)) fail('this member_id is given twice', 'key');
        beneficiary.set(key, historical);
      }
    } else {
      fail(`expected one of ${RATE_LEVELS.join(', ')}, found "${level}"`, 'level');
    }
  });
  if (header === undefined) throw new InputError(`empty; expected the header ${RATE_COLUMNS.join(',')} and an entity row`, { file, row: 0 }, 'E_INPUT_HEADER');
  if (entity === undefined) throw new InputError('no entity row: the regional rate and the trend are given on one row of level entity', { file });
  return { regionalRate: entity.regionalRate, trend: entity.trend, entityHistorical: entity.historical, practiceHistorical: practice, beneficiaryHistorical: beneficiary };
}

/** Reads and checks the rates file. */
export function readRates(file: string): BenchmarkRates {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw asIoError(e, 'cannot read the rates file', file);
  }
  return parseRates(text, file);
}
