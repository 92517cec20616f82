// `rafcast score`: members in a file -> CMS-HCC raw scores per model, payment score and revenue,
// file to file. Bad rows go to a quarantine file with their row number and reason; the counts
// reconcile (read = scored + quarantined). Outputs are written atomically, owner-only.
import { InputError, RafcastError } from '../data/errors.ts';
import { openRecordSource, formatOf, type TableFormat } from '../data/record-readers.ts';
import {
  loadModelTables,
  loadPaymentFactors,
  type ModelTables,
  type ModelVersion,
} from '../data/reference/cms-hcc-tables.ts';
import { parseScoreRow, type ScoreInputRow } from '../data/score-input.ts';
import { TableWriter, type Column, type Row } from '../data/table-writer.ts';
import { CodeDictionary, compileModel, scoreBatch, toMemberBatch, type CompiledModel } from '../scoring/batch.ts';
import { calculateRaf, type RafResult } from '../scoring/calculate.ts';
import { resolveDemographics, type Demographics } from '../scoring/demographics.ts';
import {
  blendedModels,
  paymentScore,
  paymentScores,
  resolvePaymentParameters,
  type PaymentOverrides,
  type PaymentParameters,
} from '../scoring/payment-score.ts';
import { revenue } from '../scoring/revenue.ts';
import { roundHalfUp } from '../scoring/rounding.ts';

export interface ScoreFileOptions {
  input: string;
  inputFormat?: TableFormat;
  output: string;
  outputFormat?: TableFormat;
  paymentYear: number;
  /** Score this model alone (blend forced to 100%). */
  model?: ModelVersion;
  overrides?: PaymentOverrides;
  annualBaseRate: number;
  explain?: boolean;
  /** Default: `<output>.rejected.csv`. */
  quarantine?: string;
  /** Fail the run when more than this share of rows is rejected (default 0.5). */
  maxRejectedShare?: number;
}

export interface ScoreFileSummary {
  read: number;
  scored: number;
  quarantined: number;
  output: string;
  quarantine: string;
  paymentYear: number;
  blend: Partial<Record<ModelVersion, number>>;
  /** Quarantined rows by reason field, for the summary. */
  quarantinedByField: Record<string, number>;
}

export type ProgressFn = (done: number, total: number, unit: 'bytes' | 'rows') => void;

const QUARANTINE_COLUMNS: Column[] = [
  { name: 'file', type: 'VARCHAR' },
  { name: 'row', type: 'INTEGER' },
  { name: 'field', type: 'VARCHAR' },
  { name: 'reason', type: 'VARCHAR' },
];

function outputColumns(models: readonly ModelVersion[], explain: boolean): Column[] {
  const cols: Column[] = [
    { name: 'id', type: 'VARCHAR' },
    { name: 'payment_year', type: 'INTEGER' },
    { name: 'segment', type: 'VARCHAR' },
    { name: 'age', type: 'INTEGER' },
  ];
  for (const m of models) cols.push({ name: `raw_${m.toLowerCase()}`, type: 'DOUBLE' });
  cols.push(
    { name: 'payment_score', type: 'DOUBLE' },
    { name: 'revenue_annual', type: 'DOUBLE' },
    { name: 'revenue_pmpm', type: 'DOUBLE' },
  );
  if (explain) for (const m of models) cols.push({ name: `explain_${m.toLowerCase()}`, type: 'JSON' });
  return cols;
}

interface Accepted {
  input: ScoreInputRow;
  demographics: Demographics;
}

/** Resolves payment parameters: --model forces a 100% blend of that model. */
export function scoringParameters(
  paymentYear: number,
  model: ModelVersion | undefined,
  overrides: PaymentOverrides = {},
): PaymentParameters {
  if (model !== undefined && overrides.blend !== undefined) {
    throw new RafcastError('E_CONFIG', 'give --model or --blend, not both');
  }
  const blend = model !== undefined ? { [model]: 1 } : overrides.blend;
  // An unknown model or payment year is reported with what is available, before any factor.
  for (const m of Object.keys(blend ?? {})) loadModelTables(m, paymentYear);
  return resolvePaymentParameters(paymentYear, loadPaymentFactors(), { ...overrides, blend });
}

