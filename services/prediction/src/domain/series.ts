/**
 * A bounded history of one entity's metric on a fixed time grid.
 *
 * Memory per series (default capacity 10080 = 35 days of 5-minute steps, default `storage: 'compact'`):
 *   values  Float32Array   4 B × 10080 = 40 320 B
 *   counts  Uint8Array     1 B × 10080 = 10 080 B   (only with `merge: 'mean'`, the default)
 *   total = 50 400 B (49.2 KiB) plus a few dozen bytes of object fields; `byteLength` reports it, and it
 *   stays under the Prediction issue's 64 KiB per series. Float32 keeps 7 significant digits (a relative
 *   error below 6e-8, far under any forecast error; a value beyond ±3.4e38 does not fit and is rejected
 *   as invalid); counts saturate at 255 samples per step, after which
 *   the running mean weighs a new sample at 1/255. `storage: 'float64'` keeps the former layout
 *   (Float64Array values, Uint16Array counts: 100 800 B, 98.4 KiB).
 * A prediction instance holding 20 000 series therefore needs about 1 GB of history with `float64` and
 * about 0.5 GB with `compact`.
 */

export type StepMerge = 'mean' | 'max';

export interface SeriesBufferOptions {
  /** Grid step in seconds; a positive integer. Default 300 (5 minutes, the ingestion rollup step). */
  stepSeconds?: number;
  /** Number of steps kept; a positive integer. Default 10080 (35 days at 5 minutes). */
  capacity?: number;
  /**
   * How several samples that fall in one step are combined. `mean` (default): the running mean,
   * which matches the 5-minute rollups and suits rates such as CPU cores and messages/s (scrapes every
   * 15–60 s land several samples per step). `max`: the largest, for quantities whose peak matters more
   * than their average (memory working set: an OOM kill happens at the peak).
   */
  merge?: StepMerge;
  /** `compact` (default): Float32 values and 8-bit counts; `float64`: Float64 values and 16-bit counts. */
  storage?: 'compact' | 'float64';
}

/** A contiguous copy of the history, oldest step first. Gaps (steps without a sample) are NaN. */
export interface SeriesSnapshot {
  /** Grid timestamp (ms since epoch) of `values[0]`; null when the buffer has never held a sample. */
  startMs: number | null;
  stepSeconds: number;
  values: Float64Array;
}

export type AddResult = 'accepted' | 'too_old' | 'invalid';

export const DEFAULT_STEP_SECONDS = 300;
export const DEFAULT_CAPACITY = 35 * 288;
const SNAPSHOT_VERSION = 1;
const HEADER_BYTES = 36;


export class SeriesBuffer {
  readonly stepSeconds: number;
  readonly capacity: number;
  readonly merge: StepMerge;
  private readonly stepMs: number;
  private readonly values: Float64Array | Float32Array;
  private readonly counts: Uint16Array | Uint8Array | undefined;
  /** Counts saturate here; the running mean then weighs new samples at 1/maxCount, which is harmless. */
  private readonly maxCount: number;
  /** Largest magnitude the value array holds (Float32's in compact storage). */
  private readonly maxAbs: number;
  /** Grid index (timestamp ÷ step) of the newest step; undefined while empty. */
  private headStep: number | undefined;
  /** Oldest grid index that ever held a sample (may have rolled out of the window). */
  private firstStep = 0;
  private newestSampleMs: number | undefined;
  private tooOld = 0;
  private invalid = 0;

