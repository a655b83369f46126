import type { Label } from './decoded-write-request';
import { METRIC_NAME_LABEL, isValidLabelName, isValidMetricName } from './prometheus-names';
import { decodeUtf8OrNull } from './utf8';

/** Returned by the intern methods when the bytes are not valid UTF-8 (never cached). */
export const NOT_UTF8 = -1;

// Per-entry flag bits: validation results are cached so each distinct string is checked once.
const NAME_CHECKED = 1;
const NAME_VALID = 2;
const METRIC_CHECKED = 4;
const METRIC_VALID = 8;
const IS_METRIC_NAME_LABEL = 16;

const INITIAL_CAPACITY = 1024;
const INITIAL_ARENA_BYTES = 64 * 1024;
/** Label positions whose name is predicted from the previous series; later positions just hash. */
const PREDICTED_POSITIONS = 64;
const MAX_STAMP = 0x7fffffff;
const NONE = -1;

export interface LabelInternerOptions {
  /** Entries kept before the table is cleared (checked between series); bounds memory when shared. */
  readonly maxEntries?: number;
  /** Bytes of keys kept before the table is cleared. */
  readonly maxBytes?: number;
}

/**
 * Maps label bytes to one shared JS string, with cached validation flags and shared frozen Label
 * objects. Building strings dominates decoding cost and labels repeat heavily (within a request and
 * across scrapes), so a hit costs a byte compare and allocates nothing. Two predictions skip even the
 * hash: the name at label position k is usually the previous series' name at k, and a name's value is
 * usually the one it had in the previous series (same target, node, job...).
 *
 * Reuse one instance across requests; decoding is synchronous, so one per process is safe. It clears
 * itself between series once it outgrows its bounds.
 */
export class LabelInterner {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  /** Random per instance so crafted label sets cannot target one probe chain across processes. */
  private readonly seed = (Math.random() * 0x100000000) | 0;
  private capacity = INITIAL_CAPACITY;
  private slots = new Int32Array(INITIAL_CAPACITY * 2); // entry id + 1; 0 marks an empty slot
  private slotMask = INITIAL_CAPACITY * 2 - 1;
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private offsets = new Int32Array(INITIAL_CAPACITY);
  private lengths = new Int32Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private marks = new Int32Array(INITIAL_CAPACITY);
  /** For a name entry: the value entry it had last time. */
  private lastValue = new Int32Array(INITIAL_CAPACITY);
  /** For a value entry: the shared Label built for it, and which name entry that Label carries. */
  private labelNameOf = new Int32Array(INITIAL_CAPACITY);
  private labels: (Label | undefined)[] = [];
  private strings: string[] = [];
  private arena = new Uint8Array(INITIAL_ARENA_BYTES);
  private arenaView = new DataView(this.arena.buffer);
  private arenaUsed = 0;
  private entryCount = 0;
  private stamp = 0;
  private readonly namePrediction = new Int32Array(PREDICTED_POSITIONS).fill(NONE);
  private source: Uint8Array = new Uint8Array(0);
  private sourceView = new DataView(this.source.buffer);

