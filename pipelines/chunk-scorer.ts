// Validates and scores one chunk of member records for `rafcast score`: each row parsed and checked
// (data/score-input.ts), bad rows turned into quarantine rows with their reason, good ones scored
// by the batch path (scoring/batch.ts) or, with --explain, one by one by scoring/calculate.ts.
// The same code runs in the main thread and in worker threads (score-worker.ts), so the output is
// the same byte for byte either way.
import { InputError } from '../data/errors.ts';
import { csvField } from '../data/csv.ts';
import { ByteBuilder } from '../data/byte-builder.ts';
import type { TableFormat } from '../data/table-formats.ts';
import type { RawChunk } from '../data/text-rows.ts';
import { parseRawRecord, splitRows, type SourceRecord } from '../data/raw-records.ts';
import { loadModelTables, type ModelTables, type ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { parseScoreFields, parseScoreRow, type ScoreInputRow } from '../data/score-input.ts';
import { formatRows, type Column, type Row } from '../data/table-writer.ts';
import { scoringParameters } from '../scoring/scoring-parameters.ts';
import {
  CodeDictionary,
  MemberBatchBuilder,
  compileModel,
  scoreBatch,
  type CompiledModel,
  type MemberBatch,
} from '../scoring/batch.ts';
import { calculateResolved } from '../scoring/calculate.ts';
import { resolveDemographics, type Demographics } from '../scoring/demographics.ts';
import {
  blendedModels,
  paymentScores,
  type PaymentOverrides,
  type PaymentParameters,
} from '../scoring/payment-score.ts';
import { revenue } from '../scoring/revenue.ts';

/** What a chunk scorer needs: small and serialisable, so a worker thread can rebuild it. */
export interface ScoreContext {
  input: string;
  paymentYear: number;
  model?: ModelVersion;
  overrides?: PaymentOverrides;
  annualBaseRate: number;
  explain: boolean;
  outFormat: TableFormat;
}

/** One chunk's outcome: output and quarantine text, and the counts. */
export interface ChunkResult {
  /** Output rows: text, or UTF-8 bytes from the batch path. */
  out: string | Uint8Array;
  rejected: string;
  read: number;
  scored: number;
  quarantined: number;
  byField: Record<string, number>;
}

/** The quarantine file's columns: which file, which row, which field, why. */
export const QUARANTINE_COLUMNS: Column[] = [
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

/** Validates and scores chunks of records; the same code runs in this thread and in workers. */
export class ChunkScorer {
  readonly params: PaymentParameters;
  readonly models: ModelVersion[];
  readonly columns: Column[];
  private readonly tables: Partial<Record<ModelVersion, ModelTables>> = {};
  /** Compiled on first use: a main thread that hands every chunk to workers never needs them. */
  private compiled: Partial<Record<ModelVersion, CompiledModel>> | undefined;
  /** Only codes some model maps get an id: the others cannot change a score. */
  private readonly dictionary = new CodeDictionary((code) => this.models.some((m) => this.tables[m]!.dxToCc.has(code)));

  constructor(readonly ctx: ScoreContext) {
    this.params = scoringParameters(ctx.paymentYear, ctx.model, ctx.overrides);
    this.models = blendedModels(this.params);
    for (const m of this.models) this.tables[m] = loadModelTables(m, ctx.paymentYear);
    this.columns = outputColumns(this.models, ctx.explain);
  }

  scoreRecords(records: readonly SourceRecord[]): ChunkResult {
    const { ctx } = this;
    const bad: Row[] = [];
    const byField: Record<string, number> = {};
    const quarantine = (row: number, e: unknown): void => {
      if (!(e instanceof InputError)) throw e;
      const field = e.field ?? '';
      bad.push({ file: ctx.input, row, field, reason: e.reason });
      byField[field || 'row'] = (byField[field || 'row'] ?? 0) + 1;
    };
    let out: string | Uint8Array;
    let scored: number;
    if (ctx.explain) {
      const rows: Row[] = [];
      for (const rec of records) {
        try {
          if (rec.record === undefined) throw new InputError(rec.error ?? 'unreadable row', { row: rec.row });
          const input = parseScoreRow(rec.record, rec.row, ctx.input);
          const accepted = { input, demographics: resolveDemographics(input, ctx.paymentYear) };
          rows.push(explainedRow(accepted, this.models, this.tables, this.params, ctx.annualBaseRate, ctx.outFormat));
        } catch (e) {
          quarantine(rec.row, e);
        }
      }
      out = formatRows(ctx.outFormat, this.columns, rows);
      scored = rows.length;
    } else {
      // The batch path: validated fields go straight into columns, codes into dictionary ids.
      const batch = new MemberBatchBuilder(this.dictionary, records.length);
      const ids: string[] = [];
      const demographics: Demographics[] = [];
      for (const rec of records) {
        try {
          if (rec.record === undefined) throw new InputError(rec.error ?? 'unreadable row', { row: rec.row });
          const input = parseScoreFields(rec.record, rec.row, ctx.input);
          const d = resolveDemographics(input, ctx.paymentYear);
          batch.add(d, input.dx);
          ids.push(input.id);
          demographics.push(d);
        } catch (e) {
          quarantine(rec.row, e);
        }
      }
      out = ids.length === 0 ? '' : this.batchBytes(batch.finish(), ids, demographics);
      scored = ids.length;
    }
    return {
      out,
      rejected: formatRows('csv', QUARANTINE_COLUMNS, bad),
      read: records.length,
      scored,
      quarantined: bad.length,
      byField,
    };
  }

  /**
   * Scores a batch and writes its output lines straight to UTF-8 bytes (no object or string per
   * row): the same text formatRows gives for these columns, which a test holds.
   */
  private batchBytes(batch: MemberBatch, ids: readonly string[], demographics: readonly Demographics[]): Uint8Array {
    const { models, params, ctx } = this;
    const compiled = this.compiledModels();
    const raw = models.map((m) => scoreBatch(compiled[m]!, batch));
    const byModel: Partial<Record<ModelVersion, Float64Array>> = {};
    models.forEach((m, k) => (byModel[m] = raw[k]));
    const pay = paymentScores(byModel, params, batch.size);
    const jsonl = ctx.outFormat === 'jsonl';
    const year = jsonl ? `,"payment_year":${params.paymentYear},"segment":"` : `,${params.paymentYear},`;
    const afterSegment = jsonl ? '","age":' : ',';
    const rawKeys = models.map((m) => (jsonl ? `,"raw_${m.toLowerCase()}":` : ','));
    const [payKey, annualKey, pmpmKey] = jsonl ? [',"payment_score":', ',"revenue_annual":', ',"revenue_pmpm":'] : [',', ',', ','];
    const out = new ByteBuilder(batch.size * 96);
    for (let i = 0; i < batch.size; i++) {
      const d = demographics[i]!;
      const rev = revenue(pay[i]!, ctx.annualBaseRate);
      if (jsonl) out.text('{"id":').text(JSON.stringify(ids[i]));
      else out.text(csvField(ids[i]!));
      out.text(year).text(d.segment).text(afterSegment).number(d.age);
      for (let k = 0; k < raw.length; k++) out.text(rawKeys[k]!).number(raw[k]![i]!, 1000);
      out.text(payKey).number(pay[i]!, 1000).text(annualKey).number(rev.annual, 100).text(pmpmKey).number(rev.pmpm, 100);
      if (jsonl) out.char(125);
      out.char(10);
    }
    return out.bytes();
  }

  /** Compiles the models now rather than on the first block (workers do it while they wait). */
  prepare(): void {
    if (!this.ctx.explain) this.compiledModels();
  }

  private compiledModels(): Partial<Record<ModelVersion, CompiledModel>> {
    if (this.compiled === undefined) {
      const compiled: Partial<Record<ModelVersion, CompiledModel>> = {};
      for (const m of this.models) compiled[m] = compileModel(this.tables[m]!);
      this.compiled = compiled;
    }
    return this.compiled;
  }

  scoreRaw(format: 'jsonl' | 'csv', chunk: RawChunk, inputColumns: readonly string[] | undefined): ChunkResult {
    const texts = splitRows(format, chunk.text);
    if (texts.length !== chunk.rows) {
      throw new Error(`a block of ${chunk.rows} rows from row ${chunk.startRow} split into ${texts.length}`);
    }
    return this.scoreRecords(texts.map((t, i) => parseRawRecord(format, t, chunk.startRow + i, inputColumns)));
  }
}

function explainedRow(
  a: Accepted,
  models: readonly ModelVersion[],
  tables: Partial<Record<ModelVersion, ModelTables>>,
  params: PaymentParameters,
  annualBaseRate: number,
  format: TableFormat,
): Row {
  const score = calculateResolved(a.demographics, a.input.dx, { tables, payment: params, annualBaseRate });
  const results = score.models;
  const money = {
    payment_score: score.payment.paymentScore,
    normalized_score: score.payment.normalized,
    revenue_annual: score.revenue.annual,
    revenue_pmpm: score.revenue.pmpm,
  };
  if (format === 'jsonl') {
    if (models.length === 1) return { id: a.input.id, ...results[models[0]!]!, ...money };
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
    payment_score: money.payment_score,
    revenue_annual: money.revenue_annual,
    revenue_pmpm: money.revenue_pmpm,
  };
  for (const m of models) {
    row[`raw_${m.toLowerCase()}`] = results[m]!.risk_score;
    row[`explain_${m.toLowerCase()}`] = results[m];
  }
  return row;
}
