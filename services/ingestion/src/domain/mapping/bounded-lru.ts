/**
 * A Map with a capacity that evicts a least recently used entry, approximated with the "second
 * chance" (CLOCK) rule: entries sit in insertion order; reading one only marks it used; when room is
 * needed the oldest entry is evicted unless it was used since it last moved, in which case it moves
 * to the back with its mark cleared. Reads therefore never reorder the Map (a delete + set per read
 * made hot paths rehash), and eviction is O(1) amortised. Eviction calls `onEvict`, so an owner can
 * emit or count what it loses.
 */
export class BoundedLru<K, V> {
  private readonly map = new Map<K, { value: V; used: boolean }>();

  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, marked as used. */
  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (!slot) return undefined;
    slot.used = true;
    return slot.value;
  }

  /** The value, without marking it used. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Inserts (as newest) or replaces (marked used, in place). */
  set(key: K, value: V): void {
    const slot = this.map.get(key);
    if (slot) {
      slot.value = value;
      slot.used = true;
      return;
    }
    this.map.set(key, { value, used: false });
    while (this.map.size > this.capacity) {
      const oldest = this.map.entries().next();
      if (oldest.done) break;
      const [k, s] = oldest.value;
      this.map.delete(k);
      if (k === key || s.used) {
        // The entry being inserted is never the victim; a used one gets its second chance.
        if (k !== key) s.used = false;
        this.map.set(k, s);
        continue;
      }
      this.onEvict?.(k, s.value);
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Oldest first. Deleting the current entry while iterating is safe (Map semantics). */
  *entries(): IterableIterator<[K, V]> {
    for (const [k, s] of this.map) yield [k, s.value];
  }

  *values(): IterableIterator<V> {
    for (const s of this.map.values()) yield s.value;
  }
}
