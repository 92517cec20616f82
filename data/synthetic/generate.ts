// `rafcast generate`: a synthetic Medicare Advantage plan, year by year. Members
// (population.ts) carry latent conditions (conditions.ts) that claims document imperfectly
// (documentation.ts). Writes the contract's files (members, enrollment, claims; and, when asked,
// the optional pharmacy, labs and providers of evidence.ts and providers-file.ts) and truth/ (the
// latent conditions per member-year, for evaluation only: feature code must never read it); an
// observer sees every member-year (the calibration, in pipelines/, which scores them). The same
// seed gives the same bytes.
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicFileWriter, temporaryPathFor } from '../atomic-file.ts';
import { ByteBuilder } from '../byte-builder.ts';
import { CONTRACT, sqlType, type TableSpec } from '../contract.ts';
import { copyAtomically, openDuckDb, sqlString } from '../duckdb.ts';
import { ConfigError } from '../errors.ts';
import { createRng } from '../random.ts';
import { loadModelTables, type ModelTables } from '../reference/cms-hcc-tables.ts';
import { codesByHcc, conditionGroups, type ConditionGroup } from './conditions.ts';
import { RECORD_SOURCE_RATES, createProviders, writeYearClaims, type RecordSourceRates, type YearCoding } from './documentation.ts';
import { advanceConditions, advanceStatus, birthDate, createMember, decideExit, type Member } from './population.ts';
import { writeYearEvidence } from './evidence.ts';
import { writeProviderRows } from './providers-file.ts';
import { writeParticipantRows, writeYearDesignation } from './alignment-files.ts';

/** Sees each member-year as it is generated, and the end of each year. */
export interface PopulationObserver {
  add(m: Member, year: number, coding: YearCoding): void;
  endYear(): void;
}

export interface GenerateOptions {
  members: number;
  firstYear: number;
  lastYear: number;
  seed: number;
  out: string;
  format?: 'parquet' | 'csv';
  /** How often audio-only visits and chart reviews occur (default RECORD_SOURCE_RATES, the documented ones). */
  recordSources?: Readonly<RecordSourceRates>;
  /** Builds the observer, given the model tables and condition groups the generator uses. */
  observe?: (context: { tables: ModelTables; groups: readonly ConditionGroup[] }) => PopulationObserver;
  /**
   * Also write the January of the year after lastYear, as a plan knows it on January 1: an
   * enrollment row of lastYear + 1 with months_enrolled 1 for every member enrolled at the end of
   * lastYear and for the members who join that January (members rows too), no claims, no truth.
   * Simplification: nobody leaves or dies in that January (what happens after January 1 is not
   * known on January 1, and the data must not hold it).
   */
  januaryAfter?: boolean;
  /**
   * Also write the optional files pharmacy, labs and providers, and the ACO REACH participants and
   * voluntary_alignment (alignment-files.ts). Their draws come from streams of
   * their own, so the other files are the same bytes with or without them. Default false here, so
   * that the callers from before them (`rafcast run --generate`, the bench, their tests) write and
   * time what they did; `rafcast generate` turns it on unless given --no-evidence.
   */
  evidence?: boolean;
}

export interface GenerateSummary {
  memberYears: number;
  members: number;
  claims: number;
  files: string[];
}

/** Code tables (and the observer's): V28 as of PY2026, codes also mapped alike in PY2024. */
const MODEL_YEAR = 2026;
const FLUSH_BYTES = 8 << 20;

/**
 * A CSV file being generated, buffered in a ByteBuilder and written through AtomicFileWriter:
 * a CSV output is committed to its path; a Parquet output is staged as CSV at a temporary path,
 * converted, and removed.
 */
class StagedCsv {
  readonly out = new ByteBuilder(FLUSH_BYTES + (1 << 20));

  private constructor(
    readonly path: string,
    private readonly file: AtomicFileWriter,
  ) {}

  static async open(path: string, header: readonly string[], format: 'parquet' | 'csv'): Promise<StagedCsv> {
    const staged = new StagedCsv(path, await AtomicFileWriter.open(format === 'csv' ? path : temporaryPathFor(path)));
    staged.out.text(header.join(',')).char(10);
    return staged;
  }

  async flushIfFull(force = false): Promise<void> {
    if (!force && this.out.length < FLUSH_BYTES) return;
    await this.file.write(this.out.bytes());
    this.out.length = 0;
  }

  /** Writes what is left and puts the file in place; returns where it is. */
  async commit(): Promise<string> {
    await this.flushIfFull(true);
    await this.file.commit();
    return this.file.path;
  }

  abort(): Promise<void> {
    return this.file.abort();
  }
}

/**
 * The claims fields the generator writes: all but billing_tin (issue 19), which it does not draw,
 * so that the claims files keep their bytes (generate.test.ts pins them); a claim without one is
 * matched to the participant list on its NPI alone.
 */
const GENERATED_CLAIMS: TableSpec = { ...CONTRACT.claims, fields: CONTRACT.claims.fields.filter((f) => f.name !== 'billing_tin') };