export async function scoreFile(opts: ScoreFileOptions, onProgress?: ProgressFn): Promise<ScoreFileSummary> {
  const params = scoringParameters(opts.paymentYear, opts.model, opts.overrides);
  const models = blendedModels(params);
  const tables: Partial<Record<ModelVersion, ModelTables>> = {};
  const compiled: Partial<Record<ModelVersion, CompiledModel>> = {};
  for (const m of models) {
    tables[m] = loadModelTables(m, opts.paymentYear);
    if (!opts.explain) compiled[m] = compileModel(tables[m]);
  }
  const explain = opts.explain === true;
  const singleModelExplain = explain && models.length === 1;

  const inFormat = opts.inputFormat ?? formatOf(opts.input);
  const outFormat = opts.outputFormat ?? formatOf(opts.output);
  const source = await openRecordSource(opts.input, inFormat);
  if (source.columns !== undefined) {
    const missing = ['id', 'sex', 'orec'].filter((c) => !source.columns!.includes(c));
    if (!source.columns.includes('age') && !source.columns.includes('birth_date')) missing.push('age or birth_date');
    if (missing.length > 0) {
      throw new InputError(
        `the header lacks ${missing.join(', ')}; found ${source.columns.join(', ')}`,
        { file: opts.input, row: 0 },
        'E_INPUT_HEADER',
      );
    }
  }

  const quarantinePath = opts.quarantine ?? `${opts.output}.rejected.csv`;
  const out = await TableWriter.open(opts.output, outFormat, outputColumns(models, explain));
  const rejected = await TableWriter.open(quarantinePath, 'csv', QUARANTINE_COLUMNS);
  const summary: ScoreFileSummary = {
    read: 0,
    scored: 0,
    quarantined: 0,
    output: opts.output,
    quarantine: quarantinePath,
    paymentYear: opts.paymentYear,
    blend: params.blend,
    quarantinedByField: {},
  };
  const dictionary = new CodeDictionary();
  try {
    for await (const chunk of source.chunks((done) => onProgress?.(done, source.total, source.unit))) {
      const accepted: Accepted[] = [];
      const bad: Row[] = [];
      for (const rec of chunk) {
        summary.read++;
        try {
          if (rec.record === undefined) throw new InputError(rec.error ?? 'unreadable row', { row: rec.row });
          const input = parseScoreRow(rec.record, rec.row, opts.input);
          accepted.push({ input, demographics: resolveDemographics(input, opts.paymentYear) });
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          const field = e.field ?? '';
          bad.push({ file: opts.input, row: rec.row, field, reason: e.reason });
          summary.quarantinedByField[field || 'row'] = (summary.quarantinedByField[field || 'row'] ?? 0) + 1;
        }
      }
      summary.quarantined += bad.length;
      summary.scored += accepted.length;
      if (bad.length > 0) await rejected.writeRows(bad);
      if (accepted.length === 0) continue;
      const rows = explain
        ? accepted.map((a) => explainedRow(a, models, tables, params, opts.annualBaseRate, singleModelExplain, outFormat))
        : batchRows(accepted, models, compiled, params, opts.annualBaseRate, dictionary);
      await out.writeRows(rows);
    }
    const share = summary.read === 0 ? 0 : summary.quarantined / summary.read;
    const maxShare = opts.maxRejectedShare ?? 0.5;
    if (share > maxShare) {
      await rejected.commit();
      await out.abort();
      throw new RafcastError(
        'E_TOO_MANY_REJECTED',
        `${summary.quarantined} of ${summary.read} rows of ${opts.input} were rejected (more than ${Math.round(maxShare * 100)}%); ` +
          `no output was written; reasons are in ${quarantinePath}`,
      );
    }
    await out.commit();
    await rejected.commit();
  } catch (e) {
    await out.abort();
    await rejected.abort();
    throw e;
  }
  return summary;
}

function batchRows(
  accepted: readonly Accepted[],
  models: readonly ModelVersion[],
  compiled: Partial<Record<ModelVersion, CompiledModel>>,
  params: PaymentParameters,
  annualBaseRate: number,
  dictionary: CodeDictionary,
): Row[] {
  const batch = toMemberBatch(
    accepted.map((a) => ({ demographics: a.demographics, dx: a.input.dx })),
    dictionary,
  );
  const raw: Partial<Record<ModelVersion, Float64Array>> = {};
  for (const m of models) raw[m] = scoreBatch(compiled[m]!, batch);
  const pay = paymentScores(raw, params, batch.size);
  return accepted.map((a, i) => {
    const row: Row = {
      id: a.input.id,
      payment_year: params.paymentYear,
      segment: a.demographics.segment,
      age: a.demographics.age,
    };
    for (const m of models) row[`raw_${m.toLowerCase()}`] = raw[m]![i];
    const p = pay[i]!;
    row.payment_score = p;
    row.revenue_annual = roundHalfUp(p * annualBaseRate, 2);
    row.revenue_pmpm = roundHalfUp((p * annualBaseRate) / 12, 2);
    return row;
  });
}

function explainedRow(
  a: Accepted,
  models: readonly ModelVersion[],
  tables: Partial<Record<ModelVersion, ModelTables>>,
  params: PaymentParameters,
  annualBaseRate: number,
  singleModel: boolean,
  format: TableFormat,
): Row {
  const results: Partial<Record<ModelVersion, RafResult>> = {};
  const raw: Partial<Record<ModelVersion, number>> = {};
  for (const m of models) {
    const r = calculateRaf(a.demographics, a.input.dx, tables[m]!);
    results[m] = r;
    raw[m] = r.risk_score;
  }
  const pay = paymentScore(raw, params);
  const rev = revenue(pay.paymentScore, annualBaseRate);
  const money = {
    payment_score: pay.paymentScore,
    normalized_score: pay.normalized,
    revenue_annual: rev.annual,
    revenue_pmpm: rev.pmpm,
  };
  if (format === 'jsonl') {
    if (singleModel) return { id: a.input.id, ...results[models[0]!]!, ...money };
    return {
      id: a.input.id,
      payment_year: params.paymentYear,
      segment: a.demographics.segment,
      age: a.demographics.age,
      ...money,
      models: results,
    };
  }
  const row: Row = {
    id: a.input.id,
    payment_year: params.paymentYear,
    segment: a.demographics.segment,
    age: a.demographics.age,
    payment_score: pay.paymentScore,
    revenue_annual: rev.annual,
    revenue_pmpm: rev.pmpm,
  };
  for (const m of models) {
    row[`raw_${m.toLowerCase()}`] = raw[m];
    row[`explain_${m.toLowerCase()}`] = results[m];
  }
  return row;
}
