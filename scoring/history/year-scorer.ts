// A service year's scores on the batch engine: RAF_y, RAF_init_y, payments, lump sum (DOMAIN.md 1-2).
// Raw scores come from scoring/batch.ts (held equal to calculate.ts on the golden vectors); the
// payment score from payment-score.ts with the year's plan (plan-years.ts); the monthly payment
// from revenue.ts and the lump sum from payment-calendar.ts's augustLumpSum, not recomputed here.
// Per payment HCC surviving the hierarchies in the calendar-year window: its factor, the first
// and last date of service of the codes behind it, the provider of the last, and whether the
// July-June window has it too. Rows leave as CSV bytes keyed by member key, never by member id.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AtomicFileWriter } from '../../data/atomic-file.ts';
import { ByteBuilder } from '../../data/byte-builder.ts';
import { sqlString } from '../../data/duckdb.ts';
import { MODEL_VERSIONS, type ModelTables, type ModelVersion } from '../../data/reference/cms-hcc-tables.ts';
import {
  CodeDictionary,
  IdList,
  MemberBatchBuilder,
  codeCcs,
  compileModel,
  hccFactor,
  scoreBatch,
  type CompiledModel,
  type FinalHccs,
} from '../batch.ts';
import { augustLumpSum } from '../payment-calendar.ts';
import { blendedModels, paymentScores, type PaymentParameters } from '../payment-score.ts';
import { revenue } from '../revenue.ts';
import { planTablesKey, type YearPlan } from './plan-years.ts';
import { yearRows, yearSql, type YearRow } from './year-rows.ts';
import type { WindowDiagnoses } from './windows.ts';

/** The columns of the history CSV YearScorer writes, as DuckDB read_csv `columns`. */
export const HISTORY_CSV_COLUMNS = [
  ['mk', 'INTEGER'],
  ['year', 'INTEGER'],
  ['segment', 'VARCHAR'],
  ['age', 'INTEGER'],
  ['n_dx', 'INTEGER'],
  ['n_dx_init', 'INTEGER'],
  ['raw_v24', 'DOUBLE'],
  ['raw_v28', 'DOUBLE'],
  ['raw_init_v24', 'DOUBLE'],
  ['raw_init_v28', 'DOUBLE'],
  ['n_hcc_v24', 'INTEGER'],
  ['n_hcc_v28', 'INTEGER'],
  ['raf', 'DOUBLE'],
  ['raf_init', 'DOUBLE'],
  ['monthly_payment', 'DECIMAL(12,2)'],
  ['monthly_payment_init', 'DECIMAL(12,2)'],
  ['august_lump_sum', 'DECIMAL(12,2)'],
]
  .map(([n, t]) => `${sqlString(n!)}: ${sqlString(t!)}`)
  .join(', ');

/** The columns of the HCC CSV YearScorer writes (dates as days since 1970-01-01). */
export const HCC_CSV_COLUMNS = [
  ['mk', 'INTEGER'],
  ['year', 'INTEGER'],
  ['model', 'VARCHAR'],
  ['hcc', 'INTEGER'],
  ['factor', 'DOUBLE'],
  ['first_day', 'INTEGER'],
  ['last_day', 'INTEGER'],
  ['npi', 'VARCHAR'],
  ['in_initial', 'BOOLEAN'],
]
  .map(([n, t]) => `${sqlString(n!)}: ${sqlString(t!)}`)
  .join(', ');

/** Scores one service year's rows: both windows, both models, the payment score and lump sum. */
export class YearScorer {
  private readonly compiled = new Map<ModelVersion, CompiledModel>();
  private readonly dictionary: CodeDictionary;
  private readonly params: PaymentParameters;
  private readonly into = { ccs: new Int16Array(0), from: 0, to: 0 };
  private readonly finals = new Map<string, FinalHccs>();