/** Generates the population; `onProgress` hears member-years done of (about) the total. */
export async function generatePopulationFiles(
  opts: GenerateOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<GenerateSummary> {
  if (!Number.isInteger(opts.members) || opts.members < 1) throw new ConfigError(`--members must be a whole number of at least 1, found ${opts.members}`);
  if (opts.firstYear > opts.lastYear) throw new ConfigError(`the years run backwards: ${opts.firstYear}-${opts.lastYear}`);
  const format = opts.format ?? 'parquet';
  const tables = loadModelTables('V28', MODEL_YEAR);
  const codes = codesByHcc(tables, [loadModelTables('V28', 2024)]);
  // A condition with no code to write (all its codes are edited by age or sex) cannot be coded.
  const groups = conditionGroups(tables).filter((g) => g.levels.every((l) => (codes.get(l.hcc)?.length ?? 0) > 0));
  // Miscoded conditions are common ones: the named groups.
  const noiseHccs = groups.filter((g) => g.named).flatMap((g) => g.levels.map((l) => l.hcc));
  const dementia = groups.findIndex((g) => g.name === 'dementia');
  const providers = createProviders(Math.max(20, Math.ceil(opts.members / 400)), createRng(opts.seed));
  const observer = opts.observe?.({ tables, groups });

  await mkdir(join(opts.out, 'truth'), { recursive: true, mode: 0o700 });
  const open = (path: string, header: readonly string[]): Promise<StagedCsv> => StagedCsv.open(join(opts.out, path), header, format);
  const staged = {
    members: await open('members.csv', CONTRACT.members.fields.map((f) => f.name)),
    enrollment: await open('enrollment.csv', CONTRACT.enrollment.fields.map((f) => f.name)),
    claims: await open('claims.csv', GENERATED_CLAIMS.fields.map((f) => f.name)),
    truth: await open(join('truth', 'conditions.csv'), ['member_id', 'year', 'hcc', 'onset', 'first_coded_month']),
  };
  const evidence =
    opts.evidence === true
      ? {
          pharmacy: await open('pharmacy.csv', CONTRACT.pharmacy.fields.map((f) => f.name)),
          labs: await open('labs.csv', CONTRACT.labs.fields.map((f) => f.name)),
          providers: await open('providers.csv', CONTRACT.providers.fields.map((f) => f.name)),
          participants: await open('participants.csv', CONTRACT.participants.fields.map((f) => f.name)),
          voluntary_alignment: await open('voluntary_alignment.csv', CONTRACT.voluntary_alignment.fields.map((f) => f.name)),
        }
      : undefined;
  try {
    return await simulate();
  } catch (e) {
    await Promise.all([...Object.values(staged), ...Object.values(evidence ?? {})].map((f) => f.abort()));
    throw e;
  }

  async function simulate(): Promise<GenerateSummary> {
    // A member's row is written when the member leaves (with a death date, if any) or at the end,
    // so members who left are not kept in memory.
    const membersCsv = staged.members;
    const writeMember = (m: Member): void => {
      membersCsv.out.text(m.id).char(44).text(birthDate(m)).char(44).text(m.sex).char(44).text(m.orec).char(44).text(m.deathDate ?? '').char(10);
    };
    let memberCount = 0;
    const years = opts.lastYear - opts.firstYear + 1;
    const total = Math.round(opts.members * years);
    const claimNumber = { next: 1 };
    const reviewNumber = { next: 1 };
    const fillNumber = { next: 1 };
    const resultNumber = { next: 1 };
    let memberYears = 0;
    let active: Member[] = [];
    let nextIndex = 0;
    const enroll = (m: Member): void => {
      memberCount++;
      active.push(m);
    };
    const writeEnrollment = (m: Member, year: number, months: number): void => {
      const newEnrollee = m.firstYear === year && year - m.birthYear === 65;
      staged.enrollment.out
        .text(m.id)
        .char(44)
        .number(year)
        .char(44)
        .number(months)
        .char(44)
        .text(m.dual)
        .char(44)
        .text(m.institutional ? 'true' : 'false')
        .char(44)
        .text(newEnrollee ? 'true' : 'false')
        .char(44)
        .text('H0001')
        .char(10);
    };
    // New enrollees replace those who left, and a little more: mostly people turning 65.
    const enrollJoiners = (year: number): void => {
      const joining = Math.max(0, Math.round(opts.members * 1.02 ** (year - opts.firstYear)) - active.length);
      for (let i = 0; i < joining; i++) {
        const kind = i % 10 < 3 ? 'switcher' : 'aging-in';
        enroll(createMember({ seed: opts.seed, index: nextIndex++, year, kind, groups, providers: providers.npi.length }));
      }
    };
    for (let i = 0; i < opts.members; i++) {
      enroll(createMember({ seed: opts.seed, index: nextIndex++, year: opts.firstYear, kind: 'initial', groups, providers: providers.npi.length }));
    }
    for (let year = opts.firstYear; year <= opts.lastYear; year++) {
      if (year > opts.firstYear) enrollJoiners(year);
      const stillActive: Member[] = [];
      for (const m of active) {
        advanceConditions(m, groups, year);
        advanceStatus(m, year, m.levels[dementia]! >= 0);
        let held = 0;
        for (let g = 0; g < groups.length; g++) if (m.levels[g]! >= 0) held++;
        decideExit(m, year, held);
        const lastMonth = m.leftYear === year ? m.leftMonth! : 12;
        writeEnrollment(m, year, lastMonth);
        const coding = writeYearClaims(
          { member: m, year, lastMonth, groups, codes, noiseHccs, providers, claimNumber, reviewNumber, rates: opts.recordSources ?? RECORD_SOURCE_RATES },
          staged.claims.out,
        );
        if (evidence !== undefined) {
          writeYearEvidence({ member: m, year, lastMonth, groups, seed: opts.seed, providers, fillNumber, resultNumber }, evidence.pharmacy.out, evidence.labs.out);
          writeYearDesignation(m, year, lastMonth, opts.seed, providers, evidence.voluntary_alignment.out);
          await evidence.pharmacy.flushIfFull();
          await evidence.labs.flushIfFull();
          await evidence.voluntary_alignment.flushIfFull();
        }
        for (let g = 0; g < groups.length; g++) {
          if (m.levels[g]! < 0) continue;
          staged.truth.out
            .text(m.id)
            .char(44)
            .number(year)
            .char(44)
            .number(groups[g]!.levels[m.levels[g]!]!.hcc)
            .char(44)
            .text(m.onset.includes(g) ? 'true' : 'false')
            .char(44)
            .text(coding.firstCoded[g] ? String(coding.firstCoded[g]) : '')
            .char(10);
        }
        observer?.add(m, year, coding);
        memberYears++;
        if (m.leftYear !== year) stillActive.push(m);
        else writeMember(m);
        await membersCsv.flushIfFull();
        await staged.claims.flushIfFull();
        await staged.truth.flushIfFull();
        await staged.enrollment.flushIfFull();
        if (memberYears % 10000 === 0) onProgress?.(memberYears, total);
      }
      observer?.endYear();
      active = stillActive;
    }
    if (opts.januaryAfter === true) {
      // The January of lastYear + 1: the members enrolled at the end of lastYear and that January's joiners, one month known.
      enrollJoiners(opts.lastYear + 1);
      for (const m of active) writeEnrollment(m, opts.lastYear + 1, 1);
    }
    for (const m of active) {
      writeMember(m);
      await membersCsv.flushIfFull();
    }
    onProgress?.(memberYears, memberYears);

    const files: string[] = [];
    const finish = async (s: StagedCsv, spec: TableSpec | undefined): Promise<void> => {
      const csv = await s.commit();
      if (format === 'csv') {
        files.push(csv);
        return;
      }
      const target = s.path.replace(/\.csv$/, '.parquet');
      const db = await openDuckDb();
      try {
        // One thread: the same rows give the same file bytes.
        await db.connection.run('SET threads = 1');
        await copyAtomically(db.connection, parquetSelect(csv, spec), target, 'parquet');
      } finally {
        db.close();
        await unlink(csv).catch(() => undefined);
      }
      files.push(target);
    };
    await finish(membersCsv, CONTRACT.members);
    await finish(staged.enrollment, CONTRACT.enrollment);
    await finish(staged.claims, GENERATED_CLAIMS);
    await finish(staged.truth, undefined);
    if (evidence !== undefined) {
      writeProviderRows(providers, opts.seed, evidence.providers.out);
      await finish(evidence.pharmacy, CONTRACT.pharmacy);
      await finish(evidence.labs, CONTRACT.labs);
      await finish(evidence.providers, CONTRACT.providers);
      writeParticipantRows(providers, opts.seed, { first: opts.firstYear, last: opts.lastYear }, evidence.participants.out);
      await finish(evidence.participants, CONTRACT.participants);
      await finish(evidence.voluntary_alignment, CONTRACT.voluntary_alignment);
    }
    return { memberYears, members: memberCount, claims: claimNumber.next - 1 + reviewNumber.next - 1, files };
  }
}

/** Reads a staged CSV with the contract's types (lists split on "|"). */
function parquetSelect(csv: string, spec: TableSpec | undefined): string {
  if (spec === undefined) {
    return `SELECT * FROM read_csv(${sqlString(csv)}, header = true, auto_detect = false,
      columns = {'member_id': 'VARCHAR', 'year': 'INTEGER', 'hcc': 'INTEGER', 'onset': 'BOOLEAN', 'first_coded_month': 'INTEGER'})`;
  }
  const columns = spec.fields.map((f) => `${sqlString(f.name)}: 'VARCHAR'`).join(', ');
  const select = spec.fields.map((f) => {
    const col = `"${f.name}"`;
    if (sqlType(f) === 'VARCHAR[]') return `coalesce(string_split(nullif(${col}, ''), '|'), []::VARCHAR[]) AS ${col}`;
    if (f.type === 'bool' || sqlType(f) !== 'VARCHAR') return `nullif(${col}, '')::${sqlType(f)} AS ${col}`;
    return `nullif(${col}, '') AS ${col}`;
  });
  return `SELECT ${select.join(', ')} FROM read_csv(${sqlString(csv)}, header = true, auto_detect = false, columns = {${columns}})`;
}
