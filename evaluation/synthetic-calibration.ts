// What the generated population came out as, beside each target of targets.ts: demographics and
// churn, latent prevalence of the named conditions, and what the claims make of them: the mean
// V28 raw score of the coded diagnoses, the share of member-years with a payment HCC, the
// year-to-year correlation of that score, the share of chronic conditions coded one year that
// are coded again the next, and the share of HCC codes with no condition behind them. And the
// records' sources: the share of office visits that are audio-only, what the PY2027 exclusions
// (audio-only, unlinked chart reviews) would take off the mean V28 raw score, and the unlinked
// chart reviews' share of the score that only chart reviews carry.
import type { ModelTables, Segment } from '../data/reference/cms-hcc-tables.ts';
import { CodeDictionary, MemberBatchBuilder, compileModel, scoreBatch, type CompiledModel } from '../scoring/batch.ts';
import { ageOnFebruaryFirst, resolveDemographics } from '../scoring/demographics.ts';
import type { ConditionGroup } from '../data/synthetic/conditions.ts';
import type { RecordKind, YearCoding } from '../data/synthetic/documentation.ts';
import type { PopulationObserver } from '../data/synthetic/generate.ts';
import { birthDate, type Member } from '../data/synthetic/population.ts';
import { TARGETS, type Target } from '../data/synthetic/targets.ts';

export class Calibration implements PopulationObserver {
  private readonly model: CompiledModel;
  private readonly dictionary: CodeDictionary;
  private batch: MemberBatchBuilder;
  private batchMembers: number[] = [];
  private n = { memberYears: 0, laterMemberYears: 0, female: 0, under65: 0, dual: 0, fullDual: 0, institutional: 0, deaths: 0, disenrolled: 0, newEnrollees: 0 };
  private readonly held: Record<string, number> = {};
  private raw = { sum: 0, count: 0, withHcc: 0 };
  /** Last year's raw score by member index (NaN: not scored), and this year's. */
  private previousRaw = new Float64Array(0);
  private currentRaw = new Float64Array(0);
  /** Sums for the correlation of consecutive years' scores. */
  private pairs = { n: 0, x: 0, y: 0, xx: 0, yy: 0, xy: 0 };
  private static readonly BATCH = 1 << 16;
  private recapture = { coded: 0, again: 0 };
  private codes = { true: 0, noise: 0 };
  private claims = 0;
  private records = { officeVisits: 0, audioOnlyVisits: 0, linkedChartReviews: 0, unlinkedChartReviews: 0 };
  /**
   * Member-years with an audio-only or chart review code, scored four ways in `variants` (in
   * groups of VARIANTS.length): the raw scores summed per way.
   */
  private variants: MemberBatchBuilder;
  private variantSums = [0, 0, 0, 0];
  /** Each way's codes: all; PY2027's (no audio-only, no unlinked); no chart review; no unlinked one. */
  private static readonly VARIANTS: readonly (readonly RecordKind[])[] = [
    ['encounter', 'audio_only', 'chart_review_linked', 'chart_review_unlinked'],
    ['encounter', 'chart_review_linked'],
    ['encounter', 'audio_only'],
    ['encounter', 'audio_only', 'chart_review_linked'],
  ];

  constructor(
    private readonly tables: ModelTables,
    private readonly groups: readonly ConditionGroup[],
    private readonly firstYear: number,
  ) {
    this.model = compileModel(tables);
    this.dictionary = new CodeDictionary((code) => tables.dxToCc.has(code));
    this.batch = new MemberBatchBuilder(this.dictionary);
    this.variants = new MemberBatchBuilder(this.dictionary);
  }

