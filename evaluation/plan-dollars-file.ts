// Every member's expected dollars at as-of T (evaluation/member-dollars.ts planDollars), computed
// once per run and kept in a folder that the evaluation of each model and the candidate list read
// (issue 20): planDollars reads the whole plan's history and claims as known on the cut-off and
// fits the dollar model, the same for every model, so a run with two models computed it three
// times, each after the models' training. A run's `dollars` job (pipelines/processors.ts;
// member-dollars.ts writePlanDollars) writes it beside the training, from the as-of year's features (their members and RAF_{T-1}), and the
// evaluation and the list read the same figures back, bit for bit (a test holds it).
//
// The folder: plan.json (the dollar model, the recapture cells, the factors' year, the model the
// outreach list names); members.jsonl, a line per member in the features' order, [member id,
// accelerated, incremental, dollars, suspect dollars or null]; priced.jsonl, a line per member with
// an open HCC, [member id, the priced HCCs], which only the list reads, for its members (about a
// kilobyte a member: the evaluation and the ranking read members.jsonl alone).
// Member ids are health information: the files are the owner's only (0600), as every output.
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AtomicFileWriter, writeFileAtomically } from '../data/atomic-file.ts';
import { ConfigError } from '../data/errors.ts';
import type { MemberFeatures } from '../models/model-run.ts';
import { columnOf } from '../models/dataset.ts';
import { roundHalfUp } from '../scoring/rounding.ts';
import type { ExpectedGain } from './candidate-value.ts';
import type { MemberDollars, PlanDollars } from './member-dollars.ts';

/** Every member's expected dollars as columns, index i one member (in the order of the ids priced). */
export interface ExpectedDollars {
  accelerated: Float64Array;
  incremental: Float64Array;
  dollars: Float64Array;
}

/** The expected dollars of member i. */
export const expectedAt = (e: ExpectedDollars, i: number): MemberDollars => ({ accelerated: e.accelerated[i]!, incremental: e.incremental[i]!, dollars: e.dollars[i]! });

/** Columns of n members, all 0. */
export const expectedDollarsOf = (n: number): ExpectedDollars => ({ accelerated: new Float64Array(n), incremental: new Float64Array(n), dollars: new Float64Array(n) });

/** Sets member i's expected dollars. */
export function setExpected(e: ExpectedDollars, i: number, d: MemberDollars): void {
  e.accelerated[i] = d.accelerated;
  e.incremental[i] = d.incremental;
  e.dollars[i] = d.dollars;
}

export const PLAN_DOLLARS_FILES = { plan: 'plan.json', members: 'members.jsonl', priced: 'priced.jsonl' } as const;

/**
 * RAF_{T-1} of each row of the as-of year's features as known on the cut-off, null for a member
 * new in T: the feature matrix holds float32, and a payment score has 3 places, so rounding gives
 * it back exactly.
 */
export function knownRafT1(rows: MemberFeatures['rows']): (number | null)[] {
  const raf = columnOf(rows, 'raf_t1');
  const missing = columnOf(rows, 'missing_t1');
  return rows.ids.map((_, i) => (rows.x.values[i * rows.x.cols + missing] === 1 ? null : roundHalfUp(rows.x.values[i * rows.x.cols + raf]!, 3)));
}

/** A line of priced.jsonl: a member's priced open HCCs. */
export const pricedLine = (id: string, gain: ExpectedGain): string => `${JSON.stringify([id, gain])}\n`;

/**
 * Writes the folder of `plan`, the expected dollars of the members `ids` (module comment); its
 * priced.jsonl only when the plan kept its priced HCCs (a run's dollars job writes that file as
 * they are priced: member-dollars.ts writePlanDollars).
 */
