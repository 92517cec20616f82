// A JSON reader for the common shape of an input line: one object whose values are strings,
// numbers, true, false, null or lists of strings. It gives exactly what JSON.parse gives, or
// `undefined` for anything else (escapes, nesting, control characters, bad syntax), so the caller
// falls back to JSON.parse, which also produces the error message. It avoids JSON.parse's
// general machinery: scoring JSONL spent a third of its time in JSON.parse.

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

// The reader's cursor: module state rather than closures, which would be made on every call.
let text = '';
let i = 0;
/** Keys of the last object by position: lines of one file repeat them, so they are reused. */
const lastKeys: string[] = [];

/** The key at i (its opening quote): the last line's key at this position when it matches. */
function readKey(position: number): string | undefined {
  const known = lastKeys[position];
  if (known !== undefined && text.charCodeAt(i + 1 + known.length) === 34 && text.startsWith(known, i + 1)) {
    i += known.length + 2;
    return known;
  }
  const key = readString();
  if (key !== undefined) lastKeys[position] = key;
  return key;
}

function skipSpace(): void {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else break;
  }
}

/** A string with no escape and no control character, starting at the quote at i. */
function readString(): string | undefined {
  const end = text.indexOf('"', i + 1);
  if (end < 0) return undefined;
  for (let k = i + 1; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c < 32 || c === 92) return undefined;
  }
  const value = text.slice(i + 1, end);
  i = end + 1;
  return value;
}

function readValue(): unknown {
  const c = text.charCodeAt(i);
  if (c === 34) return readString();
  if (c === 91) {
    i++;
    const list: string[] = [];
    skipSpace();
    if (text.charCodeAt(i) === 93) {
      i++;
      return list;
    }
    for (;;) {
      skipSpace();
      if (text.charCodeAt(i) !== 34) return undefined;
      const item = readString();
      if (item === undefined) return undefined;
      list.push(item);
      skipSpace();
      const d = text.charCodeAt(i++);
      if (d === 93) return list;
      if (d !== 44) return undefined;
    }
  }
  if (text.startsWith('true', i)) {
    i += 4;
    return true;
  }
  if (text.startsWith('false', i)) {
    i += 5;
    return false;
  }
  if (text.startsWith('null', i)) {
    i += 4;
    return null;
  }
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if ((d >= 48 && d <= 57) || d === 45 || d === 43 || d === 46 || d === 101 || d === 69) j++;
    else break;
  }
  const literal = text.slice(i, j);
  if (!NUMBER.test(literal)) return undefined;
  i = j;
  return Number(literal);
}

/** Parses `line` when it is a flat JSON object; `undefined` when JSON.parse must decide. */
export function parseFlatJsonObject(line: string): Record<string, unknown> | undefined {
  text = line;
  i = 0;
  try {
    return readObject();
  } finally {
    text = '';
  }
}

function readObject(): Record<string, unknown> | undefined {
  skipSpace();
  if (text.charCodeAt(i) !== 123) return undefined;
  i++;
  const out: Record<string, unknown> = {};
  skipSpace();
  if (text.charCodeAt(i) === 125) {
    i++;
    skipSpace();
    return i === text.length ? out : undefined;
  }
  for (let position = 0; ; position++) {
    skipSpace();
    if (text.charCodeAt(i) !== 34) return undefined;
    const key = readKey(position);
    // JSON.parse makes "__proto__" an own property; a plain assignment would not.
    if (key === undefined || key === '__proto__') return undefined;
    skipSpace();
    if (text.charCodeAt(i) !== 58) return undefined;
    i++;
    skipSpace();
    const value = readValue();
    // null is a value; undefined means the value was not one the fast path reads.
    if (value === undefined) return undefined;
    out[key] = value;
    skipSpace();
    const d = text.charCodeAt(i++);
    if (d === 125) break;
    if (d !== 44) return undefined;
  }
  skipSpace();
  return i === text.length ? out : undefined;
}
