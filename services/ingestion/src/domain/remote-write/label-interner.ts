import { METRIC_NAME_LABEL, isValidLabelName, isValidMetricName } from './prometheus-names';
import { decodeUtf8OrNull } from './utf8';

/** Returned by `intern` when the bytes are not valid UTF-8 (never cached). */
export const NOT_UTF8 = -1;

// Per-entry flag bits: validation results are cached so each distinct string is checked once.
const NAME_CHECKED = 1;
const NAME_VALID = 2;
const METRIC_CHECKED = 4;
const METRIC_VALID = 8;
const IS_METRIC_NAME_LABEL = 16;

const INITIAL_CAPACITY = 1024;
const INITIAL_ARENA_BYTES = 64 * 1024;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MAX_STAMP = 0x7fffffff;

export interface LabelInternerOptions {
  /** Entries kept before the table is cleared (checked between series); bounds memory when shared. */
  readonly maxEntries?: number;
  /** Bytes of keys kept before the table is cleared. */
  readonly maxBytes?: number;
}

/**
 * Maps label bytes to one shared JS string, plus cached validation flags. Building strings dominates
 * decoding cost and label names/values repeat heavily, so a hit costs a hash and a byte compare, no
 * allocation. Open addressing over typed arrays keeps the table itself out of the GC's way.
 *
 * Reuse one instance across requests (it is not safe to share between concurrent decodes, but decoding
 * is synchronous); it clears itself between series once it holds more than its bounds.
 */
export class LabelInterner {
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private capacity = INITIAL_CAPACITY;
  private slots = new Int32Array(INITIAL_CAPACITY * 2); // entry id + 1; 0 marks an empty slot
  private slotMask = INITIAL_CAPACITY * 2 - 1;
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private offsets = new Int32Array(INITIAL_CAPACITY);
  private lengths = new Int32Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private marks = new Int32Array(INITIAL_CAPACITY);
  private strings: string[] = [];
  private arena = new Uint8Array(INITIAL_ARENA_BYTES);
  private arenaUsed = 0;
  private entryCount = 0;
  private stamp = 0;

  constructor(options: LabelInternerOptions = {}) {
    this.maxEntries = options.maxEntries ?? 256 * 1024;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  get size(): number {
    return this.entryCount;
  }

  /** The entry id for bytes [start, end) of `source`, decoding them on first sight; NOT_UTF8 if invalid. */
  intern(source: Uint8Array, start: number, end: number): number {
    const length = end - start;
    let hash = FNV_OFFSET ^ length;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ source[i], FNV_PRIME);
    const slots = this.slots;
    const mask = this.slotMask;
    let slot = hash & mask;
    for (let entry = slots[slot] - 1; entry >= 0; entry = slots[slot] - 1) {
      if (this.hashes[entry] === hash && this.lengths[entry] === length && this.sameBytes(entry, source, start)) {
        return entry;
      }
      slot = (slot + 1) & mask;
    }
    const text = decodeUtf8OrNull(source, start, end);
    return text === null ? NOT_UTF8 : this.add(source, start, length, hash, text, slot);
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
    this.entryCount = 0;
    this.arenaUsed = 0;
  }

  private sameBytes(entry: number, source: Uint8Array, start: number): boolean {
    const arena = this.arena;
    const offset = this.offsets[entry];
    const length = this.lengths[entry];
    for (let i = 0; i < length; i++) {
      if (arena[offset + i] !== source[start + i]) return false;
    }
    return true;
  }

  private add(source: Uint8Array, start: number, length: number, hash: number, text: string, slot: number): number {
    if (this.entryCount === this.capacity) {
      this.growEntries();
      slot = this.freeSlotFor(hash);
    }
    this.reserveArena(length);
    const id = this.entryCount++;
    this.arena.set(source.subarray(start, start + length), this.arenaUsed);
    this.offsets[id] = this.arenaUsed;
    this.arenaUsed += length;
    this.lengths[id] = length;
    this.hashes[id] = hash;
    this.flags[id] = text === METRIC_NAME_LABEL ? IS_METRIC_NAME_LABEL : 0;
    this.marks[id] = 0;
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
  }
}

function grown<T extends Int32Array | Uint8Array>(old: T, larger: T): T {
  larger.set(old);
  return larger;
}
