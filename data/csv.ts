// RFC 4180 CSV parsing: quoted fields, doubled quotes, commas and newlines inside quotes, CRLF or
// LF line ends, and a leading UTF-8 byte-order mark.

/**
 * Splits CSV text into records. `onRecord` receives each record's fields and the 1-based line
 * number on which the record starts. Returning `false` from `onRecord` stops the parse.
 */
export function parseCsv(
  text: string,
  onRecord: (fields: string[], line: number) => boolean | void,
  delimiter = ',',
): void {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const delim = delimiter.charCodeAt(0);
  let line = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let atRecordEnd = false;
    while (!atRecordEnd) {
      if (text.charCodeAt(i) === 34 /* " */) {
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) {
            value += text.slice(j);
            i = n;
            break;
          }
          value += text.slice(j, q);
          if (text.charCodeAt(q + 1) === 34) {
            value += '"';
            j = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        for (let k = 0; k < value.length; k++) if (value.charCodeAt(k) === 10) line++;
        // Anything between the closing quote and the delimiter is kept, as spreadsheets do.
        let j2 = i;
        while (j2 < n && text.charCodeAt(j2) !== delim && text.charCodeAt(j2) !== 10 && text.charCodeAt(j2) !== 13) j2++;
        fields.push(value + text.slice(i, j2));
        i = j2;
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === delim || c === 10 || c === 13) break;
          j++;
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      const c = text.charCodeAt(i);
      if (c === delim) {
        i++;
        if (i >= n) fields.push('');
      } else {
        atRecordEnd = true;
        if (c === 13) i++;
        if (text.charCodeAt(i) === 10) i++;
        line++;
      }
      if (i >= n) atRecordEnd = true;
    }
    if (onRecord(fields, startLine) === false) return;
  }
}

/** Parses CSV text with a header into objects keyed by the header names. */
export function parseCsvObjects(text: string): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  let header: string[] | undefined;
  parseCsv(text, (fields) => {
    if (header === undefined) {
      header = fields.map((f) => f.trim());
      return;
    }
    if (fields.length === 1 && fields[0] === '') return;
    const row: Record<string, string> = {};
    header.forEach((h, k) => {
      row[h] = fields[k] ?? '';
    });
    rows.push(row);
  });
  return rows;
}

/** Quotes a value for CSV output when it needs it. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
