import { ByteArena, equalBytes, hashBytes, type ByteRange } from './byte-keys';
import type { Label } from './decoded-write-request';

/** A series' decoded labels, kept with what is needed to re-check the caller's limits on a hit. */
export interface CachedLabelSet {
  readonly labels: readonly Label[];
  readonly metricName: string;
  /** Label fields as sent (empty values included): what maxLabelsPerSeries counts. */
  readonly labelsSent: number;
  readonly longestName: number;
  readonly longestValue: number;
}

const INITIAL_CAPACITY = 1024;
const INITIAL_ARENA_BYTES = 256 * 1024;
const NONE = -1;

/**
 * Maps the exact bytes of a series' label fields to the labels they decoded and validated to.
 * Prometheus re-sends every series every scrape interval with byte-identical labels, so a hit replaces
 * all per-label work with one hash and one compare. Decoding is a pure function of the bytes, which
 * is what makes reusing the result sound; limits are re-checked on every hit by the caller.
 *
 * Series also arrive in a stable order (a shard sends each target's series in scrape order), so the
 * set that followed the previous one last time is tried first: on a hit that skips even the hash.
 */
export class LabelSetCache {
  private capacity = INITIAL_CAPACITY;
  private slots = new Int32Array(INITIAL_CAPACITY * 2); // entry + 1; 0 marks an empty slot
  private slotMask = INITIAL_CAPACITY * 2 - 1;
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private offsets = new Int32Array(INITIAL_CAPACITY);
  private lengths = new Int32Array(INITIAL_CAPACITY);
  /** For an entry: the entry found right after it last time, or -1. */
  private successors = new Int32Array(INITIAL_CAPACITY);
  /** The entry found or remembered last, across requests (the next one is predicted from it). */
  private previous = NONE;
  private sets: CachedLabelSet[] = [];
  private readonly arena = new ByteArena(INITIAL_ARENA_BYTES);
  private entryCount = 0;
  private readonly seed = (Math.random() * 0x100000000) | 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entryCount;
  }

  find(source: ByteRange, start: number, end: number): CachedLabelSet | undefined {
    const length = end - start;
    const predicted = this.previous === NONE ? NONE : this.successors[this.previous];
    const entry = this.holds(predicted, source, start, length) ? predicted : this.lookup(source, start, length);
    if (entry === NONE) return undefined;
    this.follow(entry);
    return this.sets[entry];
  }

  /** Remembers a label set, first clearing everything if the cache is full (a simple, bounded policy). */
  remember(source: ByteRange, start: number, end: number, set: CachedLabelSet): void {
    const length = end - start;
    if (length > this.maxBytes) return;
    if (this.entryCount >= this.maxEntries || this.arena.used + length > this.maxBytes) this.clear();
    if (this.entryCount === this.capacity) this.grow();
    const hash = hashBytes(source.view, source.bytes, start, length, this.seed);
    const entry = this.entryCount++;
    this.hashes[entry] = hash;
    this.offsets[entry] = this.arena.append(source.bytes, start, length);
    this.lengths[entry] = length;
    this.successors[entry] = NONE;
    this.sets[entry] = set;
    this.slots[this.freeSlot(hash)] = entry + 1;
    this.follow(entry);
  }

  clear(): void {
    this.slots.fill(0);
    this.sets.length = 0;
    this.entryCount = 0;
    this.arena.used = 0;
    this.previous = NONE;
  }

  private lookup(source: ByteRange, start: number, length: number): number {
    const hash = hashBytes(source.view, source.bytes, start, length, this.seed);
    for (let slot = hash & this.slotMask; this.slots[slot] !== 0; slot = (slot + 1) & this.slotMask) {
      const entry = this.slots[slot] - 1;
      if (this.hashes[entry] === hash && this.holds(entry, source, start, length)) return entry;
    }
    return NONE;
  }

  /** Whether `entry` (possibly a stale prediction) holds exactly these bytes. */
  private holds(entry: number, source: ByteRange, start: number, length: number): boolean {
    return (
      entry >= 0 &&
      entry < this.entryCount &&
      this.lengths[entry] === length &&
      equalBytes(this.arena, this.offsets[entry], source, start, length)
    );
  }

  /** Records that `entry` came after the previous set, so it is predicted there next time. */
  private follow(entry: number): void {
    if (this.previous !== NONE) this.successors[this.previous] = entry;
    this.previous = entry;
  }

  private freeSlot(hash: number): number {
    let slot = hash & this.slotMask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.slotMask;
    return slot;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.hashes = copyInto(this.hashes, new Int32Array(capacity));
    this.offsets = copyInto(this.offsets, new Int32Array(capacity));
    this.lengths = copyInto(this.lengths, new Int32Array(capacity));
    this.successors = copyInto(this.successors, new Int32Array(capacity));
    this.capacity = capacity;
    this.slots = new Int32Array(capacity * 2);
    this.slotMask = capacity * 2 - 1;
    for (let entry = 0; entry < this.entryCount; entry++) this.slots[this.freeSlot(this.hashes[entry])] = entry + 1;
  }
}

function copyInto<T extends Int32Array>(old: T, larger: T): T {
  larger.set(old);
  return larger;
}
