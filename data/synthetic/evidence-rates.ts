// The rates behind the synthetic plan's pharmacy fills and lab results (issue 17): which latent
// condition (V28 payment HCC) is treated with which drug class and how often, which is monitored
// by which lab and with what values, and how often people without the condition have the same
// fills or results (noise). Each row states its source; data/synthetic/README.md ("Pharmacy,
// labs and providers") gives the same tables. Most are assumptions, said so plainly.

/** A drug the generator fills: a real WHO ATC code (level 5) and a made-up NDC-shaped code. */
export interface Drug {
  atc: string;
  /** 11 digits, labeler 99999: NDC-shaped, made up, naming no real product. */
  ndc: string;
  name: string;
  /** Share of the rule's treated members on this drug. */
  share: number;
  /** Median paid per 30 days' supply, US dollars (assumption). */
  paidPer30: number;
}

/** A condition treated with a drug class: fills for the treated, and for a few without it. */
export interface TreatmentRule {
  name: string;
  /** The ATC prefix the rule's drugs share (what a suspect rule would match). */
  atcClass: string;
  /** Chance a member-year holding the HCC has the rule's fills, by HCC. */
  treated: Readonly<Record<number, number>>;
  /** Chance a member-year holding none of those HCCs has a short course of the class (noise). */
  noise: number;
  drugs: readonly Drug[];
  source: string;
}

const ASSUMED = 'assumption (no public figure in this repository)';

export const TREATMENT_RULES: readonly TreatmentRule[] = [
  {
    name: 'insulin for diabetes',
    atcClass: 'A10A',
    treated: { 36: 0.5, 37: 0.4, 38: 0.15 },
    noise: 0.002,
    drugs: [
      { atc: 'A10AE04', ndc: '99999000101', name: 'insulin glargine', share: 0.6, paidPer30: 250 },
      { atc: 'A10AB05', ndc: '99999000201', name: 'insulin aspart', share: 0.25, paidPer30: 230 },
      { atc: 'A10AC01', ndc: '99999000301', name: 'insulin (human), intermediate-acting', share: 0.15, paidPer30: 120 },
    ],
    source: `${ASSUMED}: more insulin with complications (HCC 36, 37) than without (HCC 38)`,
  },
  {
    name: 'blood glucose lowering drugs (not insulin) for diabetes',
    atcClass: 'A10B',
    treated: { 36: 0.7, 37: 0.7, 38: 0.75 },
    noise: 0.02,
    drugs: [
      { atc: 'A10BA02', ndc: '99999000401', name: 'metformin', share: 0.55, paidPer30: 8 },
      { atc: 'A10BJ06', ndc: '99999000501', name: 'semaglutide', share: 0.2, paidPer30: 800 },
      { atc: 'A10BK01', ndc: '99999000601', name: 'dapagliflozin', share: 0.1, paidPer30: 500 },
      { atc: 'A10BB07', ndc: '99999000701', name: 'glipizide', share: 0.15, paidPer30: 8 },
    ],
    source: `${ASSUMED}; noise: metformin for prediabetes`,
  },
  {
    name: 'oral anticoagulant for atrial fibrillation',
    atcClass: 'B01A',
    treated: { 238: 0.6 },
    noise: 0.015,
    drugs: [
      { atc: 'B01AF02', ndc: '99999000801', name: 'apixaban', share: 0.6, paidPer30: 500 },
      { atc: 'B01AF01', ndc: '99999000901', name: 'rivaroxaban', share: 0.2, paidPer30: 500 },
      { atc: 'B01AA03', ndc: '99999001001', name: 'warfarin', share: 0.2, paidPer30: 10 },
    ],
    source: `${ASSUMED}: HCC 238 is mostly atrial fibrillation; noise: venous thrombosis, valves`,
  },
  {
    name: 'inhaled long-acting bronchodilator for COPD',
    atcClass: 'R03',
    treated: { 280: 0.55 },
    noise: 0.01,
    drugs: [
      { atc: 'R03BB04', ndc: '99999001101', name: 'tiotropium', share: 0.4, paidPer30: 450 },
      { atc: 'R03AL03', ndc: '99999001201', name: 'vilanterol and umeclidinium', share: 0.3, paidPer30: 450 },
      { atc: 'R03AC13', ndc: '99999001301', name: 'formoterol', share: 0.15, paidPer30: 400 },
      { atc: 'R03AC12', ndc: '99999001401', name: 'salmeterol', share: 0.15, paidPer30: 400 },
    ],
    source: `${ASSUMED}; noise: asthma`,
  },
  {
    name: 'antipsychotic for schizophrenia, psychosis or bipolar disorder',
    atcClass: 'N05A',
    treated: { 151: 0.85, 152: 0.7, 154: 0.5 },
    noise: 0.008,
    drugs: [
      { atc: 'N05AH04', ndc: '99999001501', name: 'quetiapine', share: 0.4, paidPer30: 30 },
      { atc: 'N05AX12', ndc: '99999001601', name: 'aripiprazole', share: 0.25, paidPer30: 40 },
      { atc: 'N05AX08', ndc: '99999001701', name: 'risperidone', share: 0.2, paidPer30: 20 },
      { atc: 'N05AH03', ndc: '99999001801', name: 'olanzapine', share: 0.15, paidPer30: 25 },
    ],
    source: `${ASSUMED}; noise: off-label use (sleep, dementia behaviours)`,
  },
  {
    name: 'loop diuretic for heart failure',
    atcClass: 'C03CA',
    treated: { 222: 0.8, 224: 0.8, 225: 0.6, 226: 0.65 },
    noise: 0.03,
    drugs: [
      { atc: 'C03CA01', ndc: '99999001901', name: 'furosemide', share: 0.8, paidPer30: 6 },
      { atc: 'C03CA04', ndc: '99999002001', name: 'torasemide', share: 0.2, paidPer30: 12 },
    ],
    source: `${ASSUMED}; noise: oedema, hypertension`,
  },
  {
    name: 'antidepressant (SSRI) for major depression',
    atcClass: 'N06AB',
    treated: { 155: 0.7, 154: 0.3 },
    noise: 0.1,
    drugs: [
      { atc: 'N06AB06', ndc: '99999002101', name: 'sertraline', share: 0.4, paidPer30: 10 },
      { atc: 'N06AB04', ndc: '99999002201', name: 'citalopram', share: 0.3, paidPer30: 8 },
      { atc: 'N06AB10', ndc: '99999002301', name: 'escitalopram', share: 0.3, paidPer30: 10 },
    ],
    source: `${ASSUMED}; noise is high on purpose: SSRIs are also given for anxiety and mild depression, which pay nothing`,
  },
];

