// The E/M code list (data/reference/providers/em_codes.csv): the families issue 17 names, and the
// loader's checks (a malformed or repeated code stops with the file and the row).
import { describe, expect, it } from 'vitest';
import { loadEmCodes, parseEmCodes } from './em-codes.ts';

describe('E/M codes', () => {
  it('lists the office, home, preventive and wellness visit codes, and no code that does not exist', () => {
    const codes = loadEmCodes().map((c) => c.code);
    // 99202-99205, 99211-99215 (9); 99341-99345, 99347-99350 (9); 99381-99387, 99391-99397 (14); 99401-99404 (4); G0402, G0438, G0439 (3).
    expect(codes).toHaveLength(39);
    expect(codes).toEqual(expect.arrayContaining(['99202', '99215', '99343', '99350', '99381', '99397', '99404', 'G0402', 'G0438', 'G0439']));
    // 99201 (deleted 2021), 99206-99210, 99346 and 99388-99390 are not codes.
    for (const c of ['99201', '99206', '99210', '99346', '99388', '99390', '80053']) expect(codes).not.toContain(c);
  });

  it('stops on a malformed or repeated code, naming the file and the row', () => {
    expect(() => parseEmCodes('code,kind,source\n9921,office,x\n', 'em.csv')).toThrow('em.csv row 2, code: expected a CPT (5 digits) or HCPCS (a letter and 4 digits) code, found "9921"');
    expect(() => parseEmCodes('code,kind,source\n99213,office,x\n99213,office,x\n', 'em.csv')).toThrow('em.csv row 3, code: 99213 is listed twice');
    expect(() => parseEmCodes('code,kind,source\n99213,office,\n', 'em.csv')).toThrow('em.csv row 2, source: empty');
  });
});