  constructor(
    private readonly plan: YearPlan,
    allTables: ReadonlyMap<string, ModelTables>,
    private readonly annualBaseRate: number,
  ) {
    for (const m of MODEL_VERSIONS) {
      const t = allTables.get(planTablesKey(m, plan))!;
      this.compiled.set(m, compileModel(t));
    }
    this.dictionary = new CodeDictionary();
    this.params = {
      paymentYear: plan.paymentYear,
      blend: plan.blend,
      normalization: plan.normalization,
      codingAdjustment: plan.codingAdjustment,
    };
  }

  /** A FinalHccs for n members, reused from chunk to chunk. */
  private finalHccs(key: string, n: number): FinalHccs {
    let f = this.finals.get(key);
    if (f === undefined || f.start.length < n + 1) {
      f = { hccs: f?.hccs ?? new IdList(), start: new Int32Array(n + 1) };
      this.finals.set(key, f);
    }
    f.hccs.length = 0;
    return f;
  }

  score(rows: readonly YearRow[]): { history: Uint8Array; hcc: Uint8Array } {
    const n = rows.length;
    const mid = new MemberBatchBuilder(this.dictionary, Math.max(1, n));
    const init = new MemberBatchBuilder(this.dictionary, Math.max(1, n));
    for (const r of rows) {
      mid.add(r.demographics, r.dxMid);
      init.add(r.demographics, r.dxInit);
    }
    const midBatch = mid.finish();
    const initBatch = init.finish();
    const raw: Record<string, Float64Array> = {};
    const counts: Record<string, Uint8Array> = {};
    const finals: Record<string, FinalHccs> = {};
    for (const m of MODEL_VERSIONS) {
      const c = this.compiled.get(m)!;
      counts[m] = new Uint8Array(n);
      finals[m] = this.finalHccs(m, n);
      finals[`init${m}`] = this.finalHccs(`init${m}`, n);
      raw[m] = scoreBatch(c, midBatch, new Float64Array(n), counts[m], finals[m]);
      raw[`init${m}`] = scoreBatch(c, initBatch, new Float64Array(n), undefined, finals[`init${m}`]);
    }
    const models = blendedModels(this.params);
    const pick = (prefix: string): Partial<Record<ModelVersion, Float64Array>> =>
      Object.fromEntries(models.map((m) => [m, raw[`${prefix}${m}`]!]));
    const pay = paymentScores(pick(''), this.params, n);
    const payInit = paymentScores(pick('init'), this.params, n);

    const y = this.plan.serviceYear;
    const history = new ByteBuilder(n * 120);
    const hcc = new ByteBuilder(n * 60);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const d = r.demographics;
      const monthly = revenue(pay[i]!, this.annualBaseRate).pmpm;
      const monthlyInit = revenue(payInit[i]!, this.annualBaseRate).pmpm;
      history.number(r.mk).char(44).number(y).char(44).text(d.segment).char(44).number(d.age).char(44);
      history.number(r.nDx).char(44).number(r.nDxInit).char(44);
      history.number(raw.V24![i]!, 1000).char(44).number(raw.V28![i]!, 1000).char(44);
      history.number(raw.initV24![i]!, 1000).char(44).number(raw.initV28![i]!, 1000).char(44);
      history.number(counts.V24![i]!).char(44).number(counts.V28![i]!).char(44);
      history.number(pay[i]!, 1000).char(44).number(payInit[i]!, 1000).char(44);
      history.number(monthly, 100).char(44).number(monthlyInit, 100).char(44);
      history.number(augustLumpSum(payInit[i]!, pay[i]!, this.annualBaseRate), 100).char(10);
      if (r.dxMid !== '') this.writeHccs(hcc, r, i, midBatch.dxStart, midBatch.dxIds, finals);
    }
    return { history: history.bytes(), hcc: hcc.bytes() };
  }

  /** raf_hcc rows of member i: per final HCC of each model, its dates and provider. */
  private writeHccs(
    out: ByteBuilder,
    r: YearRow,
    i: number,
    dxStart: Int32Array,
    dxIds: Int32Array,
    finals: Record<string, FinalHccs>,
  ): void {
    let any = false;
    for (const m of MODEL_VERSIONS) if (finals[m]!.start[i + 1]! > finals[m]!.start[i]!) any = true;
    if (!any) return;
    const firsts = r.firstMid.split('|');
    const lasts = r.lastMid.split('|');
    const npis = r.npiMid.split('|');
    const nCodes = dxStart[i + 1]! - dxStart[i]!;
    if (nCodes !== firsts.length) throw new Error('history: a code list and its dates differ in length');
    const d = r.demographics;
    const sex = d.sex === 'M' ? 1 : 2;
    const into = this.into;
    for (const m of MODEL_VERSIONS) {
      const f = finals[m]!;
      const fi = finals[`init${m}`]!;
      const hccs = Array.from(f.hccs.ids.subarray(f.start[i]!, f.start[i + 1]!)).sort((x, z) => x - z);
      if (hccs.length === 0) continue;
      const first = hccs.map(() => Infinity);
      const last = hccs.map(() => -Infinity);
      const npi = hccs.map(() => '');
      const c = this.compiled.get(m)!;
      // Each code's CCs once; a CC among the member's final HCCs takes the code's dates. (A code
      // reaches a surviving HCC only through its own CCs: hierarchies remove, never add.)
      for (let k = 0; k < nCodes; k++) {
        codeCcs(c, this.dictionary, dxIds[dxStart[i]! + k]!, d.age, sex, into);
        for (let q = into.from; q < into.to; q++) {
          const h = hccs.indexOf(into.ccs[q]!);
          if (h < 0) continue;
          const fd = Number(firsts[k]);
          const ld = Number(lasts[k]);
          if (fd < first[h]!) first[h] = fd;
          if (ld > last[h]! || (ld === last[h]! && npis[k]! > npi[h]!)) {
            last[h] = ld;
            npi[h] = npis[k]!;
          }
        }
      }
      for (let h = 0; h < hccs.length; h++) {
        if (first[h] === Infinity) throw new Error(`history: HCC ${hccs[h]} (${m}) has no code behind it; please report this`);
        let inInitial = false;
        for (let k = fi.start[i]!; k < fi.start[i + 1]!; k++) if (fi.hccs.ids[k] === hccs[h]) inInitial = true;
        out.number(r.mk).char(44).number(this.plan.serviceYear).char(44).text(m).char(44).number(hccs[h]!).char(44);
        out.number(hccFactor(c, r.segmentIndex, hccs[h]!), 1000).char(44).number(first[h]!).char(44).number(last[h]!).char(44);
        out.text(npi[h]!).char(44).text(inInitial ? 'true' : 'false').char(10);
      }
    }
  }
}

