import { DEFAULT_CAPACITY, SeriesBuffer } from './series';

const STEP_MS = 300_000;
const T0 = 1_700_000_100_000 - (1_700_000_100_000 % STEP_MS); // on the grid

function arr(buffer: SeriesBuffer): number[] {
  return Array.from(buffer.toArray().values);
}

describe('SeriesBuffer', () => {
  it('defaults to 35 days of 5-minute steps in compact storage, under 64 KiB per series', () => {
    const mean = new SeriesBuffer();
    expect(mean.capacity).toBe(10_080);
    expect(DEFAULT_CAPACITY).toBe(10_080);
    expect(mean.stepSeconds).toBe(300);
    expect(mean.byteLength).toBe(10_080 * 4 + 10_080 * 1);
    expect(mean.byteLength).toBeLessThanOrEqual(64 * 1024);
    expect(new SeriesBuffer({ merge: 'max' }).byteLength).toBe(10_080 * 4);
    expect(new SeriesBuffer({ storage: 'float64' }).byteLength).toBe(10_080 * 8 + 10_080 * 2);
  });

  it('keeps about 7 significant digits in compact storage and exact doubles in float64 storage', () => {
    const compact = new SeriesBuffer();
    const exact = new SeriesBuffer({ storage: 'float64' });
    compact.add(T0, 123_456_789.123);
    exact.add(T0, 123_456_789.123);
    expect(Math.abs(arr(compact)[0]! - 123_456_789.123) / 123_456_789.123).toBeLessThan(6e-8);
    expect(arr(exact)).toEqual([123_456_789.123]);
  });

  it('saturates compact counts at 255 samples per step without losing the mean', () => {
    const b = new SeriesBuffer();
    for (let i = 0; i < 1000; i += 1) b.add(T0, 7);
    b.add(T0, 7 + 255);
    expect(arr(b)[0]).toBeCloseTo(8, 5);
  });

  it.each([
    ['zero step', { stepSeconds: 0 }],
    ['fractional step', { stepSeconds: 1.5 }],
    ['negative capacity', { capacity: -1 }],
    ['NaN capacity', { capacity: Number.NaN }],
  ])('refuses %s', (_name, options) => {
    expect(() => new SeriesBuffer(options)).toThrow(RangeError);
  });

  it('is empty until the first sample', () => {
    const b = new SeriesBuffer();
    expect(b.toArray()).toEqual({ startMs: null, stepSeconds: 300, values: new Float64Array(0) });
    expect(b.lastSampleMs).toBeUndefined();
  });

  it('floors timestamps to the grid and averages samples in one step', () => {
    const b = new SeriesBuffer();
    expect(b.add(T0 + 15_000, 1)).toBe('accepted');
    b.add(T0 + 30_000, 2);
    b.add(T0 + 299_999, 6);
    b.add(T0 + STEP_MS, 10);
    const snap = b.toArray();
    expect(snap.startMs).toBe(T0);
    expect(Array.from(snap.values)).toEqual([3, 10]);
    expect(b.lastSampleMs).toBe(T0 + STEP_MS);
  });

  it('keeps the largest sample of a step with merge "max"', () => {
    const b = new SeriesBuffer({ merge: 'max' });
    b.add(T0, 5);
    b.add(T0 + 1000, 9);
    b.add(T0 + 2000, 7);
    expect(arr(b)).toEqual([9]);
  });

  it('leaves gaps as NaN', () => {
    const b = new SeriesBuffer();
    b.add(T0, 1);
    b.add(T0 + 3 * STEP_MS, 4);
    expect(arr(b)).toEqual([1, NaN, NaN, 4]);
  });

  it('accepts out-of-order samples inside the window, before and after the first one', () => {
    const b = new SeriesBuffer({ capacity: 10 });
    b.add(T0 + 5 * STEP_MS, 5);
    b.add(T0 + 2 * STEP_MS, 2);
    b.add(T0 + 4 * STEP_MS, 4);
    const snap = b.toArray();
    expect(snap.startMs).toBe(T0 + 2 * STEP_MS);
    expect(Array.from(snap.values)).toEqual([2, NaN, 4, 5]);
    expect(b.lastSampleMs).toBe(T0 + 5 * STEP_MS);
  });

  it('drops and counts samples older than the window', () => {
    const b = new SeriesBuffer({ capacity: 4 });
    for (let i = 0; i < 6; i += 1) b.add(T0 + i * STEP_MS, i);
    const snap = b.toArray();
    expect(snap.startMs).toBe(T0 + 2 * STEP_MS);
    expect(Array.from(snap.values)).toEqual([2, 3, 4, 5]);
    expect(b.add(T0 + STEP_MS, 99)).toBe('too_old');
    expect(b.add(T0 + 2 * STEP_MS, 4)).toBe('accepted'); // the oldest step still in the window
    expect(b.droppedTooOld).toBe(1);
    expect(arr(b)).toEqual([3, 3, 4, 5]);
  });

  it('clears everything when a sample jumps past the whole window', () => {
    const b = new SeriesBuffer({ capacity: 4 });
    b.add(T0, 1);
    b.add(T0 + STEP_MS, 2);
    b.add(T0 + 100 * STEP_MS, 3);
    const snap = b.toArray();
    expect(snap.startMs).toBe(T0 + 97 * STEP_MS);
    expect(Array.from(snap.values)).toEqual([NaN, NaN, NaN, 3]);
  });

  it('reuses slots cleanly as the ring wraps (no stale counts in the running mean)', () => {
    const b = new SeriesBuffer({ capacity: 3 });
    for (let i = 0; i < 3; i += 1) {
      b.add(T0 + i * STEP_MS, 100);
      b.add(T0 + i * STEP_MS, 100);
    }
    b.add(T0 + 3 * STEP_MS, 1); // lands in slot 0, which held a mean of 2 samples
    expect(arr(b)).toEqual([100, 100, 1]);
  });

  it.each([
    ['NaN value (stale marker)', T0, Number.NaN],
    ['Infinity value', T0, Number.POSITIVE_INFINITY],
    ['NaN timestamp', Number.NaN, 1],
    ['Infinity timestamp', Number.POSITIVE_INFINITY, 1],
    ['value too large for Float32 storage', T0, 1e39],
  ])('rejects and counts a %s', (_name, ts, value) => {
    const b = new SeriesBuffer();
    expect(b.add(ts, value)).toBe('invalid');
    expect(b.rejectedInvalid).toBe(1);
    expect(b.toArray().startMs).toBeNull();
  });

  it('handles timestamps before 1970 (negative grid indices)', () => {
    const b = new SeriesBuffer({ capacity: 4 });
    b.add(-2 * STEP_MS + 1, 1);
    b.add(-STEP_MS, 2);
    b.add(0, 3);
    const snap = b.toArray();
    expect(snap.startMs).toBe(-2 * STEP_MS);
    expect(Array.from(snap.values)).toEqual([1, 2, 3]);
  });

  it('keeps negative values (the series is generic; forecasters decide about clamping)', () => {
    const b = new SeriesBuffer();
    b.add(T0, -5);
    expect(arr(b)).toEqual([-5]);
  });
});

