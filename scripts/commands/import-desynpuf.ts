// `rafcast import desynpuf`: CMS DE-SynPUF files turned into the input contract
// (data/adapters/desynpuf.ts).
import type { Command } from 'commander';
import { runAction } from '../cli-support.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';

export interface ImportDesynpufOptions {
  in: string;
  out: string;
  force?: boolean;
}

/** Adds `desynpuf` under `rafcast import`. */
export function addImportDesynpufCommand(importCommand: Command): void {
  importCommand
    .command('desynpuf')
    .description('Import CMS DE-SynPUF 2008-2010 beneficiary and claims files: ICD-9 to ICD-10 through the GEM, defaults flagged.')
    .requiredOption('--in <dir>', 'folder with DE1_0_<year>_Beneficiary_Summary_File_*.csv, the inpatient (and outpatient) claims files and, if any, the Prescription Drug Events file')
    .requiredOption('--out <dir>', 'folder for members, enrollment, claims (and pharmacy) .parquet, flags.parquet, import.json, import.rejected.csv')
    .option('--force', FORCE_HELP)
    .addHelpText(
      'after',
      `
Every input row is imported or rejected with its file, row, field and reason. What DE-SynPUF lacks
(dual status, OREC, institutional and new-enrollee status, type of bill) gets a documented default,
listed in import.json and flagged per member-year in flags.parquet. How ICD-9 codes with several
ICD-10 targets are resolved is in data/adapters/README.md. DE-SynPUF has no received dates: they
are left blank, so a data cut-off (--data-through) falls on dates of service alone. A Prescription
Drug Events file in the folder becomes pharmacy.parquet (NDC only: no drug class, so no medication
evidence; no prescriber, no received date). No labs or providers file is written: DE-SynPUF has no
lab results and describes no provider (data/adapters/README.md).

Examples:
  rafcast import desynpuf --in ../shared/external-data/desynpuf-milwaukee-10k/1-sample-10000 --out runs/desynpuf-1
  rafcast history --data runs/desynpuf-1 --years 2008-2010 --tables-year 2025 --out runs/desynpuf-1-history`,
    )
    .action((o: ImportDesynpufOptions) => runAction(() => importFiles(o), { out: o.out }));
}

async function importFiles(o: ImportDesynpufOptions): Promise<void> {
  await claimOutputFolder(o.out, { option: '--out', command: 'rafcast import desynpuf', writes: ['members.parquet', 'enrollment.parquet', 'claims.parquet', 'pharmacy.parquet', 'flags.parquet', 'import.json', 'import.rejected.csv'], ownedIf: ['import.json'], force: o.force === true });
  const { importDesynpuf } = await import('../../data/adapters/desynpuf.ts');
  const started = performance.now();
  const s = await importDesynpuf(o.in, o.out, (stage) => process.stderr.write(`${stage} ...\n`));
  const d = s.diagnoses;
  const pct = (n: number): string => `${((100 * n) / Math.max(1, d.icd9)).toFixed(1)}%`;
  process.stdout.write(
    [
      ...s.files.map((f) => `${f.file}: read ${f.read} = imported ${f.imported} + rejected ${f.rejected}`),
      `${s.members} members, ${s.memberYears} member-years, ${s.claims} claims${s.fills > 0 ? `, ${s.fills} prescription fills` : ''}`,
      `ICD-9 diagnoses ${d.icd9}: to one ICD-10 code ${d.toOne} (${pct(d.toOne)}; ${d.choseAmongAlternatives} chosen among alternatives, ` +
        `${d.viaSubcode} through a subcode), to several ${d.toSeveral}, no ICD-10 equivalent ${d.noMap}, not in the GEM ${d.notInGem}`,
      `defaults: ${s.defaults.map((x) => `${x.table}.${x.field}`).join(', ')} (import.json; the members' and enrollment's per member-year in flags.parquet)`,
      ...(s.ignored.length > 0 ? [`not imported: ${s.ignored.join(', ')}`] : []),
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
      ...s.outputs.map((f) => `  ${f}`),
    ].join('\n') + '\n',
  );
}
