import type { SeriesKey } from './series-hash';

// One tenant's active series: series fingerprint → minute of its last sample, plus the series' metric
// name for cardinality queries. A series is active while its last sample is at most `window` whole
// minutes old (so for between `window` and `window + 1` minutes after it).
//
// Memory: an open-addressing table (linear probing, power-of-two capacity) of 16-byte slots —
// fingerprint (2 × 4 bytes), last-seen minute (4), metric-name id (4). Idle series are not swept:
// an insertion reuses the first idle slot its probe meets, and when the table is 3/4 full it is
// rebuilt without them, at the same size if the active series fill at most half of it, else at twice
// the size. So after the first 1,024 slots a table holds 16 / (3/4) ≈ 21 to 16 / (1/4) = 64 bytes per
// active series, and since only admitted series are stored it never exceeds 4 × (maxActiveSeries + 1)
// slots. Metric names are interned once per tenant (one string each) and re-interned on rebuild.
//
// The number of active series is kept exact in O(1) with one counter per minute of the window (a ring
// of window + 1 buckets): moving a series to the current minute moves it between buckets, and buckets
// that fall out of the window are subtracted as the clock advances.

const EMPTY = -0x80000000;
const INITIAL_CAPACITY = 1024;

export interface MetricCardinality {
  readonly metricName: string;
  readonly activeSeries: number;
}

export class ActiveSeries {
  private capacity = INITIAL_CAPACITY;
  private mask = INITIAL_CAPACITY - 1;
  private his = new Uint32Array(INITIAL_CAPACITY);
  private los = new Uint32Array(INITIAL_CAPACITY);
  private lastSeen = new Int32Array(INITIAL_CAPACITY).fill(EMPTY);
  private nameIds = new Uint32Array(INITIAL_CAPACITY);
  /** Slots holding a series, active or not. */
  private used = 0;
  private names: string[] = [];
  private nameIndex = new Map<string, number>();
  private buckets: Int32Array;
  private bucketMinutes: Float64Array;
  private active = 0;
  /** The latest minute seen: the clock never moves back. */
  private minute = -Infinity;

  constructor(private window: number) {
    this.buckets = new Int32Array(window + 1);
    this.bucketMinutes = new Float64Array(window + 1).fill(NaN);
  }

  get windowMinutes(): number {
    return this.window;
  }

  /** Slots allocated (for memory accounting: 16 bytes each). */
  get slots(): number {
    return this.capacity;
  }

  /** Moves the clock to `minute` (never back) and returns the number of active series then. */
  activeAt(minute: number): number {
    this.advance(minute);
    return this.active;
  }

  /** The slot of an active series with this key, or -1 (absent, or idle for longer than the window). */
  findActive(key: SeriesKey): number {
    const slot = this.find(key);
    return slot >= 0 && this.isActive(this.lastSeen[slot]) ? slot : -1;
  }

  /** Marks a series seen in the current minute, adding it (or reviving it) when it is not active. */
  touch(key: SeriesKey, metricName: string): void {
    const now = this.minute;
    let slot = this.find(key);
    if (slot >= 0) {
      const last = this.lastSeen[slot];
      if (last === now) return;
      if (this.isActive(last)) this.buckets[this.bucketOf(last)]--;
      else {
        this.active++;
        this.nameIds[slot] = this.nameId(metricName);
      }
    } else {
      if (this.used + 1 > (this.capacity * 3) >> 2) this.makeRoom();
      slot = this.insertionSlot(key);
      if (this.lastSeen[slot] === EMPTY) this.used++;
      this.his[slot] = key.hi;
      this.los[slot] = key.lo;
      this.nameIds[slot] = this.nameId(metricName);
      this.active++;
    }
    this.lastSeen[slot] = now;
    this.countIn(now);
  }

  /** Active series per metric name, most first (ties by name), at most `limit` of them. */
  topMetrics(limit: number): MetricCardinality[] {
    const counts = new Map<number, number>();
    for (let slot = 0; slot < this.capacity; slot++) {
      const last = this.lastSeen[slot];
      if (last !== EMPTY && this.isActive(last)) counts.set(this.nameIds[slot], (counts.get(this.nameIds[slot]) ?? 0) + 1);
    }
    return [...counts]
      .map(([id, activeSeries]) => ({ metricName: this.names[id], activeSeries }))
      .sort((a, b) => b.activeSeries - a.activeSeries || (a.metricName < b.metricName ? -1 : 1))
      .slice(0, limit);
  }

