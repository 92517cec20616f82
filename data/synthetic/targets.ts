// What the synthetic population is calibrated to: each target with its tolerance and source
// (cited in data/synthetic/README.md). calibration.json reports each beside the value reached.

export interface Target {
  /** The value aimed at. */
  value: number;
  /** Accepted distance from value (absolute). */
  tolerance: number;
  source: string;
}

const ISSUE = 'issue 3 (Medicare Advantage enrollment profile)';
const SYNPUF = 'CMS DE-SynPUF 2008, samples 1-6 (60,000 members), computed once with the query in data/synthetic/README.md';
const CCW = 'CMS Chronic Conditions Data Warehouse, Medicare prevalence charts (approximate; see README)';
const ASSUMED = 'assumption (no public figure in this repository; see README)';
const YU_2024 =
  'Yu et al., "Audio-Only Telehealth Use Among Traditional Medicare Beneficiaries", JAMA Health Forum 2024;5(5):e240442: in 2022, 7.8% of E&M visits were telehealth and 25.4% of those audio-only (0.078 x 0.254 = 0.020)';
const CMS_2027 =
  'CMS CY2027 Rate Announcement (data/reference/cms-hcc/PROVENANCE.md S8): excluding audio-only and unlinked chart review diagnoses, an estimated -1.53% on MA risk scores';
const OIG_2019 =
  'HHS OIG OEI-03-17-00470 (December 2019): diagnoses reported only on chart reviews brought an estimated $6.7 billion of 2017 MA payments, $2.7 billion of it from chart reviews not linked to a service (0.40)';
const NORMALISATION = 'CMS-HCC calibration: mean raw score about 1.0 in the denominator year, drifting up by the normalisation factor (V28 PY2025: 1.045, data/reference)';

export const TARGETS = {
  femaleShare: { value: 0.55, tolerance: 0.02, source: `${ISSUE}; ${SYNPUF}: 0.553` },
  under65DisabledShare: { value: 0.12, tolerance: 0.02, source: ISSUE },
  dualShare: { value: 0.2, tolerance: 0.03, source: ISSUE },
  fullDualShareOfDuals: { value: 0.7, tolerance: 0.08, source: `${ISSUE} ("most full"); the 70% split is an ${ASSUMED}` },
  institutionalShare: { value: 0.02, tolerance: 0.01, source: ISSUE },
  annualDeathRate: { value: 0.04, tolerance: 0.015, source: `${ASSUMED}: about 4% of Americans 65 and over die each year (CDC totals)` },
  annualDisenrollmentRate: { value: 0.08, tolerance: 0.02, source: ASSUMED },
  newEnrolleeShare: { value: 0.1, tolerance: 0.04, source: ASSUMED },
  prevalence: {
    diabetes: { value: 0.27, tolerance: 0.04, source: CCW },
    heartFailure: { value: 0.13, tolerance: 0.03, source: CCW },
    copd: { value: 0.11, tolerance: 0.03, source: CCW },
    ckdStage3Plus: { value: 0.12, tolerance: 0.03, source: `${CCW} (CKD stages 3-5, about half of all CKD)` },
    vascularDisease: { value: 0.06, tolerance: 0.02, source: ASSUMED },
    arrhythmia: { value: 0.1, tolerance: 0.03, source: `${CCW} (atrial fibrillation)` },
    majorDepressionOrBipolar: { value: 0.07, tolerance: 0.02, source: `${CCW} (depression, moderate or severe share assumed)` },
    cancer: { value: 0.08, tolerance: 0.025, source: CCW },
  },
  meanV28RawScore: { value: 1.05, tolerance: 0.2, source: NORMALISATION },
  shareWithPaymentHcc: { value: 0.6, tolerance: 0.12, source: ASSUMED },
  rafYearToYearCorrelation: { value: 0.65, tolerance: 0.15, source: ASSUMED },
  chronicRecaptureShare: { value: 0.75, tolerance: 0.1, source: ASSUMED },
  noiseCodeShare: { value: 0.01, tolerance: 0.01, source: 'the generator\'s documented miscoding rate (NOISE_RATE)' },
  audioOnlyShareOfOfficeVisits: { value: 0.02, tolerance: 0.01, source: YU_2024 },
  exclusionShareOfRawScore: { value: 0.0153, tolerance: 0.0075, source: CMS_2027 },
  unlinkedShareOfChartReviewOnlyScore: { value: 0.4, tolerance: 0.15, source: OIG_2019 },
} as const;
