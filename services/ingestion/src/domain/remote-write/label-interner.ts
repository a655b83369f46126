import { ByteArena, equalBytes, equalBytesFromEnd, hashBytes, type ByteRange } from './byte-keys';
import type { Label } from './decoded-write-request';
import { LabelSetCache } from './label-set-cache';
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
  /** Strings kept before the table is cleared (checked between series); bounds memory when shared. */
  readonly maxEntries?: number;
  /** Bytes of string keys kept before the table is cleared. */
  readonly maxBytes?: number;
  /**
   * Also cache whole label sets (see LabelSetCache); worth it only when reused across requests, since
   * one request carries each series once. Default true.
   */
  readonly cacheLabelSets?: boolean;
  /** Label sets kept before that cache is cleared. */
  readonly maxLabelSets?: number;
  /** Bytes of label-set keys kept before that cache is cleared. */
  readonly maxLabelSetBytes?: number;
}

const NO_SOURCE: ByteRange = { bytes: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)) };

/**
 * Maps label bytes to one shared JS string, with cached validation flags and shared frozen Label
 * objects. Building strings dominates decoding cost and labels repeat heavily (within a request and
 * across scrapes), so a hit costs a byte compare and allocates nothing. Two predictions skip even the
 * hash: the name at label position k is usually the previous series' name at k, and a name's value is
 * usually the one it had in the previous series (same target, node, job...).
 *
 * Reuse one instance across requests; decoding is synchronous, so one per process is safe. It clears
 * itself between series once it outgrows its bounds. Defaults hold ~256k strings and ~100k label sets
 * (tens of MB at most); a larger active-series set still decodes correctly, with fewer cache hits.
 */
export class LabelInterner {
  /** Whole-label-set cache, or null when disabled. */
  readonly labelSets: LabelSetCache | null;
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
  private readonly arena = new ByteArena(INITIAL_ARENA_BYTES);
  private entryCount = 0;
  private stamp = 0;
  private readonly namePrediction = new Int32Array(PREDICTED_POSITIONS).fill(NONE);
  private source: ByteRange = NO_SOURCE;

  constructor(options: LabelInternerOptions = {}) {
    this.maxEntries = options.maxEntries ?? 256 * 1024;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.labelSets =
      options.cacheLabelSets === false
        ? null
        : new LabelSetCache(options.maxLabelSets ?? 100_000, options.maxLabelSetBytes ?? 64 * 1024 * 1024);
  }

  get size(): number {
    return this.entryCount;
  }

  /** The entry id for bytes [start, end) of `source`, decoding them on first sight; NOT_UTF8 if invalid. */
  intern(source: Uint8Array, start: number, end: number): number {
    if (source !== this.source.bytes) this.useSource(source);
    return this.lookup(start, end - start);
  }

  /** Interns a label name, trying first the name seen at this position in the previous series. */
  internName(position: number, source: Uint8Array, start: number, end: number): number {
    if (source !== this.source.bytes) this.useSource(source);
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
    if (source !== this.source.bytes) this.useSource(source);
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
    if (this.entryCount > this.maxEntries || this.arena.used > this.maxBytes) this.clear();
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

  /** Forgets every string (label sets are independent: they hold strings, not ids). */
  clear(): void {
    this.slots.fill(0);
    this.strings.length = 0;
    this.labels.length = 0;
    this.entryCount = 0;
    this.arena.used = 0;
  }

  private useSource(source: Uint8Array): void {
    this.source = { bytes: source, view: new DataView(source.buffer, source.byteOffset, source.byteLength) };
  }

  private lookup(start: number, length: number): number {
    const hash = hashBytes(this.source.view, this.source.bytes, start, length, this.seed);
    const slots = this.slots;
    const mask = this.slotMask;
    let slot = hash & mask;
    for (let entry = slots[slot] - 1; entry >= 0; entry = slots[slot] - 1) {
      if (
        this.hashes[entry] === hash &&
        this.lengths[entry] === length &&
        equalBytes(this.arena, this.offsets[entry], this.source, start, length)
      ) {
        return entry;
      }
      slot = (slot + 1) & mask;
    }
    const text = decodeUtf8OrNull(this.source.bytes, start, start + length);
    return text === null ? NOT_UTF8 : this.add(start, length, hash, text, slot);
  }

  /** Whether a predicted entry (possibly stale after a clear) holds exactly these bytes. */
  private matches(predicted: number, start: number, length: number): boolean {
    return (
      predicted >= 0 &&
      predicted < this.entryCount &&
      this.lengths[predicted] === length &&
      equalBytesFromEnd(this.arena, this.offsets[predicted], this.source, start, length)
    );
  }

  private add(start: number, length: number, hash: number, text: string, slot: number): number {
    if (this.entryCount === this.capacity) {
      this.growEntries();
      slot = this.freeSlotFor(hash);
    }
    const id = this.entryCount++;
    this.offsets[id] = this.arena.append(this.source.bytes, start, length);
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
}

function grown<T extends Int32Array | Uint8Array>(old: T, larger: T): T {
  larger.set(old);
  return larger;
}