  /**
   * Seconds from `nowMs` until at least `count` of today's active series will have gone idle (if no
   * new sample arrives for them), or Infinity when fewer than `count` are active.
   */
  secondsUntilIdle(count: number, nowMs: number): number {
    if (count > this.active) return Infinity;
    let idle = 0;
    for (let minute = this.minute - this.window; minute <= this.minute; minute++) {
      idle += this.buckets[this.bucketOf(minute)];
      // A series last seen in `minute` is active until the end of minute + window.
      if (idle >= count) return Math.max(1, Math.ceil(((minute + this.window + 1) * 60_000 - nowMs) / 1000));
    }
    return Infinity;
  }

  /** Applies a new window length; active counts are rebuilt from the table. */
  resize(window: number): void {
    if (window === this.window) return;
    this.window = window;
    this.rebuild(this.capacity);
  }

  advance(minute: number): void {
    if (!(minute > this.minute)) return;
    this.minute = minute;
    const oldest = minute - this.window;
    for (let i = 0; i < this.buckets.length; i++) {
      if (this.bucketMinutes[i] < oldest) {
        this.active -= this.buckets[i];
        this.buckets[i] = 0;
        this.bucketMinutes[i] = NaN;
      }
    }
  }

  private isActive(lastSeen: number): boolean {
    return lastSeen >= this.minute - this.window;
  }

  private bucketOf(minute: number): number {
    const size = this.window + 1;
    return ((minute % size) + size) % size;
  }

  private countIn(minute: number): void {
    const bucket = this.bucketOf(minute);
    this.buckets[bucket]++;
    this.bucketMinutes[bucket] = minute;
  }

  private find(key: SeriesKey): number {
    for (let slot = key.hi & this.mask; ; slot = (slot + 1) & this.mask) {
      if (this.lastSeen[slot] === EMPTY) return -1;
      if (this.his[slot] === key.hi && this.los[slot] === key.lo) return slot;
    }
  }

  /** Where to put a key known to be absent: the first idle or empty slot of its probe sequence. */
  private insertionSlot(key: SeriesKey): number {
    for (let slot = key.hi & this.mask; ; slot = (slot + 1) & this.mask) {
      const last = this.lastSeen[slot];
      if (last === EMPTY || !this.isActive(last)) return slot;
    }
  }

  /** Before the table gets more than 3/4 full: drop idle series; grow when active ones fill half of it. */
  private makeRoom(): void {
    this.rebuild(this.active + 1 > this.capacity >> 1 ? this.capacity * 2 : this.capacity);
  }

  private rebuild(capacity: number): void {
    const { his, los, lastSeen, nameIds, names } = this;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.his = new Uint32Array(capacity);
    this.los = new Uint32Array(capacity);
    this.lastSeen = new Int32Array(capacity).fill(EMPTY);
    this.nameIds = new Uint32Array(capacity);
    this.names = [];
    this.nameIndex = new Map();
    this.buckets = new Int32Array(this.window + 1);
    this.bucketMinutes = new Float64Array(this.window + 1).fill(NaN);
    this.used = 0;
    this.active = 0;
    for (let old = 0; old < lastSeen.length; old++) {
      const last = lastSeen[old];
      if (last === EMPTY || !this.isActive(last)) continue;
      let slot = his[old] & this.mask;
      while (this.lastSeen[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.his[slot] = his[old];
      this.los[slot] = los[old];
      this.lastSeen[slot] = last;
      this.nameIds[slot] = this.nameId(names[nameIds[old]]);
      this.used++;
      this.active++;
      this.countIn(last);
    }
  }

  private nameId(metricName: string): number {
    let id = this.nameIndex.get(metricName);
    if (id === undefined) {
      id = this.names.push(metricName) - 1;
      this.nameIndex.set(metricName, id);
    }
    return id;
  }
}