/** What scoreYears leaves: member-years set aside with their reasons, and their diagnoses. */
export interface ScoredYears {
  /** CSV lines (mk, year, field, reason) of member-years that could not be scored. */
  rejected: string[];
  unscored: WindowDiagnoses;
}

/**
 * Scores every plan's service year, streaming yearSql's rows chunk by chunk, and writes the
 * history and HCC rows to `historyOut` and `hccOut` (HISTORY_CSV_COLUMNS, HCC_CSV_COLUMNS).
 * `tables` holds each plan's model tables (loadPlanTables).
 */
export async function scoreYears(
  conn: DuckDBConnection,
  plans: readonly YearPlan[],
  tables: ReadonlyMap<string, ModelTables>,
  annualBaseRate: number,
  historyOut: AtomicFileWriter,
  hccOut: AtomicFileWriter,
  onProgress?: (done: number, total: number) => void,
): Promise<ScoredYears> {
  const totalRows = Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM _hist_my`)).getRowObjectsJson()[0]!.n);
  let done = 0;
  const rejected: string[] = [];
  const unscored = { mid: 0, init: 0 };
  for (const plan of plans) {
    const scorer = new YearScorer(plan, tables, annualBaseRate);
    const result = await conn.stream(yearSql(plan.serviceYear));
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const cols = chunk.getColumns();
      const rows = yearRows(cols, plan, rejected, unscored);
      const { history, hcc } = scorer.score(rows);
      await historyOut.write(history);
      await hccOut.write(hcc);
      done += chunk.rowCount;
      onProgress?.(done, totalRows);
    }
  }
  return { rejected, unscored };
}
