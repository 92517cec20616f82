// A tiny run folder for `rafcast serve`'s tests, every figure set by hand: 12 listed members
// M00000001..M00000012 at ranks 1..12; decile ceil(rank/2); segment CNA when rank % 3 = 1, CFA when
// 2, INS when 0; expected accelerated 10 x rank, incremental 100 x rank + 0.01, dollars their sum
// (110 x rank + 0.01); suspect dollars 25 x rank + 0.50 for an odd rank, 0 for an even one (none at
// all with { suspectDollars: false }: a list made before the column); outreach priority 13 - rank (most dollars first); members 1-6 with NPI
// 1111111111 (practice 11-1111111 North Clinic), 7-11 with NPI 2222222222 (22-2222222 South Clinic),
// member 12 with no provider. Member 1 has two HCCs to recapture, the others one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { tempDir } from './temp-dir.ts';

export const SEGMENT = (rank: number): string => (rank % 3 === 1 ? 'CNA' : rank % 3 === 2 ? 'CFA' : 'INS');
export const memberId = (rank: number): string => `M${String(rank).padStart(8, '0')}`;
export const NPI = (rank: number): string => (rank <= 6 ? '1111111111' : rank <= 11 ? '2222222222' : '');

export const HCCS_OF_MEMBER_1 =
  "V28 HCC 37 Diabetes with Chronic Complications (last coded 2023-11-04 by NPI 1111111111 (the member's provider); recapture rate 0.85; worth $1040.23 a year) | V28 HCC 329 Chronic Kidney Disease, Moderate (Stage 3, Except 3B) (last coded 2023-05-21 by NPI 9999999999; not coded in 2023; recapture rate 0.89; worth $800.98 a year)";

const csvq = (s: string): string => `"${s.replaceAll('"', '""')}"`;

export const SUSPECT_DOLLARS = (rank: number): number => (rank % 2 === 1 ? 25 * rank + 0.5 : 0);

export async function makeServeRun(o: { suspectDollars?: boolean } = {}): Promise<string> {
  const suspects = o.suspectDollars ?? true;
  const sd = (r: number): string[] => (suspects ? [SUSPECT_DOLLARS(r).toFixed(2)] : []);
  const run = tempDir('serve-run');
  mkdirSync(join(run, 'candidates'));
  const ranks = Array.from({ length: 12 }, (_, k) => k + 1);
  const cand = [
    `member_id,rank,probability,decile,raf_t2,raf_t1,segment,open_hccs,expected_accelerated,expected_incremental,expected_dollars${suspects ? ',suspect_dollars' : ''}`,
    ...ranks.map((r) => [memberId(r), r, (1 - r / 100).toFixed(2), Math.ceil(r / 2), '1.000', (2 - r / 10).toFixed(3), SEGMENT(r), r === 1 ? 2 : 1, (10 * r).toFixed(2), (100 * r + 0.01).toFixed(2), (110 * r + 0.01).toFixed(2), ...sd(r)].join(',')),
  ];
  const csv = join(run, 'candidates', 'candidates.csv');
  writeFileSync(csv, `${cand.join('\n')}\n`);
  const db = await openDuckDb();
  try {
    await db.connection.run(
      `COPY (SELECT member_id, CAST(rank AS INTEGER) AS rank, CAST(probability AS DOUBLE) AS probability, CAST(decile AS INTEGER) AS decile, raf_t2, raf_t1, segment, CAST(open_hccs AS INTEGER) AS open_hccs,
              CAST(expected_accelerated AS DECIMAL(14,2)) AS expected_accelerated, CAST(expected_incremental AS DECIMAL(14,2)) AS expected_incremental, CAST(expected_dollars AS DECIMAL(14,2)) AS expected_dollars${suspects ? ', CAST(suspect_dollars AS DECIMAL(14,2)) AS suspect_dollars' : ''}
       FROM read_csv(${sqlString(csv)}, header = true, all_varchar = true)) TO ${sqlString(join(run, 'candidates', 'candidates.parquet'))} (FORMAT parquet)`,
    );
  } finally {
    db.close();
  }
  const outreach = [
    `priority,member_id,expected_accelerated,expected_incremental,expected_dollars${suspects ? ',suspect_dollars' : ''},probability,list_rank,member_provider_npi,reasons,hccs_to_recapture,hccs`,
    ...ranks.map((r) =>
      [
        13 - r,
        memberId(r),
        (10 * r).toFixed(2),
        (100 * r + 0.01).toFixed(2),
        (110 * r + 0.01).toFixed(2),
        ...sd(r),
        (1 - r / 100).toFixed(2),
        r,
        NPI(r),
        csvq(`Diabetes coded in 2022, not yet in 2023 (worth $1,040 a year) | RAF rose ${r / 10} in 2022`),
        r === 1 ? 2 : 1,
        csvq(r === 1 ? HCCS_OF_MEMBER_1 : `V28 HCC 38 Diabetes with Glycemic, Unspecified, or No Complications (last coded 2022-0${(r % 9) + 1}-15; recapture rate 0.80; worth $${r}00.00 a year)`),
      ].join(','),
    ),
  ];
  writeFileSync(join(run, 'candidates', 'outreach.csv'), `${outreach.join('\n')}\n`);
  mkdirSync(join(run, 'providers'));
  writeFileSync(join(run, 'providers', 'providers.csv'), 'npi,name,specialty,tin,practice_name,partner\n1111111111,Dr A,family,11-1111111,North Clinic,true\n2222222222,Dr B,internal,22-2222222,South Clinic,false\n');
  writeFileSync(join(run, 'run-summary.json'), JSON.stringify({ runId: 'fixture', asOf: 2024, models: ['mlp'] }));
  mkdirSync(join(run, 'evaluation', 'mlp'), { recursive: true });
  writeFileSync(
    join(run, 'evaluation', 'mlp', 'evaluation.json'),
    JSON.stringify({
      verdict: 'The model beats the naive list.',
      lists: [
        { name: 'model', description: 'top 20% by probability', metrics: { precision: 0.5 }, revenue: { accelerated: { total: 1000 }, incremental: { total: 2000 } } },
        { name: 'naive', description: 'top 20% by RAF', metrics: { precision: 0.25 }, revenue: { accelerated: { total: 600 }, incremental: { total: 1500 } } },
      ],
    }),
  );
  writeFileSync(join(run, 'evaluation', 'mlp', 'cash.csv'), 'list,month,initial,mid_year,lump_sum,total\nmodel,2025-01,10.00,0.00,0.00,10.00\nnaive,2025-01,8.00,0.00,0.00,8.00\nperfect,2025-01,20.00,0.00,0.00,20.00\n');
  return run;
}
