// data/README.md documents the contract: every field of data/contract.ts must appear in its
// table's section with its required flag and example, and the README must name no field the
// contract lacks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRACT } from './contract.ts';

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');

describe('data/README.md', () => {
  it.each(Object.values(CONTRACT))('documents every field of $name as the contract defines it', (table) => {
    const section = readme.split(`### \`${table.name}\``)[1]?.split('###')[0] ?? '';
    expect(section, table.name).not.toBe('');
    const documented = [...section.matchAll(/^\| `([a-z_]+)` \| .* \| (yes|no) \| .* \| `(.*)` \|$/gm)].map((m) => ({
      name: m[1],
      required: m[2] === 'yes',
      example: m[3],
    }));
    expect(documented).toEqual(table.fields.map((f) => ({ name: f.name, required: f.required, example: f.example })));
  });
});
