import { applyLevelShift, clipOutliers, detectLevelShift, fillGaps, isUsable } from './hygiene';

function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const D = 48; // 30-minute steps per day: fast, and the cadence of nyc_taxi
const SHIFT_OPTIONS = { block: 2, minAfter: 3, lookback: 48, threshold: 8 };

function daily(n: number, noise: number, seed = 1): Float64Array {
  const g = gaussian(seed);
  return Float64Array.from({ length: n }, (_, t) => 10 + 4 * Math.sin((2 * Math.PI * (t % D)) / D) + noise * g());
}

describe('fillGaps', () => {
  it('interpolates short gaps, takes a season back for long ones, and the first value for leading ones', () => {
    const y = Float64Array.from({ length: 3 * D }, (_, t) => t % D);
    const holed = Float64Array.from(y);
    holed[0] = Number.NaN;
    holed[D + 10] = Number.NaN; // short: linear between 9 and 11
    for (let t = 2 * D + 5; t < 2 * D + 25; t += 1) holed[t] = Number.POSITIVE_INFINITY; // long: a day back
    const f = fillGaps(holed, D, 2);
    expect(f.values[0]).toBe(1);
    expect(f.values[D + 10]).toBe(10);
    expect(Array.from(f.values.subarray(2 * D + 5, 2 * D + 25))).toEqual(Array.from(y.subarray(D + 5, D + 25)));
    expect(f.count).toBe(1 + 1 + 20);
    expect(f.filled[D + 10]).toBe(1);
    expect(f.filled[D + 11]).toBe(0);
  });

  it('treats absurd magnitudes as gaps', () => {
    expect(isUsable(1e300)).toBe(false);
    expect(isUsable(-5)).toBe(true);
    expect(Array.from(fillGaps([1, 1e300, 3], D, 4).values)).toEqual([1, 2, 3]);
  });
});

describe('level shifts', () => {
  it('finds an additive shift and moves the history onto the new level', () => {
    const y = daily(10 * D, 0.3);
    const at = 9 * D + 10;
    for (let t = at; t < y.length; t += 1) y[t]! += 5;
    const shift = detectLevelShift(y, D, SHIFT_OPTIONS)!;
    expect(shift).toBeDefined();
    expect(shift.kind).toBe('additive');
    expect(Math.abs(shift.index - at)).toBeLessThanOrEqual(2);
    expect(shift.amount).toBeCloseTo(5, 0);
    const adjusted = Float64Array.from(y);
    applyLevelShift(adjusted, shift);
    expect(adjusted[D]!).toBeCloseTo(y[D]! + shift.amount, 12);
    expect(adjusted[at + 3]).toBe(y[at + 3]);
  });

  it('scales the history when a positive series drops to a third', () => {
    const y = daily(10 * D, 0.2).map((v) => v * 30);
    const at = 8 * D;
    for (let t = at; t < y.length; t += 1) y[t] = y[t]! / 3;
    const shift = detectLevelShift(y, D, SHIFT_OPTIONS)!;
    expect(shift.kind).toBe('multiplicative');
    expect(shift.amount).toBeCloseTo(1 / 3, 1);
  });

  it('finds none in plain noise, nor for a short burst', () => {
    expect(detectLevelShift(daily(10 * D, 1, 5), D, SHIFT_OPTIONS)).toBeUndefined();
    const burst = daily(10 * D, 0.3);
    for (let t = 9 * D; t < 9 * D + 3; t += 1) burst[t]! += 50;
    expect(detectLevelShift(burst, D, SHIFT_OPTIONS)).toBeUndefined();
  });
});

describe('clipOutliers', () => {
  it('clips a spike for fitting but leaves the newest steps alone', () => {
    const y = daily(6 * D, 0.2);
    y[3 * D] = 1000;
    y[y.length - 1] = 1000;
    const clipped = clipOutliers(y, D, 6, 4);
    expect(clipped).toBe(1);
    expect(y[3 * D]!).toBeLessThan(20);
    expect(y[y.length - 1]).toBe(1000);
  });

  it('leaves a clean series untouched', () => {
    const y = daily(6 * D, 0.2);
    const copy = Float64Array.from(y);
    expect(clipOutliers(y, D, 6, 0)).toBe(0);
    expect(y).toEqual(copy);
  });
});
