// The rates of the synthetic plan's ACO REACH files (issue 19; data/synthetic/README.md, "ACO
// REACH participants and voluntary alignment"): which practices join the entity, which clinicians
// are its preferred providers, which practices leave it, and how often members designate their
// primary care clinician. Invented round figures for a plausible plan, not calibrated to CMS data:
// the alignment rules, not these rates, are what rafcast align is tested on.

/** Share of practices (providers-file.ts) whose clinicians are all REACH participants. */
export const PARTICIPANT_PRACTICE_SHARE = 0.3;
/** Share of the other clinicians who are preferred providers (under their own practice's TIN). */
export const PREFERRED_CLINICIAN_SHARE = 0.1;
/** Share of participant practices that leave the entity: their list span ends on June 30 of a year of the plan. */
export const LEAVING_PRACTICE_SHARE = 0.1;
/**
 * Chance a member signs a voluntary alignment designation in a year enrolled, naming their primary
 * care clinician (a participant or not): about 3% a year, so a few percent of a plan over its
 * years, as CMS's Medicare.gov designations are a small share of ACO beneficiaries.
 */
export const DESIGNATION_RATE = 0.03;
