// Builds output text straight into UTF-8 bytes. Formatting a scored row as a template string
// cost 1.7 us, most of it in joining and then flattening many small strings; writing digits and
// ASCII into a byte array costs a fraction, and the bytes go to the file (or to the main thread,
// transferred) without another encoding.

const encoder = new TextEncoder();

export class ByteBuilder {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  /** Appends text as UTF-8. */
  text(s: string): this {
    const n = s.length;
    this.reserve(n * 3);
    const buf = this.buf;
    let at = this.length;
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) {
        this.length = at;
        const { written } = encoder.encodeInto(s.slice(k), buf.subarray(at));
        this.length += written;
        return this;
      }
      buf[at++] = c;
    }
    this.length = at;
    return this;
  }

  /** Appends an ASCII character by code. */
  char(code: number): this {
    this.reserve(1);
    this.buf[this.length++] = code;
    return this;
  }

  /** Appends a whole number of at most 15 digits as String(n) writes it. */
  private digits(n: number): void {
    if (n < 10) {
      this.buf[this.length++] = 48 + n;
      return;
    }
    let width = 1;
    for (let p = 10; p <= n; p *= 10) width++;
    let at = this.length + width;
    this.length = at;
    for (let v = n; v > 0; v = Math.floor(v / 10)) this.buf[--at] = 48 + (v % 10);
  }

  /**
   * Appends x exactly as String(x) writes it. Whole numbers of 1/scale (scores in thousandths,
   * dollars in cents) are written by integer arithmetic: k / scale is the double nearest the
   * decimal, whose shortest text is that decimal without trailing zeros. Anything else goes
   * through String(x).
   */
  number(x: number, scale: 1 | 10 | 100 | 1000 = 1): this {
    const k = Math.round(x * scale);
    if (k / scale !== x || k > 1e15 || k < -1e15 || Object.is(x, -0)) return this.text(String(x));
    this.reserve(20);
    if (k < 0) this.buf[this.length++] = 45;
    const a = k < 0 ? -k : k;
    const whole = Math.floor(a / scale);
    let frac = a - whole * scale;
    this.digits(whole);
    if (frac === 0) return this;
    let places = scale === 1000 ? 3 : scale === 100 ? 2 : 1;
    while (frac % 10 === 0) {
      frac /= 10;
      places--;
    }
    this.buf[this.length++] = 46;
    for (let p = 10 ** (places - 1); p > frac && p > 1; p /= 10) this.buf[this.length++] = 48;
    this.digits(frac);
    return this;
  }

  /** The bytes so far (a view; the builder must not be used after). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
