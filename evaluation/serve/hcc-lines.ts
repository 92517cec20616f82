// A listed member's HCCs to recapture as separate lines, read back from outreach.csv's
// hccs cell, which evaluation/candidates.ts writes as
// "<model> HCC <hcc> <description> (last coded <date>[ by NPI <npi>][ (the member's provider)]; ...; worth $<dollars> a year)"
// joined by " | ". A part that does not have this shape is kept whole as its description, never dropped.

export interface HccLine {
  model: string;
  hcc: string;
  description: string;
  /** The evidence: when and by whom it was last coded, the recapture rate and any other note, as written. */
  evidence: string[];
  lastCoded: string | null;
  lastCodedBy: string | null;
  byMemberProvider: boolean;
  /** The HCC's yearly worth as the outreach list prices it, or null when not given. */
  dollars: number | null;
}

const HEAD = /^(V\d+) HCC (\S+) ([\s\S]*)$/;

/** One outreach cell as lines, in the order written (the candidate list's own order). */
export function parseHccLines(cell: string): HccLine[] {
  if (cell.trim() === '') return [];
  return cell.split(' | ').map(parseHccLine);
}

function parseHccLine(part: string): HccLine {
  const head = HEAD.exec(part);
  const open = part.lastIndexOf(' (last coded ');
  if (head === null || open < 0 || !part.endsWith(')')) {
    return { model: '', hcc: '', description: part, evidence: [], lastCoded: null, lastCodedBy: null, byMemberProvider: false, dollars: null };
  }
  const model = head[1]!;
  const hcc = head[2]!;
  const description = part.slice(`${model} HCC ${hcc} `.length, open);
  const evidence = part.slice(open + 2, -1).split('; ');
  const coded = /^last coded (\d{4}-\d{2}-\d{2})(?: by NPI (\S+))?( \(the member's provider\))?$/.exec(evidence[0] ?? '');
  const worth = evidence.map((e) => /^worth \$([0-9.]+) a year$/.exec(e)).find((m) => m !== null);
  return {
    model,
    hcc,
    description,
    evidence,
    lastCoded: coded?.[1] ?? null,
    lastCodedBy: coded?.[2] ?? null,
    byMemberProvider: coded?.[3] !== undefined,
    dollars: worth ? Number(worth[1]) : null,
  };
}