/** How fills repeat (assumptions): 90-day supplies, adherence, a noise course, fills without a class. */
export const FILL_PATTERN = {
  /** Share of a treated member-year's fills that are 90-day supplies (the rest 30). */
  ninetyDayShare: 0.45,
  /** Proportion of days covered, uniform between these: the gap between fills is days_supply / adherence. */
  adherence: [0.6, 1.0] as const,
  /** A noise course: 1 to this many 30-day fills. */
  noiseFillsMax: 3,
  /** Share of fills whose atc_code is blank (an NDC alone: no medication evidence, data/README.md). */
  atcMissingShare: 0.05,
  /** Share of fills prescribed by the member's primary care provider (else any clinician). */
  pcpPrescribes: 0.7,
  /** Paid spread: lognormal sigma around the median. */
  paidSigma: 0.2,
} as const;

/** A value drawn from a normal distribution cut to [min, max], reported to `decimals` places. */
export interface ValueSpec {
  mean: number;
  sd: number;
  min: number;
  max: number;
}

/** A lab monitored for a condition: results for those who hold it, ordinary ones for others, and noise. */
export interface LabRule {
  name: string;
  /** LOINC codes the results come under, with shares (laboratories report different ones). */
  loincs: readonly { code: string; share: number }[];
  unit: string;
  decimals: number;
  /** Per HCC: the chance a member-year is tested, the tests in a tested year, the values. */
  monitored: Readonly<Record<number, { tested: number; perYear: number; value: ValueSpec }>>;
  /** Members without those HCCs: the chance of one test a year and its ordinary value. */
  ordinary: { tested: number; value: ValueSpec };
  /** Of the ordinary tests, the share with a value in the condition's range (noise). */
  noise: { share: number; value: ValueSpec };
  source: string;
}

