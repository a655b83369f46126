// Hashing and comparison of byte ranges, a 32-bit word at a time (DataView reads compile to single
// unaligned loads): per-byte loops were the largest single cost of interning.

/** Murmur3-style 32-bit hash of bytes [start, start + length). */
export function hashBytes(view: DataView, bytes: Uint8Array, start: number, length: number, seed: number): number {
  const wordsEnd = start + (length & ~3);
  let h = seed ^ length;
  let i = start;
  for (; i < wordsEnd; i += 4) {
    h ^= mixWord(view.getInt32(i, true));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let shift = 0; i < start + length; i++, shift += 8) tail |= bytes[i] << shift;
  h ^= mixWord(tail);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Murmur3's per-word scramble, so every input bit reaches the low bits a table indexes by. */
function mixWord(word: number): number {
  const k = Math.imul(word, 0xcc9e2d51);
  return Math.imul((k << 15) | (k >>> 17), 0x1b873593);
}

/** A byte store the tables below keep their keys in. */
export interface ByteRange {
  readonly view: DataView;
  readonly bytes: Uint8Array;
}

/** Whether `length` bytes at `aStart` in `a` equal those at `bStart` in `b`. */
export function equalBytes(a: ByteRange, aStart: number, b: ByteRange, bStart: number, length: number): boolean {
  const aView = a.view;
  const bView = b.view;
  let i = 0;
  for (const words = length & ~3; i < words; i += 4) {
    if (aView.getInt32(aStart + i, true) !== bView.getInt32(bStart + i, true)) return false;
  }
  for (; i < length; i++) {
    if (a.bytes[aStart + i] !== b.bytes[bStart + i]) return false;
  }
  return true;
}

/**
 * Same as equalBytes, compared from the end: label values share prefixes (paths, registries) and differ
 * in suffixes (ids, pod hashes), so a wrong prediction is usually rejected by the first word.
 */
export function equalBytesFromEnd(a: ByteRange, aStart: number, b: ByteRange, bStart: number, length: number): boolean {
  const aView = a.view;
  const bView = b.view;
  let i = length - 4;
  for (; i >= 0; i -= 4) {
    if (aView.getInt32(aStart + i, true) !== bView.getInt32(bStart + i, true)) return false;
  }
  for (i += 3; i >= 0; i--) {
    if (a.bytes[aStart + i] !== b.bytes[bStart + i]) return false;
  }
  return true;
}

/** A growable byte arena, addressed by offset, with a DataView kept in step for word reads. */
export class ByteArena implements ByteRange {
  bytes: Uint8Array;
  view: DataView;
  used = 0;

  constructor(initialBytes: number) {
    this.bytes = new Uint8Array(initialBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Copies bytes [start, start + length) of `source` in and returns their offset. */
  append(source: Uint8Array, start: number, length: number): number {
    const needed = this.used + length;
    if (needed > this.bytes.length) this.grow(needed);
    const offset = this.used;
    this.bytes.set(source.subarray(start, start + length), offset);
    this.used = needed;
    return offset;
  }

  private grow(needed: number): void {
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const larger = new Uint8Array(size);
    larger.set(this.bytes.subarray(0, this.used));
    this.bytes = larger;
    this.view = new DataView(larger.buffer);
  }
}
