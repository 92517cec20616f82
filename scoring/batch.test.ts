// The batch path must give exactly the explained path's raw score and payment HCC count. Inputs:
// the golden vectors (../shared/cms-hcc/golden, read for the oracle's inputs only) and a seeded
// random population drawing codes from the mapping and edit tables, in every segment.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRng } from '../data/random.ts';
import { SEGMENTS, loadModelTables, type Segment, type Sex } from '../data/reference/cms-hcc-tables.ts';
import { CodeDictionary, IdList, compileModel, scoreBatch, toMemberBatch } from './batch.ts';
import { calculateRaf } from './calculate.ts';
import { resolveDemographics, type Demographics } from './demographics.ts';

function randomMembers(seed: number, model: 'V24' | 'V28', year: number, n: number) {
  const t = loadModelTables(model, year);
  const rng = createRng(seed);
  const codes = [...t.dxToCc.keys()];
  const editCodes = t.ageSexEdits.flatMap((e) => [...e.codes]);
  const members: { demographics: Demographics; dx: string[] }[] = [];
  for (let i = 0; i < n; i++) {
    const k = rng.int(18);
    const dx: string[] = [];
    for (let j = 0; j < k; j++) {
      const r = rng.next();
      let c = r < 0.1 ? rng.pick(editCodes) : r < 0.15 ? rng.pick(['Z0000', 'XYZ', 'I10', 'R69', '']) : rng.pick(codes);
      if (rng.next() < 0.3 && c.length > 3) c = `${c.slice(0, 3)}.${c.slice(3)}`;
      if (rng.next() < 0.1) c = ` ${c.toLowerCase()} `;
      dx.push(c);
    }
    const demographics = resolveDemographics(
      {
        sex: rng.pick<Sex>(['M', 'F']),
        age: rng.next() < 0.1 ? rng.int(20) : 20 + rng.int(90),
        segment: rng.pick<Segment>(SEGMENTS),
        orec: String(rng.int(4)),
        medicaid: rng.next() < 0.3,
      },
      year,
    );
    members.push({ demographics, dx });
  }
  return members;
}

describe.each([
  ['V24', 2020],
  ['V24', 2025],
  ['V24', 2026],
  ['V28', 2024],
  ['V28', 2026],
] as const)('batch path %s PY%i', (model, year) => {
  it('equals the explained path on 3,000 random members', () => {
    const members = randomMembers(year * 7 + (model === 'V24' ? 1 : 2), model, year, 3000);
    const tables = loadModelTables(model, year);
    const compiled = compileModel(tables);
    const counts = new Uint8Array(members.length);
    const raw = scoreBatch(compiled, toMemberBatch(members), undefined, counts);
    let withHccs = 0;
    members.forEach((m, i) => {
      const r = calculateRaf(m.demographics, m.dx, tables);
      expect(raw[i], `member ${i}`).toBe(r.risk_score);
      expect(counts[i], `member ${i}`).toBe(r.hccs.length);
      if (r.hccs.length > 0) withHccs++;
    });
    // The population must exercise HCCs, not only demographics.
    expect(withHccs).toBeGreaterThan(2000);
    // The same codes as '|'-separated text (the CSV form) score the same.
    const joined = members.map((m) => ({ demographics: m.demographics, dx: m.dx.join('|') }));
    expect([...scoreBatch(compiled, toMemberBatch(joined))]).toEqual([...raw]);
    // Leaving out the codes the model does not map changes no score.
    const mappedOnly = new CodeDictionary((code) => tables.dxToCc.has(code));
    expect([...scoreBatch(compiled, toMemberBatch(joined, mappedOnly))]).toEqual([...raw]);
    expect(mappedOnly.codes.every((c) => tables.dxToCc.has(c))).toBe(true);
  });
});

describe('CodeDictionary', () => {
  it('gives a code one id however it is written, and keeps codes that do not pack as text', () => {
    const d = new CodeDictionary();
    const ids = new IdList();
    d.encodeAll(['E11.9', ' e119 ', 'E119', 'I5022', 'ABCDEFGHIJ', 'E1 19', '', '  '], ids);
    d.encodeAll('E119| i50.22 ||ABCDEFGHIJ', ids);
    const got = [...ids.ids.subarray(0, ids.length)];
    // Blank codes are skipped; E11.9 in any spelling is one id; long and spaced codes stay text.
    expect(got).toEqual([0, 0, 0, 1, 2, 3, 0, 1, 2]);
    expect(d.codes).toEqual(['E119', 'I5022', 'ABCDEFGHIJ', 'E1 19']);
  });

  it('gives no id to codes that keep leaves out, however they are written', () => {
    const d = new CodeDictionary((code) => code.startsWith('E'));
    const ids = new IdList();
    d.encodeAll('I50.22|e11.9|E119|I5022|E-11', ids);
    expect([...ids.ids.subarray(0, ids.length)]).toEqual([0, 0, 1]);
    expect(d.codes).toEqual(['E119', 'E-11']);
    expect(d.encode('I50.22')).toBe(-1);
  });

  it('keeps ids stable while the table grows past its first size', () => {
    const d = new CodeDictionary();
    const codes = Array.from({ length: 20000 }, (_, i) => `Z${String(i).padStart(5, '0')}`);
    const first = codes.map((c) => d.encode(c));
    expect(first).toEqual(codes.map((_, i) => i));
    expect(codes.map((c) => d.encode(c.toLowerCase()))).toEqual(first);
    expect(d.codes).toEqual(codes);
  });
});

describe('batch path on the golden vectors', () => {
  it.each(['v24', 'v28'] as const)('%s raw scores equal the golden risk_score', (m) => {
    const path = fileURLToPath(new URL(`../../shared/cms-hcc/golden/hcc-golden-${m}.jsonl`, import.meta.url));
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { input: { age: number; sex: Sex; segment: Segment; orec: string; medicaid: boolean; dx: string[] }; expected: { risk_score: number } });
    const model = m === 'v24' ? 'V24' : 'V28';
    const year = m === 'v24' ? 2025 : 2026;
    const members = lines.map((l) => ({ demographics: resolveDemographics(l.input, year), dx: l.input.dx }));
    const raw = scoreBatch(compileModel(loadModelTables(model, year)), toMemberBatch(members));
    expect([...raw]).toEqual(lines.map((l) => l.expected.risk_score));
  });
});
