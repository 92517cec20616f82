// The synthetic plan's ACO REACH files (issue 19, data/README.md `participants` and
// `voluntary_alignment`), at the rates of alignment-rates.ts, each drawn from streams of its own
// (seeded from the run's seed apart from every other stream), so every other file keeps its bytes:
// - participants: the clinicians of a share of the practices of providers-file.ts, on the list
//   from January 1 of the first year (a share of practices leave on June 30 of a year: their
//   members then align elsewhere), and a share of the other clinicians as preferred providers;
// - voluntary_alignment: in a year enrolled, a member signs a designation of their primary care
//   clinician with DESIGNATION_RATE, on a day of a month enrolled.
import type { ByteBuilder } from '../byte-builder.ts';
import { createRng, type Rng } from '../random.ts';
import { LEAVING_PRACTICE_SHARE, PARTICIPANT_PRACTICE_SHARE, PREFERRED_CLINICIAN_SHARE, DESIGNATION_RATE } from './alignment-rates.ts';
import type { Providers } from './documentation.ts';
import type { Member } from './population.ts';
import { drawPractices, practiceTin } from './providers-file.ts';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Writes the participant list (contract CSV rows: tin, npi, provider_type, start_date, end_date); returns the rows written. */
export function writeParticipantRows(providers: Providers, seed: number, years: { first: number; last: number }, out: ByteBuilder): number {
  const practices = drawPractices(providers, seed);
  const rng = createRng((seed ^ 0x2545f491) >>> 0);
  const practiceCount = practices.practice.length === 0 ? 0 : practices.practice[practices.practice.length - 1]! + 1;
  // Per practice: in the entity or not, and the year it leaves (0: stays).
  const joins: boolean[] = [];
  const leaves: number[] = [];
  for (let p = 0; p < practiceCount; p++) {
    joins.push(rng.next() < PARTICIPANT_PRACTICE_SHARE);
    leaves.push(rng.next() < LEAVING_PRACTICE_SHARE ? years.first + rng.int(years.last - years.first + 1) : 0);
  }
  let rows = 0;
  for (let i = 0; i < providers.npi.length; i++) {
    const p = practices.practice[i]!;
    const preferred = !joins[p] && rng.next() < PREFERRED_CLINICIAN_SHARE;
    if (!joins[p] && !preferred) continue;
    out.number(practiceTin(p)).char(44).text(providers.npi[i]!).char(44).text(joins[p] ? 'participant' : 'preferred').char(44).text(`${years.first}-01-01`).char(44);
    if (joins[p] && leaves[p]! > 0) out.text(`${leaves[p]}-06-30`);
    out.char(10);
    rows++;
  }
  return rows;
}

/** The member-year's stream for its designation, apart from every other stream. */
function designationRng(seed: number, index: number, year: number): Rng {
  return createRng((Math.imul((seed ^ 0x7f4a7c15) | 0, 0x2c1b3c6d) ^ Math.imul(index + 1, 0x297a2d39) ^ Math.imul(year, 0x6c8e9cf5)) >>> 0);
}

/** Writes the member's designation of the year, if they sign one (contract CSV row: member_id, npi, signed_date); returns the rows written. */
export function writeYearDesignation(m: Member, year: number, lastMonth: number, seed: number, providers: Providers, out: ByteBuilder): number {
  const rng = designationRng(seed, m.index, year);
  if (rng.next() >= DESIGNATION_RATE) return 0;
  // A day of a month enrolled, never after the death date (day 1-28: every month has it).
  const month = 1 + rng.int(lastMonth);
  let day = 1 + rng.int(28);
  if (m.deathDate !== undefined && m.leftYear === year && month === lastMonth) day = Math.min(day, Number(m.deathDate.slice(8, 10)));
  out.text(m.id).char(44).text(providers.npi[m.pcp]!).char(44).text(`${year}-${pad(month)}-${pad(day)}`).char(10);
  return 1;
}
