/**
 * A snappy block encoder (the golang/snappy `encodeBlock` algorithm: 64 KiB fragments, a 4-byte hash
 * table, greedy matches, the same copy/literal element choice) with one addition: byte ranges the
 * caller names ("patchable") are always emitted as literal bytes and are never the source of a copy.
 * The compressed body can then be updated in place — a new sample value and timestamp per series —
 * without compressing again, so the load generator sends fresh, rising samples from precomputed
 * bodies and spends no CPU compressing. The output is ordinary snappy: every decoder reads it.
 */

const MAX_FRAGMENT = 65_536;
const MAX_TABLE_BITS = 14;
const INPUT_MARGIN = 16 - 1;
const MIN_NON_LITERAL_BLOCK = 1 + 1 + INPUT_MARGIN;
const TAG_COPY1 = 1;
const TAG_COPY2 = 2;

export interface PatchableBody {
  /** The snappy block. */
  readonly body: Buffer;
  /** For each patchable range (in the order given), where its first byte sits in `body`. */
  readonly patchOffsets: Int32Array;
}

/**
 * Compresses `src`; `rangeStarts` (ascending, non-overlapping) each open a patchable range of
 * `rangeLength` bytes that ends up contiguous, as literal bytes, in the output.
 */
export function compressPatchable(src: Uint8Array, rangeStarts: Int32Array, rangeLength: number): PatchableBody {
  const n = src.length;
  const forbidden = new Uint8Array(n + 8);
  for (let r = 0; r < rangeStarts.length; r++) {
    const start = rangeStarts[r];
    if (start < 0 || start + rangeLength > n || (r > 0 && start < rangeStarts[r - 1] + rangeLength)) {
      throw new RangeError(`patchable range ${r} at ${start} is out of order or out of bounds`);
    }
    forbidden.fill(1, start, start + rangeLength);
  }
  const out = Buffer.allocUnsafe(32 + n + Math.ceil(n / 6));
  const patchOffsets = new Int32Array(rangeStarts.length).fill(-1);
  const encoder = new Encoder(src, forbidden, out, rangeStarts, patchOffsets);
  encoder.uvarint(n);
  let start = 0;
  while (start < n) {
    let end = Math.min(start + MAX_FRAGMENT, n);
    // Never split a patchable range across fragments: end the fragment where the range begins.
    while (end < n && end > start && forbidden[end] === 1 && forbidden[end - 1] === 1) end--;
    if (end === start) end = Math.min(start + MAX_FRAGMENT, n); // a range longer than a fragment: cannot happen for 15 bytes
    if (end - start < MIN_NON_LITERAL_BLOCK) encoder.literal(start, end);
    else encoder.block(start, end);
    start = end;
  }
  for (let r = 0; r < patchOffsets.length; r++) {
    if (patchOffsets[r] < 0) throw new Error(`patchable range ${r} was not emitted as one literal`);
  }
  return { body: out.subarray(0, encoder.d), patchOffsets };
}

class Encoder {
  d = 0;
  private nextRange = 0;
  private readonly table = new Int32Array(1 << MAX_TABLE_BITS);

  constructor(
    private readonly src: Uint8Array,
    private readonly forbidden: Uint8Array,
    private readonly dst: Buffer,
    private readonly rangeStarts: Int32Array,
    private readonly patchOffsets: Int32Array,
  ) {}

  uvarint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.dst[this.d++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.dst[this.d++] = v;
  }

  /** One literal element holding src[start, end), recording where patchable ranges land. */
  literal(start: number, end: number): void {
    const length = end - start;
    if (length <= 0) return;
    const n = length - 1;
    if (n < 60) this.dst[this.d++] = n << 2;
    else if (n < 256) {
      this.dst[this.d++] = 60 << 2;
      this.dst[this.d++] = n;
    } else {
      this.dst[this.d++] = 61 << 2;
      this.dst[this.d++] = n & 0xff;
      this.dst[this.d++] = n >>> 8;
    }
    while (this.nextRange < this.rangeStarts.length && this.rangeStarts[this.nextRange] < end) {
      const rangeStart = this.rangeStarts[this.nextRange];
      if (rangeStart >= start) this.patchOffsets[this.nextRange] = this.d + (rangeStart - start);
      this.nextRange++;
    }
    this.dst.set(this.src.subarray(start, end), this.d);
    this.d += length;
  }

  private copy(offset: number, length: number): void {
    let remaining = length;
    while (remaining >= 68) {
      this.copy2(offset, 64);
      remaining -= 64;
    }
    if (remaining > 64) {
      this.copy2(offset, 60);
      remaining -= 60;
    }
    if (remaining >= 12 || offset >= 2048) {
      this.copy2(offset, remaining);
      return;
    }
    this.dst[this.d++] = ((offset >>> 8) << 5) | ((remaining - 4) << 2) | TAG_COPY1;
    this.dst[this.d++] = offset & 0xff;
  }

  private copy2(offset: number, length: number): void {
    this.dst[this.d++] = ((length - 1) << 2) | TAG_COPY2;
    this.dst[this.d++] = offset & 0xff;
    this.dst[this.d++] = offset >>> 8;
  }

  private load32(i: number): number {
    const s = this.src;
    return (s[i] | (s[i + 1] << 8) | (s[i + 2] << 16) | (s[i + 3] << 24)) >>> 0;
  }

  /** Four bytes from `i` that a copy may use (none of them patchable). */
  private usable(i: number): boolean {
    const f = this.forbidden;
    return (f[i] | f[i + 1] | f[i + 2] | f[i + 3]) === 0;
  }

  private matches(s: number, candidate: number): boolean {
    return this.load32(s) === this.load32(candidate) && this.usable(s) && this.usable(candidate);
  }

  /** golang/snappy encodeBlock over src[start, end), positions absolute. */
  block(start: number, end: number): void {
    const length = end - start;
    let shift = 32 - 8;
    let tableSize = 1 << 8;
    while (tableSize < 1 << MAX_TABLE_BITS && tableSize < length) {
      tableSize *= 2;
      shift--;
    }
    const mask = tableSize - 1;
    const table = this.table;
    table.fill(start, 0, tableSize);
    const hash = (u: number): number => Math.imul(u, 0x1e35a7bd) >>> shift;
    const sLimit = end - INPUT_MARGIN;
    let nextEmit = start;
    let s = start + 1;
    let nextHash = hash(this.load32(s));
    outer: for (;;) {
      let skip = 32;
      let nextS = s;
      let candidate = 0;
      for (;;) {
        s = nextS;
        const step = skip >> 5;
        nextS = s + step;
        skip += step;
        if (nextS > sLimit) break outer;
        candidate = table[nextHash & mask];
        table[nextHash & mask] = s;
        nextHash = hash(this.load32(nextS));
        if (this.matches(s, candidate)) break;
      }
      this.literal(nextEmit, s);
      for (;;) {
        const base = s;
        s += 4;
        let i = candidate + 4;
        while (s < end && this.src[i] === this.src[s] && this.forbidden[i] === 0 && this.forbidden[s] === 0) {
          i++;
          s++;
        }
        this.copy(base - candidate, s - base);
        nextEmit = s;
        if (s >= sLimit) break outer;
        table[hash(this.load32(s - 1)) & mask] = s - 1;
        const currHash = hash(this.load32(s));
        candidate = table[currHash & mask];
        table[currHash & mask] = s;
        if (!this.matches(s, candidate)) {
          nextHash = hash(this.load32(s + 1));
          s++;
          break;
        }
      }
    }
    if (nextEmit < end) this.literal(nextEmit, end);
  }
}