export async function savePlanDollars(plan: PlanDollars, ids: readonly string[], T: number, out: string): Promise<void> {
  await mkdir(out, { recursive: true, mode: 0o700 });
  const members = await AtomicFileWriter.open(join(out, PLAN_DOLLARS_FILES.members));
  const priced = plan.priced !== undefined ? await AtomicFileWriter.open(join(out, PLAN_DOLLARS_FILES.priced)) : undefined;
  try {
    const e = plan.expected;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      await members.write(`${JSON.stringify([id, e.accelerated[i], e.incremental[i], e.dollars[i], plan.suspects.get(id) ?? null])}\n`);
      const gain = plan.priced?.get(id);
      if (gain !== undefined) await priced!.write(pricedLine(id, gain));
    }
    await members.commit();
    await priced?.commit();
  } catch (e) {
    await members.abort();
    await priced?.abort();
    throw e;
  }
  const { model, cells, factorsYear, shown } = plan;
  // Last: its presence shows the folder complete (a resumed run skips the job).
  await writeFileAtomically(join(out, PLAN_DOLLARS_FILES.plan), `${JSON.stringify({ asOf: T, members: ids.length, model, cells, factorsYear, shown }, null, 2)}\n`);
}

/** The lines of a file of the folder, parsed, with their line numbers; `wanted` skips a line by its member id before parsing it. */
async function* folderLines<T extends unknown[]>(file: string, wanted?: (id: string) => boolean): AsyncGenerator<T> {
  if (!existsSync(file)) throw new ConfigError(`${file} is missing: the run's expected dollars were not computed (its models stage is not done)`);
  let row = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    row++;
    if (line === '') continue;
    // Every line starts with the member id as a JSON string, ["<id>", read alone when it holds no escape.
    if (wanted !== undefined) {
      const end = line.indexOf('",', 2);
      if (end > 0 && !line.slice(0, end).includes('\\') && !wanted(line.slice(2, end))) continue;
    }
    let v: T;
    try {
      v = JSON.parse(line) as T;
    } catch {
      throw new ConfigError(`${file}, line ${row}: not a line written by rafcast`);
    }
    if (wanted === undefined || wanted(v[0] as string)) yield v;
  }
}

/**
 * Reads the expected dollars of a folder written by savePlanDollars for the members `ids` (the
 * same features' members, in any order), without the priced HCCs (forEachPricedHccs).
 */
export async function readPlanDollars(dir: string, ids: readonly string[]): Promise<Omit<PlanDollars, 'priced'>> {
  const planFile = join(dir, PLAN_DOLLARS_FILES.plan);
  if (!existsSync(planFile)) throw new ConfigError(`${planFile} is missing: the run's expected dollars were not computed (its models stage is not done)`);
  const head = JSON.parse(await readFile(planFile, 'utf8')) as Pick<PlanDollars, 'model' | 'cells' | 'factorsYear' | 'shown'>;
  const membersFile = join(dir, PLAN_DOLLARS_FILES.members);
  const suspects = new Map<string, number>();
  const expected = expectedDollarsOf(ids.length);
  // The file holds the features' members in their order: line k is ids[k], no map by member id.
  // In another order (the same members), a map of ids to places, built once.
  let placeOf: Map<string, number> | undefined;
  const seen = new Uint8Array(ids.length);
  let lines = 0;
  let unknown = 0;
  for await (const [id, accelerated, incremental, dollars, suspect] of folderLines<[string, number, number, number, number | null]>(membersFile)) {
    let i: number | undefined = placeOf === undefined && ids[lines] === id ? lines : undefined;
    if (i === undefined) {
      placeOf ??= new Map(ids.map((x, k) => [x, k]));
      i = placeOf.get(id);
    }
    lines++;
    if (i === undefined || seen[i] === 1) {
      unknown++;
      continue;
    }
    seen[i] = 1;
    setExpected(expected, i, { accelerated, incremental, dollars });
    if (suspect !== null) suspects.set(id, suspect);
  }
  const missing = ids.length - seen.reduce((a, v) => a + v, 0);
  if (missing > 0 || unknown > 0) {
    throw new ConfigError(`${membersFile} prices other members than these features: ${missing} have no expected dollars, ${lines} priced against ${ids.length} members`);
  }
  return { suspects, expected, model: head.model, cells: head.cells, factorsYear: head.factorsYear, shown: head.shown };
}

/**
 * The priced open HCCs of the members `wanted` picks (members without an open HCC have none), one
 * member at a time in the file's order, from a folder written by savePlanDollars: nothing is held.
 */
export async function forEachPricedHccs(dir: string, wanted: (id: string) => boolean, take: (id: string, gain: ExpectedGain) => void): Promise<void> {
  for await (const [id, gain] of folderLines<[string, ExpectedGain]>(join(dir, PLAN_DOLLARS_FILES.priced), wanted)) take(id, gain);
}
