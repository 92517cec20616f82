// The report's three-column illustration for the top of the outreach list (issue 17, "The
// three-column illustration": "the report shows it for the top of the list"): for each member of
// the outreach rows the report shows, demographics only, plus the HCCs coded, and full coding of
// every suspect, each with its RAF, monthly and annual payment for T+1, by threeColumns
// (explain/three-columns.ts, the one pricing of it). Its inputs are what `rafcast explain` reads,
// already computed: a `rafcast suspects` folder of as-of T (suspects.csv; its summary gives the
// cut-off and the base rate the suspects were priced at) and the history as known on that cut-off
// (`--known-history`, raf_hcc and raf_history of T-2..T). Member ids are in the section (the report
// is an owner-only output); errors name folders and years, never a member.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../data/errors.ts';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { COLUMN_NAMES, threeColumns } from './explain/three-columns.ts';
import { dollars } from './format.ts';
import { suspectPricing } from './suspects/suspect-value.ts';

/** The folders the illustration reads (`rafcast report --suspects DIR --known-history DIR`). */
export interface IllustrationInputs {
  suspects: string;
  knownHistory: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The suspects' summary (as-of, cut-off, base rate), checked to be of as-of T, and the known history checked to be of its cut-off. */
function checkedInputs(src: IllustrationInputs, T: number): { suspectsCsv: string; dataThrough: string; annualBaseRate: number } {
  const csv = join(src.suspects, 'suspects.csv');
  const json = join(src.suspects, 'suspects-summary.json');
  if (!existsSync(csv) || !existsSync(json)) throw new ConfigError(`${src.suspects} has no suspects.csv and suspects-summary.json: --suspects must be a folder from rafcast suspects`);
  const s = JSON.parse(readFileSync(json, 'utf8')) as { asOf?: number; dataThrough?: string; annualBaseRate?: number };
  if (s.asOf !== T) throw new ConfigError(`--suspects ${src.suspects} holds the suspects of as-of ${s.asOf ?? '?'}, not of the evaluation's as-of ${T}`);
  if (s.dataThrough === undefined || s.annualBaseRate === undefined) throw new ConfigError(`${json} has no dataThrough or annualBaseRate: --suspects must be a folder from rafcast suspects`);
  for (const f of ['raf_hcc.parquet', 'raf_history.parquet', 'history.json']) {
    if (!existsSync(join(src.knownHistory, f))) throw new ConfigError(`${join(src.knownHistory, f)} is missing: --known-history must be a rafcast history folder computed with --data-through ${s.dataThrough}`);
  }
  const through = (JSON.parse(readFileSync(join(src.knownHistory, 'history.json'), 'utf8')) as { dataThrough?: string | null }).dataThrough ?? null;
  if (through !== s.dataThrough) {
    throw new ConfigError(`--known-history ${src.knownHistory} was computed ${through === null ? 'on complete data' : `with data through ${through}`}, not with data through ${s.dataThrough} as the suspects were`);
  }
  return { suspectsCsv: csv, dataThrough: s.dataThrough, annualBaseRate: s.annualBaseRate };
}

/** The section's HTML for `memberIds` (the outreach rows shown, in their order) at as-of T. */
export async function threeColumnsSection(memberIds: readonly string[], T: number, src: IllustrationInputs): Promise<string> {
  const inputs = checkedInputs(src, T);
  if (memberIds.length === 0) return '<p data-section="three-columns">No outreach list was given (rafcast report --candidates DIR): no member to illustrate.</p>';
  const pricing = suspectPricing(T, inputs.annualBaseRate);
  const db = await openDuckDb();
  let shown;
  try {
    shown = await threeColumns(
      db.connection,
      {
        asOf: T,
        hcc: `read_parquet(${sqlString(join(src.knownHistory, 'raf_hcc.parquet'))})`,
        history: `read_parquet(${sqlString(join(src.knownHistory, 'raf_history.parquet'))})`,
        suspects: `read_csv(${sqlString(inputs.suspectsCsv)}, header = true, all_varchar = true)`,
      },
      `(VALUES ${memberIds.map((m) => `(${sqlString(m)})`).join(', ')}) m(member_id)`,
      pricing,
    );
  } finally {
    db.close();
  }
  const byId = new Map(shown.map((x) => [x.memberId, x]));
  const rows = memberIds.flatMap((id) => {
    const x = byId.get(id);
    if (x === undefined) return [];
    const cells = x.columns.map((c) => `<td>${c.score.toFixed(3)}</td><td>${dollars(c.monthly)}</td><td>${dollars(c.annual)}</td>`).join('');
    const sus = x.suspects.length === 0 ? 'none' : x.suspects.map((s) => `${s.hcc} (${s.evidence.join(', ')})`).join('; ');
    return [`<tr data-member="${esc(id)}"><td>${esc(id)}</td><td>${esc(x.columns[1].hccs.join(' ') || '-')}</td>${cells}<td class="why">${esc(sus)}</td></tr>`];
  });
  const missing = memberIds.length - rows.length;
  return `<div data-section="three-columns">
    <p>For each member above: the payment for ${T + 1} on demographics only, plus the V28 HCCs coded in ${T - 1} and ${T} as known on ${inputs.dataThrough},
    and with every suspect coded too (rafcast suspects: recapture, drop-off, medication, lab, comorbidity), hierarchies and interactions applied.
    RAF is the payment score (V28 alone, normalisation ${pricing.params.normalization.V28}, MA coding adjustment ${pricing.params.codingAdjustment}${pricing.factorsYear !== T + 1 ? `, ${pricing.factorsYear}'s factors` : ''});
    monthly and annual payments at the suspects' base rate, ${dollars(inputs.annualBaseRate)} a year.${missing > 0 ? ` ${missing} of the ${memberIds.length} members have no history row in ${T - 2} or ${T - 1} (no demographics to price) and are not shown.` : ''}</p>
    <table data-table="three-columns">
      <thead><tr><th rowspan="2">member</th><th rowspan="2">V28 HCCs coded</th>${COLUMN_NAMES.map((n) => `<th colspan="3">${esc(n)}</th>`).join('')}<th rowspan="2">suspects added</th></tr>
      <tr>${COLUMN_NAMES.map(() => '<th>RAF</th><th>monthly</th><th>annual</th>').join('')}</tr></thead>
      <tbody>${rows.join('')}</tbody>
    </table></div>`;
}