export const LAB_RULES: readonly LabRule[] = [
  {
    name: 'eGFR',
    loincs: [
      { code: '98979-8', share: 0.5 },
      { code: '62238-1', share: 0.3 },
      { code: '33914-3', share: 0.2 },
    ],
    unit: 'mL/min/1.73m2',
    decimals: 0,
    monitored: {
      329: { tested: 0.85, perYear: 2, value: { mean: 52, sd: 5, min: 41, max: 64 } },
      328: { tested: 0.85, perYear: 3, value: { mean: 37.5, sd: 5, min: 27, max: 49 } },
      327: { tested: 0.9, perYear: 3, value: { mean: 22, sd: 5, min: 12, max: 33 } },
      326: { tested: 0.9, perYear: 4, value: { mean: 10, sd: 3, min: 3, max: 16 } },
    },
    ordinary: { tested: 0.6, value: { mean: 78, sd: 13, min: 60, max: 120 } },
    noise: { share: 0.02, value: { mean: 45, sd: 8, min: 30, max: 59 } },
    source:
      'KDIGO 2012 CKD guideline: stage bands (3a 45-59, 3b 30-44, 4 15-29, 5 under 15) and monitoring 1-4 times a year rising with stage; the values spread past the bands for measurement variation; shares tested and the noise (one low value: an acute kidney injury, a dehydrated day) are assumptions',
  },
  {
    name: 'HbA1c',
    loincs: [
      { code: '4548-4', share: 0.9 },
      { code: '17856-6', share: 0.1 },
    ],
    unit: '%',
    decimals: 1,
    monitored: {
      36: { tested: 0.85, perYear: 2, value: { mean: 8.5, sd: 1.5, min: 5.5, max: 14 } },
      37: { tested: 0.85, perYear: 2, value: { mean: 8, sd: 1.3, min: 5.5, max: 14 } },
      38: { tested: 0.85, perYear: 2, value: { mean: 7, sd: 0.9, min: 5.5, max: 14 } },
    },
    ordinary: { tested: 0.3, value: { mean: 5.6, sd: 0.35, min: 4.3, max: 6.4 } },
    noise: { share: 0.03, value: { mean: 6.9, sd: 0.3, min: 6.5, max: 8 } },
    source:
      'ADA Standards of Care: HbA1c at least twice a year in diabetes, 6.5% or more diagnostic; values by complication and shares tested are assumptions; noise: undiagnosed diabetes (an assumption)',
  },
  {
    name: 'BMI',
    loincs: [{ code: '39156-5', share: 1 }],
    unit: 'kg/m2',
    decimals: 1,
    monitored: { 48: { tested: 0.75, perYear: 2, value: { mean: 44, sd: 3.5, min: 35, max: 70 } } },
    ordinary: { tested: 0.6, value: { mean: 27.5, sd: 4.5, min: 16, max: 39.9 } },
    noise: { share: 0.01, value: { mean: 41.5, sd: 1.5, min: 40, max: 45 } },
    source:
      'CDC adult BMI classes (40 or more: class 3, severe obesity; HCC 48 also takes 35-39.9 with a comorbidity, hence about 13% of its values under 40); shares measured and the noise are assumptions',
  },
];

/** When results reach the plan: result_date plus 1 to this many days (assumption: a lab feed). */
export const LAB_RECEIVED_MAX_DAYS = 5;
/** Share of tests ordered by the member's primary care provider (else any clinician). */
export const PCP_ORDERS = 0.8;

/** The clinicians' CMS specialty codes and shares (assumption: a primary-care-heavy network). */
export const SPECIALTY_MIX: readonly { code: string; name: string; share: number }[] = [
  { code: '08', name: 'family practice', share: 0.35 },
  { code: '11', name: 'internal medicine', share: 0.3 },
  { code: '38', name: 'geriatric medicine', share: 0.05 },
  { code: '50', name: 'nurse practitioner', share: 0.1 },
  { code: '06', name: 'cardiology', share: 0.07 },
  { code: '29', name: 'pulmonary disease', share: 0.03 },
  { code: '46', name: 'endocrinology', share: 0.03 },
  { code: '39', name: 'nephrology', share: 0.03 },
  { code: '26', name: 'psychiatry', share: 0.04 },
];

/** Practices: clinicians grouped in practices of 1 to this many; the share of practices that partner with the plan (assumptions). */
export const PRACTICE_SIZE_MAX = 8;
export const PARTNER_SHARE = 0.4;
/** Facilities (hospitals, outpatient departments): CMS specialty A0, hospital. */
export const FACILITY_SPECIALTY = 'A0';