  constructor(options: SeriesBufferOptions = {}) {
    const stepSeconds = options.stepSeconds ?? DEFAULT_STEP_SECONDS;
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(stepSeconds) || stepSeconds <= 0) {
      throw new RangeError(`stepSeconds must be a positive integer, got ${stepSeconds}`);
    }
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.stepSeconds = stepSeconds;
    this.stepMs = stepSeconds * 1000;
    this.capacity = capacity;
    this.merge = options.merge ?? 'mean';
    const compact = (options.storage ?? 'compact') === 'compact';
    this.values = compact ? new Float32Array(capacity).fill(Number.NaN) : new Float64Array(capacity).fill(Number.NaN);
    this.counts = this.merge === 'mean' ? (compact ? new Uint8Array(capacity) : new Uint16Array(capacity)) : undefined;
    this.maxCount = compact ? 0xff : 0xffff;
    this.maxAbs = compact ? 3.4e38 : Number.MAX_VALUE;
  }

  /**
   * Places a sample on the grid step `floor(timestampMs / step)`. Samples out of order are accepted
   * while their step is still inside the window; older ones are dropped and counted (`droppedTooOld`).
   * Non-finite timestamps or values (including Prometheus stale markers, which are NaN), and values
   * too large for the storage, are counted in `rejectedInvalid`. A sample newer than the head moves the
   * window forward and turns the steps it skips into gaps. The buffer has no clock: the caller rejects
   * far-future timestamps first, or one bad sample would roll the whole window away.
   */
  add(timestampMs: number, value: number): AddResult {
    if (!Number.isFinite(timestampMs) || !Number.isFinite(value) || Math.abs(value) > this.maxAbs) {
      this.invalid += 1;
      return 'invalid';
    }
    const step = Math.floor(timestampMs / this.stepMs);
    if (this.headStep === undefined) {
      this.headStep = step;
      this.firstStep = step;
    } else if (step > this.headStep) {
      this.advanceTo(step);
    } else if (step <= this.headStep - this.capacity) {
      this.tooOld += 1;
      return 'too_old';
    }
    if (step < this.firstStep) this.firstStep = step;
    this.write(step, value);
    if (this.newestSampleMs === undefined || timestampMs > this.newestSampleMs) this.newestSampleMs = timestampMs;
    return 'accepted';
  }

  /** The window from the oldest step that holds (or held) data to the newest, oldest first. */
  toArray(): SeriesSnapshot {
    if (this.headStep === undefined) {
      return { startMs: null, stepSeconds: this.stepSeconds, values: new Float64Array(0) };
    }
    const start = Math.max(this.firstStep, this.headStep - this.capacity + 1);
    const length = this.headStep - start + 1;
    const out = new Float64Array(length);
    for (let i = 0; i < length; i += 1) out[i] = this.values[this.slot(start + i)]!;
    return { startMs: start * this.stepMs, stepSeconds: this.stepSeconds, values: out };
  }

  /** The merged value of the step holding `timestampMs`: NaN for a gap or a step outside the window. */
  valueAt(timestampMs: number): number {
    if (this.headStep === undefined) return Number.NaN;
    const step = Math.floor(timestampMs / this.stepMs);
    if (step > this.headStep || step <= this.headStep - this.capacity || step < this.firstStep) return Number.NaN;
    return this.values[this.slot(step)]!;
  }

  /**
   * The whole buffer as bytes (header, values, counts), to persist history across restarts:
   * `SeriesBuffer.fromBytes` restores it exactly.
   */
  toBytes(): Buffer {
    const valueBytes = Buffer.from(this.values.buffer, this.values.byteOffset, this.values.byteLength);
    const countBytes = this.counts ? Buffer.from(this.counts.buffer, this.counts.byteOffset, this.counts.byteLength) : Buffer.alloc(0);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt8(SNAPSHOT_VERSION, 0);
    header.writeUInt8(this.values instanceof Float32Array ? 0 : 1, 1);
    header.writeUInt8(this.merge === 'mean' ? 0 : 1, 2);
    header.writeUInt32LE(this.stepSeconds, 4);
    header.writeUInt32LE(this.capacity, 8);
    header.writeDoubleLE(this.headStep ?? Number.NaN, 12);
    header.writeDoubleLE(this.firstStep, 20);
    header.writeDoubleLE(this.newestSampleMs ?? Number.NaN, 28);
    return Buffer.concat([header, valueBytes, countBytes]);
  }

  static fromBytes(bytes: Uint8Array): SeriesBuffer {
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (data.length < HEADER_BYTES || data.readUInt8(0) !== SNAPSHOT_VERSION) throw new RangeError('not a series snapshot of a known version');
    const compact = data.readUInt8(1) === 0;
    const merge: StepMerge = data.readUInt8(2) === 0 ? 'mean' : 'max';
    const buffer = new SeriesBuffer({ stepSeconds: data.readUInt32LE(4), capacity: data.readUInt32LE(8), merge, storage: compact ? 'compact' : 'float64' });
    const valueBytes = buffer.values.byteLength;
    const countBytes = buffer.counts?.byteLength ?? 0;
    if (data.length !== HEADER_BYTES + valueBytes + countBytes) throw new RangeError(`series snapshot is ${data.length} bytes, expected ${HEADER_BYTES + valueBytes + countBytes}`);
    new Uint8Array(buffer.values.buffer, buffer.values.byteOffset, valueBytes).set(data.subarray(HEADER_BYTES, HEADER_BYTES + valueBytes));
    if (buffer.counts) new Uint8Array(buffer.counts.buffer, buffer.counts.byteOffset, countBytes).set(data.subarray(HEADER_BYTES + valueBytes));
    const head = data.readDoubleLE(12);
    const newest = data.readDoubleLE(28);
    buffer.headStep = Number.isNaN(head) ? undefined : head;
    buffer.firstStep = data.readDoubleLE(20);
    buffer.newestSampleMs = Number.isNaN(newest) ? undefined : newest;
    return buffer;
  }

  /** Samples refused because their step had already left the window. */
  get droppedTooOld(): number {
    return this.tooOld;
  }

  /** Samples refused because the timestamp or the value was not a finite number. */
  get rejectedInvalid(): number {
    return this.invalid;
  }

  /** Timestamp of the newest accepted sample (not rounded to the grid); undefined while empty. */
  get lastSampleMs(): number | undefined {
    return this.newestSampleMs;
  }

  /** Bytes held by the typed arrays of this series. */
  get byteLength(): number {
    return this.values.byteLength + (this.counts?.byteLength ?? 0);
  }

  private advanceTo(step: number): void {
    const head = this.headStep!;
    if (step - head >= this.capacity) {
      this.values.fill(Number.NaN);
      this.counts?.fill(0);
    } else {
      for (let s = head + 1; s <= step; s += 1) {
        const slot = this.slot(s);
        this.values[slot] = Number.NaN;
        if (this.counts) this.counts[slot] = 0;
      }
    }
    this.headStep = step;
  }

  private write(step: number, value: number): void {
    const slot = this.slot(step);
    const old = this.values[slot]!;
    if (Number.isNaN(old)) {
      this.values[slot] = value;
      if (this.counts) this.counts[slot] = 1;
      return;
    }
    if (this.counts) {
      const n = Math.min(this.counts[slot]! + 1, this.maxCount);
      this.counts[slot] = n;
      this.values[slot] = old + (value - old) / n;
    } else if (value > old) {
      this.values[slot] = value;
    }
  }

  private slot(step: number): number {
    const r = step % this.capacity;
    return r < 0 ? r + this.capacity : r;
  }
}
