// Prints a fingerprint of every file a run wrote, one `sha256  path` line per file, sorted, so two
// runs (two commits, two layouts) compare with `diff`. What legitimately differs between two runs
// of the same inputs is normalised first, and only in JSON files: the run's and the data's
// absolute folders (flow.json and run.json hold them) become `<out>` and `<data>`, and a training
// time (`"seconds"`) becomes 0. made-from.json (pipelines/made-from.ts: the data files' times and
// folder, hashed) is left out: it says what the outputs were made from, not what they are. Every
// other byte counts.
//
//   npx tsx scripts/fingerprint-run.ts runs/default-2024 [runs/default] > after.txt
//   bash scripts/compare-outputs.sh 790bbeb      # a commit against the working tree, both flows
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** Every file below `dir`, as paths relative to it, sorted. */
function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** A JSON file's text with the run's own absolute folders and timings taken out. */
function normalisedJson(text: string, folders: Record<string, string>): string {
  const value: unknown = JSON.parse(text, (key, v: unknown) => {
    if (key === 'seconds' && typeof v === 'number') return 0;
    if (typeof v !== 'string') return v;
    let s = v;
    for (const [name, abs] of Object.entries(folders)) s = s.split(abs).join(`<${name}>`);
    return s;
  });
  return JSON.stringify(value, null, 2);
}

export function fingerprintRun(out: string, data?: string): string[] {
  const folders: Record<string, string> = { out: resolve(out) };
  if (data) folders.data = resolve(data);
  return filesBelow(out).filter((rel) => rel !== 'made-from.json').map((rel) => {
    const bytes = readFileSync(join(out, rel));
    const body = rel.endsWith('.json') ? normalisedJson(bytes.toString('utf8'), folders) : bytes;
    return `${createHash('sha256').update(body).digest('hex')}  ${rel}`;
  });
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('fingerprint-run.ts')) {
  const [out, data] = process.argv.slice(2);
  if (!out) {
    process.stderr.write('usage: tsx scripts/fingerprint-run.ts RUN_FOLDER [DATA_FOLDER]\n');
    process.exit(2);
  }
  process.stdout.write(`${fingerprintRun(out, data).join('\n')}\n`);
}