  add(m: Member, year: number, coding: YearCoding): void {
    const n = this.n;
    n.memberYears++;
    if (m.sex === 'F') n.female++;
    // Under 65 all year: turning 65 during the year counts as aged, as CMS's February 1 age does.
    if (year - m.birthYear < 65) n.under65++;
    if (m.dual !== 'none') n.dual++;
    if (m.dual === 'full') n.fullDual++;
    if (m.institutional) n.institutional++;
    if (m.leftYear === year) {
      if (m.deathDate !== undefined) n.deaths++;
      else n.disenrolled++;
    }
    if (year > this.firstYear) {
      n.laterMemberYears++;
      if (m.firstYear === year) n.newEnrollees++;
    }
    this.groups.forEach((g, i) => {
      if (g.target !== undefined && m.levels[i]! >= 0) this.held[g.target] = (this.held[g.target] ?? 0) + 1;
    });
    this.claims += coding.claims;
    this.codes.true += coding.trueCodes;
    this.codes.noise += coding.noiseCodes;
    const r = this.records;
    r.officeVisits += coding.officeVisits;
    r.audioOnlyVisits += coding.records.audio_only;
    r.linkedChartReviews += coding.records.chart_review_linked;
    r.unlinkedChartReviews += coding.records.chart_review_unlinked;

    // Recapture: chronic conditions coded last year, coded again this year.
    const coded: number[] = [];
    for (let g = 0; g < this.groups.length; g++) if (coding.firstCoded[g]! > 0 && !this.groups[g]!.acute) coded.push(g);
    const before = m.codedLastYear;
    if (before !== undefined) {
      this.recapture.coded += before.length;
      for (const g of before) if (coding.firstCoded[g]! > 0) this.recapture.again++;
    }
    m.codedLastYear = coded;

    // The year's score: diagnoses of year y pay in y + 1.
    const age = Math.min(125, ageOnFebruaryFirst(birthDate(m), year + 1));
    const segment: Segment = m.institutional
      ? 'INS'
      : (`C${m.dual === 'full' ? 'F' : m.dual === 'partial' ? 'P' : 'N'}${age >= 65 ? 'A' : 'D'}` as Segment);
    const demographics = resolveDemographics({ sex: m.sex, age, segment, orec: m.orec, medicaid: m.dual !== 'none' }, year + 1);
    this.batch.add(demographics, coding.codes.join('|'));
    this.batchMembers.push(m.index);
    if (coding.codesByKind.audio_only.length + coding.codesByKind.chart_review_linked.length + coding.codesByKind.chart_review_unlinked.length > 0) {
      for (const kinds of Calibration.VARIANTS) this.variants.add(demographics, kinds.flatMap((k) => coding.codesByKind[k]).join('|'));
    }
    if (this.batchMembers.length >= Calibration.BATCH) this.scoreBatch();
  }

  /** Scores the members added so far, in batches so a year's diagnoses are never all held. */
  private scoreBatch(): void {
    const batch = this.batch.finish();
    const counts = new Uint8Array(batch.size);
    const raw = scoreBatch(this.model, batch, undefined, counts);
    for (let i = 0; i < batch.size; i++) {
      this.raw.sum += raw[i]!;
      this.raw.count++;
      if (counts[i]! > 0) this.raw.withHcc++;
      const index = this.batchMembers[i]!;
      if (index >= this.currentRaw.length) {
        const grown = new Float64Array(Math.max(1024, index * 2)).fill(NaN);
        grown.set(this.currentRaw);
        this.currentRaw = grown;
      }
      this.currentRaw[index] = raw[i]!;
      const x = index < this.previousRaw.length ? this.previousRaw[index]! : NaN;
      if (!Number.isNaN(x)) {
        const y = raw[i]!;
        const p = this.pairs;
        p.n++;
        p.x += x;
        p.y += y;
        p.xx += x * x;
        p.yy += y * y;
        p.xy += x * y;
      }
    }
    this.batch = new MemberBatchBuilder(this.dictionary);
    this.batchMembers = [];
    const variants = this.variants.finish();
    const variantRaw = scoreBatch(this.model, variants);
    for (let i = 0; i < variants.size; i++) this.variantSums[i % Calibration.VARIANTS.length]! += variantRaw[i]!;
    this.variants = new MemberBatchBuilder(this.dictionary);
  }

