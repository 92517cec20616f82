// The synthetic plan's providers file (issue 17, data/README.md `providers`): every NPI its
// claims, fills and results name (the clinicians and facilities of documentation.ts
// createProviders), with a CMS specialty, a practice (TIN) and whether the practice partners with
// the plan, at the rates of evidence-rates.ts. Drawn from a stream of its own (seeded from the run's
// seed apart from createProviders'), so the claims stay as they were.
import type { ByteBuilder } from '../byte-builder.ts';
import { createRng } from '../random.ts';
import type { Providers } from './documentation.ts';
import { FACILITY_SPECIALTY, PARTNER_SHARE, PRACTICE_SIZE_MAX, SPECIALTY_MIX } from './evidence-rates.ts';

/** Each clinician's practice (0, 1, ...; its TIN is 200,000,000 + the practice), specialty and partner flag. */
export interface ClinicianPractices {
  practice: Int32Array;
  specialty: string[];
  partner: boolean[];
}

/**
 * Draws each clinician's practice, specialty and partner flag from the providers file's own stream:
 * clinicians in NPI order fill practices of 1 to PRACTICE_SIZE_MAX, each partnering or not.
 */
export function drawPractices(providers: Providers, seed: number): ClinicianPractices {
  const rng = createRng((seed ^ 0x1b873593) >>> 0);
  const n = providers.npi.length;
  const out: ClinicianPractices = { practice: new Int32Array(n), specialty: new Array<string>(n), partner: new Array<boolean>(n) };
  let practice = -1;
  let left = 0;
  let partner = false;
  for (let i = 0; i < n; i++) {
    if (left === 0) {
      practice++;
      left = 1 + rng.int(PRACTICE_SIZE_MAX);
      partner = rng.next() < PARTNER_SHARE;
    }
    left--;
    let u = rng.next();
    out.practice[i] = practice;
    out.specialty[i] = SPECIALTY_MIX.find((s) => (u -= s.share) < 0)?.code ?? SPECIALTY_MIX[SPECIALTY_MIX.length - 1]!.code;
    out.partner[i] = partner;
  }
  return out;
}

/** A practice's TIN in the synthetic plan. */
export const practiceTin = (practice: number): number => 200_000_000 + practice;

/** Writes one row per clinician, then per facility (contract CSV rows); returns the rows written. */
export function writeProviderRows(providers: Providers, seed: number, out: ByteBuilder): number {
  const p = drawPractices(providers, seed);
  for (let i = 0; i < providers.npi.length; i++) {
    out.text(providers.npi[i]!).char(44).text(`Clinician ${i + 1}`).char(44).text(p.specialty[i]!).char(44).number(practiceTin(p.practice[i]!)).char(44);
    out.text(`Practice ${p.practice[i]! + 1}`).char(44).text(p.partner[i] ? 'true' : 'false').char(10);
  }
  for (let f = 0; f < providers.facilities.length; f++) {
    // A facility is its own organisation, not a partner practice.
    out.text(providers.facilities[f]!).char(44).text(`Facility ${f + 1}`).char(44).text(FACILITY_SPECIALTY).char(44).number(300_000_000 + f).char(44);
    out.text(`Facility ${f + 1}`).char(44).text('false').char(10);
  }
  return providers.npi.length + providers.facilities.length;
}