  constructor(options: LabelInternerOptions = {}) {
    this.maxEntries = options.maxEntries ?? 256 * 1024;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  get size(): number {
    return this.entryCount;
  }

  /** The entry id for bytes [start, end) of `source`, decoding them on first sight; NOT_UTF8 if invalid. */
  intern(source: Uint8Array, start: number, end: number): number {
    if (source !== this.source) this.useSource(source);
    return this.lookup(start, end - start);
  }

  /** Interns a label name, trying first the name seen at this position in the previous series. */
  internName(position: number, source: Uint8Array, start: number, end: number): number {
    if (source !== this.source) this.useSource(source);
    const length = end - start;
    if (position >= PREDICTED_POSITIONS) return this.lookup(start, length);
    const predicted = this.namePrediction[position];
    if (this.matches(predicted, start, length)) return predicted;
    const id = this.lookup(start, length);
    this.namePrediction[position] = id;
    return id;
  }

  /** Interns the value of label `nameId`, trying first the value that name had last time. */
  internValue(nameId: number, source: Uint8Array, start: number, end: number): number {
    if (source !== this.source) this.useSource(source);
    const length = end - start;
    const predicted = this.lastValue[nameId];
    if (this.matches(predicted, start, length)) return predicted;
    const id = this.lookup(start, length);
    this.lastValue[nameId] = id;
    return id;
  }

  /** One shared, frozen Label per (name, value) entry pair, so repeated labels allocate nothing. */
  labelFor(nameId: number, valueId: number): Label {
    const cached = this.labels[valueId];
    if (cached !== undefined && this.labelNameOf[valueId] === nameId) return cached;
    const label: Label = Object.freeze({ name: this.strings[nameId], value: this.strings[valueId] });
    this.labels[valueId] = label;
    this.labelNameOf[valueId] = nameId;
    return label;
  }

  text(id: number): string {
    return this.strings[id];
  }

  isMetricNameLabel(id: number): boolean {
    return (this.flags[id] & IS_METRIC_NAME_LABEL) !== 0;
  }

  isValidLabelName(id: number): boolean {
    let flags = this.flags[id];
    if ((flags & NAME_CHECKED) === 0) {
      flags |= NAME_CHECKED | (isValidLabelName(this.strings[id]) ? NAME_VALID : 0);
      this.flags[id] = flags;
    }
    return (flags & NAME_VALID) !== 0;
  }

  isValidMetricName(id: number): boolean {
    let flags = this.flags[id];
    if ((flags & METRIC_CHECKED) === 0) {
      flags |= METRIC_CHECKED | (isValidMetricName(this.strings[id]) ? METRIC_VALID : 0);
      this.flags[id] = flags;
    }
    return (flags & METRIC_VALID) !== 0;
  }

  /**
   * Starts a series: clears the table if it outgrew its bounds (only here, so ids stay valid within a
   * series) and returns a fresh stamp for `markSeen`.
   */
  beginSeries(): number {
    if (this.entryCount > this.maxEntries || this.arenaUsed > this.maxBytes) this.clear();
    if (this.stamp === MAX_STAMP) {
      this.marks.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  /** Marks an entry as seen under `stamp`; true if it already was (a duplicate within the series). */
  markSeen(id: number, stamp: number): boolean {
    if (this.marks[id] === stamp) return true;
    this.marks[id] = stamp;
    return false;
  }

  clear(): void {
    this.slots.fill(0);
    this.strings.length = 0;
    this.labels.length = 0;
    this.entryCount = 0;
    this.arenaUsed = 0;
  }

  private useSource(source: Uint8Array): void {
    this.source = source;
    this.sourceView = new DataView(source.buffer, source.byteOffset, source.byteLength);
  }

  private lookup(start: number, length: number): number {
    const hash = this.hash(start, length);
    const slots = this.slots;
    const mask = this.slotMask;
    let slot = hash & mask;
    for (let entry = slots[slot] - 1; entry >= 0; entry = slots[slot] - 1) {
      if (this.hashes[entry] === hash && this.lengths[entry] === length && this.sameBytes(entry, start, length)) {
        return entry;
      }
      slot = (slot + 1) & mask;
    }
    const text = decodeUtf8OrNull(this.source, start, start + length);
    return text === null ? NOT_UTF8 : this.add(start, length, hash, text, slot);
  }

  /**
   * Whether a predicted entry (possibly stale after a clear) holds exactly these bytes. Compared from
   * the end: label values share prefixes (paths, registries) and differ in suffixes (ids, pod hashes).
   */
  private matches(predicted: number, start: number, length: number): boolean {
    return (
      predicted >= 0 &&
      predicted < this.entryCount &&
      this.lengths[predicted] === length &&
      this.sameBytesBackwards(predicted, start, length)
    );
  }

  /** Murmur3-style 32-bit hash, a word at a time: FNV's byte loop was the single biggest cost. */
  private hash(start: number, length: number): number {
    const view = this.sourceView;
    const wordsEnd = start + (length & ~3);
    let h = this.seed ^ length;
    let i = start;
    for (; i < wordsEnd; i += 4) {
      h ^= mixWord(view.getInt32(i, true));
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    let tail = 0;
    for (let shift = 0; i < start + length; i++, shift += 8) tail |= this.source[i] << shift;
    h ^= mixWord(tail);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  private sameBytes(entry: number, start: number, length: number): boolean {
    const arena = this.arenaView;
    const source = this.sourceView;
    let a = this.offsets[entry];
    let s = start;
    const wordsEnd = start + (length & ~3);
    for (; s < wordsEnd; s += 4, a += 4) {
      if (arena.getInt32(a, true) !== source.getInt32(s, true)) return false;
    }
    for (const end = start + length; s < end; s++, a++) {
      if (this.arena[a] !== this.source[s]) return false;
    }
    return true;
  }

  private sameBytesBackwards(entry: number, start: number, length: number): boolean {
    const arena = this.arenaView;
    const source = this.sourceView;
    const offset = this.offsets[entry];
    let i = length - 4;
    for (; i >= 0; i -= 4) {
      if (arena.getInt32(offset + i, true) !== source.getInt32(start + i, true)) return false;
    }
    for (i += 3; i >= 0; i--) {
      if (this.arena[offset + i] !== this.source[start + i]) return false;
    }
    return true;
  }

  private add(start: number, length: number, hash: number, text: string, slot: number): number {
    if (this.entryCount === this.capacity) {
      this.growEntries();
      slot = this.freeSlotFor(hash);
    }
    this.reserveArena(length);
    const id = this.entryCount++;
    this.arena.set(this.source.subarray(start, start + length), this.arenaUsed);
    this.offsets[id] = this.arenaUsed;
    this.arenaUsed += length;
    this.lengths[id] = length;
    this.hashes[id] = hash;
    this.flags[id] = text === METRIC_NAME_LABEL ? IS_METRIC_NAME_LABEL : 0;
    this.marks[id] = 0;
    this.lastValue[id] = NONE;
    this.labelNameOf[id] = NONE;
    this.labels[id] = undefined;
    this.strings[id] = text;
    this.slots[slot] = id + 1;
    return id;
  }

  private freeSlotFor(hash: number): number {
    let slot = hash & this.slotMask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.slotMask;
    return slot;
  }

  /** Doubles the entry arrays and rehashes into a table kept at most half full. */
  private growEntries(): void {
    const capacity = this.capacity * 2;
    this.hashes = grown(this.hashes, new Int32Array(capacity));
    this.offsets = grown(this.offsets, new Int32Array(capacity));
    this.lengths = grown(this.lengths, new Int32Array(capacity));
    this.marks = grown(this.marks, new Int32Array(capacity));
    this.lastValue = grown(this.lastValue, new Int32Array(capacity));
    this.labelNameOf = grown(this.labelNameOf, new Int32Array(capacity));
    this.flags = grown(this.flags, new Uint8Array(capacity));
    this.capacity = capacity;
    this.slots = new Int32Array(capacity * 2);
    this.slotMask = capacity * 2 - 1;
    for (let id = 0; id < this.entryCount; id++) this.slots[this.freeSlotFor(this.hashes[id])] = id + 1;
  }

  private reserveArena(length: number): void {
    const needed = this.arenaUsed + length;
    if (needed <= this.arena.length) return;
    let size = this.arena.length * 2;
    while (size < needed) size *= 2;
    this.arena = grown(this.arena, new Uint8Array(size));
    this.arenaView = new DataView(this.arena.buffer);
  }
}

/** Murmur3's per-word scramble, so every input bit reaches the low bits the table indexes by. */
function mixWord(word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function grown<T extends Int32Array | Uint8Array>(old: T, larger: T): T {
  larger.set(old);
  return larger;
}
