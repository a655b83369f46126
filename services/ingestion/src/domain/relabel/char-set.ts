import { goSimpleFold } from './go-unicode';
import { CASE_ORBIT, CASE_RANGES } from './go-unicode-tables';

export const MAX_RUNE = 0x10ffff;

/**
 * A set of code points as sorted, disjoint, non-adjacent inclusive ranges [lo0, hi0, lo1, hi1, ...]
 * (the shape of Go's regexp/syntax classes), with a bitmap for ASCII membership.
 */
export class CharSet {
  private readonly ascii: Uint32Array;

  private constructor(readonly ranges: readonly number[]) {
    this.ascii = new Uint32Array(4);
    for (let i = 0; i < ranges.length && ranges[i] < 0x80; i += 2) {
      for (let c = ranges[i]; c <= Math.min(ranges[i + 1], 0x7f); c++) this.ascii[c >> 5] |= 1 << (c & 31);
    }
  }

  static readonly EMPTY = new CharSet([]);
  static readonly ALL = new CharSet([0, MAX_RUNE]);

  static of(...runes: number[]): CharSet {
    return CharSet.fromRanges(runes.flatMap((rune) => [rune, rune]));
  }

  /** Any [lo, hi] pairs, in any order, overlapping or not. */
  static fromRanges(pairs: readonly number[]): CharSet {
    const sorted: [number, number][] = [];
    for (let i = 0; i < pairs.length; i += 2) sorted.push([pairs[i], pairs[i + 1]]);
    sorted.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged: number[] = [];
    for (const [lo, hi] of sorted) {
      const last = merged.length - 1;
      if (last > 0 && lo <= merged[last] + 1) merged[last] = Math.max(merged[last], hi);
      else merged.push(lo, hi);
    }
    return new CharSet(merged);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  get isAll(): boolean {
    return this.ranges.length === 2 && this.ranges[0] === 0 && this.ranges[1] === MAX_RUNE;
  }

  /** The single rune this set holds, or -1. */
  get singleRune(): number {
    return this.ranges.length === 2 && this.ranges[0] === this.ranges[1] ? this.ranges[0] : -1;
  }

  has(rune: number): boolean {
    if (rune < 0x80) return (this.ascii[rune >> 5] & (1 << (rune & 31))) !== 0;
    const ranges = this.ranges;
    let lo = 0;
    let hi = ranges.length >> 1;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (rune < ranges[2 * m]) hi = m;
      else if (rune > ranges[2 * m + 1]) lo = m + 1;
      else return true;
    }
    return false;
  }

  union(other: CharSet): CharSet {
    if (other.isEmpty || other === this) return this;
    if (this.isEmpty) return other;
    // Both are sorted: merge them in one pass.
    const a = this.ranges;
    const b = other.ranges;
    const merged: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const takeA = j >= b.length || (i < a.length && a[i] <= b[j]);
      const lo = takeA ? a[i] : b[j];
      const hi = takeA ? a[i + 1] : b[j + 1];
      if (takeA) i += 2;
      else j += 2;
      const last = merged.length - 1;
      if (last > 0 && lo <= merged[last] + 1) merged[last] = Math.max(merged[last], hi);
      else merged.push(lo, hi);
    }
    return new CharSet(merged);
  }

  complement(): CharSet {
    const out: number[] = [];
    let next = 0;
    for (let i = 0; i < this.ranges.length; i += 2) {
      if (this.ranges[i] > next) out.push(next, this.ranges[i] - 1);
      next = this.ranges[i + 1] + 1;
    }
    if (next <= MAX_RUNE) out.push(next, MAX_RUNE);
    return new CharSet(out);
  }

  intersects(other: CharSet): boolean {
    const a = this.ranges;
    const b = other.ranges;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      if (a[i + 1] < b[j]) i += 2;
      else if (b[j + 1] < a[i]) j += 2;
      else return true;
    }
    return false;
  }

  /**
   * Closes the set under Go's simple case folding (regexp/syntax appendFoldedRange): adds every rune
   * of every case-folding orbit that meets the set. Walks only the runes that have an orbit.
   */
  caseFolded(): CharSet {
    const foldable = foldableRunes();
    const extra: number[] = [];
    for (let i = 0; i < this.ranges.length; i += 2) {
      for (let k = lowerBound(foldable, this.ranges[i]); k < foldable.length && foldable[k] <= this.ranges[i + 1]; k++) {
        const c = foldable[k];
        for (let f = goSimpleFold(c); f !== c; f = goSimpleFold(f)) extra.push(f, f);
      }
    }
    return extra.length === 0 ? this : CharSet.fromRanges([...this.ranges, ...extra]);
  }
}

let foldable: Int32Array | undefined;

/** Sorted runes whose SimpleFold is not themselves (about 2,900), built on first use. */
function foldableRunes(): Int32Array {
  if (foldable) return foldable;
  const runes: number[] = [];
  for (let i = 0; i < CASE_RANGES.length; i += 4) {
    for (let c = CASE_RANGES[i]; c <= CASE_RANGES[i + 1]; c++) runes.push(c);
  }
  for (let i = 0; i < CASE_ORBIT.length; i += 2) runes.push(CASE_ORBIT[i]);
  const unique = [...new Set(runes)].filter((c) => goSimpleFold(c) !== c).sort((a, b) => a - b);
  foldable = Int32Array.from(unique);
  return foldable;
}

function lowerBound(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (sorted[m] < value) lo = m + 1;
    else hi = m;
  }
  return lo;
}