  endYear(): void {
    this.scoreBatch();
    this.previousRaw = this.currentRaw;
    this.currentRaw = new Float64Array(this.previousRaw.length).fill(NaN);
  }

  /** Each target beside the value reached, and whether it is within tolerance. */
  report(run: { members: number; firstYear: number; lastYear: number; seed: number; memberYears: number }) {
    const n = this.n;
    const share = (a: number, b: number): number => (b === 0 ? 0 : a / b);
    const row = (t: Target, achieved: number) => ({
      target: t.value,
      tolerance: t.tolerance,
      achieved: Math.round(achieved * 10000) / 10000,
      within: Math.abs(achieved - t.value) <= t.tolerance,
      source: t.source,
    });
    const [all, kept, noReview, noUnlinked] = this.variantSums as [number, number, number, number];
    const reviews = this.records.linkedChartReviews + this.records.unlinkedChartReviews;
    const prevalence = Object.fromEntries(
      Object.entries(TARGETS.prevalence).map(([k, t]) => [k, row(t, share(this.held[k] ?? 0, n.memberYears))]),
    );
    const report = {
      run: { ...run, model: `${this.tables.model} PY${this.tables.paymentYear} tables, for every year` },
      femaleShare: row(TARGETS.femaleShare, share(n.female, n.memberYears)),
      under65DisabledShare: row(TARGETS.under65DisabledShare, share(n.under65, n.memberYears)),
      dualShare: row(TARGETS.dualShare, share(n.dual, n.memberYears)),
      fullDualShareOfDuals: row(TARGETS.fullDualShareOfDuals, share(n.fullDual, n.dual)),
      institutionalShare: row(TARGETS.institutionalShare, share(n.institutional, n.memberYears)),
      annualDeathRate: row(TARGETS.annualDeathRate, share(n.deaths, n.memberYears)),
      annualDisenrollmentRate: row(TARGETS.annualDisenrollmentRate, share(n.disenrolled, n.memberYears)),
      newEnrolleeShare: row(TARGETS.newEnrolleeShare, share(n.newEnrollees, n.laterMemberYears)),
      prevalence,
      meanV28RawScore: row(TARGETS.meanV28RawScore, share(this.raw.sum, this.raw.count)),
      shareWithPaymentHcc: row(TARGETS.shareWithPaymentHcc, share(this.raw.withHcc, this.raw.count)),
      rafYearToYearCorrelation: row(TARGETS.rafYearToYearCorrelation, correlation(this.pairs)),
      chronicRecaptureShare: row(TARGETS.chronicRecaptureShare, share(this.recapture.again, this.recapture.coded)),
      noiseCodeShare: row(TARGETS.noiseCodeShare, share(this.codes.noise, this.codes.true + this.codes.noise)),
      audioOnlyShareOfOfficeVisits: row(TARGETS.audioOnlyShareOfOfficeVisits, share(this.records.audioOnlyVisits, this.records.officeVisits)),
      // Every year scored as if PY2027's exclusions applied: the share of the mean raw score they remove.
      exclusionShareOfRawScore: row(TARGETS.exclusionShareOfRawScore, share(all - kept, this.raw.sum)),
      unlinkedShareOfChartReviewOnlyScore: row(TARGETS.unlinkedShareOfChartReviewOnlyScore, share(all - noUnlinked, all - noReview)),
      records: { ...this.records, chartReviewShareOfRecords: Math.round(share(reviews, this.claims) * 10000) / 10000 },
    };
    return report;
  }
}

/** Pearson correlation from running sums. */
export function correlation(p: { n: number; x: number; y: number; xx: number; yy: number; xy: number }): number {
  if (p.n < 2) return 0;
  const cov = p.xy - (p.x * p.y) / p.n;
  const vx = p.xx - (p.x * p.x) / p.n;
  const vy = p.yy - (p.y * p.y) / p.n;
  return vx <= 0 || vy <= 0 ? 0 : cov / Math.sqrt(vx * vy);
}