describe('SeriesBuffer persistence and lookup', () => {
  it.each([['compact', 'mean'], ['float64', 'max']] as const)('restores a %s/%s buffer exactly from its bytes', (storage, merge) => {
    const buffer = new SeriesBuffer({ capacity: 50, storage, merge });
    for (let i = 0; i < 80; i++) buffer.add(1_700_000_000_000 + i * 150_000, Math.sin(i) * 10);
    const restored = SeriesBuffer.fromBytes(buffer.toBytes());
    expect(restored.toArray()).toEqual(buffer.toArray());
    expect(restored.lastSampleMs).toBe(buffer.lastSampleMs);
    expect(restored.merge).toBe(merge);
    // And it goes on as the original would.
    buffer.add(1_700_000_000_000 + 81 * 150_000, 3);
    restored.add(1_700_000_000_000 + 81 * 150_000, 3);
    expect(restored.toArray()).toEqual(buffer.toArray());
  });

  it('restores an empty buffer, and refuses bytes that are not a snapshot', () => {
    expect(SeriesBuffer.fromBytes(new SeriesBuffer({ capacity: 4 }).toBytes()).toArray().startMs).toBeNull();
    expect(() => SeriesBuffer.fromBytes(Buffer.from([9, 9, 9]))).toThrow(/not a series snapshot/);
    const bytes = new SeriesBuffer({ capacity: 4 }).toBytes();
    expect(() => SeriesBuffer.fromBytes(bytes.subarray(0, bytes.length - 1))).toThrow(/expected/);
  });

  it('answers the merged value of the step holding a timestamp, NaN outside', () => {
    const buffer = new SeriesBuffer({ capacity: 10 });
    buffer.add(600_000, 1);
    buffer.add(700_000, 3);
    expect(buffer.valueAt(650_000)).toBe(2);
    expect(buffer.valueAt(300_000)).toBeNaN();
    expect(buffer.valueAt(10_000_000)).toBeNaN();
  });
});
