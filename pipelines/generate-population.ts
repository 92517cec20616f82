// `rafcast generate`: the synthetic plan's files (data/synthetic/generate.ts) and
// calibration.json, which sets every target of data/synthetic/targets.ts beside the value the
// population reached; the score-based figures come from the CMS-HCC engine, which is why this
// step lives here and not in data/.
import { join } from 'node:path';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { generatePopulationFiles, type GenerateOptions } from '../data/synthetic/generate.ts';
import { Calibration } from '../evaluation/synthetic-calibration.ts';

export interface GeneratedPopulation {
  memberYears: number;
  members: number;
  claims: number;
  files: string[];
  calibration: ReturnType<Calibration['report']>;
}

export async function generatePopulation(
  opts: Omit<GenerateOptions, 'observe'>,
  onProgress?: (done: number, total: number) => void,
): Promise<GeneratedPopulation> {
  let calibration: Calibration | undefined;
  const s = await generatePopulationFiles(
    { ...opts, observe: ({ tables, groups }) => (calibration = new Calibration(tables, groups, opts.firstYear)) },
    onProgress,
  );
  const report = calibration!.report({
    members: opts.members,
    firstYear: opts.firstYear,
    lastYear: opts.lastYear,
    seed: opts.seed,
    memberYears: s.memberYears,
  });
  const path = join(opts.out, 'calibration.json');
  await writeFileAtomically(path, `${JSON.stringify(report, null, 2)}\n`);
  return { ...s, files: [...s.files, path], calibration: report };
}
