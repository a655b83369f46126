import type { Label } from '../remote-write/decoded-write-request';

/** A 64-bit fingerprint of a label set, as two 32-bit halves. */
export interface SeriesKey {
  readonly hi: number;
  readonly lo: number;
}

// Frozen label arrays are shared across requests (the decoder's label-set cache, the relabeller's
// results), so their fingerprints are remembered by reference; an entry lives as long as its array.
const keys = new WeakMap<readonly Label[], SeriesKey>();

// The two hash lanes while a key is computed (synchronous, never re-entered).
let h1 = 0;
let h2 = 0;

/**
 * Fingerprint of a label set in name order (input in any order is sorted first): two independent
 * 32-bit multiply-xorshift lanes over every name and value, each preceded by its length so that no
 * two label sets share an encoding. With 64 bits, two of a tenant's 150,000 series collide with
 * probability ~6e-10 (a collision would let a new series pass as an active one).
 */
export function seriesKey(labels: readonly Label[]): SeriesKey {
  const cached = keys.get(labels);
  if (cached !== undefined) return cached;
  const sorted = isSortedByName(labels) ? labels : labels.slice().sort(byName);
  h1 = 0x9747b28c;
  h2 = 0x5bd1e995;
  for (let i = 0; i < sorted.length; i++) {
    absorb(sorted[i].name);
    absorb(sorted[i].value);
  }
  const key = { hi: fmix(h1 ^ sorted.length) >>> 0, lo: fmix(h2 ^ Math.imul(sorted.length, 0x27d4eb2d)) >>> 0 };
  if (Object.isFrozen(labels)) keys.set(labels, key);
  return key;
}

/** Feeds a string's length, then its UTF-16 code units two at a time, to both lanes. */
function absorb(text: string): void {
  const length = text.length;
  h1 = mix1(h1, length);
  h2 = mix2(h2, length);
  let c = 0;
  for (; c + 1 < length; c += 2) {
    const pair = text.charCodeAt(c) | (text.charCodeAt(c + 1) << 16);
    h1 = mix1(h1, pair);
    h2 = mix2(h2, pair);
  }
  if (c < length) {
    const unit = text.charCodeAt(c);
    h1 = mix1(h1, unit);
    h2 = mix2(h2, unit);
  }
}

function mix1(h: number, unit: number): number {
  h = Math.imul(h ^ unit, 0xcc9e2d51);
  return h ^ (h >>> 15);
}

function mix2(h: number, unit: number): number {
  h = Math.imul(h ^ unit, 0x1b873593);
  return h ^ (h >>> 13);
}

/** MurmurHash3's finaliser: every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function isSortedByName(labels: readonly Label[]): boolean {
  for (let i = 1; i < labels.length; i++) if (!(labels[i - 1].name < labels[i].name)) return false;
  return true;
}
